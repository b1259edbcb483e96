package stripehooks

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

func keptEvent(id string) store.StripeEvent {
	return store.StripeEvent{ID: id, Type: "customer.created", APIVersion: APIVersion, Created: time.Now(),
		Payload: fmt.Appendf(nil, `{"id":%q,"object":"event"}`, id)}
}

func TestKeeper_KeepsConcurrentDeliveriesOnceEach(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	var k keeper
	// 60 deliveries at once of 30 events, each twice: one of each pair keeps it.
	ids := make([]string, 30)
	for i := range ids {
		ids[i] = "evt_" + uuid.NewString()
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		inserted = map[string]int{}
	)
	for i := range 60 {
		wg.Go(func() {
			id := ids[i%len(ids)]
			ok, err := k.keep(context.Background(), db, keptEvent(id))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				inserted[id]++
			}
		})
	}
	wg.Wait()
	require.Len(t, inserted, len(ids))
	for _, id := range ids {
		require.Equal(t, 1, inserted[id], id)
		_, err := store.StripeEventByID(context.Background(), db.Pool, id)
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool {
		k.mu.Lock()
		defer k.mu.Unlock()
		return k.busy == 0 && k.open == nil
	}, time.Second, time.Millisecond, "no batch left being written")
}

func TestKeeper_AnEventTheDatabaseRefusesFailsAloneInItsBatch(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	good, again := keptEvent("evt_"+uuid.NewString()), keptEvent("evt_"+uuid.NewString())
	refused := keptEvent("evt_" + uuid.NewString())
	refused.Payload = []byte(`{"name":"\u0000"}`) // no jsonb holds it
	batch := []*keeping{{event: good}, {event: refused}, {event: again}, {event: good}}
	write(context.Background(), db, batch)
	require.NoError(t, batch[0].err)
	require.True(t, batch[0].inserted)
	require.Error(t, batch[1].err)
	require.NoError(t, batch[2].err)
	require.True(t, batch[2].inserted)
	require.NoError(t, batch[3].err)
	require.False(t, batch[3].inserted, "a repeat of an earlier event of the batch")
}

func TestEscapesNUL_ReadsBackslashesAsJSONDoes(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]bool{
		`{"a":"\u0000"}`:        true,
		`{"a":"x\\\u0000"}`:     true,
		`{"a":"x\\u0000"}`:      false, // an escaped backslash, then the text u0000
		`{"a":"\\\\u0000"}`:     false,
		`{"a":"\u00001"}`:       true,
		`{"a":"\u0001"}`:        false,
		`{"a":"\\u0000\u0000"}`: true,
	} {
		require.Equal(t, want, escapesNUL([]byte(body)), body)
	}
}
