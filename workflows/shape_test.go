package workflows_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every process in this tree has its parts and takes bounded activity options from process.
func TestProcesses_HaveEveryPartAndBoundedRetries(t *testing.T) {
	t.Parallel()
	s, err := checkShape(".")
	require.NoError(t, err)
	require.Subset(t, s.Processes, []string{"escalation", "onboarding", "sale", "transfer"}, "the guard sees the processes")
	require.Contains(t, s.Constructors, "DatabaseActivity", "the guard sees process's activity options")
	var report strings.Builder
	for _, f := range s.Findings {
		report.WriteString("\n  " + f.String())
	}
	require.Empty(t, s.Findings, "processes under workflows/ with gaps:%s", report.String())
}

// The guard reports each kind of gap, in a tree made for it: a process missing its parts
// and building its options by hand, one whose parts are there but hollow (no Register
// function, a replay test that replays nothing, no history) and that unbounds its options,
// and constructors in process that leave an activity retrying forever. A complete process,
// a directory without Go files and what process/ itself builds pass.
func TestShapeGuard_ReportsWhatItMustCatch(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write := func(path, src string) {
		t.Helper()
		require.NoError(t, os.MkdirAll(filepath.Join(root, filepath.Dir(path)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, path), []byte(src), 0o644))
	}

	write("complete/contract.go", "package complete\n")
	write("complete/client.go", "package complete\n")
	write("complete/workflow.go", `package complete

import "example.com/workflows/process"

func options() { o := process.Bounded(1); o.RetryPolicy.MaximumAttempts = 5; o.StartToCloseTimeout = 1; _ = o }
`)
	write("complete/activities.go", "package complete\n\nfunc Register() {}\n")
	write("complete/replay_test.go", `package complete_test

import pt "github.com/reptidex/reptidex/workflows/process/processtest"

func TestReplay() { pt.Replay(nil, nil) }
`)
	write("complete/testdata/ended.json", "{}\n")

	write("bare/workflow.go", `package bare

import "go.temporal.io/sdk/workflow"

var opts = workflow.ActivityOptions{StartToCloseTimeout: 10}
`)

	write("hollow/contract.go", `package hollow

import wf "go.temporal.io/sdk/workflow"

func options() *wf.LocalActivityOptions { return &wf.LocalActivityOptions{} }
`)
	write("hollow/client.go", "package hollow\n")
	write("hollow/workflow.go", `package hollow

func unbound(o *options) {
	o.ScheduleToCloseTimeout = 0
	o.RetryPolicy = nil
}
`)
	write("hollow/activities.go", "package hollow\n\ntype acts struct{}\n\nfunc (acts) Register() {}\n")
	write("hollow/replay_test.go", `package hollow_test

import "github.com/reptidex/reptidex/workflows/process/processtest"

var _ = processtest.Completed[int]
`)
	write("hollow/testdata/notes.txt", "no history\n")

	write("notes/README.md", "not a process\n")

	write("process/activity.go", `package process

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

func Bounded(d int) workflow.ActivityOptions { return workflow.ActivityOptions{ScheduleToCloseTimeout: d} }
func Derived() workflow.ActivityOptions      { o := Bounded(1); o.StartToCloseTimeout = 2; return o }
func Counted() workflow.ActivityOptions {
	return workflow.ActivityOptions{RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 3}}
}
func Assigned() workflow.ActivityOptions {
	var o workflow.ActivityOptions
	o.RetryPolicy = &temporal.RetryPolicy{MaximumAttempts: 2}
	return o
}
func Forever() workflow.ActivityOptions {
	return workflow.ActivityOptions{RetryPolicy: &temporal.RetryPolicy{MaximumInterval: 60}}
}
func Zero() *workflow.ActivityOptions { return &workflow.ActivityOptions{ScheduleToCloseTimeout: 0} }
`)
	write("process/processtest/options.go", `package processtest

import "go.temporal.io/sdk/workflow"

var Options = workflow.ActivityOptions{}
`)

	s, err := checkShape(root)
	require.NoError(t, err)
	require.Equal(t, []string{"bare", "complete", "hollow"}, s.Processes)
	require.Equal(t, []string{"Assigned", "Bounded", "Counted", "Derived", "Forever", "Zero"}, s.Constructors)

	want := map[string]string{
		"bare/contract.go":       "missing: every process has one",
		"bare/client.go":         "missing: every process has one",
		"bare/activities.go":     "missing: every process has one",
		"bare/replay_test.go":    "missing: every process replays its recorded histories",
		"bare/testdata":          "holds no recorded history",
		"bare/workflow.go:5":     "builds workflow.ActivityOptions by hand",
		"hollow/contract.go:5":   "builds workflow.LocalActivityOptions by hand",
		"hollow/workflow.go:4":   "sets ScheduleToCloseTimeout of activity options",
		"hollow/workflow.go:5":   "sets RetryPolicy of activity options",
		"hollow/activities.go":   "declares no Register function",
		"hollow/replay_test.go":  "does not call processtest.Replay",
		"hollow/testdata":        "holds no recorded history",
		"process/activity.go:18": "Forever builds activity options that may retry forever",
		"process/activity.go:21": "Zero builds activity options that may retry forever",
	}
	got := map[string]string{}
	for _, f := range s.Findings {
		require.NotContains(t, got, f.Where, "one finding a place")
		got[f.Where] = f.Problem
	}
	require.ElementsMatch(t, keys(want), keys(got), "findings: %v", s.Findings)
	for where, says := range want {
		require.Contains(t, got[where], says, where)
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
