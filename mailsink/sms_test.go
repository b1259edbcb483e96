package mailsink_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailsink"
)

const (
	testSID   = "ACtest"
	testToken = "token"
	testFrom  = "+15550100000"
)

// smsAnswer is the sink's answer to a request of the SMS provider's API.
type smsAnswer struct {
	Status int
	Header http.Header
	Body   map[string]any
}

// requestSMSAPI sends a request to the sink's imitation of the provider, with basic auth
// unless user is empty, and decodes the JSON answer.
func requestSMSAPI(t *testing.T, method, u, user, token string, form url.Values) smsAnswer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx(t), method, u, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if user != "" {
		req.SetBasicAuth(user, token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := smsAnswer{Status: resp.StatusCode, Header: resp.Header}
	require.NoError(t, json.Unmarshal(raw, &a.Body), "%s", raw)
	return a
}

// messagesURL is the provider's Messages resource of the account sid on sink s.
func messagesURL(s *mailsink.Sink, sid string) string {
	return s.URL() + "/sms/2010-04-01/Accounts/" + sid + "/Messages.json"
}

// postSMS asks the sink to send one message as testSID.
func postSMS(t *testing.T, s *mailsink.Sink, to, body string) smsAnswer {
	t.Helper()
	return requestSMSAPI(t, http.MethodPost, messagesURL(s, testSID), testSID, testToken,
		url.Values{"To": {to}, "From": {testFrom}, "Body": {body}})
}

// mustPostSMS is postSMS that fails the test unless the message is accepted; it returns the sid.
func mustPostSMS(t *testing.T, s *mailsink.Sink, to, body string) string {
	t.Helper()
	a := postSMS(t, s, to, body)
	require.Equal(t, http.StatusCreated, a.Status, "%v", a.Body)
	return a.Body["sid"].(string)
}

func TestSMSAPI_RecordsTheMessageAndAnswersLikeTheProvider(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")
	before := time.Now()

	a := postSMS(t, s, "+447700900123", "Clutch due tomorrow 🐍 & 28°C")
	require.Equal(t, http.StatusCreated, a.Status, "%v", a.Body)
	require.Equal(t, "application/json", a.Header.Get("Content-Type"))
	sid, _ := a.Body["sid"].(string)
	require.Regexp(t, `^SM[0-9a-f]{32}$`, sid)
	require.Equal(t, "queued", a.Body["status"], "a message's status is a string")
	require.Equal(t, "+447700900123", a.Body["to"])
	require.Equal(t, testFrom, a.Body["from"])
	require.Equal(t, "Clutch due tomorrow 🐍 & 28°C", a.Body["body"])
	require.Equal(t, testSID, a.Body["account_sid"])

	msgs, err := c.ListSMS(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	require.Equal(t, sid, msgs[0].ID)
	require.Equal(t, "+447700900123", msgs[0].To)
	require.Equal(t, testFrom, msgs[0].From)
	require.Equal(t, "Clutch due tomorrow 🐍 & 28°C", msgs[0].Body)
	require.WithinRange(t, msgs[0].ReceivedAt, before.Add(-time.Second), time.Now().Add(time.Second))
}

func TestSMSAPI_RefusesLikeTheProviderAndRecordsNothing(t *testing.T) {
	t.Parallel()
	valid := func(change func(url.Values)) url.Values {
		f := url.Values{"To": {"+447700900123"}, "From": {testFrom}, "Body": {"hello"}}
		change(f)
		return f
	}
	tests := []struct {
		name       string
		user       string
		token      string
		form       url.Values
		wantStatus int
		wantCode   float64
	}{
		{"no credentials", "", "", valid(func(url.Values) {}), http.StatusUnauthorized, 20003},
		{"user is not the account of the path", "ACother", testToken, valid(func(url.Values) {}), http.StatusUnauthorized, 20003},
		{"empty token", testSID, "", valid(func(url.Values) {}), http.StatusUnauthorized, 20003},
		{"no To", testSID, testToken, valid(func(f url.Values) { f.Del("To") }), http.StatusBadRequest, 21604},
		{"To without country code", testSID, testToken, valid(func(f url.Values) { f.Set("To", "07700900123") }), http.StatusBadRequest, 21211},
		{"To with spaces is not E.164", testSID, testToken, valid(func(f url.Values) { f.Set("To", "+44 7700 900123") }), http.StatusBadRequest, 21211},
		{"To too short", testSID, testToken, valid(func(f url.Values) { f.Set("To", "+4477009") }), http.StatusBadRequest, 21211},
		{"To in the refused range", testSID, testToken, valid(func(f url.Values) { f.Set("To", "+15550009123") }), http.StatusBadRequest, 21211},
		{"first of the refused range", testSID, testToken, valid(func(f url.Values) { f.Set("To", "+15550009000") }), http.StatusBadRequest, 21211},
		{"no From", testSID, testToken, valid(func(f url.Values) { f.Del("From") }), http.StatusBadRequest, 21603},
		{"From not E.164", testSID, testToken, valid(func(f url.Values) { f.Set("From", "ReptiDex") }), http.StatusBadRequest, 21212},
		{"no Body", testSID, testToken, valid(func(f url.Values) { f.Del("Body") }), http.StatusBadRequest, 21602},
		{"Body over 1600 characters", testSID, testToken, valid(func(f url.Values) { f.Set("Body", strings.Repeat("é", 1601)) }), http.StatusBadRequest, 21617},
		{"request over 64 KiB", testSID, testToken, valid(func(f url.Values) { f.Set("Body", strings.Repeat("x", 70<<10)) }), http.StatusRequestEntityTooLarge, 21100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, c := startSink(t, "")
			a := requestSMSAPI(t, http.MethodPost, messagesURL(s, testSID), tt.user, tt.token, tt.form)
			require.Equal(t, tt.wantStatus, a.Status, "%v", a.Body)
			require.Equal(t, tt.wantCode, a.Body["code"], "%v", a.Body)
			require.Equal(t, float64(tt.wantStatus), a.Body["status"], "an error's status is the HTTP status, a number")
			require.NotEmpty(t, a.Body["message"])
			if tt.wantStatus == http.StatusUnauthorized {
				require.NotEmpty(t, a.Header.Get("WWW-Authenticate"))
			}
			msgs, err := c.ListSMS(ctx(t), "")
			require.NoError(t, err)
			require.Empty(t, msgs)
		})
	}
}

func TestSMSAPI_AcceptsNumbersJustOutsideTheRefusedRangeAndLongestBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		to   string
		body string
	}{
		{"last number before the range", "+15550008999", "hi"},
		{"longer number sharing the prefix", "+155500091234", "hi"},
		{"1600 characters", "+447700900123", strings.Repeat("é", 1600)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, c := startSink(t, "")
			sid := mustPostSMS(t, s, tt.to, tt.body)
			msgs, err := c.ListSMS(ctx(t), tt.to)
			require.NoError(t, err)
			require.Len(t, msgs, 1)
			require.Equal(t, sid, msgs[0].ID)
			require.Equal(t, tt.body, msgs[0].Body)
		})
	}
}

func TestSMSAPI_AccountResourceAnswersAuthenticatedReads(t *testing.T) {
	t.Parallel()
	s, _ := startSink(t, "")
	base := s.URL() + "/sms/2010-04-01/Accounts/"
	tests := []struct {
		name       string
		path       string
		user       string
		wantStatus int
	}{
		{"authenticated", testSID + ".json", testSID, http.StatusOK},
		{"no credentials", testSID + ".json", "", http.StatusUnauthorized},
		{"another account", "ACother.json", testSID, http.StatusUnauthorized},
		{"not the JSON resource", testSID, testSID, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := requestSMSAPI(t, http.MethodGet, base+tt.path, tt.user, testToken, nil)
			require.Equal(t, tt.wantStatus, a.Status, "%v", a.Body)
			if tt.wantStatus == http.StatusOK {
				require.Equal(t, testSID, a.Body["sid"])
			}
		})
	}
}

func TestSMSList_FiltersByNumberOldestFirst(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")
	first := mustPostSMS(t, s, "+447700900123", "one")
	mustPostSMS(t, s, "+15550100199", "other number")
	third := mustPostSMS(t, s, "+447700900123", "three")

	all, err := c.ListSMS(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, all, 3)
	require.Equal(t, []string{"one", "other number", "three"}, []string{all[0].Body, all[1].Body, all[2].Body})

	tests := []struct {
		name  string
		query string // raw, as a person might type it into a URL
	}{
		{"escaped plus", "to=%2B447700900123"},
		{"unescaped plus read as a space", "to=+447700900123"},
		{"digits only", "to=447700900123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, ct, body := httpGet(t, s.URL()+"/api/sms?"+tt.query)
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, "application/json", ct)
			var got []map[string]any
			require.NoError(t, json.Unmarshal(body, &got))
			require.Len(t, got, 2)
			require.Equal(t, first, got[0]["id"])
			require.Equal(t, third, got[1]["id"])
			for _, k := range []string{"id", "to", "from", "body", "received_at"} {
				require.Contains(t, got[0], k)
			}
		})
	}

	none, err := c.ListSMS(ctx(t), "+447700900999")
	require.NoError(t, err)
	require.Empty(t, none)
	require.NotNil(t, none, "an empty list is [], not null")
}

func TestSMSClear_RemovesTextMessagesAndLeavesMail(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")
	mustPostSMS(t, s, "+447700900123", "one")
	mustSend(t, s, "a@reptidex.test", []string{"keeper@example.com"}, simpleMessage("a@reptidex.test", "keeper@example.com", "mail", "x"))

	require.NoError(t, c.ClearSMS(ctx(t)))

	msgs, err := c.ListSMS(ctx(t), "")
	require.NoError(t, err)
	require.Empty(t, msgs)
	mail, err := c.List(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, mail, 1, "clearing SMS keeps the mail")

	require.NoError(t, c.Clear(ctx(t)))
	mustPostSMS(t, s, "+447700900123", "two")
	msgs, err = c.ListSMS(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, msgs, 1, "clearing mail keeps the SMS")
}

func TestSMSPersistenceAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	s1, c1 := startSink(t, dir)
	mustPostSMS(t, s1, "+447700900123", "one")
	mustPostSMS(t, s1, "+15550100199", "two")
	before, err := c1.ListSMS(ctx(t), "")
	require.NoError(t, err)
	shutdown(t, s1)

	files, err := filepath.Glob(filepath.Join(dir, "sms", "*"))
	require.NoError(t, err)
	require.Len(t, files, 2, "one JSON file per message and no temp files: %v", files)
	for _, f := range files {
		require.True(t, strings.HasSuffix(f, ".json"), f)
	}
	mail, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	require.NoError(t, err)
	require.Empty(t, mail, "text messages are not mail")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sms", "broken.json"), []byte("{not json"), 0o600))

	s2, c2 := startSink(t, dir)
	after, err := c2.ListSMS(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, after, 2, "the broken file is skipped")
	for i, want := range before {
		got := after[i]
		require.Equal(t, want.ID, got.ID)
		require.Equal(t, want.To, got.To)
		require.Equal(t, want.From, got.From)
		require.Equal(t, want.Body, got.Body)
		require.True(t, want.ReceivedAt.Equal(got.ReceivedAt), "received_at %v != %v", want.ReceivedAt, got.ReceivedAt)
	}
	mustPostSMS(t, s2, "+447700900123", "newest")
	all, err := c2.ListSMS(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, all, 3)
	require.Equal(t, "newest", all[2].Body)

	require.NoError(t, c2.ClearSMS(ctx(t)))
	files, err = filepath.Glob(filepath.Join(dir, "sms", "SM*.json"))
	require.NoError(t, err)
	require.Empty(t, files, "clearing deletes the files")
	shutdown(t, s2)
	_, c3 := startSink(t, dir)
	msgs, err := c3.ListSMS(ctx(t), "")
	require.NoError(t, err)
	require.Empty(t, msgs, "a restart does not bring cleared messages back")
}

func TestClientWaitForSMS_ReturnsTheFirstMatchingMessageToTheNumber(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")
	mustPostSMS(t, s, "+15550100199", "Your code is 111111 (another number)")

	type result struct {
		m   mailsink.SMS
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := c.WaitForSMS(ctx(t), "+447700900123", func(m mailsink.SMS) bool {
			return strings.Contains(m.Body, "code")
		})
		done <- result{m, err}
	}()

	time.Sleep(120 * time.Millisecond) // let WaitForSMS poll at least once first
	mustPostSMS(t, s, "+447700900123", "Welcome to ReptiDex")
	want := mustPostSMS(t, s, "+447700900123", "Your code is 424242")

	select {
	case r := <-done:
		require.NoError(t, r.err)
		require.Equal(t, want, r.m.ID)
		require.Equal(t, "Your code is 424242", r.m.Body)
	case <-time.After(10 * time.Second):
		t.Fatal("WaitForSMS did not return")
	}
}

func TestClientWaitForSMS_NilMatchReturnsAnExistingMessage(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")
	want := mustPostSMS(t, s, "+447700900123", "hello")

	m, err := c.WaitForSMS(ctx(t), "+447700900123", nil)
	require.NoError(t, err)
	require.Equal(t, want, m.ID)
}

func TestClientWaitForSMS_TimesOut(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")
	mustPostSMS(t, s, "+15550100199", "for someone else")

	wctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.WaitForSMS(wctx, "+447700900123", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestClientWaitForSMS_ReportsLastError(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")
	shutdown(t, s)

	wctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := c.WaitForSMS(wctx, "", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "last error")
}
