package loadgen

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://127.0.0.1:8080", "http://127.1.2.3", "https://localhost:8443/", "http://LOCALHOST", "http://[::1]:8080"} {
		require.NoError(t, CheckLoopback(u), "CheckLoopback(%q)", u)
	}
	for _, u := range []string{"http://10.0.0.1:8080", "http://example.com", "http://localhost.example.com", "http://127.0.0.1.nip.io",
		"http://[::2]", "ftp://127.0.0.1", "127.0.0.1:8080", "http://127.0.0.1:8080@evil.example.com/", "http://0.0.0.0:8080"} {
		require.Error(t, CheckLoopback(u), "CheckLoopback(%q)", u)
	}
}
