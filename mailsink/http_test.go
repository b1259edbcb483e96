package mailsink_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// httpGet performs a GET against the sink and returns status, content type and body.
func httpGet(t *testing.T, url string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

func TestHTTPAPI(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")
	raw := simpleMessage("noreply@reptidex.test", "keeper@example.com", "Clutch <b>laid</b> & logged", "eggs")
	mustSend(t, s, "noreply@reptidex.test", []string{"keeper@example.com"}, raw)
	msgs, err := c.List(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	id := msgs[0].ID

	t.Run("list uses snake_case JSON fields", func(t *testing.T) {
		t.Parallel()
		status, ct, body := httpGet(t, s.URL()+"/api/messages")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, "application/json", ct)
		var list []map[string]any
		require.NoError(t, json.Unmarshal(body, &list))
		require.Len(t, list, 1)
		for _, k := range []string{"id", "from", "to", "subject", "received_at", "size"} {
			require.Contains(t, list[0], k)
		}
		require.NotContains(t, list[0], "text", "list omits bodies")
	})
	t.Run("detail includes bodies", func(t *testing.T) {
		t.Parallel()
		status, _, body := httpGet(t, s.URL()+"/api/messages/"+id)
		require.Equal(t, http.StatusOK, status)
		var d map[string]any
		require.NoError(t, json.Unmarshal(body, &d))
		require.Equal(t, "eggs\n", d["text"])
		require.Equal(t, "", d["html"])
		require.Equal(t, id, d["id"])
	})
	t.Run("raw is message/rfc822", func(t *testing.T) {
		t.Parallel()
		status, ct, body := httpGet(t, s.URL()+"/api/messages/"+id+"/raw")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, "message/rfc822", ct)
		require.Equal(t, raw, string(body))
	})
	t.Run("unknown id is 404", func(t *testing.T) {
		t.Parallel()
		status, ct, _ := httpGet(t, s.URL()+"/api/messages/nope")
		require.Equal(t, http.StatusNotFound, status)
		require.Equal(t, "application/json", ct)
		status, _, _ = httpGet(t, s.URL()+"/api/messages/nope/raw")
		require.Equal(t, http.StatusNotFound, status)
	})
	t.Run("index page lists messages escaped", func(t *testing.T) {
		t.Parallel()
		status, ct, body := httpGet(t, s.URL()+"/")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, "text/html; charset=utf-8", ct)
		require.Contains(t, string(body), "Clutch &lt;b&gt;laid&lt;/b&gt; &amp; logged")
		require.Contains(t, string(body), "keeper@example.com")
		require.Contains(t, string(body), "/api/messages/"+id)
	})
	t.Run("unknown path is 404", func(t *testing.T) {
		t.Parallel()
		status, _, _ := httpGet(t, s.URL()+"/nope")
		require.Equal(t, http.StatusNotFound, status)
	})
}
