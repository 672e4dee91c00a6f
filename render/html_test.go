package render_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/render"
	"github.com/bitsim/bitsim/trace"
)

func html(t *testing.T, recs []trace.Record) string {
	t.Helper()
	var b bytes.Buffer
	if err := render.HTML(&b, recs); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var callBarRE = regexp.MustCompile(`<g class="call-bar [^"]*"`)

func TestHTMLDrawsEveryCall(t *testing.T) {
	out := html(t, busyTrace())
	if n := len(callBarRE.FindAllString(out, -1)); n != 11 {
		t.Errorf("%d call bars, want 11", n)
	}
	if n := strings.Count(out, `<g class="client-bar `); n != 11 {
		t.Errorf("%d client bars, want 11", n)
	}
	if n := strings.Count(out, `<g class="cmdline-bar`); n != 2 {
		t.Errorf("%d command-line bars, want 2", n)
	}
	for _, w := range []string{
		`<g class="call-bar m-jt fail" data-call="5" data-method="JobTransferred" data-job="job-b" data-user="bob" data-client="app-3" data-lane="high" data-slot="0" data-result="E_FAIL 0x80004005"`,
		`<g class="call-bar m-jt gone" data-call="8"`,
		`data-call="6" data-method="JobTransferred" data-job="job-5" data-user="alice" data-client="app-2" data-lane="high" data-slot="1"`,
		`class="wait"`, // job-5 and job-3 waited for a slot
		`class="link"`, // a planned retry
		`class="mk mk-owed"`,
		`<g class="exit">`, // app-2 crashed
		"slot freed: high lane first, waited 1s (G32)",
		"nested on STA thread (G34)",
		`<td class="id">G31</td><td>At most four simultaneous notifications per user</td>`,
		`body data-call-count="11"`,
		// Rule ids in the notes link to their row of the rules table.
		`nested on STA thread (<a href="#rule-G34">G34</a>)`,
		`<tr id="rule-G34"><td class="id">G34</td>`,
		`docs/MODEL.md</a>`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("HTML lacks %s", w)
		}
	}
}

// TestHTMLIsSelfContained: nothing is fetched, no external font is named.
// The only web addresses are links a reader may follow to the docs.
func TestHTMLIsSelfContained(t *testing.T) {
	out := html(t, busyTrace())
	out = strings.ReplaceAll(out, `<a href="https://github.com/bitsim/bitsim/blob/main/docs/`, `<a href="docs/`)
	for _, bad := range []string{"http://", "https://", "//fonts", "@import", "@font-face", "<link", "src=", "url(http"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "<svg id=\"plot\"") || !strings.HasSuffix(out, "</html>\n") {
		t.Error("not one HTML document with an inline SVG")
	}
}

// hostile names try to break out of every context a name lands in: text,
// attributes, SVG <title>, the page <title>, JSON.
var hostile = []string{
	`</svg><script>alert(1)</script><x-evil>`,
	`" onmouseover="alert(2)" x="`,
	"' onload='alert(3)\x1b[7m",
	"</title><script>alert(4)</script>\n<x-evil>",
	"</textarea></style></script><x-evil>\u2028\u2029\x1b[1m",
	`javascript:alert(5)//<x-evil`,
	"\x00\x1b[31m<!--<x-evil>",
}

func hostileTrace() []trace.Record {
	var b tb
	h := hostile
	b.start(h[0], 1).config(4).
		client(h[1], h[2], "STA").
		client(h[3], h[2], "MTA").
		job(h[4], h[2]).register(h[4], h[1], h[2]).
		add(trace.Record{Ev: trace.EvJobCmdline, Job: h[4], User: h[5]}).
		state(h[4], callbackabi.BG_JOB_STATE_TRANSFERRING, callbackabi.BG_JOB_STATE_TRANSFERRED).
		owed(h[4], trace.JobTransferred).
		begin(1, h[4], h[2], h[1], trace.JobTransferred, 0).
		begin(2, h[4], h[2], h[1], trace.JobModification, 1).
		at(sec).end(2, callbackabi.S_OK).
		add(trace.Record{Ev: trace.EvCallEnd, Call: 1, HR: callbackabi.E_FAIL, Outcome: h[6]}).
		unregister(h[4], h[0]).
		cmdStart(h[4], 1).cmdExit(h[4], 1, 3).
		add(trace.Record{Ev: trace.EvUserAction, Client: h[3], User: h[2], Reason: h[0]}).
		add(trace.Record{Ev: trace.EvAppOutcome, Job: h[4], Client: h[3], Outcome: trace.AppFailed, Reason: h[1]}).
		clientExit(h[3], h[2], "MTA", h[5]).
		add(trace.Record{Ev: trace.EvUnknown, Name: h[0]}).
		add(trace.Record{Ev: trace.EvLimit, Reason: h[3]}).
		endRun(h[6])
	return b.recs
}

// assertNoInjection fails if out holds markup or script that came from a
// name: only the page's own two <script> elements may be there.
func assertNoInjection(t *testing.T, out string) {
	t.Helper()
	lower := strings.ToLower(out)
	if n := strings.Count(lower, "<script"); n != 2 {
		t.Errorf("%d <script in the page, want the page's own 2", n)
	}
	for _, bad := range []string{"<x-evil", `" onmouseover="`, `' onload='`, "<!--", "</textarea", "\x00", "\x1b"} {
		if strings.Contains(lower, bad) {
			i := strings.Index(lower, bad)
			t.Errorf("unescaped %q in the page: …%s…", bad, out[max(0, i-60):min(len(out), i+60)])
		}
	}
	if open, closed := strings.Count(lower, "<svg"), strings.Count(lower, "</svg>"); open != closed {
		t.Errorf("%d <svg but %d </svg>", open, closed)
	}
}

func TestHTMLEscapesHostileNames(t *testing.T) {
	out := html(t, hostileTrace())
	assertNoInjection(t, out)
	// The names are still there, escaped, for people to read.
	if !strings.Contains(out, "&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;x-evil&gt;") {
		t.Error("the hostile scenario name is not shown escaped")
	}
	if n := len(callBarRE.FindAllString(out, -1)); n != 2 {
		t.Errorf("%d call bars, want 2", n)
	}
}

func TestChromeEscapesHostileNames(t *testing.T) {
	out, evs := chrome(t, hostileTrace())
	if strings.ContainsAny(out, "<>\x00\x1b\u2028\u2029") {
		t.Error("Chrome JSON holds raw < > or control characters")
	}
	found := false
	for _, e := range evs {
		if e.Ph == "X" && strings.HasPrefix(e.Cat, "call") && e.Args["job"] == hostile[4] && e.Args["client"] == hostile[1] {
			found = true
		}
	}
	if !found {
		t.Error("hostile names do not round-trip through the JSON")
	}
	var any map[string]any
	if err := json.Unmarshal([]byte(out), &any); err != nil {
		t.Fatal(err)
	}
}

// oddTraces are in-memory traces no simulator writes; renderers must draw
// them without panicking.
func oddTraces() map[string][]trace.Record {
	odd := map[string][]trace.Record{"empty": nil}
	var b tb
	b.add(trace.Record{Ev: trace.EvCallEnd, Call: 9, HR: callbackabi.S_OK})
	odd["end of an unknown call"] = b.recs

	b = tb{}
	b.begin(1, "j", "u", "c", trace.JobTransferred, 0).begin(1, "j", "u", "c", trace.JobTransferred, 0).end(1, 0).end(1, 0)
	odd["call id reused"] = b.recs

	b = tb{}
	b.at(5*sec).begin(1, "j", "u", "c", trace.JobTransferred, 1).at(-3*sec).end(1, 0).at(-time.Hour).endRun("x")
	odd["time goes back, self parent"] = b.recs

	b = tb{}
	b.client("c1", "u", "STA").client("c2", "u", "STA").
		begin(1, "j", "u", "c1", trace.JobModification, 0).
		begin(2, "j", "u", "c2", trace.JobModification, 1). // parent on another client
		begin(3, "j", "u", "c1", trace.Method(99), 777).    // unknown method and parent
		end(1, 0).end(3, 0)
	odd["parents elsewhere"] = b.recs

	b = tb{}
	b.state("j", callbackabi.JobState(99), callbackabi.JobState(1234)).
		cmdExit("j", 4, 1).cmdStart("j", 1).cmdStart("j", 1).
		add(trace.Record{Ev: trace.Ev(200)}).
		add(trace.Record{Ev: trace.EvJobFlags, Job: "j", Flags: 0xFFFF}).
		add(trace.Record{Ev: trace.EvRetry, Job: "missing", At: 1 << 62}).
		wait("j", "u", trace.JobError).wait("j", "u", trace.JobError)
	odd["nonsense values"] = b.recs

	b = tb{}
	b.config(0)
	for k := int64(1); k <= 40; k++ {
		b.begin(k, "j", "u", "c", trace.FileTransferred, k-1)
	}
	odd["no cap, deep nesting"] = b.recs
	return odd
}

func TestRenderersDrawOddTraces(t *testing.T) {
	for name, recs := range oddTraces() {
		t.Run(name, func(t *testing.T) {
			calls := 0
			for _, r := range recs {
				if r.Ev == trace.EvCallBegin {
					calls++
				}
			}
			text(t, recs)
			chrome(t, recs)
			out := html(t, recs)
			if n := len(callBarRE.FindAllString(out, -1)); n != calls {
				t.Errorf("%d call bars for %d calls", n, calls)
			}
		})
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errWrite
	}
	return len(p), nil
}

var errWrite = &writeError{}

type writeError struct{}

func (*writeError) Error() string { return "disk full" }

func TestRenderersReportWriteErrors(t *testing.T) {
	for name, f := range map[string]func(w *failWriter) error{
		"text":   func(w *failWriter) error { return render.Text(w, busyTrace()) },
		"chrome": func(w *failWriter) error { return render.Chrome(w, busyTrace()) },
		"html":   func(w *failWriter) error { return render.HTML(w, busyTrace()) },
	} {
		if err := f(&failWriter{n: 100}); err == nil {
			t.Errorf("%s: a failing writer gave no error", name)
		}
	}
}

// callEnds reads each call bar's x and right end from an HTML page.
var callBarGeomRE = regexp.MustCompile(`<g class="call-bar [^"]*" data-call="(\d+)"[^>]*><rect x="(-?\d+)" y="-?\d+" width="(\d+)"`)

type barGeom struct{ x, end int }

func callBars(t *testing.T, page string) map[int64]barGeom {
	t.Helper()
	out := map[int64]barGeom{}
	for _, m := range callBarGeomRE.FindAllStringSubmatch(page, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		x, _ := strconv.Atoi(m[2])
		w, _ := strconv.Atoi(m[3])
		out[id] = barGeom{x, x + w}
	}
	return out
}

// callTimes reads each call's begin and end virtual time from the trace.
func callTimes(recs []trace.Record) (begin, end map[int64]time.Duration) {
	begin, end = map[int64]time.Duration{}, map[int64]time.Duration{}
	for _, r := range recs {
		switch r.Ev {
		case trace.EvCallBegin:
			begin[r.Call] = r.T
		case trace.EvCallEnd:
			end[r.Call] = r.T
		}
	}
	return begin, end
}

// On AxisTime x is a function of virtual time alone, strictly increasing:
// two calls end (and begin) at the same x exactly when they end (begin)
// at the same virtual time, and an earlier time is further left. On the
// default axis, calls ending at one instant are drawn in trace order.
func TestHTMLTimeAxis(t *testing.T) {
	for name, recs := range map[string][]trace.Record{"busy": busyTrace(), "simple": simpleTrace()} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := render.HTMLWith(&b, recs, render.Options{Axis: render.AxisTime}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), `axis "time"`) {
				t.Error("the page's note does not say the axis is virtual time")
			}
			bars := callBars(t, b.String())
			begin, end := callTimes(recs)
			if len(bars) != len(begin) || len(bars) == 0 {
				t.Fatalf("%d call bars, %d calls", len(bars), len(begin))
			}
			for a := range bars {
				for c := range bars {
					if got, want := cmp(bars[a].x, bars[c].x), cmp(begin[a], begin[c]); got != want {
						t.Errorf("calls %d and %d begin at %v and %v but at x %d and %d", a, c, begin[a], begin[c], bars[a].x, bars[c].x)
					}
					if end[a] == begin[a] || end[c] == begin[c] {
						continue // a zero-length call is drawn minBarW wide
					}
					if got, want := cmp(bars[a].end, bars[c].end), cmp(end[a], end[c]); got != want {
						t.Errorf("calls %d and %d end at %v and %v but at x %d and %d", a, c, end[a], end[c], bars[a].end, bars[c].end)
					}
				}
			}
		})
	}
	// busyTrace's calls 3 and 4 both end at 3 s: on the events axis one
	// after the other, on the time axis at one x.
	ev := callBars(t, html(t, busyTrace()))
	if ev[3].end == ev[4].end {
		t.Errorf("events axis: calls 3 and 4 end at one x %d; want trace order", ev[3].end)
	}
	var b bytes.Buffer
	if err := render.HTMLWith(&b, busyTrace(), render.Options{Axis: render.AxisTime}); err != nil {
		t.Fatal(err)
	}
	if tm := callBars(t, b.String()); tm[3].end != tm[4].end {
		t.Errorf("time axis: calls 3 and 4 end at 3s but at x %d and %d", tm[3].end, tm[4].end)
	}
}

func cmp[T int | time.Duration](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestParseAxis(t *testing.T) {
	for _, ax := range []render.Axis{render.AxisEvents, render.AxisTime} {
		got, err := render.ParseAxis(ax.String())
		if err != nil || got != ax {
			t.Errorf("ParseAxis(%q) = %v, %v; want %v", ax.String(), got, err, ax)
		}
	}
	for _, s := range []string{"", "Time", "linear"} {
		if _, err := render.ParseAxis(s); err == nil {
			t.Errorf("ParseAxis(%q) accepted", s)
		}
	}
	if err := render.HTMLWith(&bytes.Buffer{}, simpleTrace(), render.Options{Axis: render.Axis(7)}); err == nil {
		t.Error("HTMLWith accepted Axis(7)")
	}
}

// The scenario's summary heads the page; "ambiguity N" links to the
// section of docs/MODEL.md that explains it; a rule id not in the table is
// left as text.
func TestHTMLLeadAndLinks(t *testing.T) {
	var b strings.Builder
	if err := render.HTMLWith(&b, busyTrace(), render.Options{Summary: "five <jobs> at once"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if i, j := strings.Index(out, `<p class="lead">five &lt;jobs&gt; at once</p>`), strings.Index(out, "<h1>"); i < 0 || i < j {
		t.Errorf("the summary does not head the page (escaped): %d %d", i, j)
	}
	if strings.Contains(html(t, busyTrace()), `class="lead"`) {
		t.Error("a lead without a summary")
	}
}
