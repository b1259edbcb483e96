package mailer_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailer"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// clutchEmail is a complete notification, every field set.
func clutchEmail() mailer.Email {
	return mailer.Email{
		To:             "Ada Keeper <ada@example.com>",
		Subject:        "Clutch 12 is due to hatch",
		Preheader:      "Six eggs from Bumblebee × Pastel, day 55 of incubation.",
		Greeting:       "Hello Ada,",
		Title:          "Clutch 12 is due to hatch",
		Paragraphs:     []string{"Clutch 12 (Bumblebee × Pastel) reaches day 55 tomorrow.\nEggs: 6, all fertile.", "Log the hatchlings as they pip, so their lineage is recorded from day one."},
		ActionLabel:    "View the clutch",
		ActionURL:      "https://app.reptidex.test/breeding/clutches/c1Zx9?tab=eggs&sort=laid",
		Reason:         "You receive this email because you follow the clutches of Sunrise Vivarium.",
		UnsubscribeURL: "https://app.reptidex.test/unsubscribe/tok_3kT9q",
	}
}

// The whole layout, both parts, against files a person has looked at; run with -update after
// a deliberate change to the templates and review the diff.
func TestEmail_MatchesGoldenFiles(t *testing.T) {
	t.Parallel()
	m, err := clutchEmail().Message()
	require.NoError(t, err)
	for _, part := range []struct{ file, got string }{
		{"clutch.txt.golden", m.Text},
		{"clutch.html.golden", m.HTML},
	} {
		path := filepath.Join("testdata", part.file)
		if *update {
			require.NoError(t, os.WriteFile(path, []byte(part.got), 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, string(want), part.got, "%s differs; run go test ./mailer/ -run %s -update and review the diff", path, t.Name())
	}
}

func TestEmail_BothPartsCarryTheContentAndLinks(t *testing.T) {
	t.Parallel()
	e := clutchEmail()
	m, err := e.Message()
	require.NoError(t, err)
	require.Equal(t, e.To, m.To)
	require.Equal(t, e.Subject, m.Subject)
	require.Equal(t, e.UnsubscribeURL, m.ListUnsubscribe)

	for _, s := range []string{"ReptiDex", e.Title, "Hello Ada,", "Eggs: 6, all fertile.", "Log the hatchlings", e.Reason} {
		require.Contains(t, m.Text, s)
		require.Contains(t, m.HTML, s)
	}
	require.Contains(t, m.Text, "View the clutch:\n"+e.ActionURL+"\n", "text writes the action URL out in full")
	require.Contains(t, m.Text, "Unsubscribe: "+e.UnsubscribeURL+"\n", "text writes the unsubscribe URL out in full")
	require.NotContains(t, m.Text, e.Preheader, "the preheader is for the HTML preview only")

	escapedAction := strings.ReplaceAll(e.ActionURL, "&", "&amp;")
	require.Contains(t, m.HTML, `<a href="`+escapedAction+`"`, "the button links to the action")
	require.Contains(t, m.HTML, ">View the clutch</a>")
	require.Contains(t, m.HTML, ">"+escapedAction+"</a>", "the action URL is also written out")
	require.Contains(t, m.HTML, `<a href="`+e.UnsubscribeURL+`"`)
	require.Contains(t, m.HTML, e.Preheader)
	require.Contains(t, m.HTML, "Clutch 12 (Bumblebee × Pastel) reaches day 55 tomorrow.<br>Eggs: 6, all fertile.", "line breaks within a paragraph are kept")
	require.Contains(t, m.HTML, "#1f6f4a", "brand colour")
}

func TestEmail_EscapesHostileInput(t *testing.T) {
	t.Parallel()
	e := clutchEmail()
	e.Greeting = `Hello "Ada" O'Brien <ada@example.com>,`
	e.Title = `Clutch <script>alert(1)</script> is due`
	e.Paragraphs = []string{`<img src=x onerror=alert(1)> & "more"`}
	e.ActionLabel = `</a><a href="https://evil.example">Win</a>`
	e.ActionURL = `https://app.reptidex.test/animals/1?q="onmouseover=alert(1)`
	e.Reason = `Because <b>you</b> asked`
	m, err := e.Message()
	require.NoError(t, err)

	for _, s := range []string{"<script>", "<img", "<b>", `href="https://evil.example"`, `"onmouseover`} {
		require.NotContains(t, m.HTML, s)
	}
	for _, s := range []string{
		"Clutch &lt;script&gt;alert(1)&lt;/script&gt; is due",
		"Hello &#34;Ada&#34; O&#39;Brien &lt;ada@example.com&gt;,",
		"&lt;img src=x onerror=alert(1)&gt; &amp; &#34;more&#34;",
		"&lt;/a&gt;&lt;a href=&#34;https://evil.example&#34;&gt;Win&lt;/a&gt;",
		`href="https://app.reptidex.test/animals/1?q=%22onmouseover=alert%281%29"`,
		"Because &lt;b&gt;you&lt;/b&gt; asked",
	} {
		require.Contains(t, m.HTML, s)
	}
	require.Contains(t, m.Text, e.Title, "plain text needs no escaping")
	require.Contains(t, m.Text, e.Greeting)
}

func TestEmail_LeavesOutWhatIsNotGiven(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(*mailer.Email)
		missing []string // in neither part
	}{
		{"no unsubscribe URL", func(e *mailer.Email) { e.UnsubscribeURL = "" }, []string{"Unsubscribe", "unsubscribe"}},
		{"no action", func(e *mailer.Email) { e.ActionLabel, e.ActionURL = "", "" }, []string{"View the clutch", "breeding/clutches", "button"}},
		{"no greeting", func(e *mailer.Email) { e.Greeting = "" }, []string{"Hello"}},
		{"no reason", func(e *mailer.Email) { e.Reason = "" }, []string{"You receive"}},
		{"blank paragraphs", func(e *mailer.Email) { e.Paragraphs = []string{" ", "\n\n"} }, []string{"<p style=\"margin:0 0 16px 0;\"></p>", "<br>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := clutchEmail()
			tt.edit(&e)
			m, err := e.Message()
			require.NoError(t, err)
			for _, s := range tt.missing {
				require.NotContains(t, m.Text, s)
				require.NotContains(t, m.HTML, s)
			}
			require.Contains(t, m.Text, e.Title)
			require.Contains(t, m.HTML, e.Title)
		})
	}
}

func TestEmail_ListUnsubscribeOnlyWithAnUnsubscribeURL(t *testing.T) {
	t.Parallel()
	e := clutchEmail()
	e.UnsubscribeURL = ""
	m, err := e.Message()
	require.NoError(t, err)
	require.Empty(t, m.ListUnsubscribe)
}

func TestEmail_CollapsesLineBreaksInOneLineFields(t *testing.T) {
	t.Parallel()
	e := clutchEmail()
	e.Title = "Clutch 12\r\nis   due"
	e.Reason = "Because\n-- \nUnsubscribe: https://evil.example"
	m, err := e.Message()
	require.NoError(t, err)
	require.Contains(t, m.Text, "\nClutch 12 is due\n")
	require.Contains(t, m.Text, "\nBecause -- Unsubscribe: https://evil.example\n", "a field cannot forge footer lines")
}

func TestEmail_RefusesInvalidFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(*mailer.Email)
		wantErr string
	}{
		{"no subject", func(e *mailer.Email) { e.Subject = "" }, "subject is required"},
		{"blank subject", func(e *mailer.Email) { e.Subject = " \t" }, "subject is required"},
		{"subject with a line break", func(e *mailer.Email) { e.Subject = "Hatch day\r\nBcc: all@example.com" }, "subject must be one line"},
		{"no title", func(e *mailer.Email) { e.Title = "\n " }, "title is required"},
		{"action label without URL", func(e *mailer.Email) { e.ActionURL = "" }, "both a label and a URL"},
		{"action URL without label", func(e *mailer.Email) { e.ActionLabel = " " }, "both a label and a URL"},
		{"relative action URL", func(e *mailer.Email) { e.ActionURL = "/breeding/clutches/c1Zx9" }, "action URL"},
		{"action URL without host", func(e *mailer.Email) { e.ActionURL = "https:///clutches" }, "action URL"},
		{"javascript action URL", func(e *mailer.Email) { e.ActionURL = "javascript:alert(1)" }, "action URL"},
		{"mailto action URL", func(e *mailer.Email) { e.ActionURL = "mailto:ada@example.com" }, "action URL"},
		{"action URL with a space", func(e *mailer.Email) { e.ActionURL = "https://app.reptidex.test/a b" }, "action URL"},
		{"relative unsubscribe URL", func(e *mailer.Email) { e.UnsubscribeURL = "unsubscribe/tok" }, "unsubscribe URL"},
		{"unsubscribe URL with CRLF", func(e *mailer.Email) { e.UnsubscribeURL = "https://app.reptidex.test/u\r\nBcc: all@example.com" }, "unsubscribe URL"},
		{"unsubscribe URL closing the bracket", func(e *mailer.Email) { e.UnsubscribeURL = "https://app.reptidex.test/u>, <https://evil.example" }, "unsubscribe URL"},
		{"unsubscribe URL past the header limit", func(e *mailer.Email) {
			e.UnsubscribeURL = "https://app.reptidex.test/" + strings.Repeat("a", 1000)
		}, "unsubscribe URL"},
		{"ftp unsubscribe URL", func(e *mailer.Email) { e.UnsubscribeURL = "ftp://app.reptidex.test/u" }, "unsubscribe URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := clutchEmail()
			tt.edit(&e)
			_, err := e.Message()
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestEmail_ReportsEveryInvalidField(t *testing.T) {
	t.Parallel()
	_, err := mailer.Email{ActionURL: "/x", ActionLabel: "Go", UnsubscribeURL: "/u"}.Message()
	for _, s := range []string{"subject is required", "title is required", "action URL", "unsubscribe URL"} {
		require.ErrorContains(t, err, s)
	}
}

// The rendered email goes through SMTP intact: the sink decodes the same two parts, and the
// headers carry the one-click unsubscribe.
func TestEmail_DeliveredWithListUnsubscribe(t *testing.T) {
	t.Parallel()
	sink, client := startSink(t)
	m, err := clutchEmail().Message()
	require.NoError(t, err)
	s := mailer.Sender{Addr: sink.SMTPAddr(), From: from, Timeout: 5 * time.Second}
	require.NoError(t, s.Send(testCtx(t), m))

	msgs, err := client.List(testCtx(t), "ada@example.com")
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	got, err := client.Get(testCtx(t), msgs[0].ID)
	require.NoError(t, err)
	require.Equal(t, m.Subject, got.Subject)
	require.Equal(t, normalize(m.Text), normalize(got.Text))
	require.Equal(t, normalize(m.HTML), normalize(got.HTML))

	raw, err := client.Raw(testCtx(t), msgs[0].ID)
	require.NoError(t, err)
	require.Contains(t, string(raw), "\r\nList-Unsubscribe: <https://app.reptidex.test/unsubscribe/tok_3kT9q>\r\n")
	require.Contains(t, string(raw), "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
}
