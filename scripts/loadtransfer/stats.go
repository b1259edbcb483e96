package main

import (
	"fmt"
	"time"

	"github.com/reptidex/reptidex/scripts/loadgen"
)

// callStats records the calls of one kind (offer or accept) made by one client, so
// recording needs no locks; merge joins the clients' records.
type callStats struct {
	ok       []time.Duration // latencies of the calls answered with the expected status
	statuses map[string]int  // every call by status code, "error" for no answer
}

func newCallStats() *callStats { return &callStats{statuses: map[string]int{}} }

// record counts one call: answered with status after lat, or not answered at all (err).
// Only calls answered with want count towards the latency percentiles.
func (s *callStats) record(status, want int, lat time.Duration, err error) {
	if err != nil {
		s.statuses["error"]++
		return
	}
	s.statuses[fmt.Sprint(status)]++
	if status == want {
		s.ok = append(s.ok, lat)
	}
}

// merge returns the records of every client as one.
func merge(all []*callStats) *callStats {
	out := newCallStats()
	for _, s := range all {
		out.ok = append(out.ok, s.ok...)
		for k, n := range s.statuses {
			out.statuses[k] += n
		}
	}
	return out
}

// CallSummary sums up the calls of one kind: how many were made and succeeded, the
// latency of those that succeeded, and every call by status.
type CallSummary struct {
	Calls int `json:"calls"`
	OK    int `json:"ok"`
	loadgen.Latency
	Statuses map[string]int `json:"statuses"`
}

// summary sums up the records.
func (s *callStats) summary() CallSummary {
	r := CallSummary{OK: len(s.ok), Latency: loadgen.Spread(s.ok), Statuses: s.statuses}
	for _, n := range s.statuses {
		r.Calls += n
	}
	return r
}

// String formats the summary for the text report.
func (r CallSummary) String() string {
	return fmt.Sprintf("%d calls, %d ok: %s  status %s", r.Calls, r.OK, r.Latency, loadgen.Breakdown(r.Statuses))
}

// listed is a transfer as the recipient's list shows it.
type listed struct {
	id, status, toOrgID string
}

// Verification is what the recipient's list of incoming transfers says of the run's
// offers: how many were accepted into the recipient's organization, and the others by
// status ("missing" for an offer not listed, "accepted elsewhere" for one accepted into
// another organization).
type Verification struct {
	Accepted int            `json:"accepted"`
	Others   map[string]int `json:"others"`
}

// verify checks each of the offered transfer IDs against the recipient's list.
func verify(offered []string, list []listed, toOrgID string) Verification {
	byID := make(map[string]listed, len(list))
	for _, l := range list {
		byID[l.id] = l
	}
	v := Verification{Others: map[string]int{}}
	for _, id := range offered {
		l, ok := byID[id]
		switch {
		case !ok:
			v.Others["missing"]++
		case l.status == "accepted" && l.toOrgID == toOrgID:
			v.Accepted++
		case l.status == "accepted":
			v.Others["accepted elsewhere"]++
		default:
			v.Others[l.status]++
		}
	}
	return v
}
