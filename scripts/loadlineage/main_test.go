package main

import (
	"testing"
	"time"

	"github.com/reptidex/reptidex/scripts/loadgen"
)

func TestComplete(t *testing.T) {
	if !complete([]int{2, 4, 8}) {
		t.Error("a full 3-generation pedigree is complete")
	}
	if complete([]int{2, 4, 7}) || complete([]int{1, 2, 4}) || complete(nil) {
		t.Error("a pedigree with a missing position is not complete")
	}
}

func TestSchedule(t *testing.T) {
	start := time.Unix(1000, 0)
	if !(schedule{start: start}).at(3).IsZero() {
		t.Error("closed loop has no schedule")
	}
	s := schedule{start: start, offset: time.Millisecond, interval: 10 * time.Millisecond}
	if got := s.at(2).Sub(start); got != 21*time.Millisecond {
		t.Errorf("request 2 scheduled at +%v, want +21ms", got)
	}
}

func valid() config {
	return config{base: "http://127.0.0.1:18580", pathTemplate: "/api/v1/lineage/%s?generations=5",
		dbURL: "postgres://postgres@127.0.0.1:5432/reptidex_bench", breeders: 1, animals: 10, pick: "late",
		completeGens: 10, Options: loadgen.Options{Clients: 2, Duration: time.Second, Timeout: time.Second}}
}

func TestValidate(t *testing.T) {
	c := valid()
	if err := validate(&c); err != nil {
		t.Fatalf("validate(valid) = %v", err)
	}
	for name, mutate := range map[string]func(*config){
		"remote base":           func(c *config) { c.base = "http://10.0.0.1:18580" },
		"template moves host":   func(c *config) { c.pathTemplate = "@evil.example.com/%s" },
		"template without %s":   func(c *config) { c.pathTemplate = "/api/v1/lineage/x" },
		"template with two %s":  func(c *config) { c.pathTemplate = "/api/v1/%s/%s" },
		"template with %d":      func(c *config) { c.pathTemplate = "/api/v1/%s?x=%d" },
		"remote database":       func(c *config) { c.dbURL = "postgres://u@db.example.com/reptidex_bench" },
		"unknown pick":          func(c *config) { c.pick = "random" },
		"no clients":            func(c *config) { c.Clients = 0 },
		"negative rate":         func(c *config) { c.rate = -1 },
		"too many generations":  func(c *config) { c.pick, c.completeGens = "complete", 100 },
		"no animals":            func(c *config) { c.animals = 0 },
		"non-positive duration": func(c *config) { c.Duration = 0 },
	} {
		c := valid()
		mutate(&c)
		if err := validate(&c); err == nil {
			t.Errorf("%s: validate accepted %+v", name, c)
		}
	}
	c = valid()
	c.Duration = time.Hour
	if err := validate(&c); err != nil || c.Duration != loadgen.MaxDuration {
		t.Errorf("duration not capped: %v, %v", c.Duration, err)
	}
}
