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
