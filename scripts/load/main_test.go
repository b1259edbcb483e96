package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {90, 90 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.1, time.Millisecond}} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("percentile(1..100ms, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil) = %v, want 0", got)
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("percentile(single) = %v, want 7", got)
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080", "http://127.1.2.3", "https://localhost:8443/", "http://LOCALHOST", "http://[::1]:8080"} {
		if err := checkLoopback(u); err != nil {
			t.Errorf("checkLoopback(%q) = %v, want nil", u, err)
		}
	}
	for _, u := range []string{"http://10.0.0.1:8080", "http://example.com", "http://localhost.example.com", "http://127.0.0.1.nip.io",
		"http://[::2]", "ftp://127.0.0.1", "127.0.0.1:8080", "http://127.0.0.1:8080@evil.example.com/", "http://0.0.0.0:8080"} {
		if err := checkLoopback(u); err == nil {
			t.Errorf("checkLoopback(%q) = nil, want an error", u)
		}
	}
	// A -path must not be able to move the request off the loopback host.
	c := config{base: "http://127.0.0.1:8080", path: "@evil.example.com/", clients: 1, duration: time.Second, timeout: time.Second}
	if _, err := validate(&c); err == nil {
		t.Error("validate accepted a -path that changes the host")
	}
}
