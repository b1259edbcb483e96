package sms_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/sms"
)

func TestNormalizePhone_AcceptsWhatPeopleTypeAndReturnsE164(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"already E.164", "+447700900123", "+447700900123"},
		{"UK mobile with spaces", "+44 7700 900123", "+447700900123"},
		{"US with parentheses and hyphen", "+1 (555) 010-0199", "+15550100199"},
		{"dots", "+1.555.010.0199", "+15550100199"},
		{"slash", "+49 30/1234567", "+49301234567"},
		{"surrounding whitespace and tabs", " \t+33 1 23 45 67 89\n", "+33123456789"},
		{"non-breaking spaces from a pasted number", "+44\u00a07700\u202f900123", "+447700900123"},
		{"national trunk prefix in parentheses is dropped", "+44 (0)7700 900123", "+447700900123"},
		{"trunk prefix without space", "+49(0)30 1234567", "+49301234567"},
		{"shortest: 8 digits", "+68 312 345", "+68312345"},
		{"longest: 15 digits", "+123456789012345", "+123456789012345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := sms.NormalizePhone(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestNormalizePhone_SaysWhatIsWrong(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // substring of the error
	}{
		{"empty", "", "empty"},
		{"only spaces", "   ", "empty"},
		{"no plus: no country guessing", "07700 900123", "must start with + and the country code"},
		{"international dialling prefix instead of plus", "0044 7700 900123", "must start with +"},
		{"US number without country code", "(555) 010-0199", "must start with +"},
		{"second plus", "+44 +7700 900123", "+ may only come first"},
		{"letters", "+1 555 CALL NOW", `contains 'C'`},
		{"extension", "+1 555 010 0199 ext 12", `contains 'e'`},
		{"non-ASCII digits", "+٤٤ 7700 900123", "contains"},
		{"too short", "+44 7700", "has 6 digits; an international number has 8 to 15"},
		{"just a plus", "+", "has 0 digits"},
		{"too long", "+1234567890123456", "has 16 digits"},
		{"country code 0", "+0 7700 900123", "no country code starts with 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := sms.NormalizePhone(tt.in)
			require.ErrorIs(t, err, sms.ErrInvalidPhone)
			require.ErrorContains(t, err, tt.want)
			require.Empty(t, got)
		})
	}
}
