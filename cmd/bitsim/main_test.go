package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/trace"
)

func TestNoArgumentsPrintsUsage(t *testing.T) {
	r := cli(t, "")
	if r.code != exitUsage || !strings.Contains(r.stderr, "bitsim run NAME") || r.stdout != "" {
		t.Fatalf("got %+v", r)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		r := cli(t, "", args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "bitsim sweep NAME --seeds A:B") || r.stderr != "" {
			t.Errorf("%v: got %+v", args, r)
		}
	}
	r := cli(t, "", "run", "-h")
	if r.code != exitOK || !strings.Contains(r.stdout, "usage: bitsim run NAME") || !strings.Contains(r.stdout, "-format") {
		t.Errorf("run -h: got %+v", r)
	}
}

func TestUnknownCommand(t *testing.T) {
	wantUsageError(t, cli(t, "", "frobnicate"), "bitsim: ", `"frobnicate"`)
	// A hostile command name stays on one line.
	wantUsageError(t, cli(t, "", "x\ny\x1b[2J"), "bitsim: ", `x\ny`)
}

func TestList(t *testing.T) {
	r := cli(t, "", "list")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("got %+v", r)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines, got %q", r.stdout)
	}
	if !strings.HasPrefix(lines[0], "good ") || !strings.Contains(lines[0], "one job, one JobTransferred") || !strings.Contains(lines[0], "(G11)") {
		t.Errorf("line 1: %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "flaky ") || !strings.Contains(lines[1], "(G31)") {
		t.Errorf("line 2: %q", lines[1])
	}
	wantUsageError(t, cli(t, "", "list", "extra"), "bitsim list: ", `"extra"`)
}

func TestRunFormats(t *testing.T) {
	want := testTrace(7, 1)
	t.Run("jsonl", func(t *testing.T) {
		r := cli(t, "", "run", "good", "--seed", "7", "--format", "jsonl")
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("got %+v", r)
		}
		if r.stdout != encode(t, want) {
			t.Fatalf("jsonl is not trace.Encode of the run:\n%s", r.stdout)
		}
	})
	t.Run("text", func(t *testing.T) {
		r := cli(t, "", "run", "good", "--seed", "7")
		if r.code != exitOK || !strings.Contains(r.stdout, "scenario test, seed 7") ||
			!strings.Contains(r.stdout, "call 1 JobTransferred job-1 -> app-1 [high lane]") {
			t.Fatalf("got %+v", r)
		}
	})
	t.Run("chrome", func(t *testing.T) {
		r := cli(t, "", "run", "good", "--seed", "7", "--format", "chrome")
		var doc struct {
			TraceEvents []map[string]any `json:"traceEvents"`
		}
		if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &doc) != nil || len(doc.TraceEvents) == 0 {
			t.Fatalf("not Trace Event JSON: %+v", r)
		}
	})
	t.Run("html", func(t *testing.T) {
		r := cli(t, "", "run", "good", "--seed", "7", "--format", "html")
		if r.code != exitOK || !strings.HasPrefix(r.stdout, "<!DOCTYPE html>") || strings.Count(r.stdout, `class="call-bar `) != 1 {
			t.Fatalf("got code %d, %d bytes", r.code, len(r.stdout))
		}
	})
}

func TestRunIsDeterministicAndFlagsGoAnywhere(t *testing.T) {
	a := cli(t, "", "run", "good", "--seed", "42", "--format", "jsonl")
	b := cli(t, "", "run", "--format=jsonl", "-seed=42", "good")
	c := cli(t, "", "run", "good", "--seed", "43", "--format", "jsonl")
	if a.code != 0 || b.code != 0 || c.code != 0 {
		t.Fatalf("exit codes %d %d %d", a.code, b.code, c.code)
	}
	if a.stdout != b.stdout {
		t.Error("the same seed gave different bytes")
	}
	if a.stdout == c.stdout {
		t.Error("different seeds gave the same trace")
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args      []string
		fragments []string
	}{
		{[]string{"run"}, []string{"want one scenario name"}},
		{[]string{"run", "good", "flaky"}, []string{"2 arguments"}},
		{[]string{"run", "nope"}, []string{`unknown scenario "nope"`, "bitsim list"}},
		{[]string{"run", "good", "--format", "pdf"}, []string{`unknown --format "pdf"`}},
		{[]string{"run", "good", "--seed", "-1"}, []string{"flag --seed", "bitsim help run"}},
		{[]string{"run", "good", "--seed", "x"}, []string{"flag --seed"}},
		{[]string{"run", "good", "--colour"}, []string{"flag provided but not defined: --colour"}},
		{[]string{"run", "good", "--out", filepath.Join(file, "x.html")}, []string{"cannot write --out"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := cli(t, "", c.args...)
			wantUsageError(t, r, "bitsim run: ", c.fragments...)
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
		})
	}
}

func TestRunScenarioFailure(t *testing.T) {
	r := cli(t, "", "run", "broken", "--seed", "3")
	if r.code != exitFound || !strings.Contains(r.stderr, "broken seed 3: limit: too many events") {
		t.Errorf("run error: %+v", r)
	}
	r = cli(t, "", "run", "broken", "--seed", "4")
	if r.code != exitFound || !strings.Contains(r.stderr, "panic: model bug") {
		t.Errorf("panic: %+v", r)
	}
}

func TestRunOut(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "t.html")
	r := cli(t, "", "run", "good", "--format", "html", "--out", out)
	if r.code != exitOK || r.stdout != "" || r.stderr != "" {
		t.Fatalf("got %+v", r)
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(b, []byte(`class="call-bar `)) {
		t.Fatalf("file: %v, %d bytes", err, len(b))
	}
	// A run that fails leaves no file behind.
	out2 := filepath.Join(dir, "broken.txt")
	if r := cli(t, "", "run", "broken", "--seed", "3", "--out", out2); r.code != exitFound {
		t.Fatalf("got %+v", r)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Errorf("a failed run left %s: %v", out2, err)
	}
}

func writeTrace(t *testing.T, recs []trace.Record) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "trace.jsonl")
	if err := os.WriteFile(p, []byte(encode(t, recs)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRender(t *testing.T) {
	recs := testTrace(9, 2)
	path := writeTrace(t, recs)
	for _, f := range []string{"text", "chrome", "html"} {
		fromFile := cli(t, "", "render", path, "--format", f)
		fromStdin := cli(t, encode(t, recs), "render", "-", "--format", f)
		if fromFile.code != exitOK || fromStdin.code != exitOK {
			t.Fatalf("%s: %+v / %+v", f, fromFile, fromStdin)
		}
		if fromFile.stdout != fromStdin.stdout || fromFile.stdout == "" {
			t.Errorf("%s: file and stdin differ", f)
		}
	}
	// render draws what run draws.
	run := cli(t, "", "run", "good", "--seed", "9", "--format", "html")
	rendered := cli(t, encode(t, testTrace(9, 1)), "render", "-", "--format", "html")
	if run.stdout != rendered.stdout {
		t.Error("render of a run's trace differs from run --format html")
	}
	out := filepath.Join(t.TempDir(), "x.json")
	if r := cli(t, "", "render", path, "--format", "chrome", "--out", out); r.code != exitOK || r.stdout != "" {
		t.Fatalf("--out: %+v", r)
	}
	if b, err := os.ReadFile(out); err != nil || !json.Valid(b) {
		t.Errorf("--out file: %v", err)
	}
}

func TestRenderErrors(t *testing.T) {
	path := writeTrace(t, testTrace(1, 1))
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte(encode(t, testTrace(1, 1)[:2])+"{not json\n"), 0o644)
	wantUsageError(t, cli(t, "", "render"), "bitsim render: ", "want one trace file")
	wantUsageError(t, cli(t, "", "render", filepath.Join(t.TempDir(), "none.jsonl")), "bitsim render: ", "none.jsonl")
	wantUsageError(t, cli(t, "", "render", bad), "bitsim render: ", "line 3")
	wantUsageError(t, cli(t, "garbage\n", "render", "-"), "bitsim render: ", "standard input", "line 1")
	wantUsageError(t, cli(t, "", "render", path, "--format", "jsonl"), "bitsim render: ", `"jsonl"`)
	wantUsageError(t, cli(t, "", "render", path, "--out", filepath.Join(path, "x")), "bitsim render: ", "cannot write --out")
}

func TestCheck(t *testing.T) {
	clean := writeTrace(t, testTrace(1, 4))
	r := cli(t, "", "check", clean)
	if r.code != exitOK || !strings.Contains(r.stdout, "no violations") || r.stderr != "" {
		t.Errorf("clean: %+v", r)
	}
	dirty := encode(t, testTrace(1, 5))
	r = cli(t, dirty, "check", "-")
	if r.code != exitFound {
		t.Fatalf("five calls: %+v", r)
	}
	// The call.begin records are seqs 24, 26 … 32 in testTrace(_, 5).
	if !strings.Contains(r.stdout, "G31 seqs 24,26,28,30,32: 5 calls in flight for alice") ||
		!strings.Contains(r.stdout, "standard input: 38 records, 1 violation") {
		t.Errorf("five calls: %q", r.stdout)
	}
	wantUsageError(t, cli(t, "\x00\x01garbage", "check", "-"), "bitsim check: ", "line 1")
	wantUsageError(t, cli(t, "", "check"), "bitsim check: ")
	wantUsageError(t, cli(t, "", "check", "-"), "bitsim check: ", "empty trace")
	wantUsageError(t, cli(t, "", "check", "a", "b"), "bitsim check: ", "2 arguments")
	wantUsageError(t, cli(t, "", "check", filepath.Join(t.TempDir(), "none")), "bitsim check: ", "none")
	// A seq gap is malformed input, not a violation.
	recs := testTrace(1, 1)
	recs[3].Seq = 99
	wantUsageError(t, cli(t, encode(t, recs), "check", "-"), "bitsim check: ", "line 4")
}

// TestCheckUsesTheCatalogue runs check with the real guarantee catalogue:
// a fifth concurrent call for one user names G31.
func TestCheckUsesTheCatalogue(t *testing.T) {
	var out, errOut bytes.Buffer
	a := newApp(&out, &errOut)
	a.stdin = strings.NewReader(encode(t, testTrace(1, 5)))
	if code := a.run([]string{"check", "-"}); code != exitFound || !strings.Contains(out.String(), "G31") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

// TestCheckIncompleteTrace: check never passes a trace that was cut short
// (T2, docs/TRACE.md): cut after a call.begin, without run.start, or with a
// job named before its job.create, it exits 1 and names T2.
func TestCheckIncompleteTrace(t *testing.T) {
	full := testTrace(1, 1)
	cutAt := slices.IndexFunc(full, func(r trace.Record) bool { return r.Ev == trace.EvCallBegin })
	noStart := slices.Clone(full[1:])
	for i := range noStart {
		noStart[i].Seq = int64(i + 1)
	}
	noCreate := slices.DeleteFunc(slices.Clone(full), func(r trace.Record) bool { return r.Ev == trace.EvJobCreate })
	for i := range noCreate {
		noCreate[i].Seq = int64(i + 1)
	}
	for name, recs := range map[string][]trace.Record{
		"cut after call.begin": full[:cutAt+1],
		"no run.start":         noStart,
		"no job.create":        noCreate,
	} {
		var out, errOut bytes.Buffer
		a := newApp(&out, &errOut)
		a.stdin = strings.NewReader(encode(t, recs))
		if code := a.run([]string{"check", "-"}); code != exitFound || !strings.Contains(out.String(), "T2 seq") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out.String(), errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	a := newApp(&out, &errOut)
	a.stdin = strings.NewReader(encode(t, full))
	if code := a.run([]string{"check", "-"}); code != exitOK {
		t.Errorf("the whole trace: exit %d, stdout %q", code, out.String())
	}
}

// TestRealScenarios runs every registered scenario through run and check.
func TestRealScenarios(t *testing.T) {
	all := scenarios.All()
	if len(all) == 0 {
		t.Skip("no scenarios registered yet")
	}
	for _, s := range all {
		var out1, out2, errOut bytes.Buffer
		if code := run([]string{"run", s.Name, "--seed", "1", "--format", "jsonl"}, &out1, &errOut); code != exitOK {
			t.Errorf("%s: exit %d: %s", s.Name, code, errOut.String())
			continue
		}
		run([]string{"run", s.Name, "--seed", "1", "--format", "jsonl"}, &out2, &errOut)
		if !bytes.Equal(out1.Bytes(), out2.Bytes()) {
			t.Errorf("%s: two runs with seed 1 differ", s.Name)
		}
		if _, err := trace.Parse(bytes.NewReader(out1.Bytes())); err != nil {
			t.Errorf("%s: its jsonl does not parse: %v", s.Name, err)
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"list"}, &out, &errOut); code != exitOK || strings.Count(out.String(), "\n") != len(all) {
		t.Errorf("list: exit %d, %q", code, out.String())
	}
	// Unknown names fail the same way with the real registry.
	errOut.Reset()
	if code := run([]string{"run", "no-such-scenario"}, &out, &errOut); code != exitUsage || strings.Count(errOut.String(), "\n") != 1 {
		t.Errorf("unknown: exit %d, %q", code, errOut.String())
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain words":     "plain words",
		"two\nlines":      `two\nlines`,
		"esc \x1b[31mred": `esc \x1b[31mred`,
		"tab\there":       `tab\there`,
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
	if got := shellQuote("a b'c"); got != `'a b'\''c'` {
		t.Errorf("shellQuote: %s", got)
	}
	if got := shellQuote("four-slot-starvation"); got != "four-slot-starvation" {
		t.Errorf("shellQuote: %s", got)
	}
	if !reflect.DeepEqual(parseArgsHelper(t, "run", "a", "--seed", "1", "--", "--b"), []string{"a", "--b"}) {
		t.Error("-- does not end the flags")
	}
}

func parseArgsHelper(t *testing.T, name string, args ...string) []string {
	t.Helper()
	var out, errOut bytes.Buffer
	a := newApp(&out, &errOut)
	c := newCommand(name, "")
	c.flags.Uint64("seed", 0, "")
	pos, err := a.parse(c, args)
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

// TestCheckScenarioTraces: every named scenario's trace passes check —
// except wine-compat, whose naive dispatcher must fail it (exit 1) on the
// rules it is known to break.
func TestCheckScenarioTraces(t *testing.T) {
	for _, s := range scenarios.All() {
		var trace, out, errOut bytes.Buffer
		if code := run([]string{"run", s.Name, "--seed", "3", "--format", "jsonl"}, &trace, &errOut); code != exitOK {
			t.Fatalf("%s: run exit %d: %s", s.Name, code, errOut.String())
		}
		a := newApp(&out, &errOut)
		a.stdin = &trace
		code := a.run([]string{"check", "-"})
		if s.Name != "wine-compat" {
			if code != exitOK {
				t.Errorf("%s: check exit %d: %s", s.Name, code, out.String())
			}
			continue
		}
		if code != exitFound {
			t.Fatalf("wine-compat: check exit %d, want %d", code, exitFound)
		}
		for _, id := range []string{"G3", "G18", "G20"} {
			if !strings.Contains(out.String(), id+" ") {
				t.Errorf("wine-compat: check does not name %s:\n%s", id, out.String())
			}
		}
	}
}
