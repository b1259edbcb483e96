// Command loadimport measures an import of a large spreadsheet through the ReptiDex API: the
// dry run (from asking for the check to the report ready) and applying it (from asking to
// the import applied), each against the 30 s budget; then the same file imported again,
// every row updating the animal the first import recorded.
//
// Against a running `make dev` (-base, loopback only) it registers a breeder with a fresh
// address, grants the organization the Business plan through the database
// (-database-admin-url; Free keeps 50 animals), and writes a file of our template of -rows
// rows: ball pythons in generations of 100, each after the first bred from two of the
// generation before, with genetics. It uploads the file by the presigned PUT the API
// answers, asks for the check and reads the import every -poll until it is checked, then
// asks to apply it and reads it until it is applied; then it does all that again with the
// same file. It prints the times, the report's counts and what applying did. It exits with status 1 when a row is refused, the import
// fails, or a budget is not met, and 2 when the run could not be set up.
//
//	go run ./scripts/loadimport -rows 10000
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/scripts/population/benchdb"
)

// budgetSeconds is the budget the issue sets for each of the dry run and the import of
// 10,000 rows.
const budgetSeconds = 30

type config struct {
	base, adminURL string
	rows           int
	again          bool
	poll, waitMax  time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:8080", "API base URL (loopback only)")
	flag.StringVar(&c.adminURL, "database-admin-url", "postgres://postgres@127.0.0.1:5432/reptidex?sslmode=disable",
		"the API's database as its owner, through which the organization is granted the Business plan")
	flag.IntVar(&c.rows, "rows", 10_000, "rows of the file (100 to 200,000)")
	flag.BoolVar(&c.again, "again", true, "import the same file a second time, every row updating")
	flag.DurationVar(&c.poll, "poll", 50*time.Millisecond, "how often the import is read")
	flag.DurationVar(&c.waitMax, "wait", 10*time.Minute, "how long to wait for each step")
	flag.Parse()
	ok, err := run(c, os.Stdout)
	loadgen.Exit("loadimport", ok, err)
}

// imported is an import as the API answers it, what the run reads of it.
type imported struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Problem string `json:"problem"`
	Report  *struct {
		Unreadable   string `json:"unreadable"`
		Rows         int    `json:"rows"`
		Valid        int    `json:"valid"`
		Creates      int    `json:"creates"`
		Updates      int    `json:"updates"`
		ProblemCount int    `json:"problem_count"`
	} `json:"report"`
	Applied *struct {
		Batches int `json:"batches"`
		Created int `json:"created"`
		Updated int `json:"updated"`
		Refused int `json:"refused"`
	} `json:"applied"`
}

func run(c config, w io.Writer) (bool, error) {
	if c.rows < 100 || c.rows > 200_000 {
		return false, errors.New("-rows must be between 100 and 200,000")
	}
	if c.poll <= 0 || c.waitMax <= 0 {
		return false, errors.New("-poll and -wait must be positive")
	}
	if err := benchdb.CheckLoopbackDB(c.adminURL); err != nil {
		return false, fmt.Errorf("-database-admin-url: %w", err)
	}
	if err := loadgen.CheckLoopback(c.base); err != nil {
		return false, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	api := loadgen.NewAPI(c.base, loadgen.NewClient(2, time.Minute))
	runID := newRunID()
	acct, err := api.Register(ctx, "import-"+runID+"@bench.reptidex.local", "Import "+runID)
	if err != nil {
		return false, err
	}
	if err := grantBusiness(ctx, c.adminURL, acct.OrgID); err != nil {
		return false, err
	}
	file := templateFile(c.rows)
	ok := true
	passes := []struct{ name, want string }{{"first", "new"}, {"again", "updated"}}
	if !c.again {
		passes = passes[:1]
	}
	for _, pass := range passes {
		passed, err := importFile(ctx, api, acct.Token, c, file, runID+"-"+pass.name, pass.want, w)
		if err != nil {
			return false, err
		}
		ok = ok && passed
	}
	return ok, nil
}

// importFile uploads the file as a new import, checks it and applies it, printing the time
// of each; every row must be valid and applied as want says (new, or updated).
func importFile(ctx context.Context, api *loadgen.API, token string, c config, file []byte, name, want string,
	w io.Writer) (bool, error) {
	var up struct {
		Import imported `json:"import"`
		Upload struct {
			URL     string            `json:"url"`
			Method  string            `json:"method"`
			Headers map[string]string `json:"headers"`
		} `json:"upload"`
	}
	if err := api.Expect(ctx, http.StatusCreated, &up, http.MethodPost, "/api/v1/imports", token,
		map[string]any{"size": len(file), "file_name": "load-" + name + ".csv"}); err != nil {
		return false, err
	}
	if err := put(ctx, up.Upload.Method, up.Upload.URL, up.Upload.Headers, file); err != nil {
		return false, err
	}
	id := up.Import.ID
	fmt.Fprintf(w, "loadimport: %d rows (%.1f MB) uploaded as import %s\n", c.rows, float64(len(file))/1e6, id)

	t0 := time.Now()
	if err := api.Expect(ctx, http.StatusAccepted, nil, http.MethodPost, "/api/v1/imports/"+id+"/check", token,
		map[string]any{}); err != nil {
		return false, err
	}
	checked, err := wait(ctx, api, token, id, c, "checking")
	if err != nil {
		return false, err
	}
	checking := time.Since(t0)
	if checked.Status != "checked" || checked.Report == nil {
		return false, fmt.Errorf("import %s %s after its check: %s", id, checked.Status, checked.Problem)
	}
	r := checked.Report
	fmt.Fprintf(w, "loadimport: dry run %.2f s: %d rows, %d valid, %d new, %d updating, %d problems%s\n", checking.Seconds(),
		r.Rows, r.Valid, r.Creates, r.Updates, r.ProblemCount, verdict(checking))

	t1 := time.Now()
	if err := api.Expect(ctx, http.StatusAccepted, nil, http.MethodPost, "/api/v1/imports/"+id+"/apply", token, nil); err != nil {
		return false, err
	}
	applied, err := wait(ctx, api, token, id, c, "applying")
	if err != nil {
		return false, err
	}
	applying := time.Since(t1)
	if applied.Status != "applied" || applied.Applied == nil {
		return false, fmt.Errorf("import %s %s: %s", id, applied.Status, applied.Problem)
	}
	a := applied.Applied
	fmt.Fprintf(w, "loadimport: import %.2f s (%.2f ms a row): %d batches, %d new, %d updated, %d refused%s\n",
		applying.Seconds(), float64(applying.Milliseconds())/float64(c.rows), a.Batches, a.Created, a.Updated, a.Refused, verdict(applying))
	done := a.Created
	if want == "updated" {
		done = a.Updated
	}
	return r.Valid == c.rows && done == c.rows && a.Refused == 0 &&
		checking.Seconds() < budgetSeconds && applying.Seconds() < budgetSeconds, nil
}

// verdict says whether a time is within the budget.
func verdict(d time.Duration) string {
	if d.Seconds() < budgetSeconds {
		return fmt.Sprintf(" (budget %d s: met)", budgetSeconds)
	}
	return fmt.Sprintf(" (budget %d s: NOT met)", budgetSeconds)
}

// wait reads the import every c.poll while it is at stage, and answers it as it then is.
func wait(ctx context.Context, api *loadgen.API, token, id string, c config, stage string) (imported, error) {
	deadline := time.Now().Add(c.waitMax)
	for {
		var im imported
		if err := api.Expect(ctx, http.StatusOK, &im, http.MethodGet, "/api/v1/imports/"+id, token, nil); err != nil {
			return im, err
		}
		if im.Status != stage {
			return im, nil
		}
		if time.Now().After(deadline) {
			return im, fmt.Errorf("import %s still %s after %s", id, stage, c.waitMax)
		}
		select {
		case <-ctx.Done():
			return im, ctx.Err()
		case <-time.After(c.poll):
		}
	}
}

// templateFile is a file of our template: generations of 100 ball pythons, each after the
// first bred from two of the generation before.
func templateFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("breeder_id,name,species,sex,hatch_date,genetics,sire,dam\n")
	for i := range n {
		sire, dam := "", ""
		if i >= 100 {
			sire, dam = fmt.Sprintf("LD-%d", i-100-i%2), fmt.Sprintf("LD-%d", i-99-i%2)
		}
		hatched := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 100*(i/100)).Format(time.DateOnly)
		fmt.Fprintf(&b, "LD-%d,Animal %d,Ball Python,%s,%s,Pastel het Clown,%s,%s\n", i, i, []string{"male", "female"}[i%2],
			hatched, sire, dam)
	}
	return b.Bytes()
}

// put uploads body by a presigned request.
func put(ctx context.Context, method, url string, headers map[string]string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("upload: %s: %s", resp.Status, msg)
	}
	return nil
}

// grantBusiness puts the organization on the Business plan, which keeps any number of
// animals.
func grantBusiness(ctx context.Context, adminURL, orgPublicID string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect to the database: %w", err)
	}
	defer func() { _ = conn.Close(ctx) }()
	tag, err := conn.Exec(ctx, `UPDATE organizations SET plan_key = 'business', granted_plan_key = 'business' WHERE public_id = $1`,
		orgPublicID)
	if err == nil && tag.RowsAffected() != 1 {
		err = fmt.Errorf("no organization %s", orgPublicID)
	}
	return err
}

// newRunID names a run, so that each registers afresh.
func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
