package main

import (
	"fmt"
	"strings"

	"github.com/reptidex/reptidex/mailsink"
)

// tally is what a sink received against what it should have: one message for each expected
// address.
type tally struct {
	expected, received int
	lost               int // expected addresses that received nothing
	duplicated         int // messages beyond the first to an expected address
	unexpected         int // messages to no expected address
}

// tallyMail compares the sink's messages with the addresses that should each have received
// exactly one (addresses compare case-insensitively).
func tallyMail(addresses []string, msgs []mailsink.Message) tally {
	t := tally{expected: len(addresses), received: len(msgs)}
	got := make(map[string]int, len(addresses))
	for _, a := range addresses {
		got[strings.ToLower(a)] = 0
	}
	for _, m := range msgs {
		hit := false
		for _, to := range m.To {
			if n, ok := got[strings.ToLower(to)]; ok {
				got[strings.ToLower(to)] = n + 1
				hit = true
			}
		}
		if !hit {
			t.unexpected++
		}
	}
	for _, n := range got {
		switch {
		case n == 0:
			t.lost++
		case n > 1:
			t.duplicated += n - 1
		}
	}
	return t
}

// ok reports whether every expected address received exactly one message and nothing else
// arrived.
func (t tally) ok() bool {
	return t.lost == 0 && t.duplicated == 0 && t.unexpected == 0 && t.received == t.expected
}

func (t tally) String() string {
	return fmt.Sprintf("%d messages for %d addresses: lost %d, duplicated %d, unexpected %d",
		t.received, t.expected, t.lost, t.duplicated, t.unexpected)
}
