// Package workflows_test guards the shape of the processes under workflows/.
package workflows_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The shape guard reads the source, not a list kept by hand. Every process (a package
// directory directly under workflows/, other than process/) has each of its parts, and no
// activity can retry forever: activity options come only from the constructors in
// workflows/process, each of which bounds them. TestProcesses_HaveEveryPartAndBoundedRetries
// runs it on this tree; TestShapeGuard_ReportsWhatItMustCatch proves it catches each kind of
// gap.

// parts are the files every process has, and what each holds.
var parts = []struct{ file, holds string }{
	{"contract.go", "its input, result, message names, workflow ID and error types"},
	{"workflow.go", "its state machine"},
	{"client.go", "how the API and the jobs start and reach it"},
	{"activities.go", "the activities it needs and their Register function"},
}

// Import paths the guard recognizes, whatever name a file imports them under.
const (
	workflowImport    = "go.temporal.io/sdk/workflow"
	processtestImport = "github.com/reptidex/reptidex/workflows/process/processtest"
)

// optionTypes are the activity option types of the Temporal SDK's workflow package.
var optionTypes = []string{"ActivityOptions", "LocalActivityOptions"}

// sharedDir is the package that holds what processes share, activity options among them.
const sharedDir = "process"

// finding is one gap: where it is (a path under the checked root, with a line when it is
// one place in a file) and what is wrong.
type finding struct {
	Where   string
	Problem string
}

func (f finding) String() string { return f.Where + ": " + f.Problem }

// shape is what the guard found: the processes and option constructors it checked, and
// every gap, sorted.
type shape struct {
	Processes    []string
	Constructors []string
	Findings     []finding
}

// checkShape checks the workflows tree at root.
func checkShape(root string) (shape, error) {
	var s shape
	entries, err := os.ReadDir(root)
	if err != nil {
		return s, fmt.Errorf("read %s: %w", root, err)
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == sharedDir || ignoredDir(e.Name()) {
			continue
		}
		goFiles, err := filepath.Glob(filepath.Join(root, e.Name(), "*.go"))
		if err != nil {
			return s, err
		}
		if len(goFiles) == 0 {
			continue
		}
		s.Processes = append(s.Processes, e.Name())
		found, err := checkParts(root, e.Name())
		if err != nil {
			return s, err
		}
		s.Findings = append(s.Findings, found...)
	}
	found, err := checkHandBuiltOptions(root)
	if err != nil {
		return s, err
	}
	s.Findings = append(s.Findings, found...)
	s.Constructors, found, err = checkConstructors(root)
	if err != nil {
		return s, err
	}
	s.Findings = append(s.Findings, found...)
	slices.SortFunc(s.Findings, func(a, b finding) int { return strings.Compare(a.String(), b.String()) })
	return s, nil
}

// ignoredDir reports whether the go tool ignores a directory of this name.
func ignoredDir(name string) bool {
	return name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// checkParts checks that the process in root/name has every part: its files, a Register
// function among its activities, a replay test and a recorded history to replay.
func checkParts(root, name string) ([]finding, error) {
	var out []finding
	dir := filepath.Join(root, name)
	for _, p := range parts {
		if _, err := os.Stat(filepath.Join(dir, p.file)); err != nil {
			out = append(out, finding{name + "/" + p.file, "missing: every process has one, holding " + p.holds})
		}
	}

	acts, _, err := parse(filepath.Join(dir, "activities.go"))
	if err != nil {
		return nil, err
	}
	if acts != nil && !declaresFunc(acts, "Register") {
		out = append(out, finding{name + "/activities.go", "declares no Register function, which registers the workflow and its activities with a worker"})
	}

	replay, _, err := parse(filepath.Join(dir, "replay_test.go"))
	switch {
	case err != nil:
		return nil, err
	case replay == nil:
		out = append(out, finding{name + "/replay_test.go", "missing: every process replays its recorded histories (processtest.Replay)"})
	case !callsReplay(replay):
		out = append(out, finding{name + "/replay_test.go", "does not call processtest.Replay on the recorded histories"})
	}

	histories, err := filepath.Glob(filepath.Join(dir, "testdata", "*.json"))
	if err != nil {
		return nil, err
	}
	if len(histories) == 0 {
		out = append(out, finding{name + "/testdata", "holds no recorded history: record each path with an e2e test *_RecordsTheHistoryOfEachPath and `make record-histories`"})
	}
	return out, nil
}

// checkHandBuiltOptions finds the activity options that the non-test Go files under root,
// outside the shared package, build or unbound themselves instead of taking them from a
// constructor in workflows/process.
func checkHandBuiltOptions(root string) ([]finding, error) {
	var out []finding
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel == sharedDir || (rel != "." && ignoredDir(d.Name())) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, fset, err := parse(path)
		if err != nil {
			return err
		}
		wf := importName(f, workflowImport)
		at := func(n ast.Node) string {
			return filepath.ToSlash(rel) + ":" + strconv.Itoa(fset.Position(n.Pos()).Line)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if typ, ok := optionType(n.Type, wf); ok {
					out = append(out, finding{at(n), "builds workflow." + typ + " by hand: take them from process (process.DatabaseActivity, " +
						"or a constructor added beside it with its reason), which bounds their retries"})
				}
			case *ast.AssignStmt:
				for _, lhs := range n.Lhs {
					// A process may retry fewer times (RetryPolicy.MaximumAttempts), not
					// drop or replace the bound.
					if field, ok := boundField(lhs); ok && field != maximumAttempts {
						out = append(out, finding{at(n), "sets " + field + " of activity options: the bound an activity gives up at " +
							"comes from its constructor in process (pass it there)"})
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", root, err)
	}
	return out, nil
}

// checkConstructors finds the functions of the shared package that return activity
// options, and reports each that may let an activity retry forever: it sets neither a
// ScheduleToCloseTimeout nor a RetryPolicy's MaximumAttempts, itself or through another
// constructor that does.
func checkConstructors(root string) ([]string, []finding, error) {
	files, err := filepath.Glob(filepath.Join(root, sharedDir, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	type constructor struct {
		where   string
		bounded bool
		calls   []string
	}
	found := map[string]*constructor{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, fset, err := parse(path)
		if err != nil {
			return nil, nil, err
		}
		wf := importName(f, workflowImport)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil || !returnsOptions(fn, wf) {
				continue
			}
			c := &constructor{where: sharedDir + "/" + filepath.Base(path) + ":" + strconv.Itoa(fset.Position(fn.Pos()).Line)}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if _, ok := optionType(n.Type, wf); ok && literalBounds(n) {
						c.bounded = true
					}
				case *ast.AssignStmt:
					if len(n.Rhs) != len(n.Lhs) {
						break
					}
					for i, lhs := range n.Lhs {
						switch field, _ := boundField(lhs); field {
						case "ScheduleToCloseTimeout", maximumAttempts:
							c.bounded = c.bounded || !isZero(n.Rhs[i])
						case "RetryPolicy":
							c.bounded = c.bounded || policyBounds(n.Rhs[i])
						}
					}
				case *ast.CallExpr:
					if id, ok := n.Fun.(*ast.Ident); ok {
						c.calls = append(c.calls, id.Name)
					}
				}
				return true
			})
			found[fn.Name.Name] = c
		}
	}
	// A constructor that starts from a bounded one is bounded too.
	for changed := true; changed; {
		changed = false
		for _, c := range found {
			for _, callee := range c.calls {
				if other, ok := found[callee]; ok && other.bounded && !c.bounded {
					c.bounded, changed = true, true
				}
			}
		}
	}
	var names []string
	var out []finding
	for name, c := range found {
		names = append(names, name)
		if !c.bounded {
			out = append(out, finding{c.where, name + " builds activity options that may retry forever: " +
				"set a ScheduleToCloseTimeout or a RetryPolicy with MaximumAttempts"})
		}
	}
	slices.Sort(names)
	return names, out, nil
}

// parse parses a Go file; a file that does not exist is nil, without error.
func parse(path string) (*ast.File, *token.FileSet, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return f, fset, nil
}

// importName is the name f refers to the package at path by, or "" when f does not import it.
func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err == nil && p == path {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return p[strings.LastIndex(p, "/")+1:]
		}
	}
	return ""
}

// declaresFunc reports whether f declares a function (not a method) of that name.
func declaresFunc(f *ast.File, name string) bool {
	for _, decl := range f.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == name {
			return true
		}
	}
	return false
}

// callsReplay reports whether f calls processtest.Replay.
func callsReplay(f *ast.File) bool {
	pt := importName(f, processtestImport)
	called := false
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && isSelector(call.Fun, pt, "Replay") {
			called = true
		}
		return !called
	})
	return called
}

// optionType reports whether expr names an activity option type of the workflow package,
// which the file imports as wf, and which.
func optionType(expr ast.Expr, wf string) (string, bool) {
	for _, typ := range optionTypes {
		if isSelector(expr, wf, typ) {
			return typ, true
		}
	}
	return "", false
}

// returnsOptions reports whether fn returns activity options (or a pointer to them).
func returnsOptions(fn *ast.FuncDecl, wf string) bool {
	if fn.Type.Results == nil {
		return false
	}
	for _, r := range fn.Type.Results.List {
		typ := r.Type
		if star, ok := typ.(*ast.StarExpr); ok {
			typ = star.X
		}
		if _, ok := optionType(typ, wf); ok {
			return true
		}
	}
	return false
}

// literalBounds reports whether an activity options literal sets a ScheduleToCloseTimeout,
// or a RetryPolicy literal with MaximumAttempts, to something other than zero.
func literalBounds(lit *ast.CompositeLit) bool {
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok || isZero(kv.Value) {
			continue
		}
		switch key, _ := kv.Key.(*ast.Ident); {
		case key == nil:
		case key.Name == "ScheduleToCloseTimeout":
			return true
		case key.Name == "RetryPolicy" && policyBounds(kv.Value):
			return true
		}
	}
	return false
}

// policyBounds reports whether expr is a retry policy literal (or its address) that sets
// MaximumAttempts to something other than zero.
func policyBounds(expr ast.Expr) bool {
	if addr, ok := expr.(*ast.UnaryExpr); ok && addr.Op == token.AND {
		expr = addr.X
	}
	lit, ok := expr.(*ast.CompositeLit)
	if !ok {
		return false
	}
	for _, elt := range lit.Elts {
		if kv, ok := elt.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "MaximumAttempts") && !isZero(kv.Value) {
			return true
		}
	}
	return false
}

// maximumAttempts is the bound a retry policy sets on its tries, as boundField names it.
const maximumAttempts = "RetryPolicy.MaximumAttempts"

// boundField reports whether lhs is a field that bounds an activity's retries
// (x.ScheduleToCloseTimeout, x.RetryPolicy or x.RetryPolicy.MaximumAttempts), and names it.
func boundField(lhs ast.Expr) (string, bool) {
	sel, ok := lhs.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	switch sel.Sel.Name {
	case "ScheduleToCloseTimeout", "RetryPolicy":
		return sel.Sel.Name, true
	case "MaximumAttempts":
		if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "RetryPolicy" {
			return maximumAttempts, true
		}
	}
	return "", false
}

// isSelector reports whether expr is pkg.name, with pkg a file's name for an import.
func isSelector(expr ast.Expr, pkg, name string) bool {
	sel, ok := expr.(*ast.SelectorExpr)
	return ok && pkg != "" && isIdent(sel.X, pkg) && sel.Sel.Name == name
}

func isIdent(expr ast.Expr, name string) bool {
	id, ok := expr.(*ast.Ident)
	return ok && id.Name == name
}

// isZero reports whether expr is the literal 0 or nil, which leaves a bound unset.
func isZero(expr ast.Expr) bool {
	if lit, ok := expr.(*ast.BasicLit); ok {
		return lit.Value == "0"
	}
	return isIdent(expr, "nil")
}
