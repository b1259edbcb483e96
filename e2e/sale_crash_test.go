package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/orders"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
	"github.com/reptidex/reptidex/workflows/sale"
)

// How the kill test runs: how many sales, for how long the processes are killed, and how
// long everything may take once the driving starts: a bound that is only reached when
// something is wrong (a worker's lost Stripe call is tried again once its heartbeat is
// missed, 10 s; a lost database step once its 10 s attempt times out), generous so that a
// loaded machine running other packages' tests beside it does not fail it.
const (
	crashSales    = 50
	crashChaosFor = 25 * time.Second
	crashBound    = 5 * time.Minute
	// The sales start this far apart, so that the kills find them at every stage: some
	// authorizing, some capturing, some paying out.
	crashStagger = 300 * time.Millisecond
	// stripe-mock answers in a few milliseconds where Stripe takes hundreds: the proxy holds
	// each answer up to this long, so that a kill lands between a call Stripe has made and
	// the ledger's record of it.
	crashStripeLatency = 400 * time.Millisecond
)

// The kill test: 50 sales at once, completed, cancelled by the buyer or declined,
// while the worker is killed with SIGKILL at random moments and started again, and the API
// (a process of its own, as in production) is killed and started again too. The driver
// retries what a client would: an update that times out is sent again under the same
// update ID, a webhook not answered 200 is posted again. Afterwards every sale has ended as
// it was driven, and each one is counted three ways: from the requests that reached
// stripe-mock (through a recording proxy), from the ledger and from the database. A
// completed sale was captured once, paid out once and moved the animal once; the others
// captured nothing, released what was authorized and left the animal the seller's, listed
// again.
//
// Not parallel, deliberately: the worker process must be the only one working the
// package's River jobs (one of them starts each sale), as TestTransferCrash explains.
func TestSaleCrash_EverySaleCompletesOnceOrIsUndoneWhenTheWorkerAndTheAPICrash(t *testing.T) {
	bin := buildReptidex(t)
	cfg := crashConfig(t)
	// A start of a sale the killed worker held is tried again within the test's bound.
	cfg.River.JobTimeout, cfg.River.RescueAfter = 10*time.Second, 15*time.Second
	stripeMock := recordStripe(t, cfg.Stripe.APIBase)
	cfg.Stripe.APIBase = stripeMock.URL
	worker := startWorkerProcess(t, bin, cfg)
	api := newAPIProcess(t, bin, cfg)
	s := api.system(t)

	sales := openCrashMarket(t, s)
	t.Logf("%d listings of %d sellers ordered by %d buyers", len(sales), crashSellers, crashBuyers)

	ctx, cancel := context.WithTimeout(context.Background(), crashBound)
	defer cancel()
	started := time.Now()
	driven := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range sales {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * crashStagger)
			c.err = c.drive(ctx)
		}()
	}
	go func() { wg.Wait(); close(driven) }()

	// The crashes, from the test's goroutine: the worker killed every 0.5–3 s and started
	// again after up to a second; the API killed with it the 2nd and 5th time.
	kills, apiRestarts := 0, 0
	chaosEnds := time.After(crashChaosFor)
chaos:
	for {
		select {
		case <-driven:
			break chaos
		case <-chaosEnds:
			break chaos
		case <-time.After(time.Duration(500+rand.IntN(2500)) * time.Millisecond):
		}
		worker.kill(t)
		kills++
		if kills == 2 || kills == 5 {
			api.restart(t)
			apiRestarts++
		}
		time.Sleep(time.Duration(rand.IntN(1000)) * time.Millisecond)
		worker = startWorkerProcess(t, bin, cfg)
	}
	t.Logf("the worker was killed %d times and the API restarted %d times in %s", kills, apiRestarts,
		time.Since(started).Round(time.Second))
	require.GreaterOrEqual(t, kills, 5)
	require.GreaterOrEqual(t, apiRestarts, 1)

	<-driven // each driver gives up when ctx ends
	retries := 0
	admin := testkit.AdminPool(t)
	for _, c := range sales {
		require.NoError(t, c.err, "order %s (%s) could not be driven; its sale's start: %s", c.orderID, c.path,
			startJobOf(t, admin, c.orderID))
		retries += c.retries
	}
	tc := testkit.Temporal(t)
	for _, c := range sales {
		var res sale.Result
		require.NoError(t, tc.GetWorkflow(ctx, sale.WorkflowID(c.orderID), "").Get(ctx, &res),
			"the sale of order %s (%s) did not end", c.orderID, c.path)
		require.Equal(t, c.path.ending(), res.Status, "order %s (%s): %s", c.orderID, c.path, res.Outcome)
	}
	t.Logf("every sale ended %s after the driving started; the driver sent %d requests again",
		time.Since(started).Round(time.Second), retries)

	calls := stripeMock.recorded()
	requireEveryStripeCallKeyed(t, calls, sales)
	for _, c := range sales {
		c.requireEnded(t, calls, admin)
	}
	logStripeCalls(t, calls)
}

// crashPath is how the driver takes a sale to its end.
type crashPath string

// The paths: most sales complete; some the buyer cancels once the card is authorized; some
// cards are declined.
const (
	crashCompleted crashPath = "completed"
	crashCancelled crashPath = "cancelled by the buyer"
	crashDeclined  crashPath = "declined"
)

// ending is the status the path ends the sale at.
func (p crashPath) ending() sale.Status {
	switch p {
	case crashCompleted:
		return sale.Completed
	case crashCancelled:
		return sale.Cancelled
	}
	return sale.Failed
}

// crashPathOf is the path of the ith sale: three in five complete, one is cancelled, one
// is declined.
func crashPathOf(i int) crashPath {
	switch i % 5 {
	case 3:
		return crashCancelled
	case 4:
		return crashDeclined
	}
	return crashCompleted
}

// The parties of the kill test.
const (
	crashSellers = 3
	crashBuyers  = 4
)

// crashSale is one sale of the kill test: a listing of one of the sellers ordered by one of
// the buyers, driven along its path.
type crashSale struct {
	m       market
	queue   *river.Client[pgx.Tx]
	tc      client.Client
	path    crashPath
	price   int64
	orderID uuid.UUID
	retries int   // requests the driver sent again
	err     error // why the driving stopped short
}

// openCrashMarket registers the sellers (each with an enabled Stripe account) and the
// buyers, and lists one animal for each sale at a price of its own.
func openCrashMarket(t *testing.T, s *system) []*crashSale {
	t.Helper()
	ctx := context.Background()
	admin := testkit.AdminPool(t)
	idOf := func(table, publicID string) uuid.UUID {
		var id uuid.UUID
		require.NoError(t, admin.QueryRow(ctx, "SELECT id FROM "+table+" WHERE public_id = $1", publicID).Scan(&id))
		return id
	}
	type party struct {
		p         person
		org, user uuid.UUID
	}
	var sellers, buyers []party
	for i := range crashSellers + crashBuyers {
		p := s.register(t, fmt.Sprintf("Party%d", i), true)
		pa := party{p: p, org: idOf("organizations", p.OrgID), user: idOf("users", p.UserID)}
		if i >= crashSellers {
			buyers = append(buyers, pa)
			continue
		}
		require.NoError(t, s.Admin(ctx, `INSERT INTO seller_accounts (org_id, stripe_account_id, country, charges_enabled,
			payouts_enabled, details_submitted, created_by) VALUES ($1, $2, 'US', true, true, true, $3)`,
			pa.org, fmt.Sprintf("acct_1Seller%d", i), pa.user))
		// Each seller lists crashSales / crashSellers animals at once, more than Free's 3.
		registered.GrantPlan(t, s.DB, pa.org, "business")
		sellers = append(sellers, pa)
	}
	queue := registered.Queue(t, s.DB)
	tc := testkit.Temporal(t)
	sales := make([]*crashSale, crashSales)
	for i := range sales {
		seller, buyer := sellers[i%crashSellers], buyers[i%crashBuyers]
		price := int64(20000 + 100*i)
		m := market{s: s, seller: seller.p, buyer: buyer.p, sellerOrg: seller.org, buyerOrg: buyer.org,
			sellerUser: seller.user, buyerUser: buyer.user}
		m.animal = s.animal(t, seller.p.Token, map[string]any{"species": "ball-python", "sex": "female",
			"name": fmt.Sprintf("Sunny %d", i)})
		m.listing = s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/marketplace/listings", seller.p.Token, map[string]any{
			"animal_id": m.animal, "price": map[string]any{"amount": price, "currency": "usd"}, "title": "Ball python female",
			"shipping": map[string]any{"ships_within_days": 3, "regions": []string{"US"}}, "live_arrival_hours": 48,
		}, "Idempotency-Key", uuid.NewString())["id"].(string)
		sales[i] = &crashSale{m: m, queue: queue, tc: tc, path: crashPathOf(i), price: price}
	}
	return sales
}

// drive places the order and takes the sale along its path, retrying what a client would.
func (c *crashSale) drive(ctx context.Context) error {
	buyer := store.Tenant{OrgID: c.m.buyerOrg, UserID: c.m.buyerUser}
	err := c.m.s.DB.InTenant(ctx, buyer, func(tx pgx.Tx) error {
		o, err := orders.Place(ctx, tx, c.queue, c.m.s.Cfg.Sales, orders.NewOrder{ListingPublicID: c.m.listing,
			Amount: c.price, Currency: "usd", ShipTo: "US", BuyerOrgID: c.m.buyerOrg, BuyerUserID: c.m.buyerUser})
		c.orderID = o.ID
		return err
	})
	if err != nil {
		return fmt.Errorf("place the order: %w", err)
	}
	o, err := c.wait(ctx, sale.AwaitingPayment)
	if err != nil {
		return err
	}
	if c.path == crashDeclined {
		return c.webhook(ctx, stripe.EventTypePaymentIntentPaymentFailed, o, stripehooks.SalePayment{DeclineCode: "insufficient_funds"})
	}
	if err := c.webhook(ctx, stripe.EventTypePaymentIntentAmountCapturableUpdated, o, stripehooks.SalePayment{}); err != nil {
		return err
	}
	if _, err := c.wait(ctx, sale.Paid); err != nil {
		return err
	}
	if c.path == crashCancelled {
		return c.ask(ctx, sale.CancelUpdate, sale.CancelInput{Actor: c.m.buyerActor(), Reason: "found another"})
	}
	if err := c.ask(ctx, sale.ShipUpdate, sale.ShipInput{Actor: c.m.sellerActor(), Carrier: "UPS", TrackingNumber: "1Z999AA1"}); err != nil {
		return err
	}
	if err := c.ask(ctx, sale.DeliveredUpdate, c.m.buyerActor()); err != nil {
		return err
	}
	return c.ask(ctx, sale.ConfirmUpdate, c.m.buyerActor())
}

// wait waits until the order stands at status.
func (c *crashSale) wait(ctx context.Context, status sale.Status) (store.Order, error) {
	var o store.Order
	for {
		err := c.m.s.DB.InTenant(ctx, store.Tenant{OrgID: c.m.buyerOrg}, func(tx pgx.Tx) error {
			var err error
			o, err = store.OrderByID(ctx, tx, c.orderID)
			return err
		})
		if err == nil && o.Status == string(status) {
			return o, nil
		}
		select {
		case <-ctx.Done():
			return o, fmt.Errorf("the order never became %s (it is %s): %w", status, o.Status, errors.Join(ctx.Err(), err))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// webhook posts the event Stripe would send about the order's payment, signed, to the API,
// again until it answers 200 (Stripe retries an event that was not acknowledged).
func (c *crashSale) webhook(ctx context.Context, typ stripe.EventType, o store.Order, p stripehooks.SalePayment) error {
	p.PaymentIntentID, p.OrderID, p.Amount, p.Currency, p.ChargeID = o.PaymentIntentID, o.ID, o.Amount, o.Currency, "ch_"+o.PublicID
	body, err := stripehooks.BuildEvent(typ, p)
	if err != nil {
		return err
	}
	for try := 0; ; try++ {
		if try > 0 {
			c.retries++
		}
		status, err := c.post(ctx, body)
		if status == http.StatusOK {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("webhook %s never acknowledged (%d, %w)", typ, status, errors.Join(ctx.Err(), err))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// post posts one webhook delivery, signed now.
func (c *crashSale) post(ctx context.Context, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.m.s.URL+"/api/v1/stripe/webhooks", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", stripehooks.Sign(body, c.m.s.Cfg.Stripe.WebhookSecret, time.Now()))
	resp, err := c.m.s.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, resp.Body.Close()
}

// ask sends an update to the sale until it answers, each time under the same update ID, so
// that a try the dead worker left unanswered and its retry are one update. The sale's
// refusals (a wrong stage, a party it does not let act) are not retried: they are errors.
// A sale that is over when the update is sent again ended through the first try.
func (c *crashSale) ask(ctx context.Context, update string, arg any) error {
	id := uuid.NewString()
	for try := 0; ; try++ {
		if try > 0 {
			c.retries++
		}
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := sale.Ask(actx, c.tc, c.orderID, update, id, arg)
		cancel()
		switch {
		case err == nil:
			return nil
		case errors.Is(err, sale.ErrNotRunning) && try > 0:
			return nil
		case sale.IsWrongStage(err) || sale.IsRefused(err) || sale.IsInvalid(err) || errors.Is(err, sale.ErrNotRunning):
			return fmt.Errorf("update %s refused: %w", update, err)
		case ctx.Err() != nil:
			return fmt.Errorf("update %s never answered: %w", update, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// requireEnded checks the sale's end three ways: the Stripe calls made under its keys, its
// ledger, and the database's record of the animal and the listing.
func (c *crashSale) requireEnded(t *testing.T, calls []stripeCall, admin *pgxpool.Pool) {
	t.Helper()
	name := fmt.Sprintf("order %s (%s)", c.orderID, c.path)
	prefix := "order/" + c.orderID.String() + "/"
	keys := map[string][]string{} // kind of call → the distinct keys it was made under
	answered := map[string]bool{} // kind of call → one was answered 200
	for _, call := range calls {
		if !strings.HasPrefix(call.Key, prefix) || call.Method == http.MethodGet {
			continue
		}
		kind := call.kind()
		if !slices.Contains(keys[kind], call.Key) {
			keys[kind] = append(keys[kind], call.Key)
		}
		answered[kind] = answered[kind] || call.Status == http.StatusOK
	}
	fee := orders.Fee(c.price, c.m.s.Cfg.Sales.FeeBasisPoints)
	var sold struct {
		Moves         int
		Owner         uuid.UUID
		ListingStatus string
		Reserved      bool
	}
	require.NoError(t, admin.QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM ownership_history h JOIN transfers tr ON tr.id = h.transfer_id WHERE tr.order_id = o.id),
			a.org_id, l.status::text, l.reserved_by IS NOT NULL
		FROM orders o JOIN animals a ON a.id = o.animal_id JOIN listings l ON l.id = o.listing_id
		WHERE o.id = $1`, c.orderID).Scan(&sold.Moves, &sold.Owner, &sold.ListingStatus, &sold.Reserved), name)

	if c.path == crashCompleted {
		require.Equal(t, map[string][]string{"authorize": {prefix + "authorize"}, "capture": {prefix + "capture"},
			"transfer": {prefix + "payout"}}, keys, "%s: one key for each call", name)
		require.True(t, answered["capture"] && answered["transfer"], "%s: captured and paid out", name)
		require.Equal(t, store.LedgerTotals{Currency: "usd", Authorized: c.price, Captured: c.price,
			Transferred: c.price - fee, Fee: fee, Settled: true}, c.m.money(t, c.orderID), name)
		require.Equal(t, 1, sold.Moves, "%s: the animal moved once", name)
		require.Equal(t, c.m.buyerOrg, sold.Owner, "%s: the animal is the buyer's", name)
		require.Equal(t, "sold", sold.ListingStatus, name)
		return
	}
	require.Equal(t, map[string][]string{"authorize": {prefix + "authorize"}, "cancel": {prefix + "release"}}, keys,
		"%s: the authorization released under one key, nothing captured or paid out", name)
	require.True(t, answered["cancel"], "%s: the PaymentIntent was cancelled", name)
	want := store.LedgerTotals{Settled: true} // declined: nothing was ever held
	if c.path == crashCancelled {
		want = store.LedgerTotals{Currency: "usd", Authorized: c.price, Released: c.price, Settled: true}
	}
	require.Equal(t, want, c.m.money(t, c.orderID), "%s: nothing held", name)
	require.Zero(t, sold.Moves, "%s: the animal did not move", name)
	require.Equal(t, c.m.sellerOrg, sold.Owner, "%s: the animal is still the seller's", name)
	require.Equal(t, "active", sold.ListingStatus, name)
	require.False(t, sold.Reserved, "%s: the listing is free again", name)
}

// startJobOf describes the River job that starts the order's sale, for a failure's message.
func startJobOf(t *testing.T, admin *pgxpool.Pool, orderID uuid.UUID) string {
	t.Helper()
	var job string
	err := admin.QueryRow(context.Background(), `SELECT format('job %s %s, attempt %s at %s by %s; errors %s',
			id, state, attempt, attempted_at, attempted_by, errors)
		FROM river_job WHERE kind = 'start_sale' AND args->>'order_id' = $1`, orderID.String()).Scan(&job)
	if err != nil {
		return err.Error()
	}
	return job
}

// orderKey is the shape of the idempotency key of an order's step (sale.Key).
var orderKey = regexp.MustCompile(`^order/([0-9a-f-]{36})/[a-z0-9-]+$`)

// requireEveryStripeCallKeyed checks that every call that changes something at Stripe
// carried an idempotency key, and that each key names an order of the test.
func requireEveryStripeCallKeyed(t *testing.T, calls []stripeCall, sales []*crashSale) {
	t.Helper()
	ours := map[string]bool{}
	for _, c := range sales {
		ours[c.orderID.String()] = true
	}
	for _, call := range calls {
		if call.Method == http.MethodGet {
			continue
		}
		require.NotEmpty(t, call.Key, "%s %s without an idempotency key", call.Method, call.Path)
		m := orderKey.FindStringSubmatch(call.Key)
		require.NotNil(t, m, "%s %s under key %q, not an order's step", call.Method, call.Path, call.Key)
		require.True(t, ours[m[1]], "%s %s under key %q of no order of the test", call.Method, call.Path, call.Key)
	}
}

// logStripeCalls logs how many calls of each kind reached stripe-mock, and how many were
// made again under a key already used (the retries a crash caused).
func logStripeCalls(t *testing.T, calls []stripeCall) {
	t.Helper()
	perKind, again := map[string]int{}, map[string]int{}
	seen := map[string]bool{}
	unanswered := 0
	for _, call := range calls {
		perKind[call.kind()]++
		if seen[call.Method+" "+call.Key] {
			again[call.kind()]++
		}
		seen[call.Method+" "+call.Key] = true
		if call.Status == 0 {
			unanswered++
		}
	}
	t.Logf("%d requests reached stripe-mock: %v; made again under the same key: %v; %d got no answer from it (the caller gone first)",
		len(calls), perKind, again, unanswered)
}

// stripeCall is one request the proxy passed to stripe-mock.
type stripeCall struct {
	Method, Path, Key string
	Status            int // what stripe-mock answered; 0 when the answer never came
}

// kind names what the call did.
func (c stripeCall) kind() string {
	switch {
	case c.Method == http.MethodPost && c.Path == "/v1/payment_intents":
		return "authorize"
	case c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/capture"):
		return "capture"
	case c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/cancel"):
		return "cancel"
	case c.Method == http.MethodPost && c.Path == "/v1/transfers":
		return "transfer"
	case c.Method == http.MethodPost && c.Path == "/v1/refunds":
		return "refund"
	}
	return c.Method + " " + c.Path
}

// stripeRecorder is a reverse proxy in front of stripe-mock that records every request it
// passes on, and holds each answer a while as Stripe would take it.
type stripeRecorder struct {
	URL   string
	mu    sync.Mutex
	calls []stripeCall
}

// recordStripe serves a recording proxy of the Stripe API at upstream until the test ends.
func recordStripe(t *testing.T, upstream string) *stripeRecorder {
	t.Helper()
	target, err := url.Parse(upstream)
	require.NoError(t, err)
	rec := &stripeRecorder{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		rec.add(resp.Request, resp.StatusCode)
		time.Sleep(time.Duration(rand.Int64N(int64(crashStripeLatency))))
		return nil
	}
	proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		rec.add(r, 0)
		w.WriteHeader(http.StatusBadGateway)
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	rec.URL = srv.URL
	return rec
}

func (r *stripeRecorder) add(req *http.Request, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, stripeCall{Method: req.Method, Path: req.URL.Path, Key: req.Header.Get("Idempotency-Key"),
		Status: status})
}

// recorded is a copy of the calls recorded so far.
func (r *stripeRecorder) recorded() []stripeCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// apiProcess is `reptidex api` running as a process of its own on a fixed address, so that
// it can be killed and started again where clients find it.
type apiProcess struct {
	*reptidexProcess
	bin, addr string
	env       []string
	cfg       config.Config
}

// newAPIProcess starts the API on cfg, signing tokens and certificates with keys of the
// test's that outlive its restarts.
func newAPIProcess(t *testing.T, bin string, cfg config.Config) *apiProcess {
	t.Helper()
	keys := t.TempDir()
	a := &apiProcess{bin: bin, cfg: cfg, addr: testkit.FreeAddr(t), env: append(processEnv(t, cfg, "reptidex-crash-api"),
		"OPS_ADDR="+testkit.FreeAddr(t), "AUTH_SIGNING_KEY_FILE="+filepath.Join(keys, "signing-key.pem"),
		"CERT_SIGNING_KEY_FILE="+filepath.Join(keys, "cert-signing-key.pem"),
		"AUTH_RATE_PER_MINUTE=100000", "AUTH_RATE_BURST=100000", "LOG_LEVEL=warn",
		"STRIPE_API_BASE="+cfg.Stripe.APIBase, "STRIPE_WEBHOOK_SECRET="+cfg.Stripe.WebhookSecret)}
	a.start(t)
	return a
}

func (a *apiProcess) start(t *testing.T) {
	t.Helper()
	a.reptidexProcess = startProcess(t, a.bin, "api", "http://"+a.addr+"/api/v1/health", a.env, "HTTP_ADDR="+a.addr)
}

// restart kills the API with SIGKILL and starts it again.
func (a *apiProcess) restart(t *testing.T) {
	t.Helper()
	a.kill(t)
	a.start(t)
}

// system is the test's view of the system through the API process.
func (a *apiProcess) system(t *testing.T) *system {
	t.Helper()
	admin := testkit.AdminPool(t)
	return &system{URL: "http://" + a.addr, Cfg: a.cfg, DB: testkit.DB(t), Mail: testkit.Mail(t),
		HTTP: &http.Client{Timeout: 20 * time.Second},
		Admin: func(ctx context.Context, sql string, args ...any) error {
			_, err := admin.Exec(ctx, sql, args...)
			return err
		}}
}
