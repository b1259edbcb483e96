package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/scripts/loadgen"
)

func TestValidatePathKeepsHost(t *testing.T) {
	t.Parallel()
	// A -path must not be able to move the request off the loopback host.
	c := config{Options: loadgen.Options{Clients: 1, Duration: time.Second, Timeout: time.Second},
		base: "http://127.0.0.1:8080", path: "@evil.example.com/"}
	_, err := validate(&c)
	require.Error(t, err, "validate accepted a -path that changes the host")
}
