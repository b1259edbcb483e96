package accounts

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
)

// Another code waits a minute after the last, and, once PhoneCodesPerDay were sent, until a
// day after the first of them, whichever is later.
func TestPhoneCodeWait_AMinuteAfterTheLastAndADayAfterTheTenth(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	cases := []struct {
		name string
		p    store.PhoneCode
		want time.Duration
	}{
		{"never sent", store.PhoneCode{}, 0},
		{"sent 20 s ago", store.PhoneCode{SentAt: at(-20 * time.Second), SentToday: 1, SentSince: at(-20 * time.Second)}, 40 * time.Second},
		{"sent a minute ago", store.PhoneCode{SentAt: at(-time.Minute), SentToday: 1, SentSince: at(-time.Minute)}, 0},
		{"nine sent today", store.PhoneCode{SentAt: at(-time.Hour), SentToday: 9, SentSince: at(-2 * time.Hour)}, 0},
		{"ten sent today", store.PhoneCode{SentAt: at(-time.Hour), SentToday: 10, SentSince: at(-2 * time.Hour)}, 22 * time.Hour},
		{"ten sent, the day over", store.PhoneCode{SentAt: at(-time.Hour), SentToday: 10, SentSince: at(-25 * time.Hour)}, 0},
		{"ten sent, the last just now", store.PhoneCode{SentAt: at(-time.Second), SentToday: 10, SentSince: at(-24*time.Hour + time.Second)}, 59 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, max(0, phoneCodeWait(c.p, now)))
		})
	}
}

// A code is bound to its user: the same digits hash apart for two people.
func TestPhoneCodeHash_BindsTheCodeToItsUser(t *testing.T) {
	t.Parallel()
	a, b := phoneCodeHash([16]byte{1}, "123456"), phoneCodeHash([16]byte{2}, "123456")
	require.NotEqual(t, a, b)
	require.Equal(t, a, phoneCodeHash([16]byte{1}, "123456"))
	require.NotEqual(t, a, phoneCodeHash([16]byte{1}, "123457"))
}
