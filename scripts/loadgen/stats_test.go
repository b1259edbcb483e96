package loadgen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {90, 90 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.1, time.Millisecond}} {
		require.Equal(t, tc.want, percentile(d, tc.p), "percentile(1..100ms, %v)", tc.p)
	}
	require.Zero(t, percentile(nil, 50), "percentile(nil)")
	require.Equal(t, time.Duration(7), percentile([]time.Duration{7}, 99), "percentile(single)")
}
