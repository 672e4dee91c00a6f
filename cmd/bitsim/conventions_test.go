package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitsim/bitsim/scenarios"
)

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "-version", "version"} {
		r := cli(t, "", arg)
		if r.code != exitOK || r.stdout != "bitsim "+version()+"\n" || r.stderr != "" {
			t.Errorf("%s: got %+v", arg, r)
		}
	}
	if v := version(); !strings.HasPrefix(v, "v") {
		t.Errorf("version %q is not a module version", v)
	}
}

func TestHelpVerb(t *testing.T) {
	for _, verb := range commandNames {
		r := cli(t, "", "help", verb)
		if r.code != exitOK || !strings.HasPrefix(r.stdout, "usage: bitsim "+verb+" ") || r.stderr != "" {
			t.Errorf("help %s: got %+v", verb, r)
		}
		if h := cli(t, "", verb, "-h"); h.stdout != r.stdout {
			t.Errorf("help %s differs from %s -h", verb, verb)
		}
	}
	// Flags are spelled --seed in help, as in the usage line and errors.
	if r := cli(t, "", "help", "run"); !strings.Contains(r.stdout, "  --seed seed") || strings.Contains(r.stdout, " -seed") {
		t.Errorf("help run does not list the flags as --flag: %q", r.stdout)
	}
	wantUsageError(t, cli(t, "", "help", "frobnicate"), "bitsim help: ", `"frobnicate"`, "sweep-merge")
	wantUsageError(t, cli(t, "", "help", "run", "check"), "bitsim help: ")
}

// failWriter is a standard output that cannot be written (a full disk).
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// check and sweep (and every other command) exit 2 when standard output
// cannot be written, instead of reporting success.
func TestUnwritableStdoutExits2(t *testing.T) {
	tr := writeTrace(t, testTrace(1, 1))
	for _, args := range [][]string{
		{"check", tr},
		{"sweep", "good", "--seeds", "0:3"},
		{"list"},
		{"run", "good"},
		{"--version"},
	} {
		a := newApp(failWriter{}, new(strings.Builder))
		errOut := a.stderr.(*strings.Builder)
		fakes := fakeScenarios()
		a.scenarios = func() []scenarios.Scenario { return fakes }
		a.lookup = func(name string) (scenarios.Scenario, bool) {
			for _, s := range fakes {
				if s.Name == name {
					return s, true
				}
			}
			return scenarios.Scenario{}, false
		}
		a.check = fakeCheck
		a.newChecker = batchChecker(fakeCheck)
		a.stderrTTY = false
		if code := a.run(args); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
		if !strings.Contains(errOut.String(), "no space left on device") {
			t.Errorf("%v: stderr %q does not say why", args, errOut.String())
		}
	}
}

func TestRunOutCreatesMissingDirectoryAndDashIsStdout(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "a", "b", "t.txt")
	r := cli(t, "", "run", "good", "--out", out)
	if r.code != exitOK {
		t.Fatalf("got %+v", r)
	}
	if b, err := os.ReadFile(out); err != nil || len(b) == 0 {
		t.Fatalf("%s: %v, %d bytes", out, err, len(b))
	}
	plain := cli(t, "", "run", "good", "--format", "jsonl")
	dash := cli(t, "", "run", "good", "--format", "jsonl", "--out", "-")
	if dash.code != exitOK || dash.stdout != plain.stdout || plain.stdout == "" {
		t.Errorf("--out - differs from standard output: %+v", dash)
	}
	tr := writeTrace(t, testTrace(1, 1))
	if r := cli(t, "", "render", tr, "--out", "-"); r.code != exitOK || r.stdout != cli(t, "", "render", tr).stdout {
		t.Errorf("render --out -: %+v", r)
	}
}

func TestSweepOutDashWritesTheShardJSON(t *testing.T) {
	r := cli(t, "", "sweep", "flaky", "--seeds", "0:10", "--out", "-")
	if r.code != exitFound {
		t.Fatalf("got %+v", r)
	}
	var sf shardFile
	if err := json.Unmarshal([]byte(r.stdout), &sf); err != nil {
		t.Fatalf("stdout is not a shard file: %v\n%s", err, r.stdout)
	}
	if sf.Ran != 10 || sf.Failed != 2 || !strings.Contains(r.stderr, "sweep flaky seeds 0:10") {
		t.Errorf("shard %+v, stderr %q", sf, r.stderr)
	}
}

func TestShardFileIsWorldReadable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	shardOf(t, dir, "good", "0:4", "1/1")
	f := filepath.Join(dir, shardFileName("good", seedRange{0, 4}, shard{1, 1}))
	st, err := os.Stat(f)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("%s has mode %v, want 0644", f, st.Mode().Perm())
	}
}

// A UTF-8 byte order mark at the start of a trace is accepted.
func TestCheckAcceptsBOM(t *testing.T) {
	r := cli(t, "\xEF\xBB\xBF"+encode(t, testTrace(1, 1)), "check", "-")
	if r.code != exitOK || !strings.Contains(r.stdout, "no violations") {
		t.Errorf("got %+v", r)
	}
}

// The scenario's summary (as bitsim list shows it) heads the text and the
// HTML, for a trace rendered from a file too.
func TestSummaryHeadsTextAndHTML(t *testing.T) {
	recs := testTrace(1, 1)
	recs[0].Scenario = "good"
	tr := writeTrace(t, recs)
	txt := cli(t, "", "render", tr)
	if lines := strings.SplitN(txt.stdout, "\n", 3); txt.code != exitOK || len(lines) < 2 || lines[1] != "what it shows: one job, one JobTransferred" {
		t.Errorf("text: %+v", txt)
	}
	h := cli(t, "", "render", tr, "--format", "html")
	if !strings.Contains(h.stdout, `<p class="lead">one job, one JobTransferred</p>`) {
		t.Errorf("html lacks the summary")
	}
	// An unknown scenario: no summary line, no error.
	if r := cli(t, "", "render", writeTrace(t, testTrace(1, 1))); r.code != exitOK || strings.Contains(r.stdout, "what it shows") {
		t.Errorf("unknown scenario: %+v", r)
	}
}
