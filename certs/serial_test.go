package certs_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/certs"
)

const symbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func TestNewSerial_IsGroupedCrockfordWithCheckSymbol(t *testing.T) {
	t.Parallel()
	form := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$`)
	seen := map[certs.Serial]bool{}
	for range 1000 {
		s, err := certs.NewSerial()
		require.NoError(t, err)
		require.Regexp(t, form, s.String())
		require.False(t, seen[s], "serial %s drawn twice", s)
		seen[s] = true
		parsed, err := certs.ParseSerial(s.String())
		require.NoError(t, err)
		require.Equal(t, s, parsed)
	}
}

// TestNewSerial_UsesEveryBit: over many serials, every symbol position takes every one of
// the 32 values, so no position is fixed and the 60 bits are all random.
func TestNewSerial_UsesEveryBit(t *testing.T) {
	t.Parallel()
	seen := make([]map[byte]bool, 12)
	for i := range seen {
		seen[i] = map[byte]bool{}
	}
	for range 3000 {
		s, err := certs.NewSerial()
		require.NoError(t, err)
		for i, d := range []byte(strings.ReplaceAll(s.String(), "-", "")[:12]) {
			seen[i][d] = true
		}
	}
	for i := range seen {
		require.Len(t, seen[i], 32, "position %d", i)
	}
}

func TestParseSerial_NormalizesWhatPeopleType(t *testing.T) {
	t.Parallel()
	s, err := certs.NewSerial()
	require.NoError(t, err)
	compact := strings.ReplaceAll(s.String(), "-", "")
	confusable := strings.NewReplacer("0", "o", "1", "l").Replace(strings.ToLower(compact))
	for _, typed := range []string{
		s.String(), strings.ToLower(s.String()), compact, " " + compact[:6] + " " + compact[6:] + " ",
		confusable, strings.ReplaceAll(strings.ToUpper(confusable), "L", "I"),
	} {
		got, err := certs.ParseSerial(typed)
		require.NoError(t, err, typed)
		require.Equal(t, s, got, typed)
	}
}

func TestParseSerial_RefusesMistakes(t *testing.T) {
	t.Parallel()
	s, err := certs.NewSerial()
	require.NoError(t, err)
	compact := []byte(strings.ReplaceAll(s.String(), "-", ""))
	// Every single mistyped symbol, check symbol included.
	for i := range compact {
		for _, c := range []byte(symbols) {
			if c == compact[i] {
				continue
			}
			typo := append([]byte(nil), compact...)
			typo[i] = c
			_, err := certs.ParseSerial(string(typo))
			require.ErrorIs(t, err, certs.ErrSerialCheck, "%s", typo)
		}
	}
	// Every swap of two different neighbours, but 0 and Z.
	for i := 0; i+1 < len(compact); i++ {
		a, b := compact[i], compact[i+1]
		if a == b || (a == '0' && b == 'Z') || (a == 'Z' && b == '0') {
			continue
		}
		swapped := append([]byte(nil), compact...)
		swapped[i], swapped[i+1] = b, a
		_, err := certs.ParseSerial(string(swapped))
		require.ErrorIs(t, err, certs.ErrSerialCheck, "%s", swapped)
	}
	for _, bad := range []string{"", string(compact[:12]), string(compact) + "0", string(compact[:12]) + "U",
		string(compact[:12]) + "*", "ÄBCD" + string(compact[4:])} {
		_, err := certs.ParseSerial(bad)
		require.Error(t, err, bad)
	}
}
