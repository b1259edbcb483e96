package loadgen

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeAPI serves handler on loopback and returns an API client for it (with a trailing
// slash on its base, which NewAPI drops).
func fakeAPI(t *testing.T, handler http.HandlerFunc) *API {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return NewAPI(srv.URL+"/", NewClient(4, 5*time.Second))
}

func TestCall_SendsJSONOrRawBodiesWithTokenAndHeaders(t *testing.T) {
	t.Parallel()
	type seen struct{ path, contentType, auth, key, body string }
	got := make(chan seen, 3)
	api := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), r.Header.Get("Idempotency-Key"), string(body)}
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(`{"id":"x"}`))
	})
	ctx := context.Background()

	a, err := api.Call(ctx, http.MethodPost, "/json", "tok", map[string]string{"a": "b"}, "Idempotency-Key", "k1")
	require.NoError(t, err)
	require.Equal(t, http.StatusTeapot, a.Status, "any status is an answer")
	require.JSONEq(t, `{"id":"x"}`, string(a.Body))
	require.Positive(t, a.Latency)
	require.Equal(t, seen{"/json", "application/json", "Bearer tok", "k1", `{"a":"b"}`}, <-got)

	_, err = api.Call(ctx, http.MethodPost, "/raw", "", []byte(`{"raw": true}`))
	require.NoError(t, err)
	require.Equal(t, seen{"/raw", "application/json", "", "", `{"raw": true}`}, <-got, "raw bytes are sent as they are")

	_, err = api.Call(ctx, http.MethodGet, "/none", "tok", nil)
	require.NoError(t, err)
	require.Equal(t, seen{"/none", "", "Bearer tok", "", ""}, <-got)
}

func TestExpect_WaitsOutA429AndDecodesTheAnswer(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	api := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"an_1"}`))
	})
	var out CreatedID
	t0 := time.Now()
	require.NoError(t, api.Expect(context.Background(), http.StatusCreated, &out, http.MethodPost, "/x", "", nil))
	require.Equal(t, "an_1", out.ID)
	require.EqualValues(t, 2, calls.Load())
	require.GreaterOrEqual(t, time.Since(t0), time.Second, "the Retry-After was waited out")
}

func TestExpect_FailsOnAnotherStatusQuotingTheAnswer(t *testing.T) {
	t.Parallel()
	api := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(`{"title":"taken"}`))
	})
	err := api.Expect(context.Background(), http.StatusCreated, nil, http.MethodPost, "/x", "", nil)
	require.ErrorContains(t, err, `POST /x: status 409: {"title":"taken"}`)
}

func TestExpect_StopsWaitingOutA429WhenTheContextEnds(t *testing.T) {
	t.Parallel()
	api := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := api.Expect(ctx, http.StatusOK, nil, http.MethodGet, "/x", "", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestRegisterAndCreateAnimal_SendWhatTheAPIExpects(t *testing.T) {
	t.Parallel()
	bodies := make(chan map[string]string, 2)
	api := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		var in map[string]string
		_ = json.NewDecoder(r.Body).Decode(&in)
		bodies <- in
		w.WriteHeader(http.StatusCreated)
		switch r.URL.Path {
		case "/api/v1/auth/register":
			_, _ = w.Write([]byte(`{"access_token":"tok","organization_id":"org_1"}`))
		case "/api/v1/animals":
			_, _ = w.Write([]byte(`{"id":"ani_1"}`))
		}
	})
	ctx := context.Background()
	a, err := api.Register(ctx, "s@example.com", "Load Seller")
	require.NoError(t, err)
	require.Equal(t, Account{Email: "s@example.com", Token: "tok", OrgID: "org_1"}, a)
	require.Equal(t, map[string]string{"email": "s@example.com", "password": Password, "display_name": "Load Seller",
		"organization_name": "Load Seller"}, <-bodies)

	id, err := api.CreateAnimal(ctx, "tok", "ball-python", "run1", 1)
	require.NoError(t, err)
	require.Equal(t, "ani_1", id)
	require.Equal(t, map[string]string{"species": "ball-python", "sex": "female", "name": "Load run1 #2"}, <-bodies)
}

func TestRegister_FailsWithoutATokenInTheAnswer(t *testing.T) {
	t.Parallel()
	api := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{}`))
	})
	_, err := api.Register(context.Background(), "s@example.com", "Load Seller")
	require.ErrorContains(t, err, "no access_token or organization_id")
}
