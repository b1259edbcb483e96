package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// A person asks for everything ReptiDex holds about them: a job builds one JSON document in
// object storage, they are emailed its link, and the document holds their account, their
// memberships and sessions, the offer another breeder sent to their verified address, the
// invitation they sent, and what they did, and nothing of the other breeder's account.
// Another person cannot read it; a person gathers one at a time.
func TestPersonalExport_GathersEverythingAboutThePersonByLink(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", true)
	s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Vega"})
	s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/organizations/"+ada.OrgID+"/invitations", ada.Token,
		map[string]any{"email": "carol-" + strings.ToLower(ada.UserID) + "@example.com", "role": "keeper"})
	noodle := s.animal(t, bob.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Noodle"})
	offerTo(t, s, bob, map[string]any{"animal_id": noodle, "recipient_email": ada.Email, "message": "For you, Ada."})

	e := s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/me/export", ada.Token, nil)
	require.Equal(t, "running", e["status"])
	id := e["id"].(string)
	m := s.waitMail(t, ada.Email, "Your personal data is ready to download")
	var got map[string]any
	require.Eventually(t, func() bool {
		got = s.must(t, http.StatusOK, http.MethodGet, "/api/v1/me/exports/"+id, ada.Token, nil)
		return got["status"] == "ready"
	}, 20*time.Second, 50*time.Millisecond)
	download := got["download"].(map[string]any)["url"].(string)
	require.Contains(t, m.Text, strings.Split(download, "?")[0], "the email carries the link")
	expires, err := time.Parse(time.RFC3339, got["expires_at"].(string))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(7*24*time.Hour), expires, time.Minute)

	raw := fetch(t, download)
	require.EqualValues(t, len(raw), got["bytes"])
	var doc struct {
		Format      string           `json:"format"`
		Account     map[string]any   `json:"account"`
		Memberships []map[string]any `json:"memberships"`
		Sessions    []map[string]any `json:"sessions"`
		Invitations []map[string]any `json:"invitations"`
		Transfers   []map[string]any `json:"transfers"`
		Orders      []map[string]any `json:"orders"`
		Events      []map[string]any `json:"events"`
		Changes     []map[string]any `json:"changes"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.Equal(t, "reptidex-personal-data", doc.Format)
	require.Equal(t, ada.Email, doc.Account["email"])
	require.Equal(t, ada.UserID, doc.Account["id"])
	require.Len(t, doc.Memberships, 1)
	require.Equal(t, "owner", doc.Memberships[0]["role"])
	require.NotEmpty(t, doc.Sessions)
	require.Len(t, doc.Invitations, 1)
	require.Equal(t, true, doc.Invitations[0]["sent_by_you"])
	require.Len(t, doc.Transfers, 1, "the offer made to her address")
	require.Equal(t, "For you, Ada.", doc.Transfers[0]["message"])
	require.Equal(t, false, doc.Transfers[0]["offered_by_you"])
	require.Empty(t, doc.Orders)
	require.NotEmpty(t, doc.Events)
	require.NotEmpty(t, doc.Changes)
	require.NotContains(t, string(raw), bob.Email, "nothing of another person's account")

	s.must(t, http.StatusNotFound, http.MethodGet, "/api/v1/me/exports/"+id, bob.Token, nil)

	// One at a time: while one is gathered, another is refused.
	_, err = testkit.AdminPool(t).Exec(context.Background(), `INSERT INTO personal_exports (id, public_id, user_id)
		SELECT gen_random_uuid(), $1, id FROM users WHERE public_id = $2`, store.NewPublicID(), ada.UserID)
	require.NoError(t, err)
	s.must(t, http.StatusConflict, http.MethodPost, "/api/v1/me/export", ada.Token, nil)
	s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/me/export", bob.Token, nil)
}
