package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/store"
)

// maxInboxWait is how long a recorded notification may take to appear before the run fails.
const maxInboxWait = 10 * time.Second

// inboxResult is the in-app delay of the run's notifications.
type inboxResult struct {
	visible loadgen.Latency // from calling Record until a poll saw it
	record  loadgen.Latency // the recording transaction, Record and commit
	poll    loadgen.Latency // one poll of the inbox
	polls   int
}

// awaited is a notification the poller looks for: its dedup key, and when Record was called.
type awaited struct {
	key   string
	since time.Time
}

// sighting is when the poller saw an awaited notification, or why it could not.
type sighting struct {
	delay time.Duration
	err   error
}

// inboxDelay records c.inbox notifications for the owner one after another, each in its own
// transaction, while a poller looks for each in the owner's inbox on its own connection.
func (b *bench) inboxDelay(ctx context.Context, o owner) (inboxResult, error) {
	conn, err := pgx.Connect(ctx, b.c.appURL)
	if err != nil {
		return inboxResult{}, fmt.Errorf("connect the inbox poller: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	pollCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	targets := make(chan awaited)
	seen := make(chan sighting, 1)
	var polls []time.Duration
	var wg sync.WaitGroup
	wg.Go(func() { polls = pollInbox(pollCtx, conn, o.tenant(), b.c.pollEvery, targets, seen) })
	stop := func() {
		cancel()
		close(targets)
		wg.Wait()
	}

	visible := make([]time.Duration, 0, b.c.inbox)
	records := make([]time.Duration, 0, b.c.inbox)
	for i := range b.c.inbox {
		r := notify.Request{DedupKey: fmt.Sprintf("loadnotify/inbox/%d", i), Type: "organization.message",
			OrgID: o.org.ID, UserID: o.user.ID, Title: fmt.Sprintf("Message %d", i), Body: "Feeding moves to Thursday this week.",
			Link: "/api/v1/notifications"}
		start := time.Now()
		targets <- awaited{key: r.DedupKey, since: start}
		err := b.db.InTenant(ctx, o.tenant(), func(tx pgx.Tx) error {
			_, err := b.notifier.Record(ctx, tx, r)
			return err
		})
		records = append(records, time.Since(start))
		if err != nil {
			stop()
			return inboxResult{}, fmt.Errorf("record in-app notification %d: %w", i, err)
		}
		s := <-seen
		if s.err != nil {
			stop()
			return inboxResult{}, fmt.Errorf("in-app notification %d: %w", i, s.err)
		}
		visible = append(visible, s.delay)
	}
	stop()
	return inboxResult{visible: loadgen.Spread(visible), record: loadgen.Spread(records), poll: loadgen.Spread(polls), polls: len(polls)}, nil
}

// pollInbox looks for each awaited notification in turn, starting a poll every interval (at
// once after a poll that took longer), and reports on seen when a poll found it newest in
// the inbox. It returns the duration of every poll once targets is closed.
func pollInbox(ctx context.Context, conn *pgx.Conn, tenant store.Tenant, every time.Duration,
	targets <-chan awaited, seen chan<- sighting) []time.Duration {
	var polls []time.Duration
	for t := range targets {
		for next := time.Now(); ; {
			if d := time.Until(next); d > 0 {
				time.Sleep(d)
			}
			start := time.Now()
			next = start.Add(every)
			key, err := newestInInbox(ctx, conn, tenant)
			polls = append(polls, time.Since(start))
			if err == nil && key != t.key && time.Since(t.since) > maxInboxWait {
				err = errors.New("not in the inbox after " + maxInboxWait.String())
			}
			if err != nil {
				seen <- sighting{err: err}
				break
			}
			if key == t.key {
				seen <- sighting{delay: time.Since(t.since)}
				break
			}
		}
	}
	return polls
}

// newestInInbox is the dedup key of the newest notification in the tenant user's inbox, as
// the API's inbox lists it.
func newestInInbox(ctx context.Context, conn *pgx.Conn, tenant store.Tenant) (string, error) {
	var key string
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := store.SetTenant(ctx, tx, tenant); err != nil {
			return err
		}
		ns, err := store.Inbox(ctx, tx, store.InboxFilter{Limit: 1})
		if len(ns) > 0 {
			key = ns[0].DedupKey
		}
		return err
	})
	return key, err
}
