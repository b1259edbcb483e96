package main

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestTallyMail_CountsLostDuplicatedAndUnexpected(t *testing.T) {
	t.Parallel()
	to := func(addrs ...string) mailsink.Message { return mailsink.Message{To: addrs} }
	addresses := []string{"a@x.test", "b@x.test", "c@x.test"}
	for _, tc := range []struct {
		name   string
		msgs   []mailsink.Message
		want   tally
		wantOK bool
	}{
		{"each once", []mailsink.Message{to("a@x.test"), to("c@x.test"), to("b@x.test")},
			tally{expected: 3, received: 3}, true},
		{"addresses compare case-insensitively", []mailsink.Message{to("A@X.test"), to("b@x.test"), to("c@X.TEST")},
			tally{expected: 3, received: 3}, true},
		{"one lost", []mailsink.Message{to("a@x.test"), to("b@x.test")},
			tally{expected: 3, received: 2, lost: 1}, false},
		{"one twice", []mailsink.Message{to("a@x.test"), to("b@x.test"), to("c@x.test"), to("b@x.test")},
			tally{expected: 3, received: 4, duplicated: 1}, false},
		{"a stranger instead of one", []mailsink.Message{to("a@x.test"), to("b@x.test"), to("z@x.test")},
			tally{expected: 3, received: 3, lost: 1, unexpected: 1}, false},
		{"nothing", nil, tally{expected: 3, lost: 3}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tallyMail(addresses, tc.msgs)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.wantOK, got.ok())
		})
	}
}

func TestDeliveryCount_OKOnlyWhenEveryEmailIsSent(t *testing.T) {
	t.Parallel()
	d := func(channel, status string) store.Delivery { return store.Delivery{Channel: channel, Status: status} }
	a, b := uuid.New(), uuid.New()
	for _, tc := range []struct {
		name string
		ds   map[uuid.UUID][]store.Delivery
		want bool
	}{
		{"all sent", map[uuid.UUID][]store.Delivery{a: {d("email", "sent")}, b: {d("email", "sent"), d("in_app", "sent")}}, true},
		{"one pending", map[uuid.UUID][]store.Delivery{a: {d("email", "sent")}, b: {d("email", "pending")}}, false},
		{"one failed", map[uuid.UUID][]store.Delivery{a: {d("email", "failed")}, b: {d("email", "sent")}}, false},
		{"one without email", map[uuid.UUID][]store.Delivery{a: {d("email", "sent")}, b: {d("in_app", "sent")}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, countEmailDeliveries(tc.ds).ok(2))
		})
	}
}

func TestValidate_RefusesAnythingButALoopbackLoadnotifyDatabase(t *testing.T) {
	t.Parallel()
	good := config{
		adminURL: "postgres://postgres@127.0.0.1:5432/reptidex_loadnotify?sslmode=disable",
		appURL:   "postgres://reptidex_app@127.0.0.1:5432/reptidex_loadnotify?sslmode=disable",
		jobs:     10, batch: 5, inbox: 3, workers: 4, maxConns: 4, fetchCooldown: time.Millisecond, timeout: time.Minute,
	}
	for _, tc := range []struct {
		name   string
		change func(*config)
		ok     bool
	}{
		{"the defaults", func(*config) {}, true},
		{"the dev database", func(c *config) {
			c.adminURL = "postgres://postgres@127.0.0.1:5432/reptidex?sslmode=disable"
			c.appURL = "postgres://reptidex_app@127.0.0.1:5432/reptidex?sslmode=disable"
		}, false},
		{"two databases", func(c *config) { c.appURL = "postgres://reptidex_app@127.0.0.1:5432/reptidex_test?sslmode=disable" }, false},
		{"a remote host", func(c *config) {
			c.adminURL = "postgres://postgres@db.example.com:5432/reptidex_loadnotify"
			c.appURL = "postgres://reptidex_app@db.example.com:5432/reptidex_loadnotify"
		}, false},
		{"a cooldown below River's minimum", func(c *config) { c.fetchCooldown = time.Microsecond }, false},
		{"no jobs", func(c *config) { c.jobs = 0 }, false},
		{"a pool of one", func(c *config) { c.maxConns = 1 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := good
			tc.change(&c)
			err := validate(&c)
			if tc.ok {
				require.NoError(t, err)
				require.Equal(t, "reptidex_loadnotify", c.database)
			} else {
				require.Error(t, err)
			}
		})
	}
}
