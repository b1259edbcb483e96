package loadgen

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestForEach_DoesEveryIndexOnce(t *testing.T) {
	t.Parallel()
	done := make([]atomic.Int32, 50)
	require.NoError(t, ForEach(context.Background(), len(done), 4, func(_ context.Context, i int) error {
		done[i].Add(1)
		return nil
	}))
	for i := range done {
		require.EqualValues(t, 1, done[i].Load(), "index %d", i)
	}
}

func TestForEach_StopsAtTheFirstError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	var calls atomic.Int32
	err := ForEach(context.Background(), 1000, 1, func(_ context.Context, i int) error {
		calls.Add(1)
		if i == 2 {
			return boom
		}
		return nil
	})
	require.ErrorIs(t, err, boom)
	require.EqualValues(t, 3, calls.Load(), "nothing is done after the failure")
}

func TestForEach_FailsWhenInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	err := ForEach(ctx, 1000, 2, func(context.Context, int) error {
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
}

func TestDeal_GivesEachIndexToOneClient(t *testing.T) {
	t.Parallel()
	const clients = 3
	var byClient [clients][]int // each client appends only to its own, without locks
	Deal(context.Background(), 30, clients, func(k, i int) { byClient[k] = append(byClient[k], i) })
	var all []int
	for _, is := range byClient {
		all = append(all, is...)
	}
	slices.Sort(all)
	want := make([]int, 30)
	for i := range want {
		want[i] = i
	}
	require.Equal(t, want, all)
}
