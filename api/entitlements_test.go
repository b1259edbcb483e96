package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/testkit"
)

// requirePlanLimit checks a 402 plan-limit problem naming the limit, the plan, what is used
// and allowed, and where to upgrade.
func requirePlanLimit(t *testing.T, r reply, limit, plan string, used, allowed int) {
	t.Helper()
	requireProblem(t, r, http.StatusPaymentRequired, "plan-limit")
	require.Equal(t, limit, r.Body["limit"], "%s", r.Raw)
	require.Equal(t, plan, r.Body["plan"], "%s", r.Raw)
	require.Equal(t, float64(used), r.Body["used"], "%s", r.Raw)
	require.Equal(t, float64(allowed), r.Body["allowed"], "%s", r.Raw)
	require.Equal(t, "/api/v1/billing/plans", r.Body["upgrade_url"], "%s", r.Raw)
}

// testPlan stores a plan only the calling test uses, ranked at position, and returns its key.
func (b *bundle) testPlan(t *testing.T, animals *int, position int) string {
	t.Helper()
	key := "test-" + uuid.NewString()[:8]
	_, err := b.Admin.Exec(context.Background(), `INSERT INTO plans (key, name, animals, position) VALUES ($1, 'Test '||$1, $2, $3)`,
		key, animals, position)
	require.NoError(t, err)
	return key
}

func TestPlanLimit_MembersAndCertificatesAnswer402NamingTheLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "free-limits")
	owner := o.Owner.Tokens.AccessToken

	// Free allows 2 members, open invitations included: the owner and one invitation.
	r := b.invite(t, owner, o.ID, testkit.UniqueEmail("first"), "keeper")
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	r = b.invite(t, owner, o.ID, testkit.UniqueEmail("second"), "keeper")
	requirePlanLimit(t, r, "members", "free", 2, 2)
	require.Contains(t, r.Body["detail"], "Free plan allows 2 members")
	requirePlanLimit(t, b.addMember(t, owner, o.ID, testkit.UniqueEmail("third"), "viewer"), "members", "free", 2, 2)

	// Five certificates a calendar month on Free.
	animal := b.createAnimal(t, owner, map[string]any{"species": "ball-python", "sex": "male"})
	for i := range 5 {
		r := b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", owner, uuid.NewString(), nil)
		require.Equal(t, http.StatusAccepted, r.Status, "certificate %d: %s", i+1, r.Raw)
	}
	r = b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", owner, uuid.NewString(), nil)
	requirePlanLimit(t, r, "certificates_per_month", "free", 5, 5)
	require.Equal(t, 5, b.count(t, `SELECT count(*) FROM certificates WHERE org_id = $1`, b.orgUUID(t, o.ID)),
		"the refused request wrote nothing")

	// An upgrade lifts both at once.
	b.grantPlan(t, o.ID, "pro")
	r = b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", owner, uuid.NewString(), nil)
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	r = b.invite(t, owner, o.ID, testkit.UniqueEmail("second"), "keeper")
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
}

// A downgrade leaves every animal readable; those beyond the new limit refuse changes with
// the same problem, saying the organization is above its plan's limit, and an upgrade makes
// them writable at once.
func TestPlanLimit_DowngradeMakesAnimalsBeyondTheLimitReadOnlyUntilUpgrade(t *testing.T) {
	t.Parallel()
	b := setup(t)
	support := b.platformAdmin(t, "support")
	three, one := 3, 1
	big, small := b.testPlan(t, &three, 900), b.testPlan(t, &one, 800)
	o := b.newOrg(t, "downgrade")
	owner := o.Owner.Tokens.AccessToken
	grant := func(plan string) reply {
		return b.do(t, http.MethodPut, "/api/v1/admin/organizations/"+o.ID+"/plan-grant", support,
			map[string]any{"plan": plan})
	}
	r := grant(big)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	var ids []string
	for range 3 {
		ids = append(ids, b.createAnimal(t, owner, map[string]any{"species": "ball-python", "sex": "female"}).ID)
	}
	r = b.do(t, http.MethodPost, "/api/v1/animals", owner, map[string]any{"species": "ball-python"})
	requirePlanLimit(t, r, "animals", big, 3, 3)

	r = grant(small)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, small, r.Body["plan"].(map[string]any)["key"])

	rename := map[string]any{"name": "Renamed"}
	r = b.patchAnimal(t, owner, ids[0], `"v1"`, rename)
	require.Equal(t, http.StatusOK, r.Status, "the first animal stays writable: %s", r.Raw)
	for _, id := range ids[1:] {
		r := b.patchAnimal(t, owner, id, `"v1"`, rename)
		requirePlanLimit(t, r, "animals", small, 3, 1)
		require.Contains(t, r.Body["detail"], "above its plan's limit")
		requirePlanLimit(t, b.do(t, http.MethodPost, "/api/v1/animals/"+id+"/archive", owner, nil), "animals", small, 3, 1)
		got := b.do(t, http.MethodGet, "/api/v1/animals/"+id, owner, nil)
		require.Equal(t, http.StatusOK, got.Status, "readable: %s", got.Raw)
	}
	require.Equal(t, 3, b.count(t, `SELECT count(*) FROM animals WHERE org_id = $1`, b.orgUUID(t, o.ID)), "nothing deleted")

	r = grant(big)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	for _, id := range ids[1:] {
		r := b.patchAnimal(t, owner, id, `"v1"`, rename)
		require.Equal(t, http.StatusOK, r.Status, "writable again at once: %s", r.Raw)
	}
}

func TestPlanGrant_OnlyPlatformAdminsGrantAndUngrant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "comp")
	other := b.newOrg(t, "comp-other")
	path := "/api/v1/admin/organizations/" + o.ID + "/plan-grant"
	body := map[string]any{"plan": "business"}

	requireProblem(t, b.do(t, http.MethodPut, path, "", body), http.StatusUnauthorized, "unauthenticated")
	// Neither the organization's own owner nor another organization's may grant or ungrant.
	for _, tok := range []string{o.Owner.Tokens.AccessToken, other.Owner.Tokens.AccessToken} {
		requireProblem(t, b.do(t, http.MethodPut, path, tok, body), http.StatusForbidden, "forbidden")
		requireProblem(t, b.do(t, http.MethodDelete, path, tok, nil), http.StatusForbidden, "forbidden")
	}
	requireProblem(t, b.do(t, http.MethodPut, "/api/v1/admin/organizations/nosuchorg/plan-grant", other.Owner.Tokens.AccessToken, body),
		http.StatusForbidden, "forbidden")

	support := b.platformAdmin(t, "support")
	requireProblem(t, b.do(t, http.MethodPut, "/api/v1/admin/organizations/nosuchorg/plan-grant", support, body),
		http.StatusNotFound, "not-found")
	r := b.do(t, http.MethodPut, path, support, map[string]any{"plan": "platinum"})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"plan"}, problemFields(t, r))
	requireProblem(t, b.do(t, http.MethodPut, path, support, map[string]any{}), http.StatusUnprocessableEntity, "validation-failed")

	r = b.do(t, http.MethodPut, path, support, body)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, o.ID, r.Body["organization_id"])
	require.Equal(t, "business", r.Body["granted_plan"])
	require.Equal(t, "business", r.Body["plan"].(map[string]any)["key"])
	seen := b.do(t, http.MethodGet, "/api/v1/organizations/"+o.ID+"/plan", o.Owner.Tokens.AccessToken, nil)
	require.Equal(t, "business", seen.Body["plan"].(map[string]any)["key"], "%s", seen.Raw)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM notifications WHERE org_id = $1 AND type = 'organization.plan'`,
		b.orgUUID(t, o.ID)), "the owner is told")

	r = b.do(t, http.MethodDelete, path, support, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Nil(t, r.Body["granted_plan"])
	require.Equal(t, "free", r.Body["plan"].(map[string]any)["key"])
	r = b.do(t, http.MethodDelete, path, support, nil)
	require.Equal(t, http.StatusOK, r.Status, "ungranting twice changes nothing: %s", r.Raw)
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM notifications WHERE org_id = $1 AND type = 'organization.plan'`,
		b.orgUUID(t, o.ID)), "once per change, none for a no-op")
}

// Removing a grant pauses the newest listings beyond Free's three: off the marketplace, still
// the seller's to read, not editable, resumable only within the limit; granting again puts
// them back on sale at once.
func TestPlanLimit_PausedListingsAfterADowngrade(t *testing.T) {
	t.Parallel()
	b := setup(t)
	support := b.platformAdmin(t, "support-listings")
	o := b.newOrg(t, "paused")
	tok := o.Owner.Tokens.AccessToken
	b.readySeller(t, o)
	var listed []string
	for range 3 {
		listed = append(listed, b.list(t, tok, "pastel", 10000))
	}
	a := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female"})
	requirePlanLimit(t, b.do(t, http.MethodPost, listingsPath, tok, listingBody(a.ID, 10000)), "active_listings", "free", 3, 3)

	grantPath := "/api/v1/admin/organizations/" + o.ID + "/plan-grant"
	r := b.do(t, http.MethodPut, grantPath, support, map[string]any{"plan": "pro"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	newest := []string{b.list(t, tok, "clown", 20000), b.list(t, tok, "mojave", 30000)}
	r = b.do(t, http.MethodDelete, grantPath, support, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.ElementsMatch(t, []any{newest[0], newest[1]}, r.Body["paused_listings"])

	path := listingsPath + "/" + newest[1]
	own := b.do(t, http.MethodGet, path, tok, nil)
	require.Equal(t, http.StatusOK, own.Status, "%s", own.Raw)
	require.Equal(t, "paused", own.Body["status"])
	requireProblem(t, b.do(t, http.MethodGet, path, "", nil), http.StatusNotFound, "not-found")
	patch := b.newRequest(t, http.MethodPatch, path, tok, map[string]any{"title": "Cheaper"})
	patch.Header.Set("If-Match", own.Header.Get("ETag"))
	requireProblem(t, b.send(t, patch), http.StatusConflict, "conflict")
	requirePlanLimit(t, b.do(t, http.MethodPost, path+"/resume", tok, nil), "active_listings", "free", 3, 3)

	r = b.do(t, http.MethodPost, listingsPath+"/"+listed[0]+"/withdraw", tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	r = b.do(t, http.MethodPost, path+"/resume", tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "active", r.Body["status"])

	r = b.do(t, http.MethodPut, grantPath, support, map[string]any{"plan": "business"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, []any{newest[0]}, r.Body["resumed_listings"])
	require.Equal(t, http.StatusOK, b.do(t, http.MethodGet, listingsPath+"/"+newest[0], "", nil).Status, "on sale again")
}

// Hatchlings are registered all or none: a batch that would take the organization beyond its
// animals is refused whole, naming the limit.
func TestPlanLimit_HatchlingsBeyondTheAnimalLimitAreRefusedWhole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	support := b.platformAdmin(t, "support-hatch")
	four := 4
	plan := b.testPlan(t, &four, 900)
	o := b.newOrg(t, "hatch")
	tok := o.Owner.Tokens.AccessToken
	r := b.do(t, http.MethodPut, "/api/v1/admin/organizations/"+o.ID+"/plan-grant", support, map[string]any{"plan": plan})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	sire := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "hatch_date": "2020-05-01"})
	dam := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "hatch_date": "2020-06-01"})
	r = b.do(t, http.MethodPost, "/api/v1/breeding/pairs", tok, map[string]any{"sire_id": sire.ID, "dam_id": dam.ID, "season": 2025})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	r = b.do(t, http.MethodPost, "/api/v1/breeding/pairs/"+r.Body["id"].(string)+"/clutches", tok,
		map[string]any{"laid_on": "2025-04-01", "eggs": 6, "fertile": 6, "infertile": 0})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	clutch := "/api/v1/breeding/clutches/" + r.Body["id"].(string)
	r = b.do(t, http.MethodPatch, clutch, tok, map[string]any{"hatched_on": "2025-05-28", "hatched": 6})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)

	three := []map[string]any{{"looks": ""}, {"looks": ""}, {"looks": ""}}
	requirePlanLimit(t, b.do(t, http.MethodPost, clutch+"/hatchlings", tok, map[string]any{"hatchlings": three}), "animals", plan, 2, 4)
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM animals WHERE org_id = $1`, b.orgUUID(t, o.ID)), "none registered")
	r = b.do(t, http.MethodPost, clutch+"/hatchlings", tok, map[string]any{"hatchlings": three[:2]})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
}
