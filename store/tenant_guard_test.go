package store_test

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// The tenant guard reads the database catalogue, not a list kept by hand: every table of every
// schema is under forced row-level security or exempt here with its reason, and every
// SECURITY DEFINER function pins its search_path and checks who calls it, or is exempt here
// with its reason. TestTenantGuard_DatabaseHasNoFindings runs it on the migrated database;
// TestTenantGuard_ReportsWhatItMustCatch proves it catches each kind of gap.

// tableExemptions are the tables that are deliberately not under row-level security, each
// with the reason. A table holding an organization or user column needs a reason that says
// why its rows may be read without a tenant.
var tableExemptions = map[string]string{
	"users": "people, not tenant data: one login across every organization, found by email at login " +
		"and by id when a refresh token or verification link names it, before any tenant is set",
	"refresh_tokens": "found by the hash of a secret token before any tenant is known (refresh, logout); " +
		"the token is the credential, and the row holds only its hash",
	"email_verifications": "found by the hash of the emailed link's token by someone not signed in; " +
		"the token is the credential, and the row holds only its hash",
	"email_unsubscribes": "addresses without an account that opted out, checked before any message to an " +
		"address from any organization; no organization or user owns them",
	"species": "shared reference data (species catalogues) edited by platform administrators; " +
		"updated_by names the administrator, not a tenant",
	"plans": "shared reference data (plans, their prices and limits), public to read and edited by platform " +
		"administrators; updated_by names the administrator, not a tenant",
	"pedigree": "the lineage graph crosses organizations and holds no private data (ids, parents, species, " +
		"sex, hatch date); written only by the animals trigger, read-only to the application role",
	"schema_migrations": "the list of applied migrations, written only by `reptidex migrate`",
	"stripe_events": "Stripe's webhook events, received before any tenant is known (an event names a Stripe " +
		"object, not an organization); no organization or user column, and only the webhook reads it",
	// River's own tables: the job queue is shared by every organization and read by the
	// workers before any tenant exists; job arguments carry ids, never tenant content.
	"river_job":          "River's job queue (River's own table)",
	"river_leader":       "River's leader election (River's own table)",
	"river_migration":    "River's applied migrations (River's own table)",
	"river_notification": "River's pending notifications (River's own table)",
	"river_queue":        "River's queue settings (River's own table)",
}

// definerExemptions are the SECURITY DEFINER functions that do not look at the caller's
// tenant, each with the reason it may answer anyone. Keys are name(argument types).
var definerExemptions = map[string]string{
	"sync_pedigree()": "trigger on animals: runs only for a row change the animals policies already admitted",
	"notify_pedigree()": "trigger on pedigree: runs only for a row sync_pedigree wrote, and only " +
		"announces an animal's public id and parents",
	"animal_ref(uuid)":       "an animal's public id, shown for parents on their children, is public",
	"organization_ref(uuid)": "an organization's public id and name, as owner or breeder of record, are public",
	"children_of(uuid)":      "reads the pedigree graph, which crosses organizations and holds no private data",
	"genes_in_use(text)":     "only which gene keys of a species catalogue are claimed somewhere, checked before a catalogue edit",
	"search_public_animals(text, text, integer, integer)": "reads only animals their owners made public",
	"public_animal(text)":              "reads only an animal its owner made public, and not archived",
	"public_animals_of(uuid, integer)": "reads only animals their owners made public, and not archived",
	"embed_for_widget(text)": "anyone loads a widget by its embed's unguessable public ID; it answers only while the widget " +
		"shows public animals, and only what the widget page shows or sends anyway (the organization's public ID and name, " +
		"the public animal, the origins that may frame it) with their internal ids",
	"invitation_by_token(bytea)": "the invitation's secret token is the credential; it reveals only that invitation",
	"notification_channels(uuid, text)": "a person's chosen channels for a type, needed by whoever notifies them " +
		"(another organization, a workflow); it reveals no content and needs the person's internal id",
	"check_ledger_entry()": "trigger on ledger_entries: runs only for a row the insert policy admitted, and " +
		"sums every entry of that row's order to hold the ledger's invariants; it returns nothing",
	"order_listing()": "trigger on orders: runs only for a row change the orders policies admitted, and " +
		"checks and keeps that order's own listing (the seller's, which the buyer cannot write); it returns nothing",
	"order_of_payment_intent(text)": "the Stripe webhook runs for no tenant and knows a PaymentIntent; it answers " +
		"internal ids only (the order and its two organizations), with which the handler sets the tenant",
	"organization_of_subscription(text)": "the Stripe webhook runs for no tenant and knows a subscription; it " +
		"answers the internal id of the organization that holds it, with which the handler sets the tenant",
	"subscriptions_of_customer(text)": "the Stripe webhook of a payment method knows a customer; it answers internal " +
		"organization ids and the subscription IDs Stripe itself sent, so that their dunning is told",
	"order_parties(uuid)": "the same for an order named by a Stripe object's metadata, or a platform admin " +
		"deciding an order; internal ids only",
	"listing_position(text)": "a listing's place in the browse orders (listed when, at what price, its id), " +
		"which was public while it was listed; browse cursors page on from a listing sold since",
	"platform_admin_ids()": "who decides reported problems, needed by a sale for no tenant; internal ids only",
	"seller_can_sell(uuid)": "whether an organization's seller account can take payments, asked by a buyer's " +
		"order; only a yes or no leaves it",
	"animal_is_public(uuid)": "whether an animal is public, which its public photos' policy asks for animals " +
		"of other organizations; only a yes or no leaves it",
	"media_follow_animal()": "trigger on animals: runs only for a change of owner the animals policies or the " +
		"ownership move admitted, and gives that animal's photos to its new owner; it returns nothing",
	"certificate_for_verification(text)": "anyone checks a certificate by the unguessable serial printed on it; it " +
		"answers only certificates that were issued, and only what the certificate itself shows and signs (the " +
		"signed snapshot, hashes, key and signature) with its status and its successor's serial",
	"stale_media(interval)":       "the worker's sweep of unconfirmed and deleted photos runs for no tenant; it returns internal ids only",
	"overdue_transfers(interval)": "the worker's sweep of expired offers runs for no tenant; it returns internal ids only",
	"overdue_certificates(interval)": "the worker's sweep of certificates left issuing runs for no tenant; it returns " +
		"internal ids only",
	"exports_to_sweep(interval)": "the worker's sweep of expired and abandoned exports runs for no tenant; it " +
		"returns internal ids and statuses only",
	"personal_exports_to_sweep()": "the worker's sweep of people's expired personal exports runs for no tenant; it " +
		"returns internal ids and object keys only",
	"imports_to_sweep(interval)": "the worker's sweep of imports whose process is gone runs for no tenant; it " +
		"returns internal ids and object keys only",
	"events_to_recipient(text, text, timestamp with time zone)": "the hourly limit on what all organizations " +
		"send to one address; only a count and a time leave it",
}

// callerCheck is how a definer function shows it looks at who calls it: it reads the tenant
// or the acting user set for the transaction. The check is textual, so a function that only
// records app_user_id() (as the audit trigger does) passes too.
var callerCheck = regexp.MustCompile(`\bapp_(org|user)_id\s*\(|\bapp_user_verified_email\s*\(|current_setting\s*\(\s*'app\.`)

// tenantColumnRule is how the guard recognizes a column naming an organization or a user: a
// foreign key to organizations(id) or users(id), or a name ending in org_id or user_id (the
// audit log, the event store and deliveries keep those without a foreign key).
const tenantColumnRule = `(a.attname ~ '(^|_)(org|user)_id$'
	OR EXISTS (SELECT 1 FROM pg_constraint k
		WHERE k.conrelid = c.oid AND k.contype = 'f' AND a.attnum = ANY (k.conkey)
		  AND k.confrelid IN (to_regclass('public.organizations'), to_regclass('public.users'))))`

// userSchemas excludes the system's own schemas (and other sessions' temporary ones).
const userSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema')
	AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'`

// qualified names an object of the public schema by its name alone, any other with its schema.
const qualified = `CASE WHEN n.nspname = 'public' THEN '' ELSE n.nspname || '.' END`

// tenantGuard is the check with its exemptions and the application role's name.
type tenantGuard struct {
	AppRole  string
	Tables   map[string]string
	Definers map[string]string
}

// guardFinding is one gap: the table, policy or function, and what is wrong with it.
type guardFinding struct {
	Object  string
	Problem string
}

func (f guardFinding) String() string { return f.Object + ": " + f.Problem }

// Check reads the catalogue through q and returns every gap, sorted.
func (g tenantGuard) Check(ctx context.Context, q store.Querier) ([]guardFinding, error) {
	var out []guardFinding
	for _, check := range []func(context.Context, store.Querier) ([]guardFinding, error){g.tables, g.policies, g.definers} {
		found, err := check(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	slices.SortFunc(out, func(a, b guardFinding) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

func (g tenantGuard) tables(ctx context.Context, q store.Querier) ([]guardFinding, error) {
	rows, err := q.Query(ctx, `SELECT `+qualified+` || c.relname, c.relrowsecurity, c.relforcerowsecurity,
			pg_get_userbyid(c.relowner),
			coalesce(array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attname IS NOT NULL), '{}')
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND `+tenantColumnRule+`
		WHERE c.relkind IN ('r', 'p') AND `+userSchemas+`
		GROUP BY n.nspname, c.oid`)
	if err != nil {
		return nil, fmt.Errorf("read tables: %w", err)
	}
	defer rows.Close()
	var out []guardFinding
	seen := map[string]bool{}
	for rows.Next() {
		var name, owner string
		var enabled, forced bool
		var tenantCols []string
		if err := rows.Scan(&name, &enabled, &forced, &owner, &tenantCols); err != nil {
			return nil, fmt.Errorf("read tables: %w", err)
		}
		seen[name] = true
		_, exempt := g.Tables[name]
		if owner == g.AppRole {
			out = append(out, guardFinding{name, "owned by the application role, which could turn its row-level security off"})
		}
		switch {
		case enabled && forced && exempt:
			out = append(out, guardFinding{name, "under forced row-level security but still on the exemption list"})
		case enabled && forced, exempt:
		case enabled:
			out = append(out, guardFinding{name, "row-level security enabled but not forced"})
		case len(tenantCols) > 0:
			out = append(out, guardFinding{name, fmt.Sprintf("holds %s but has no row-level security and no exemption",
				strings.Join(tenantCols, ", "))})
		default:
			out = append(out, guardFinding{name, "has no row-level security and no exemption"})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read tables: %w", err)
	}
	for name := range g.Tables {
		if !seen[name] {
			out = append(out, guardFinding{name, "on the exemption list but no such table"})
		}
	}
	return out, nil
}

// policies finds permissive policies that let everyone (or the application role) see or
// write every row: they would undo the table's row-level security.
func (g tenantGuard) policies(ctx context.Context, q store.Querier) ([]guardFinding, error) {
	rows, err := q.Query(ctx, `SELECT CASE WHEN p.schemaname = 'public' THEN '' ELSE p.schemaname || '.' END
			|| p.tablename || ' policy ' || p.policyname
		FROM pg_policies p
		WHERE p.permissive = 'PERMISSIVE' AND ('public' = ANY (p.roles) OR $1::name = ANY (p.roles))
		  AND (p.qual = 'true' OR p.with_check = 'true')`, g.AppRole)
	if err != nil {
		return nil, fmt.Errorf("read policies: %w", err)
	}
	defer rows.Close()
	var out []guardFinding
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("read policies: %w", err)
		}
		out = append(out, guardFinding{name, "admits every row to the application role"})
	}
	return out, rows.Err()
}

func (g tenantGuard) definers(ctx context.Context, q store.Querier) ([]guardFinding, error) {
	rows, err := q.Query(ctx, `SELECT `+qualified+` || format('%s(%s)', p.proname, oidvectortypes(p.proargtypes)),
			coalesce(p.proconfig, '{}'), p.prosrc
		FROM pg_proc p
		JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE p.prosecdef AND `+userSchemas)
	if err != nil {
		return nil, fmt.Errorf("read definer functions: %w", err)
	}
	defer rows.Close()
	var out []guardFinding
	seen := map[string]bool{}
	for rows.Next() {
		var name, body string
		var config []string
		if err := rows.Scan(&name, &config, &body); err != nil {
			return nil, fmt.Errorf("read definer functions: %w", err)
		}
		seen[name] = true
		if problem := searchPathProblem(config); problem != "" {
			out = append(out, guardFinding{name, problem})
		}
		_, exempt := g.Definers[name]
		checks := callerCheck.MatchString(body)
		switch {
		case checks && exempt:
			out = append(out, guardFinding{name, "checks its caller but is still on the exemption list"})
		case !checks && !exempt:
			out = append(out, guardFinding{name, "SECURITY DEFINER without a look at app_org_id(), app_user_id() or app.* settings, and no exemption"})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read definer functions: %w", err)
	}
	for name := range g.Definers {
		if !seen[name] {
			out = append(out, guardFinding{name, "on the exemption list but no such SECURITY DEFINER function"})
		}
	}
	return out, nil
}

// searchPathProblem says what is wrong with a definer function's settings: it must set
// search_path, ending in pg_temp, or whoever can create objects earlier in the caller's path
// (temporary tables first of all) runs code with the owner's rights.
func searchPathProblem(config []string) string {
	for _, c := range config {
		path, ok := strings.CutPrefix(c, "search_path=")
		if !ok {
			continue
		}
		parts := strings.Split(path, ",")
		if strings.TrimSpace(parts[len(parts)-1]) != "pg_temp" {
			return "search_path " + path + " does not end in pg_temp"
		}
		return ""
	}
	return "SECURITY DEFINER without SET search_path"
}

// productionGuard is the guard with the exemptions above, for the application role of db.
func productionGuard(t *testing.T, db *store.DB) tenantGuard {
	t.Helper()
	var role string
	require.NoError(t, db.Pool.QueryRow(context.Background(), "SELECT current_user").Scan(&role))
	return tenantGuard{AppRole: role, Tables: tableExemptions, Definers: definerExemptions}
}

func TestTenantGuard_DatabaseHasNoFindings(t *testing.T) {
	t.Parallel()
	guard := productionGuard(t, testkit.DB(t))
	findings, err := guard.Check(context.Background(), testkit.AdminPool(t))
	require.NoError(t, err)
	lines := make([]string, len(findings))
	for i, f := range findings {
		lines[i] = f.String()
	}
	require.Empty(t, findings, "every table under forced row-level security or exempt with a reason, every "+
		"SECURITY DEFINER function with its search_path and a look at its caller; found:\n%s", strings.Join(lines, "\n"))
}

// The guard reports each kind of gap: throwaway tables and functions, made in a transaction
// that is rolled back, each with one thing wrong.
func TestTenantGuard_ReportsWhatItMustCatch(t *testing.T) {
	t.Parallel()
	guard := productionGuard(t, testkit.DB(t))
	admin := testkit.AdminPool(t)
	ctx := context.Background()
	tx, err := admin.Begin(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback(ctx) })
	for _, stmt := range []string{
		`CREATE TABLE guard_probe_plain (id int)`,
		`CREATE TABLE guard_probe_org (id int, org_id uuid)`,
		`CREATE TABLE guard_probe_buyer (id int, buyer_user_id uuid)`,
		`CREATE TABLE guard_probe_keeper (id int, keeper uuid REFERENCES users (id))`,
		`CREATE TABLE guard_probe_unforced (org_id uuid)`,
		`ALTER TABLE guard_probe_unforced ENABLE ROW LEVEL SECURITY`,
		`CREATE TABLE guard_probe_forced (org_id uuid)`,
		`ALTER TABLE guard_probe_forced ENABLE ROW LEVEL SECURITY`,
		`ALTER TABLE guard_probe_forced FORCE ROW LEVEL SECURITY`,
		`CREATE POLICY guard_probe_tenant ON guard_probe_forced USING (org_id = (SELECT app_org_id()))`,
		`CREATE TABLE guard_probe_open (org_id uuid)`,
		`ALTER TABLE guard_probe_open ENABLE ROW LEVEL SECURITY`,
		`ALTER TABLE guard_probe_open FORCE ROW LEVEL SECURITY`,
		`CREATE POLICY guard_probe_everyone ON guard_probe_open USING (true)`,
		`CREATE TABLE guard_probe_app_owned (org_id uuid)`,
		`ALTER TABLE guard_probe_app_owned ENABLE ROW LEVEL SECURITY`,
		`ALTER TABLE guard_probe_app_owned FORCE ROW LEVEL SECURITY`,
		`ALTER TABLE guard_probe_app_owned OWNER TO ` + pgx.Identifier{guard.AppRole}.Sanitize(),
		`CREATE FUNCTION guard_probe_no_path() RETURNS int LANGUAGE sql SECURITY DEFINER
			AS $$ SELECT count(*)::int FROM animals WHERE org_id = app_org_id() $$`,
		`CREATE FUNCTION guard_probe_temp_first() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_temp, public
			AS $$ SELECT count(*)::int FROM animals WHERE org_id = app_org_id() $$`,
		`CREATE FUNCTION guard_probe_anyone() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
			AS $$ SELECT count(*) FROM animals $$`,
		`CREATE FUNCTION guard_probe_checked() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
			AS $$ SELECT count(*) FROM animals WHERE org_id = app_org_id() $$`,
		`CREATE FUNCTION guard_probe_setting() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
			AS $$ BEGIN RETURN (SELECT count(*) FROM events WHERE org_id = current_setting('app.org_id')::uuid); END $$`,
	} {
		_, err := tx.Exec(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	probes := func(g tenantGuard) map[string][]string {
		findings, err := g.Check(ctx, tx)
		require.NoError(t, err)
		out := map[string][]string{}
		for _, f := range findings {
			if strings.HasPrefix(f.Object, "guard_probe") {
				out[f.Object] = append(out[f.Object], f.Problem)
			}
		}
		return out
	}

	found := probes(guard)
	for _, tc := range []struct {
		object string
		want   []string // substrings of each finding, in order; none when the object passes
	}{
		{"guard_probe_plain", []string{"has no row-level security and no exemption"}},
		{"guard_probe_org", []string{"holds org_id but has no row-level security"}},
		{"guard_probe_buyer", []string{"holds buyer_user_id but has no row-level security"}},
		{"guard_probe_keeper", []string{"holds keeper but has no row-level security"}},
		{"guard_probe_unforced", []string{"enabled but not forced"}},
		{"guard_probe_forced", nil},
		{"guard_probe_open policy guard_probe_everyone", []string{"admits every row"}},
		{"guard_probe_open", nil},
		{"guard_probe_app_owned", []string{"owned by the application role"}},
		{"guard_probe_no_path()", []string{"without SET search_path"}},
		{"guard_probe_temp_first()", []string{"does not end in pg_temp"}},
		{"guard_probe_anyone()", []string{"SECURITY DEFINER without a look at app_org_id()"}},
		{"guard_probe_checked()", nil},
		{"guard_probe_setting()", nil},
	} {
		got := found[tc.object]
		require.Len(t, got, len(tc.want), "%s: %v", tc.object, got)
		for i, w := range tc.want {
			require.Contains(t, got[i], w, tc.object)
		}
		delete(found, tc.object)
	}
	require.Empty(t, found, "findings the cases above do not expect")

	// An exemption clears a finding; an exemption that no longer applies is itself a finding.
	exempting := guard
	exempting.Tables = maps.Clone(guard.Tables)
	exempting.Definers = maps.Clone(guard.Definers)
	exempting.Tables["guard_probe_org"] = "a reason"
	exempting.Tables["guard_probe_forced"] = "a reason"
	exempting.Tables["guard_probe_gone"] = "a reason"
	exempting.Definers["guard_probe_anyone()"] = "a reason"
	exempting.Definers["guard_probe_checked()"] = "a reason"
	exempting.Definers["guard_probe_gone()"] = "a reason"
	found = probes(exempting)
	require.NotContains(t, found, "guard_probe_org")
	require.NotContains(t, found, "guard_probe_anyone()")
	require.Equal(t, []string{"under forced row-level security but still on the exemption list"}, found["guard_probe_forced"])
	require.Equal(t, []string{"on the exemption list but no such table"}, found["guard_probe_gone"])
	require.Equal(t, []string{"checks its caller but is still on the exemption list"}, found["guard_probe_checked()"])
	require.Equal(t, []string{"on the exemption list but no such SECURITY DEFINER function"}, found["guard_probe_gone()"])
}
