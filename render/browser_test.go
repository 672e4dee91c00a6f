package render_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/render"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/trace"
)

// chromium finds the browser: $BITSIM_CHROMIUM, /usr/bin/chromium, or
// chromium on $PATH. Without one the test is skipped, loudly, except
// under CI=true, where a missing browser fails the run.
func chromium(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("BITSIM_CHROMIUM"), "/usr/bin/chromium"}
	if p, err := exec.LookPath("chromium"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c
		}
	}
	const msg = "chromium not found (apt-get install -y chromium, or set BITSIM_CHROMIUM): the HTML timeline was NOT checked in a real browser"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED: " + msg)
	return ""
}

// browse runs headless Chromium on a local file with extra flags and
// returns its stdout and stderr.
func browse(t *testing.T, bin, page string, extra ...string) (stdout, stderr string) {
	t.Helper()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
		"--user-data-dir=" + t.TempDir(),
		"--enable-logging=stderr", "--v=0",
	}
	args = append(args, extra...)
	args = append(args, "file://"+page)
	// A bound on a stuck browser, not a wait: the test never sleeps.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, errOut.String())
	}
	return out.String(), errOut.String()
}

// TestHTMLInChromium opens the HTML timeline of two traces in headless
// Chromium: the page's script must run to its end without an error
// (it marks <body data-js="ok"> and counts the bars it finds), nothing
// may be logged to the console, and the DOM must hold one call-bar per
// call. With BITSIM_SCREENSHOTS=DIR it also saves DIR/NAME.png to look at.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	var traces []struct {
		name string
		recs []trace.Record
	}
	for _, name := range []string{"transfer-complete", "four-slot-starvation"} {
		s, ok := scenarios.Lookup(name)
		if !ok {
			t.Fatalf("no scenario %s", name)
		}
		res, err := s.Run(1)
		if err != nil {
			t.Fatal(err)
		}
		traces = append(traces, struct {
			name string
			recs []trace.Record
		}{name, res.Records})
	}
	for _, tc := range traces {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			for _, r := range tc.recs {
				if r.Ev == trace.EvCallBegin {
					calls++
				}
			}
			page := filepath.Join(t.TempDir(), tc.name+".html")
			var b bytes.Buffer
			if err := render.HTML(&b, tc.recs); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}

			dom, logs := browse(t, bin, page, "--dump-dom")
			if !strings.Contains(dom, `data-js="ok"`) {
				t.Errorf("the page's script did not finish: body is %s", bodyTag(dom))
			}
			if strings.Contains(dom, `id="js-error"`) {
				t.Errorf("the page reported a script error: %s", dom[strings.Index(dom, `id="js-error"`):])
			}
			if want := `data-call-bars="` + strconv.Itoa(calls) + `"`; !strings.Contains(dom, want) {
				t.Errorf("the script counted other than %d call bars: body is %s", calls, bodyTag(dom))
			}
			if n := len(regexp.MustCompile(`<g class="call-bar [^"]*"`).FindAllString(dom, -1)); n != calls {
				t.Errorf("%d call bars in the DOM, want %d", n, calls)
			}
			// Every SVG <title> became a data-tip (the tooltip's text).
			if n := strings.Count(dom, "data-tip="); n < 2*calls {
				t.Errorf("%d tooltips in the DOM, want at least %d", n, 2*calls)
			}
			for _, line := range strings.Split(logs, "\n") {
				if strings.Contains(line, "CONSOLE") && strings.Contains(line, "file://") {
					t.Errorf("console message from the page: %s", line)
				}
			}

			if dir := os.Getenv("BITSIM_SCREENSHOTS"); dir != "" {
				shot, err := filepath.Abs(filepath.Join(dir, tc.name+".png"))
				if err != nil {
					t.Fatal(err)
				}
				browse(t, bin, page, "--screenshot="+shot, "--window-size=1400,900", "--hide-scrollbars")
				if st, err := os.Stat(shot); err != nil || st.Size() == 0 {
					t.Errorf("no screenshot: %v", err)
				}
				t.Logf("screenshot: %s", shot)
			}
		})
	}
}

func bodyTag(dom string) string {
	i := strings.Index(dom, "<body")
	if i < 0 {
		return fmt.Sprintf("missing (%d bytes of DOM)", len(dom))
	}
	j := strings.Index(dom[i:], ">")
	if j < 0 {
		return dom[i:]
	}
	return dom[i : i+j+1]
}

// manyJobsTrace has n jobs of one user, each transferring and notified
// once, 10 ms apart; calls of neighbouring jobs overlap.
func manyJobsTrace(n int) []trace.Record {
	const (
		su = callbackabi.BG_JOB_STATE_SUSPENDED
		qd = callbackabi.BG_JOB_STATE_QUEUED
		td = callbackabi.BG_JOB_STATE_TRANSFERRED
	)
	var b tb
	b.start("many-jobs", 1).config(4).client("app-1", "alice", "MTA")
	for j := range n {
		name := fmt.Sprintf("job-%03d", j)
		b.job(name, "alice").register(name, "app-1", "alice").state(name, su, qd)
	}
	// At 10 ms·(j+1) call j-1 ends and call j begins: each call takes
	// 20 ms and two are in flight at once.
	for j := range n + 2 {
		b.at(time.Duration(j+1) * 10 * ms)
		if j >= 2 {
			b.end(int64(j-1), callbackabi.S_OK)
		}
		if j < n {
			name := fmt.Sprintf("job-%03d", j)
			b.state(name, qd, td).owed(name, trace.JobTransferred).
				begin(int64(j+1), name, "alice", "app-1", trace.JobTransferred, 0)
		}
	}
	b.endRun("idle")
	return b.recs
}

var alignRE = regexp.MustCompile(`data-align-max="([^"]*)"`)

// TestHTMLAlignedAt300Jobs measures, in headless Chromium, how far each
// row of the label column sits from its row in the plot, at 300 jobs,
// on both axes: the page's own script writes the largest offset of any
// row or section (top or bottom) to <body data-align-max>, and it must be
// at most 1 px. (A 1 px border inside the label column's SVG once scaled
// the column by 189/190: 47 px, more than a row, at the bottom.)
func TestHTMLAlignedAt300Jobs(t *testing.T) {
	bin := chromium(t)
	recs := manyJobsTrace(300)
	for _, ax := range []render.Axis{render.AxisEvents, render.AxisTime} {
		t.Run(ax.String(), func(t *testing.T) {
			page := filepath.Join(t.TempDir(), "many-"+ax.String()+".html")
			var b bytes.Buffer
			if err := render.HTMLWith(&b, recs, render.Options{Axis: ax}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			dom, _ := browse(t, bin, page, "--dump-dom", "--window-size=1400,900")
			if !strings.Contains(dom, `data-js="ok"`) {
				t.Fatalf("the page's script did not finish: body is %s", bodyTag(dom))
			}
			if !strings.Contains(dom, `data-align-rows="`) {
				t.Fatalf("the page measured no rows: body is %s", bodyTag(dom))
			}
			m := alignRE.FindStringSubmatch(dom)
			if m == nil {
				t.Fatalf("no data-align-max: body is %s", bodyTag(dom))
			}
			off, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				t.Fatalf("data-align-max=%q: %v", m[1], err)
			}
			if off > 1 {
				t.Errorf("a label sits %.2f px off its row at 300 jobs (%s axis), want at most 1", off, ax)
			}
			t.Logf("%s axis: largest label/row offset %.2f px, body %s", ax, off, bodyTag(dom))
			if dir := os.Getenv("BITSIM_SCREENSHOTS"); dir != "" {
				shot, err := filepath.Abs(filepath.Join(dir, "many-"+ax.String()+".png"))
				if err != nil {
					t.Fatal(err)
				}
				browse(t, bin, page, "--screenshot="+shot, "--window-size=1400,900", "--hide-scrollbars")
				if err := os.WriteFile(strings.TrimSuffix(shot, ".png")+".html", b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("screenshot: %s (page beside it)", shot)
			}
		})
	}
}
