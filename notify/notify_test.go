package notify_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// bundle is a notifier whose deliveries a River client works against the test stack's SMTP
// sink and SMS endpoint.
type bundle struct {
	db       *store.DB
	notifier *notify.Notifier
	mail     *mailsink.Client
	links    notify.Links
}

// setup starts River with the delivery worker, sending mail to smtpAddr (the test stack's
// sink when empty).
func setup(t *testing.T, smtpAddr string) *bundle {
	t.Helper()
	cfg := testkit.Config(t)
	db := testkit.DB(t)
	rc := testkit.DeliverNotifications(t, db, cfg, smtpAddr)
	return &bundle{db: db, notifier: &notify.Notifier{River: rc}, mail: testkit.Mail(t), links: notify.LinksFrom(cfg)}
}

type person struct {
	user store.User
	org  store.Organization
}

func (b *bundle) person(t *testing.T, name string) person {
	t.Helper()
	ctx := context.Background()
	u := store.User{ID: uuid.New(), PublicID: store.NewPublicID(), Email: testkit.UniqueEmail(strings.ToLower(name)), DisplayName: name, PasswordHash: "x"}
	o := store.Organization{ID: uuid.New(), PublicID: store.NewPublicID(), Name: name + "'s Reptiles", CreatedBy: u.ID}
	require.NoError(t, b.db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		if err := store.InsertUser(ctx, tx, u); err != nil {
			return err
		}
		if err := store.InsertOrganization(ctx, tx, o); err != nil {
			return err
		}
		return store.InsertMember(ctx, tx, u.ID, membership.Owner)
	}))
	return person{u, o}
}

func (p person) tenant() store.Tenant { return store.Tenant{OrgID: p.org.ID, UserID: p.user.ID} }

func (b *bundle) record(t *testing.T, tenant store.Tenant, r notify.Request) store.Notification {
	t.Helper()
	var n store.Notification
	require.NoError(t, b.db.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		var err error
		n, err = b.notifier.Record(context.Background(), tx, r)
		return err
	}))
	return n
}

func (b *bundle) escalate(t *testing.T, tenant store.Tenant, id uuid.UUID, c notify.Channel) notify.Escalation {
	t.Helper()
	var e notify.Escalation
	require.NoError(t, b.db.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		var err error
		e, err = b.notifier.Escalate(context.Background(), tx, id, c)
		return err
	}))
	return e
}

// deliveries reads a notification's channels as its recipient.
func (b *bundle) deliveries(t *testing.T, tenant store.Tenant, id uuid.UUID) map[string]store.Delivery {
	t.Helper()
	out := map[string]store.Delivery{}
	require.NoError(t, b.db.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		ds, err := store.DeliveriesOf(context.Background(), tx, []uuid.UUID{id})
		for _, d := range ds[id] {
			out[d.Channel] = d
		}
		return err
	}))
	return out
}

func (b *bundle) waitStatus(t *testing.T, tenant store.Tenant, id uuid.UUID, channel, status string) store.Delivery {
	t.Helper()
	var d store.Delivery
	require.Eventually(t, func() bool {
		d = b.deliveries(t, tenant, id)[channel]
		return d.Status == status
	}, 20*time.Second, 20*time.Millisecond, "%s delivery never became %s", channel, status)
	return d
}

func message(key string, to person) notify.Request {
	return notify.Request{DedupKey: key, Type: "organization.message", OrgID: to.org.ID, UserID: to.user.ID,
		Title: "Feeding day moved", Body: "Feeding moves to Thursday this week.\n\nThanks!", Link: "/api/v1/notifications"}
}

func TestRecord_DeliversInAppAtOnceAndEmailThroughTheSink(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	ada := b.person(t, "Ada")
	n := b.record(t, ada.tenant(), message("msg/"+uuid.NewString(), ada))

	ds := b.deliveries(t, ada.tenant(), n.ID)
	require.Equal(t, "sent", ds["in_app"].Status, "in-app delivery is the notification itself")
	b.waitStatus(t, ada.tenant(), n.ID, "email", "sent")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := b.mail.WaitFor(ctx, ada.user.Email, func(m mailsink.MessageDetail) bool { return m.Subject == "Feeding day moved" })
	require.NoError(t, err)
	require.Contains(t, got.Text, "Hello Ada,")
	require.Contains(t, got.Text, "Feeding moves to Thursday")
	require.Contains(t, got.Text, b.links.URL("/api/v1/notifications"), "the email links to what it is about")
	require.Contains(t, got.HTML, "/unsubscribe?token=")
}

func TestRecord_SameKeyTwiceDeliversOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	ada := b.person(t, "Ada")
	key := "msg/" + uuid.NewString()
	first := b.record(t, ada.tenant(), message(key, ada))
	again := b.record(t, ada.tenant(), message(key, ada))
	require.Equal(t, first.ID, again.ID)
	b.waitStatus(t, ada.tenant(), first.ID, "email", "sent")

	// Give a duplicate delivery every chance to arrive before counting.
	time.Sleep(500 * time.Millisecond)
	msgs, err := b.mail.List(context.Background(), ada.user.Email)
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	var jobs int
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(),
		`SELECT count(*) FROM river_job WHERE kind = 'notification_delivery' AND args->>'notification_id' = $1`, first.ID.String()).Scan(&jobs))
	require.Equal(t, 1, jobs)
}

func TestRecord_FollowsThePersonsChannels(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	ada := b.person(t, "Ada")
	require.NoError(t, b.db.InTenant(context.Background(), ada.tenant(), func(tx pgx.Tx) error {
		return store.SetChannelPreference(context.Background(), tx, "organization.message", []string{"in_app"})
	}))
	n := b.record(t, ada.tenant(), message("msg/"+uuid.NewString(), ada))
	ds := b.deliveries(t, ada.tenant(), n.ID)
	require.Len(t, ds, 1)
	require.Equal(t, "sent", ds["in_app"].Status)
}

func TestRecord_RejectedAddressFailsForGoodWithoutRetrying(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	ada := b.person(t, "Ada")
	r := notify.Request{DedupKey: "invite/" + uuid.NewString(), Type: "organization.invitation", OrgID: ada.org.ID,
		Email: "nobody-" + uuid.NewString()[:8] + "@rejected.invalid", Title: "Join Ada's Reptiles"}
	n := b.record(t, store.Tenant{OrgID: ada.org.ID}, r)
	d := b.waitStatus(t, store.Tenant{OrgID: ada.org.ID}, n.ID, "email", "failed")
	require.Equal(t, 1, d.Attempts, "%+v", d)
	require.Contains(t, d.LastError, "550")
	require.Eventually(t, func() bool {
		var state string
		err := testkit.AdminPool(t).QueryRow(context.Background(),
			`SELECT state FROM river_job WHERE kind = 'notification_delivery' AND args->>'notification_id' = $1`, n.ID.String()).Scan(&state)
		return err == nil && state == "cancelled"
	}, 10*time.Second, 20*time.Millisecond, "the job is cancelled, not retried")
}

func TestRecord_UnsubscribedAddressIsSkipped(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	ada := b.person(t, "Ada")
	addr := testkit.UniqueEmail("guest")
	require.NoError(t, b.db.InTx(context.Background(), func(tx pgx.Tx) error {
		return store.UnsubscribeEmail(context.Background(), tx, addr, "organization.invitation")
	}))
	tenant := store.Tenant{OrgID: ada.org.ID}
	n := b.record(t, tenant, notify.Request{DedupKey: "invite/" + uuid.NewString(), Type: "organization.invitation",
		OrgID: ada.org.ID, Email: addr, Title: "Join Ada's Reptiles"})
	d := b.deliveries(t, tenant, n.ID)["email"]
	require.Equal(t, "skipped", d.Status)
	require.Contains(t, d.LastError, "unsubscribed")
}

func TestRecord_RefusesBadRequests(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	ada := b.person(t, "Ada")
	ok := message("k", ada)
	cases := map[string]struct {
		change func(*notify.Request)
		field  string
	}{
		"unknown type":        {func(r *notify.Request) { r.Type = "nope" }, "type"},
		"no key":              {func(r *notify.Request) { r.DedupKey = " " }, "dedup_key"},
		"no title":            {func(r *notify.Request) { r.Title = "" }, "title"},
		"no recipient":        {func(r *notify.Request) { r.UserID = uuid.Nil }, "user_id"},
		"bad email":           {func(r *notify.Request) { r.UserID, r.Email = uuid.Nil, "not-an-address" }, "email"},
		"relative link":       {func(r *notify.Request) { r.Link = "https://elsewhere.example/x" }, "link"},
		"phone on other type": {func(r *notify.Request) { r.Phone = "+15550001234" }, "phone"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := ok
			c.change(&r)
			err := b.db.InTenant(context.Background(), ada.tenant(), func(tx pgx.Tx) error {
				_, err := b.notifier.Record(context.Background(), tx, r)
				return err
			})
			ie, isInvalid := notify.IsInvalid(err)
			require.True(t, isInvalid, "got %v", err)
			require.Equal(t, c.field, ie.Field)
		})
	}
}

func TestEscalate_ClimbsOnlyWhileUnreadAndToChosenChannels(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	ada, bob := b.person(t, "Ada"), b.person(t, "Bob")
	registered.GrantPlan(t, b.db, ada.org.ID, "pro") // Free sends no text messages
	phone := fmt.Sprintf("+447700%06d", rand.IntN(1_000_000))
	require.NoError(t, b.db.InTenant(context.Background(), bob.tenant(), func(tx pgx.Tx) error {
		if err := store.SetPhone(context.Background(), tx, phone, nil, time.Now()); err != nil {
			return err
		}
		if err := store.VerifyPhone(context.Background(), tx); err != nil {
			return err
		}
		return store.SetChannelPreference(context.Background(), tx, "transfer.offered", []string{"in_app", "email", "sms"})
	}))
	offer := func(to person) notify.Request {
		return notify.Request{DedupKey: "offer/" + uuid.NewString(), Type: "transfer.offered", OrgID: ada.org.ID,
			UserID: to.user.ID, Title: "Ada offers you Noodle", Link: "/api/v1/transfers/x"}
	}
	// The sender records; the escalation acts for the sender and the recipient, as the
	// escalation activity does (a recipient's deliveries are theirs alone).
	sender := store.Tenant{OrgID: ada.org.ID}
	forBob := store.Tenant{OrgID: ada.org.ID, UserID: bob.user.ID}
	forAda := store.Tenant{OrgID: ada.org.ID, UserID: ada.user.ID}

	// Bob: in-app at once, nothing else until escalated; then email, then SMS.
	n := b.record(t, sender, offer(bob))
	require.Equal(t, []string{"in_app"}, keys(b.deliveries(t, forBob, n.ID)))
	require.Empty(t, b.deliveries(t, sender, n.ID), "the sender does not see how Bob is reached")
	require.True(t, b.escalate(t, forBob, n.ID, notify.Email).Delivered)
	require.True(t, b.escalate(t, forBob, n.ID, notify.Email).Delivered, "escalating twice is harmless")
	b.waitStatus(t, forBob, n.ID, "email", "sent")
	require.True(t, b.escalate(t, forBob, n.ID, notify.SMS).Delivered)
	b.waitStatus(t, forBob, n.ID, "sms", "sent")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	text, err := b.mail.WaitForSMS(ctx, phone, func(m mailsink.SMS) bool { return strings.Contains(m.Body, "Ada offers you Noodle") })
	require.NoError(t, err)
	require.Contains(t, text.Body, b.links.URL("/api/v1/transfers/x"))

	// Ada has no phone: SMS is passed over with the reason; read notifications stop climbing.
	n = b.record(t, sender, offer(ada))
	require.NoError(t, b.db.InTenant(context.Background(), ada.tenant(), func(tx pgx.Tx) error {
		return store.MarkRead(context.Background(), tx, n.ID)
	}))
	e := b.escalate(t, forAda, n.ID, notify.Email)
	require.False(t, e.Delivered)
	require.Contains(t, e.Reason, "read")
	require.Equal(t, "skipped", b.deliveries(t, forAda, n.ID)["email"].Status)
}

// Not parallel: every test's River client works this package's jobs, and only this test's
// client may work its own while its SMTP server is down.
func TestDelivery_RetriesThroughAnSMTPOutageAndDeliversOnce(t *testing.T) {
	// A sink of this test's own, on a port that is closed while the notification is recorded.
	addr := testkit.FreeAddr(t)
	b := setup(t, addr)
	ada := b.person(t, "Ada")
	n := b.record(t, ada.tenant(), message("msg/"+uuid.NewString(), ada))

	require.Eventually(t, func() bool {
		d := b.deliveries(t, ada.tenant(), n.ID)["email"]
		return d.Status == "pending" && d.Attempts >= 2 && strings.Contains(d.LastError, "connect")
	}, 20*time.Second, 20*time.Millisecond, "the delivery should fail and stay pending while SMTP is down: %+v", b.deliveries(t, ada.tenant(), n.ID))

	sink := mailsink.New(mailsink.Config{SMTPAddr: addr, HTTPAddr: "127.0.0.1:0", Dir: t.TempDir()}, testkit.Logger(t))
	require.NoError(t, sink.Start())
	t.Cleanup(func() { _ = sink.Shutdown(context.Background()) })
	d := b.waitStatus(t, ada.tenant(), n.ID, "email", "sent")
	require.GreaterOrEqual(t, d.Attempts, 3)

	time.Sleep(500 * time.Millisecond)
	own := &mailsink.Client{BaseURL: sink.URL()}
	msgs, err := own.List(context.Background(), ada.user.Email)
	require.NoError(t, err)
	require.Len(t, msgs, 1, "delivered exactly once")
}

func keys(m map[string]store.Delivery) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestDelivery_RefusedNumberFailsForGoodWithoutRetrying(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	ada, bob := b.person(t, "Ada"), b.person(t, "Bob")
	registered.GrantPlan(t, b.db, ada.org.ID, "pro")         // Free sends no text messages
	refused := fmt.Sprintf("+15550009%03d", rand.IntN(1000)) // the sink's provider refuses this range
	require.NoError(t, b.db.InTenant(context.Background(), bob.tenant(), func(tx pgx.Tx) error {
		if err := store.SetPhone(context.Background(), tx, refused, nil, time.Now()); err != nil {
			return err
		}
		if err := store.VerifyPhone(context.Background(), tx); err != nil {
			return err
		}
		return store.SetChannelPreference(context.Background(), tx, "transfer.offered", []string{"in_app", "sms"})
	}))
	sender := store.Tenant{OrgID: ada.org.ID, UserID: bob.user.ID}
	n := b.record(t, sender, notify.Request{DedupKey: "offer/" + uuid.NewString(), Type: "transfer.offered", OrgID: ada.org.ID,
		UserID: bob.user.ID, Title: "Ada offers you Noodle"})
	require.True(t, b.escalate(t, sender, n.ID, notify.SMS).Delivered)
	d := b.waitStatus(t, sender, n.ID, "sms", "failed")
	require.Equal(t, 1, d.Attempts, "%+v", d)
	require.Contains(t, d.LastError, "21211")
}

// An organization's plan bounds the text messages it sends a calendar month: beyond it the
// SMS is recorded as skipped for the plan limit, never sent or retried, and the in-app and
// email deliveries go as usual. Free sends none.
func TestRecord_SMSBeyondThePlanIsSkippedAndTheOtherChannelsGo(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	ada, bob := b.person(t, "Ada"), b.person(t, "Bob")
	phone := fmt.Sprintf("+447701%06d", rand.IntN(1_000_000))
	require.NoError(t, b.db.InTenant(context.Background(), bob.tenant(), func(tx pgx.Tx) error {
		if err := store.SetPhone(context.Background(), tx, phone, nil, time.Now()); err != nil {
			return err
		}
		if err := store.VerifyPhone(context.Background(), tx); err != nil {
			return err
		}
		return store.SetChannelPreference(context.Background(), tx, "transfer.reminder", []string{"in_app", "email", "sms"})
	}))
	sender := store.Tenant{OrgID: ada.org.ID, UserID: bob.user.ID}
	remind := func() store.Notification {
		return b.record(t, sender, notify.Request{DedupKey: "remind/" + uuid.NewString(), Type: "transfer.reminder",
			OrgID: ada.org.ID, UserID: bob.user.ID, Title: "Noodle still waits for your answer"})
	}

	// Free: no text messages at all.
	n := remind()
	d := b.deliveries(t, sender, n.ID)
	require.Equal(t, "skipped", d["sms"].Status)
	require.Contains(t, d["sms"].LastError, "plan limit: sms_per_month")
	require.Contains(t, d["sms"].LastError, "Free")
	require.Equal(t, "sent", d["in_app"].Status)
	b.waitStatus(t, sender, n.ID, "email", "sent")

	// A plan of one text message a month: the first is sent, the second skipped.
	key := "test-" + uuid.NewString()[:8]
	_, err := testkit.AdminPool(t).Exec(context.Background(), `INSERT INTO plans (key, name, sms_per_month, position)
		VALUES ($1, 'One text', 1, 1000)`, key)
	require.NoError(t, err)
	registered.GrantPlan(t, b.db, ada.org.ID, key)
	first := remind()
	b.waitStatus(t, sender, first.ID, "sms", "sent")
	second := remind()
	d = b.deliveries(t, sender, second.ID)
	require.Equal(t, "skipped", d["sms"].Status)
	require.Contains(t, d["sms"].LastError, "1 used")
	b.waitStatus(t, sender, second.ID, "email", "sent")
}
