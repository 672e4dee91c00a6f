package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/trace"
)

// TestMain lets a test run the real command as a child process: with
// BITSIM_TEST_MAIN=1 the test binary is bitsim.
func TestMain(m *testing.M) {
	if os.Getenv("BITSIM_TEST_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// interruptAt returns a checker that sends sig once it has judged seed at,
// as an operator's Ctrl-C would arrive in the middle of a sweep.
func interruptAt(at uint64, sig os.Signal, sigs chan os.Signal) func([]trace.Record) []catalogue.Violation {
	var once sync.Once
	return func(recs []trace.Record) []catalogue.Violation {
		if recs[0].Seed == at {
			once.Do(func() { sigs <- sig })
		}
		return fakeCheck(recs)
	}
}

// An interrupted sweep finishes the seeds in flight, writes a partial shard
// file with the seeds done and the failures so far, says how to resume,
// leaves no temporary file and exits 128+signal.
func TestSweepInterrupted(t *testing.T) {
	for _, c := range []struct {
		sig  os.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(c.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			sigs := make(chan os.Signal, 1)
			r := cliWith(t, func(a *app) {
				a.signals = func() (<-chan os.Signal, func()) { return sigs, func() {} }
				a.check = interruptAt(20, c.sig, sigs)
			}, "sweep", "flaky", "--seeds", "0:100000", "--parallel", "2", "--out", dir)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d: %+v", r.code, c.code, r)
			}
			var sf shardFile
			b, err := os.ReadFile(filepath.Join(dir, shardFileName("flaky", seedRange{0, 100000}, shard{1, 1})))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &sf); err != nil {
				t.Fatal(err)
			}
			if !sf.Partial || sf.Ran <= 20 || sf.Ran >= 100000 || uint64(len(sf.Hashes)) != sf.Ran || sf.Next != sf.Ran {
				t.Fatalf("partial file: partial %v, ran %d, %d hashes, next %d", sf.Partial, sf.Ran, len(sf.Hashes), sf.Next)
			}
			// The failures so far: every flaky seed (S mod 5 = 2) below Next.
			var want, got []string
			for s := uint64(2); s < sf.Next; s += 5 {
				want = append(want, fmt.Sprint(s))
			}
			for _, f := range sf.Failures {
				got = append(got, fmt.Sprint(f.Seed))
			}
			if strings.Join(got, ",") != strings.Join(want, ",") || sf.Failed != len(want) {
				t.Errorf("failures in the file %v, want %v", got, want)
			}
			if n := strings.Count(r.stdout, "FAIL seed "); n != len(want) {
				t.Errorf("%d failures printed, want %d", n, len(want))
			}
			summary := fmt.Sprintf("ran %d of 100000 seeds, %d failing; resume with: bitsim sweep flaky --seeds %d:100000 --shard 1/1 --out %s\n",
				sf.Ran, len(want), sf.Next, dir)
			if !strings.Contains(r.stderr, summary) {
				t.Errorf("stderr %q lacks %q", r.stderr, summary)
			}
			if !strings.Contains(r.stdout, fmt.Sprintf("interrupted, %d of 100000 seeds", sf.Ran)) {
				t.Errorf("stdout: %s", r.stdout)
			}
			noTempsIn(t, dir)
			// A partial file is not merged as if it were whole.
			wantUsageError(t, cli(t, "", "sweep-merge", filepath.Join(dir, shardFileName("flaky", seedRange{0, 100000}, shard{1, 1}))),
				"bitsim sweep-merge: ", "partial sweep", fmt.Sprintf("--seeds %d:100000", sf.Next))
		})
	}
}

func noTempsIn(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// lockedBuffer is a standard output the test reads while the sweep runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A failure is printed as soon as the seeds before it are done, not at the
// end: by the time seed 30 is judged, seed 2's failure is on stdout.
func TestSweepPrintsFailuresAsFound(t *testing.T) {
	out := &lockedBuffer{}
	var seenEarly bool
	r := cliWith(t, func(a *app) {
		a.stdout = out
		a.check = func(recs []trace.Record) []catalogue.Violation {
			if recs[0].Seed == 30 {
				seenEarly = strings.Contains(out.String(), "FAIL seed 2:\n")
			}
			return fakeCheck(recs)
		}
	}, "sweep", "flaky", "--seeds", "0:40", "--parallel", "1")
	if r.code != exitFound {
		t.Fatalf("got %+v", r)
	}
	if !seenEarly {
		t.Error("seed 2's failure was not printed before seed 30 ran")
	}
	if !strings.Contains(out.String(), "FAIL seed 37:") {
		t.Errorf("stdout: %s", out.String())
	}
}

// On a non-terminal stderr, a plain progress line with rate, elapsed time
// and ETA appears every --progress-every (here every 5 ms of a fake clock
// that advances 1 ms per reading); the results do not change.
func TestSweepPlainProgressLines(t *testing.T) {
	quiet := cli(t, "", "sweep", "flaky", "--seeds", "0:60")
	r := cli(t, "", "sweep", "flaky", "--seeds", "0:60", "--progress-every", "5ms")
	if r.stdout != quiet.stdout || r.code != quiet.code {
		t.Errorf("progress changed the results")
	}
	line := regexp.MustCompile(`^bitsim sweep: flaky \d+/60 seeds, \d+ failing, [0-9.]+ seeds/s, [0-9.]+m?s elapsed, ETA ([0-9.]+m?s)$`)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) < 5 {
		t.Fatalf("%d progress lines: %q", len(lines), r.stderr)
	}
	for _, l := range lines {
		if !line.MatchString(l) || strings.Contains(l, "\r") {
			t.Errorf("not a plain progress line: %q", l)
		}
	}
	if got := cli(t, "", "sweep", "flaky", "--seeds", "0:60", "--progress-every", "0"); got.stderr != "" {
		t.Errorf("--progress-every 0 printed %q", got.stderr)
	}
}

// The real command, as a child process, receives SIGINT after its first
// progress line: it finishes, writes the partial shard file, prints how
// many seeds ran and how to resume, leaves no temporary file, exits 130.
func TestSweepSIGINTChildProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED in -short: runs the command as a child process")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("SKIPPED: cannot find the test binary: %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(exe, "sweep", "transfer-complete", "--seeds", "0:1000000", "--parallel", "1", "--progress-every", "1ns", "--out", dir)
	cmd.Env = append(os.Environ(), "BITSIM_TEST_MAIN=1")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var rest []string
	signalled := false
	for sc.Scan() {
		l := sc.Text()
		if !signalled && strings.Contains(l, "seeds/s") {
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			signalled = true
			continue
		}
		if signalled {
			rest = append(rest, l)
		}
	}
	err = cmd.Wait()
	if !signalled {
		t.Fatalf("no progress line; stdout %q, err %v", stdout.String(), err)
	}
	if cmd.ProcessState.ExitCode() != 130 {
		t.Fatalf("exit %d, want 130; stderr after the signal %q", cmd.ProcessState.ExitCode(), rest)
	}
	tail := strings.Join(rest, "\n")
	m := regexp.MustCompile(`interrupted \(interrupt\): ran (\d+) of 1000000 seeds, \d+ failing; resume with: bitsim sweep transfer-complete --seeds (\d+):1000000 --shard 1/1 --out `).FindStringSubmatch(tail)
	if m == nil || m[1] != m[2] || m[1] == "0" {
		t.Fatalf("no resume summary in %q", tail)
	}
	b, err := os.ReadFile(filepath.Join(dir, shardFileName("transfer-complete", seedRange{0, 1000000}, shard{1, 1})))
	if err != nil {
		t.Fatal(err)
	}
	var sf shardFile
	if err := json.Unmarshal(b, &sf); err != nil || !sf.Partial || fmt.Sprint(sf.Ran) != m[1] {
		t.Errorf("partial file: %v, %+v", err, sf.Ran)
	}
	noTempsIn(t, dir)
}
