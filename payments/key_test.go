package payments_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/payments"
)

func TestIdempotencyKey_IsTheStepsPartsJoined(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		parts []string
		want  string
	}{
		{"seller account", []string{"seller-account", "3xYz9", "create"}, "seller-account/3xYz9/create"},
		{"order step", []string{"order", "7Kp2", "authorize"}, "order/7Kp2/authorize"},
		{"a slash inside a part is escaped", []string{"order", "a/b", "capture"}, "order/a%2Fb/capture"},
		{"a percent sign is escaped", []string{"order", "50%", "capture"}, "order/50%25/capture"},
		{"spaces are escaped", []string{"order", "a b"}, "order/a%20b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := payments.IdempotencyKey(tc.parts...)
			require.False(t, k.IsZero())
			require.Equal(t, tc.want, k.String())
		})
	}
}

func TestIdempotencyKey_SamePartsSameKeyOtherPartsOtherKey(t *testing.T) {
	t.Parallel()
	require.Equal(t, payments.IdempotencyKey("order", "1", "capture"), payments.IdempotencyKey("order", "1", "capture"))
	distinct := [][]string{
		{"order", "1", "capture"},
		{"order", "1", "authorize"},
		{"order", "2", "capture"},
		{"order", "1/capture"},
		{"order/1", "capture"},
		{"order", "1", "capture", "x"},
	}
	seen := map[string][]string{}
	for _, parts := range distinct {
		k := payments.IdempotencyKey(parts...).String()
		require.NotContains(t, seen, k, "%v and %v give the same key", parts, seen[k])
		seen[k] = parts
	}
}

func TestIdempotencyKey_NoPartsOrAnEmptyPartIsNoKey(t *testing.T) {
	t.Parallel()
	require.True(t, payments.IdempotencyKey().IsZero())
	require.True(t, payments.IdempotencyKey("order", "", "capture").IsZero())
	require.True(t, payments.IdempotencyKey("").IsZero())
	require.True(t, payments.Key{}.IsZero())
}

func TestIdempotencyKey_LongerThanStripeAcceptsIsHashed(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 300)
	k := payments.IdempotencyKey("order", long, "capture")
	require.LessOrEqual(t, len(k.String()), 255)
	require.True(t, strings.HasPrefix(k.String(), "sha256/"), k.String())
	require.Equal(t, k, payments.IdempotencyKey("order", long, "capture"), "still derived, not random")
	require.NotEqual(t, k, payments.IdempotencyKey("order", long, "refund"))
	// Exactly at the limit it is kept as it is.
	atLimit := payments.IdempotencyKey(strings.Repeat("y", 255))
	require.Equal(t, strings.Repeat("y", 255), atLimit.String())
}
