package bitsimtest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/internal/hangwatch"
	"github.com/bitsim/bitsim/trace"
)

// reportTB stands between rapid and the test's TB so that a failure reads
// as one screen: the check that failed (its kind) and its rule, the shrunk
// world as a short story, the trace file, and one command that replays it.
// It drops rapid's "[rapid] draw" lines (a world draws hundreds of
// choices: they are in the fail file, not worth a screen) and turns
// rapid's own failure line into the repro command under the report.
type reportTB struct {
	rapid.TB
	pending string // rapid's failure line, until the report arrives
	failed  bool
}

// reportPrefix marks the report the property logs on rapid's last,
// verbose replay of the shrunk world.
const reportPrefix = "bitsim report\n"

var (
	failfileRE = regexp.MustCompile(`-rapid\.failfile="([^"]+)"`)
	afterRE    = regexp.MustCompile(`^\[rapid\] failed after (\d+) tests`)
)

func (r *reportTB) Logf(format string, args ...any) {
	r.TB.Helper()
	if strings.HasPrefix(format, "[rapid] draw ") {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if rest, ok := strings.CutPrefix(msg, reportPrefix); ok {
		r.failed = true
		r.TB.Errorf("%s%s", rest, r.repro())
		r.pending = ""
		return
	}
	r.TB.Logf("%s", msg)
}

func (r *reportTB) Errorf(format string, args ...any) {
	r.TB.Helper()
	msg := fmt.Sprintf(format, args...)
	if strings.HasPrefix(msg, "[rapid] failed after ") {
		r.pending = msg // the report follows on the verbose replay
		r.failed = true
		return
	}
	r.failed = true
	r.TB.Errorf("%s", msg)
}

func (r *reportTB) Failed() bool { return r.failed || r.TB.Failed() }

func (r *reportTB) Fail() { r.failed = true; r.TB.Fail() }

func (r *reportTB) FailNow() {
	r.flush()
	r.TB.FailNow()
}

// flush prints rapid's failure line if no report replaced it (a failure
// that did not come from the harness's own checks).
func (r *reportTB) flush() {
	if r.pending != "" {
		r.TB.Errorf("%s", r.pending)
		r.pending = ""
	}
}

// repro is the command that replays the failure, from rapid's line.
func (r *reportTB) repro() string {
	m := failfileRE.FindStringSubmatch(r.pending)
	if m == nil {
		return ""
	}
	found := ""
	if a := afterRE.FindStringSubmatch(r.pending); a != nil {
		n, _ := strconv.Atoi(a[1]) // the worlds that passed before it
		found = fmt.Sprintf("\nfound: in world %d of the run (the story above is what rapid shrank it to)", n+1)
	}
	dir, _ := os.Getwd()
	return fmt.Sprintf("%s\nreplay: cd %s && go test -run '^%s$' -rapid.failfile='%s' .", found, shellQuote(dir), testPattern(r.TB.Name()), m[1])
}

// testPattern turns a test name ("TestX/sub case") into a -run pattern
// that matches exactly it: go test splits the pattern at slashes and
// matches each part; spaces in subtest names became underscores.
func testPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return strings.Join(parts, "$/^")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// checkWorlds runs prop's worlds under rapid through a reportTB, keeping
// the kind of the first failure while rapid shrinks: once a world fails
// with check K, a world that fails only in other ways counts as passing,
// so the shrunk world still shows K (Hypothesis reports distinct failures
// separately for the same reason). world returns the problems of one world
// and what to tell about it. Each world runs under a hang watch of
// hangAfter (the options' HangAfter: 0 is DefaultHangAfter, negative none).
func checkWorlds(t rapid.TB, hangAfter time.Duration, world func(rt *rapid.T) (problems []Problem, tell func(kind Kind) string)) {
	t.Helper()
	rtb := &reportTB{TB: t}
	var want Kind
	name := t.Name()
	if hangAfter == 0 {
		hangAfter = DefaultHangAfter
	}
	watch := hangwatch.New(hangAfter, func(n int) string { return fmt.Sprintf("%s: world %d", name, n) }, hangReplay(name))
	rapid.Check(rtb, func(rt *rapid.T) {
		ps, tell := watched(watch, rt, world)
		if len(ps) == 0 {
			return
		}
		sortProblems(ps)
		if want == "" {
			want = ps[0].Kind
		}
		var mine []Problem
		for _, p := range ps {
			if p.Kind == want {
				mine = append(mine, p)
			}
		}
		if len(mine) == 0 {
			return // another kind of failure: not the one being shrunk
		}
		if rtb.pending == "" {
			// Still searching or shrinking: the story and the trace file
			// are for the last, reported replay only.
			rt.Fatalf("%s", mine[0])
		}
		rt.Fatalf("%s%s", reportPrefix, formatReport(mine, len(ps)-len(mine), tell(want)))
	})
	rtb.flush()
}

// hangReplay tells how to run a world that hung again. The watch crashes
// the binary, so rapid never prints the seed of that world; with -rapid.v
// and -rapid.log it prints each world's seed as the world starts, and
// -rapid.seed=S -rapid.checks=1 runs the world of seed S alone
// (TestHungWorldReplays).
func hangReplay(test string) string {
	dir, _ := os.Getwd()
	run := fmt.Sprintf("cd %s && go test -run '^%s$'", shellQuote(dir), testPattern(test))
	if rapidFlag("rapid.v") && rapidFlag("rapid.log") {
		return fmt.Sprintf("To replay it: the last \"[rapid] test #N start (seed S)\" line above is this world's, and `%s -rapid.seed=S -rapid.checks=1 .` runs it alone", run)
	}
	return fmt.Sprintf("To replay it: `%s -rapid.v -rapid.log .` prints each world's seed as the world starts (the last one before this message is the world that hangs), "+
		"and `%s -rapid.seed=SEED -rapid.checks=1 .` runs that world alone", run, run)
}

// rapidFlag reports whether the boolean flag name (one of rapid's) is set.
func rapidFlag(name string) bool {
	f := flag.Lookup(name)
	return f != nil && f.Value.String() == "true"
}

// watched runs one world with the watch armed: a world that never comes
// back (code blocked outside virtual time) crashes the binary with a line
// that says where, instead of hanging until go test's -timeout.
func watched(watch *hangwatch.Watch, rt *rapid.T, world func(rt *rapid.T) ([]Problem, func(Kind) string)) ([]Problem, func(Kind) string) {
	watch.Arm()
	defer watch.Disarm() // also when the world ends in rt.Fatalf or a panic
	return world(rt)
}

// formatReport is the screen a failure prints.
func formatReport(mine []Problem, others int, story string) string {
	var b strings.Builder
	p := mine[0]
	fmt.Fprintf(&b, "bitsim: the client fails check %q", p.Kind)
	if p.Rule != "" {
		fmt.Fprintf(&b, " (rule %s)", p.Rule)
	}
	b.WriteString("\n")
	for i, q := range mine {
		if i == 3 {
			fmt.Fprintf(&b, "  … and %d more of this kind\n", len(mine)-3)
			break
		}
		b.WriteString("  " + q.String() + "\n")
	}
	if others > 0 {
		fmt.Fprintf(&b, "  (%d problem(s) of other kinds in this world; fix this one first)\n", others)
	}
	b.WriteString(story)
	return b.String()
}

// saveFailureTrace writes a failing world's trace under
// testdata/failures/ with a name made safe for any file system, and
// returns its path.
func saveFailureTrace(testName string, recs []trace.Record) (string, error) {
	path := filepath.Join("testdata", "failures", safeName(testName)+".jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := trace.Encode(f, recs); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

// safeName replaces what Windows and shells dislike in a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '/', '\\', ':', '*', '?', '"', '<', '>', '|', ' ', '\'':
			return '_'
		}
		return r
	}, s)
}

// story tells a world's trace as a short list of what happened, in order,
// with virtual times: processes starting and dying, jobs created and their
// state changes, callbacks and what they returned, the notification
// program, the user's actions and the application's outcomes. Calls that
// return S_OK at once and JobModification traffic are folded. At most
// max lines; the middle is cut when it is longer.
func story(recs []trace.Record, max int) string {
	type entry struct {
		t    time.Duration
		seq  int64
		what string
	}
	var es []entry
	var seq int64 // the record a line is told at: a call at its begin
	begins := map[int64]trace.Record{}
	states := map[string]callbackabi.JobState{} // each job's state, as the story goes
	ended := map[int64]bool{}                   // calls that began after their job ended
	add := func(t time.Duration, format string, args ...any) {
		es = append(es, entry{t, seq, fmt.Sprintf(format, args...)})
	}
	for _, r := range recs {
		seq = r.Seq
		switch r.Ev {
		case trace.EvClientStart:
			add(r.T, "%s starts (%s, user %s)", r.Client, r.Apartment, r.User)
		case trace.EvClientExit:
			add(r.T, "%s ends: %s", r.Client, r.Reason)
		case trace.EvJobCreate:
			add(r.T, "%s created by %s", r.Job, r.User)
		case trace.EvJobState:
			add(r.T, "%s %s → %s", r.Job, r.From, r.To)
			states[r.Job] = r.To
		case trace.EvJobError:
			add(r.T, "%s error %s (%s)", r.Job, r.HR, r.Context)
		case trace.EvJobRegister:
			add(r.T, "%s: %s registers its callback", r.Job, r.Client)
		case trace.EvJobOwner:
			add(r.T, "%s taken over by %s", r.Job, r.User)
		case trace.EvCallBegin:
			begins[r.Call] = r
			if st := states[r.Job]; st == callbackabi.BG_JOB_STATE_TRANSFERRED || st == callbackabi.BG_JOB_STATE_ERROR || st.Final() {
				ended[r.Call] = true
			}
		case trace.EvCallEnd:
			b := begins[r.Call]
			delete(begins, r.Call)
			if b.Method == trace.JobModification && r.HR == 0 && r.Outcome == "" &&
				(len(es) == 0 || es[len(es)-1].seq < b.Seq) && !ended[b.Call] {
				// A quiet JobModification: nothing the story tells happened
				// during it, and its job had not ended (a JobModification
				// after TRANSFERRED or ERROR is told: acting on it as on the
				// end is bug class 4, using what the end freed class 6).
				continue
			}
			res := r.HR.String()
			if r.Outcome != "" {
				res = r.Outcome
			}
			took := ""
			if d := r.T - b.T; d > 0 {
				took = fmt.Sprintf(" after %v", d)
			}
			seq = b.Seq
			add(b.T, "%s(%s) to %s → %s%s", b.Method, b.Job, b.Client, res, took)
		case trace.EvCmdlineExit:
			add(r.T, "%s: notification program run %d exits %d", r.Job, r.Run, r.Code)
		case trace.EvUserAction:
			add(r.T, "USER: %s (%s)", r.Reason, r.Client)
		case trace.EvAppOutcome:
			note := ""
			if r.Reason != "" {
				note = " — " + r.Reason
			}
			add(r.T, "APP: %s %s%s", r.Job, r.Outcome, note)
		case trace.EvRunEnd:
			open := make([]trace.Record, 0, len(begins))
			for _, b := range begins {
				open = append(open, b)
			}
			slices.SortFunc(open, func(a, b trace.Record) int { return int(a.Seq - b.Seq) })
			for _, b := range open {
				seq = b.Seq
				add(b.T, "%s(%s) to %s → never returns", b.Method, b.Job, b.Client)
			}
			seq = r.Seq
			add(r.T, "world ends (%s)", r.Reason)
		case trace.EvNetworkDown:
			add(r.T, "WORLD: the network goes away")
		case trace.EvNetworkUp:
			add(r.T, "WORLD: the network is back")
		default:
			if name := r.Ev.String(); strings.HasPrefix(name, "user.") {
				add(r.T, "WORLD: %s %s", name, r.User)
			}
		}
	}
	slices.SortStableFunc(es, func(a, b entry) int { return int(a.seq - b.seq) })
	// Fold a run of the same thing (a retry storm, a poll) into one line.
	var lines []string
	for i := 0; i < len(es); {
		j := i + 1
		for j < len(es) && es[j].what == es[i].what {
			j++
		}
		if n := j - i; n > 2 {
			lines = append(lines, fmt.Sprintf("  %11s  %s (×%d, the last at %s)", fmtTime(es[i].t), es[i].what, n, fmtTime(es[j-1].t)))
		} else {
			for _, e := range es[i:j] {
				lines = append(lines, fmt.Sprintf("  %11s  %s", fmtTime(e.t), e.what))
			}
		}
		i = j
	}
	if len(lines) > max && max > 2 {
		head := max / 3
		tail := max - head - 1
		cut := len(lines) - head - tail
		lines = append(append(lines[:head:head], fmt.Sprintf("  %11s  … %d more lines (the trace file has everything)", "", cut)), lines[len(lines)-tail:]...)
	}
	return strings.Join(lines, "\n") + "\n"
}

// fmtTime prints a virtual time compactly: 0s, 1.5s, 2m3s, 1h0m0s.
func fmtTime(d time.Duration) string {
	if d < time.Second && d > 0 {
		return d.String()
	}
	return d.Round(time.Millisecond).String()
}
