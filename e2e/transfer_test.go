package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/testkit"
)

func (s *system) animal(t *testing.T, token string, body map[string]any) string {
	t.Helper()
	return s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/animals", token, body)["id"].(string)
}

func (s *system) offer(t *testing.T, token, key string, body map[string]any) reply {
	t.Helper()
	return s.do(t, http.MethodPost, "/api/v1/transfers", token, body, "Idempotency-Key", key)
}

// waitStatus polls a transfer until it has the status.
func (s *system) waitStatus(t *testing.T, token, id, status string) map[string]any {
	t.Helper()
	var got map[string]any
	require.Eventually(t, func() bool {
		got = s.must(t, http.StatusOK, http.MethodGet, "/api/v1/transfers/"+id, token, nil)
		return got["status"] == status
	}, 30*time.Second, 50*time.Millisecond, "transfer %s never became %s", id, status)
	return got
}

func timelineKinds(v map[string]any) []string {
	var out []string
	entries, _ := v["timeline"].([]any)
	for _, e := range entries {
		out = append(out, e.(map[string]any)["kind"].(string))
	}
	return out
}

func pedigreeSire(t *testing.T, s *system, token, child string) map[string]any {
	t.Helper()
	tree := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/lineage/"+child+"?generations=1", token, nil)
	return tree["pedigree"].(map[string]any)["sire"].(map[string]any)["animal"].(map[string]any)
}

// Two breeders in two organizations, over HTTP, on the real dev server: an offer by email,
// its emails read from the sink, the acceptance, and the record moved with its lineage.
func TestTransfer_OfferedByEmailAcceptedMovesTheRecordAndKeepsLineage(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", true)

	noodle := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Noodle",
		"hatch_date": "2021-05-01", "genetics": "Pastel het Clown"})
	dam := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Maple", "hatch_date": "2021-04-01"})
	child := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Pip",
		"hatch_date": "2024-07-01", "sire_id": noodle, "dam_id": dam})
	before := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/animals/"+noodle, ada.Token, nil)

	body := map[string]any{"animal_id": noodle, "recipient_email": bob.Email, "message": "He is yours if you want him."}
	first := s.offer(t, ada.Token, "offer-noodle", body)
	require.Equal(t, http.StatusCreated, first.Status, "%s", first.Raw)
	id := first.Body["id"].(string)
	require.Equal(t, "offered", first.Body["status"])
	again := s.offer(t, ada.Token, "offer-noodle", body)
	require.Equal(t, http.StatusCreated, again.Status, "the same key and body get the first answer again")
	require.Equal(t, string(first.Raw), string(again.Raw))
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, http.StatusUnprocessableEntity, s.offer(t, ada.Token, "offer-noodle", map[string]any{"animal_id": noodle, "recipient_email": "other@example.com"}).Status)
	require.Equal(t, http.StatusConflict, s.offer(t, ada.Token, "another-key", body).Status, "the animal is on hold")
	held := s.do(t, http.MethodPatch, "/api/v1/animals/"+noodle, ada.Token, map[string]any{"name": "Renamed"}, "If-Match", "*")
	require.Equal(t, http.StatusConflict, held.Status, "no identity edit while on hold: %s", held.Raw)

	// Bob is told in-app and by email, with a link to the offer.
	mail := s.waitMail(t, bob.Email, "Ada's Reptiles offers you Noodle")
	require.Regexp(t, `https?://[^/\s]+/transfers/`+id, mail.Text, "the link opens the offer's page")
	require.Contains(t, mail.Text, "He is yours if you want him.")
	inbox := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/notifications", bob.Token, nil)
	require.Contains(t, string(mustJSON(t, inbox)), `"type":"transfer.offered"`)
	incoming := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/transfers?direction=incoming", bob.Token, nil)
	require.Contains(t, string(mustJSON(t, incoming)), id)
	outgoing := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/transfers?direction=outgoing", ada.Token, nil)
	require.Contains(t, string(mustJSON(t, outgoing)), id)
	require.NotContains(t, string(mustJSON(t, s.must(t, http.StatusOK, http.MethodGet, "/api/v1/transfers?direction=outgoing", bob.Token, nil))), id)

	// Only the recipient accepts, into an organization they run; once.
	carol := s.register(t, "Carol", true)
	require.Equal(t, http.StatusNotFound, s.do(t, http.MethodPost, "/api/v1/transfers/"+id+"/accept", carol.Token, map[string]any{"organization_id": carol.OrgID}).Status)
	acceptBody := map[string]any{"organization_id": bob.OrgID}
	accepted := s.must(t, http.StatusOK, http.MethodPost, "/api/v1/transfers/"+id+"/accept", bob.Token, acceptBody, "Idempotency-Key", "bob-accepts")
	require.Equal(t, "accepted", accepted["status"])
	require.Equal(t, bob.OrgID, accepted["to_organization_id"])
	require.Contains(t, timelineKinds(accepted), "accepted")
	// Retried with its key, the accept is answered as it was; any other answer is refused.
	retried := s.do(t, http.MethodPost, "/api/v1/transfers/"+id+"/accept", bob.Token, acceptBody, "Idempotency-Key", "bob-accepts")
	require.Equal(t, http.StatusOK, retried.Status)
	require.Equal(t, "true", retried.Header.Get("Idempotent-Replayed"))
	require.Equal(t, accepted["id"], retried.Body["id"])
	require.Equal(t, "accepted", retried.Body["status"])
	require.Equal(t, http.StatusUnprocessableEntity, s.do(t, http.MethodPost, "/api/v1/transfers/"+id+"/decline", bob.Token,
		map[string]any{}, "Idempotency-Key", "bob-accepts").Status, "a key names one answer")
	for _, key := range []string{"", "another-key"} {
		late := s.do(t, http.MethodPost, "/api/v1/transfers/"+id+"/accept", bob.Token, acceptBody, "Idempotency-Key", key)
		require.Equal(t, http.StatusConflict, late.Status)
		require.Contains(t, late.Body["detail"], "already accepted")
	}

	// The record itself moved: same ID, genetics and breeder of record, new owner.
	moved := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/animals/"+noodle, bob.Token, nil)
	require.Equal(t, bob.OrgID, moved["organization_id"])
	require.Equal(t, before["genetics"], moved["genetics"])
	require.Equal(t, before["breeder_organization_id"], moved["breeder_organization_id"])
	require.Equal(t, http.StatusNotFound, s.do(t, http.MethodGet, "/api/v1/animals/"+noodle, ada.Token, nil).Status)

	// Ada's pedigree of Pip still has its sire, with what Bob makes public.
	sire := pedigreeSire(t, s, ada.Token, child)
	require.Equal(t, false, sire["visible"])
	require.Equal(t, "not public", sire["note"])
	s.must(t, http.StatusOK, http.MethodPatch, "/api/v1/animals/"+noodle, bob.Token, map[string]any{"visibility": "public"}, "If-Match", "*")
	sire = pedigreeSire(t, s, ada.Token, child)
	require.Equal(t, true, sire["visible"])
	require.Equal(t, "Noodle", sire["name"])
	require.Equal(t, bob.OrgID, sire["owner"].(map[string]any)["id"])

	owners := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/animals/"+noodle+"/ownership", bob.Token, nil)["items"].([]any)
	require.Len(t, owners, 2)
	require.Equal(t, ada.OrgID, owners[0].(map[string]any)["organization"].(map[string]any)["id"])
	require.Equal(t, bob.OrgID, owners[1].(map[string]any)["organization"].(map[string]any)["id"])
	require.Equal(t, id, owners[1].(map[string]any)["transfer_id"])

	// Both sides hear how it ended.
	s.waitMail(t, ada.Email, "The transfer of Noodle was accepted")
	s.waitMail(t, bob.Email, "The transfer of Noodle was accepted")
}

func TestTransfer_DeclinedWithAReasonReleasesTheAnimal(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", true)
	pretzel := s.animal(t, ada.Token, map[string]any{"species": "corn-snake", "sex": "female", "name": "Pretzel"})
	r := s.offer(t, ada.Token, uuid.NewString(), map[string]any{"animal_id": pretzel, "recipient_email": bob.Email})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	id := r.Body["id"].(string)

	s.waitMail(t, bob.Email, "Ada's Reptiles offers you Pretzel")
	declined := s.must(t, http.StatusOK, http.MethodPost, "/api/v1/transfers/"+id+"/decline", bob.Token, map[string]any{"reason": "No room this season"})
	require.Equal(t, "declined", declined["status"])
	require.Equal(t, "No room this season", declined["reason"])
	outcome := s.waitMail(t, ada.Email, "The transfer of Pretzel was declined")
	require.Contains(t, outcome.Text, "No room this season")
	s.must(t, http.StatusOK, http.MethodPatch, "/api/v1/animals/"+pretzel, ada.Token, map[string]any{"name": "Pretzel II"}, "If-Match", "*")
	require.Equal(t, http.StatusConflict, s.do(t, http.MethodPost, "/api/v1/transfers/"+id+"/cancel", ada.Token, nil).Status)
}

// An answer whose first attempt ended the transfer but got no answer (a 5xx: its outcome
// unknown) is answered as it went when retried with its key, not refused as a transfer
// that has ended; with another key it is refused.
func TestTransfer_AnswerRetriedAfterAnUnknownOutcomeIsAnsweredAsItWent(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", false)
	animal := s.animal(t, ada.Token, map[string]any{"species": "leopard-gecko", "sex": "female", "name": "Kiwi"})
	r := s.offer(t, ada.Token, uuid.NewString(), map[string]any{"animal_id": animal, "recipient_organization_id": bob.OrgID})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	id := r.Body["id"].(string)
	body := map[string]any{"reason": "Not now"}
	s.must(t, http.StatusOK, http.MethodPost, "/api/v1/transfers/"+id+"/decline", bob.Token, body, "Idempotency-Key", "bob-declines")

	// As if the first attempt had failed after the workflow took the answer.
	tag, err := testkit.AdminPool(t).Exec(context.Background(), `UPDATE idempotency_keys SET response_status = NULL,
		response_headers = NULL, response_body = NULL, locked_until = NULL WHERE key = 'bob-declines' AND operation = $1`,
		"transfer.answer/"+id)
	require.NoError(t, err)
	require.EqualValues(t, 1, tag.RowsAffected())

	retried := s.do(t, http.MethodPost, "/api/v1/transfers/"+id+"/decline", bob.Token, body, "Idempotency-Key", "bob-declines")
	require.Equal(t, http.StatusOK, retried.Status, "%s", retried.Raw)
	require.Empty(t, retried.Header.Get("Idempotent-Replayed"), "answered anew, as it went")
	require.Equal(t, "declined", retried.Body["status"])
	other := s.do(t, http.MethodPost, "/api/v1/transfers/"+id+"/decline", bob.Token, body, "Idempotency-Key", "another-key")
	require.Equal(t, http.StatusConflict, other.Status)
	require.Contains(t, other.Body["detail"], "already declined")
}

func TestTransfer_CancelledOfferToAnOrganizationCannotBeAccepted(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", false)
	animal := s.animal(t, ada.Token, map[string]any{"species": "leopard-gecko", "sex": "male", "name": "Mango"})
	r := s.offer(t, ada.Token, uuid.NewString(), map[string]any{"animal_id": animal, "recipient_organization_id": bob.OrgID})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	id := r.Body["id"].(string)

	// The organization's owner sees it without a verified email: it is offered to the organization.
	incoming := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/transfers?direction=incoming", bob.Token, nil)
	require.Contains(t, string(mustJSON(t, incoming)), id)
	require.Equal(t, http.StatusForbidden, s.do(t, http.MethodPost, "/api/v1/transfers/"+id+"/cancel", bob.Token, nil).Status,
		"only the offering organization cancels")
	cancelled := s.must(t, http.StatusOK, http.MethodPost, "/api/v1/transfers/"+id+"/cancel", ada.Token, nil)
	require.Equal(t, "cancelled", cancelled["status"])
	late := s.do(t, http.MethodPost, "/api/v1/transfers/"+id+"/accept", bob.Token, map[string]any{"organization_id": bob.OrgID})
	require.Equal(t, http.StatusConflict, late.Status)
	require.Contains(t, late.Body["detail"], "already cancelled")
}

func TestTransfer_UnansweredOfferIsRemindedThenExpires(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", true)
	require.NoError(t, s.Admin(context.Background(), `UPDATE organizations SET transfer_remind_after = '1 second',
		transfer_expire_after = '3 seconds' WHERE public_id = $1`, ada.OrgID))
	animal := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Olive"})
	r := s.offer(t, ada.Token, uuid.NewString(), map[string]any{"animal_id": animal, "recipient_email": bob.Email})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	id := r.Body["id"].(string)

	s.waitMail(t, bob.Email, "Reminder: Ada's Reptiles offers you Olive")
	expired := s.waitStatus(t, ada.Token, id, "expired")
	require.Equal(t, []string{"offered", "reminded", "expired"}, timelineKinds(expired))
	s.waitMail(t, ada.Email, "The transfer of Olive was expired")
	late := s.do(t, http.MethodPost, "/api/v1/transfers/"+id+"/accept", bob.Token, map[string]any{"organization_id": bob.OrgID})
	require.Equal(t, http.StatusConflict, late.Status)
	require.Contains(t, late.Body["detail"], "already expired")
}

func TestTransfer_RefusesWhatCannotBeOffered(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", false)
	own := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Kept"})
	archived := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Gone"})
	s.must(t, http.StatusOK, http.MethodPost, "/api/v1/animals/"+archived+"/archive", ada.Token, nil)
	bobs := s.animal(t, bob.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Bob's"})

	cases := []struct {
		name   string
		body   map[string]any
		key    string
		status int
		says   string
	}{
		{"to its own organization", map[string]any{"animal_id": own, "recipient_organization_id": ada.OrgID}, "k1", http.StatusUnprocessableEntity, "already belongs"},
		{"an archived animal", map[string]any{"animal_id": archived, "recipient_email": bob.Email}, "k2", http.StatusConflict, "archived"},
		{"another organization's animal", map[string]any{"animal_id": bobs, "recipient_email": "x@example.com"}, "k3", http.StatusNotFound, "animal"},
		{"two recipients", map[string]any{"animal_id": own, "recipient_email": bob.Email, "recipient_organization_id": bob.OrgID}, "k4", http.StatusUnprocessableEntity, "exactly one"},
		{"no idempotency key", map[string]any{"animal_id": own, "recipient_email": bob.Email}, "", http.StatusUnprocessableEntity, "Idempotency-Key"},
		{"an unknown organization", map[string]any{"animal_id": own, "recipient_organization_id": "nope"}, "k5", http.StatusUnprocessableEntity, "no organization"},
	}
	for _, c := range cases {
		r := s.offer(t, ada.Token, c.key, c.body)
		require.Equal(t, c.status, r.Status, "%s: %s", c.name, r.Raw)
		require.Contains(t, strings.ToLower(string(r.Raw)), strings.ToLower(c.says), c.name)
	}
	outgoing := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/transfers?direction=outgoing", ada.Token, nil)
	require.Empty(t, outgoing["items"], "nothing half-written")
}

// An offer to an address with no account: the person registers, verifies the address and
// accepts; two organizations of theirs racing to accept get one winner.
func TestTransfer_RecipientWithoutAnAccountRegistersVerifiesAndAccepts(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada := s.register(t, "Ada", true)
	newcomer := testkit.UniqueEmail("newcomer")
	animal := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Biscuit"})
	r := s.offer(t, ada.Token, uuid.NewString(), map[string]any{"animal_id": animal, "recipient_email": newcomer})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	id := r.Body["id"].(string)
	offerMail := s.waitMail(t, newcomer, "Ada's Reptiles offers you Biscuit")
	require.Regexp(t, `https?://[^/\s]+/transfers/`+id, offerMail.Text)

	// Registered but not verified: the offer does not show yet.
	b := s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/auth/register", "", map[string]any{
		"email": newcomer, "password": "correct horse battery", "display_name": "Newcomer", "organization_name": "First Vivarium"})
	token, first := b["access_token"].(string), b["organization_id"].(string)
	require.Equal(t, http.StatusNotFound, s.do(t, http.MethodGet, "/api/v1/transfers/"+id, token, nil).Status)
	m := s.waitMail(t, newcomer, "Confirm your email address")
	s.must(t, http.StatusOK, http.MethodPost, "/api/v1/auth/verify-email", "", map[string]any{"token": verifyLink.FindStringSubmatch(m.Text)[1]})
	require.Equal(t, "offered", s.must(t, http.StatusOK, http.MethodGet, "/api/v1/transfers/"+id, token, nil)["status"])

	// A second organization they administer; accepting into both at once, exactly one wins.
	carl := s.register(t, "Carl", true)
	second := carl.OrgID
	s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/organizations/"+second+"/members", carl.Token, map[string]any{"email": newcomer, "role": "admin"})
	invitation := invitationLink.FindStringSubmatch(s.waitMail(t, newcomer, "Join Carl's Reptiles on ReptiDex").Text)
	require.NotNil(t, invitation, "the invitation email carries its link")
	s.must(t, http.StatusOK, http.MethodPost, "/api/v1/invitations/accept", token, map[string]any{"token": invitation[1]})
	statuses := make(chan int, 2)
	for _, org := range []string{first, second} {
		go func() {
			statuses <- s.do(t, http.MethodPost, "/api/v1/transfers/"+id+"/accept", token, map[string]any{"organization_id": org}).Status
		}()
	}
	got := []int{<-statuses, <-statuses}
	require.ElementsMatch(t, []int{http.StatusOK, http.StatusConflict}, got)
	owners := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/transfers/"+id, token, nil)
	require.Contains(t, []string{first, second}, owners["to_organization_id"])
}
