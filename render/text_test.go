package render_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/render"
	"github.com/bitsim/bitsim/trace"
)

func text(t *testing.T, recs []trace.Record) string {
	t.Helper()
	var b bytes.Buffer
	if err := render.Text(&b, recs); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// lineOf returns the line of out for seq, or fails.
func lineOf(t *testing.T, out string, seq string) string {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) > 2 && f[1] == seq {
			// A line too long for TextWidth goes on under the event.
			for _, more := range lines[i+1:] {
				if !isContinuation(more) {
					break
				}
				l += " " + strings.TrimSpace(more)
			}
			return l
		}
	}
	t.Fatalf("no line for seq %s in\n%s", seq, out)
	return ""
}

// isContinuation reports whether l goes on the event line above it: its
// time and seq columns are blank.
func isContinuation(l string) bool {
	return len(l) > 14 && strings.TrimSpace(l[:14]) == ""
}

func TestTextNamesTheRuleBehindEachDecision(t *testing.T) {
	out := text(t, busyTrace())
	for seq, want := range map[string][]string{
		"33": {"alice #...", "call 1 JobModification job-1 -> app-1 [low lane]", "(G13, G32)"},
		"34": {"alice ##..", "    call 2 JobModification job-2 -> app-1 [low lane] inside call 1", "nested on STA thread (G34)"},
		"39": {"alice ####", "waits for a slot of alice [high lane]", "(G31)"},
		"47": {"call 6 JobTransferred job-5", "slot freed: high lane first, waited 1s (G32)"},
		"49": {"call 7 JobModification job-3", "slot freed, waited 0.9s (G31)"},
		"44": {"bob ....", "returns E_FAIL 0x80004005", "not S_OK: BITS calls again (G20)"},
		"66": {"call 10 JobTransferred job-b", "retry after non-S_OK (G20)"},
		"59": {"client disconnected", "client gone: disconnected (G7, G23)"},
		"63": {"job-c owes JobTransferred", "owed again after late registration (G18)"},
		"64": {"call 9", "owed again after late registration (G18)"},
		"72": {"not S_OK: the command line takes over (G26)"},
		"74": {"notification program run 1 starts (simulated)", "command line takes over (G26)"},
		"77": {"run 2 starts", "(G27)"},
	} {
		l := lineOf(t, out, seq)
		for _, w := range want {
			if !strings.Contains(l, w) {
				t.Errorf("seq %s: %q lacks %q", seq, l, w)
			}
		}
	}
	for _, w := range []string{
		"bitsim trace: scenario four-slot-starvation, seed 42, bitsim/1\n",
		"79 events over 12.5s of virtual time; 11 calls; 2 notification program runs; ended: idle\n",
		"peak slots in use: alice 4, bob 1\n",
		"  G34  STA re-entrancy",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	// Rules are listed by number.
	if strings.Index(out, "  G7 ") > strings.Index(out, "  G11 ") {
		t.Error("rules seen are not in numeric order")
	}
}

func TestTextTimePrecision(t *testing.T) {
	var b tb
	b.start("x", 1).at(1500 * ms).endRun("idle")
	if out := text(t, b.recs); !strings.Contains(out, "1.500s     2") {
		t.Errorf("milliseconds: %s", out)
	}
	b = tb{}
	b.start("x", 1).at(1500*ms + 7).endRun("idle")
	if out := text(t, b.recs); !strings.Contains(out, "1.500000007s     2") {
		t.Errorf("nanoseconds: %s", out)
	}
}

func TestTextNeutralizesHostileNames(t *testing.T) {
	var b tb
	evil := "job\n\x1b[2J\x1b]0;pwned\x07"
	b.start("s\r\nfake line", 1).client("app\x1b[31m", "bob\n", "MTA").job(evil, "bob\n").
		state(evil, callbackabi.BG_JOB_STATE_TRANSFERRING, callbackabi.BG_JOB_STATE_TRANSFERRED).
		begin(1, evil, "bob\n", "app\x1b[31m", trace.JobTransferred, 0).end(1, callbackabi.S_OK).endRun("idle\n")
	out := text(t, b.recs)
	if strings.ContainsAny(out, "\x1b\x07\r") {
		t.Errorf("control characters reach the terminal: %q", out)
	}
	if !strings.Contains(out, `"job\n\x1b[2J\x1b]0;pwned\a"`) {
		t.Errorf("the hostile job name is not shown quoted: %s", out)
	}
	// One line per record (and its wrapped continuations), plus the
	// header and the footer lines.
	lines := 0
	for _, l := range strings.Split(out, "\n") {
		if !isContinuation(l) {
			lines++
		}
	}
	if lines < len(b.recs)+4 || lines > len(b.recs)+16 {
		t.Errorf("%d lines for %d records: a name broke a line", lines, len(b.recs))
	}
}

func TestTextOverTheCap(t *testing.T) {
	var b tb
	b.start("x", 1).config(4)
	for k := int64(1); k <= 5; k++ {
		b.begin(k, "job-1", "alice", "app-1", trace.JobModification, 0)
	}
	out := text(t, b.recs)
	if !strings.Contains(lineOf(t, out, "7"), "alice 5/4") {
		t.Errorf("a fifth call is not shown over the cap:\n%s", out)
	}
	if !strings.Contains(out, "5 calls (5 never returned)") {
		t.Errorf("unfinished calls not counted:\n%s", out)
	}
}

// Lines stay within TextWidth; the summary heads the output under the
// title; the legend says where rule ids and ambiguities are explained.
func TestTextWrapsAndPointsToTheDocs(t *testing.T) {
	var b strings.Builder
	summary := "five jobs finish at once for one user; the fifth JobTransferred waits for a free slot, and a long summary wraps onto a second line"
	if err := render.TextWith(&b, busyTrace(), render.Options{Summary: summary}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > render.TextWidth {
			t.Errorf("%d columns: %q", n, l)
		}
	}
	if !strings.HasPrefix(lines[1], "what it shows: five jobs finish") || !strings.HasPrefix(lines[2], "  ") {
		t.Errorf("summary lines: %q", lines[:3])
	}
	for _, w := range []string{"about the notes: notes after # cite rules G1-G50 of the BITS reference", "docs/MODEL.md §2"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	// Wrapping loses no word of a note.
	if l := lineOf(t, out, "47"); !strings.Contains(l, "# slot freed: high lane first, waited 1s (G32)") {
		t.Errorf("seq 47: %q", l)
	}
}

// A note that the job left the triggering state points to the ambiguity
// and where it is explained.
func TestTextAmbiguityPointsToModelDoc(t *testing.T) {
	var b tb
	b.start("x", 1).add(trace.Record{Ev: trace.EvNotifyDrop, Job: "job-1", Method: trace.JobTransferred, Reason: "state"}).endRun("idle")
	if l := lineOf(t, text(t, b.recs), "2"); !strings.Contains(l, "(ambiguity 4, docs/MODEL.md §2)") {
		t.Errorf("drop line: %q", l)
	}
}

// A call queued for a busy STA thread holds its slot from call.queued
// (G31): the gauge counts it, so the slot.wait that follows shows every
// slot busy, and call.unqueued frees it.
func TestTextCountsQueuedCallsInTheGauge(t *testing.T) {
	const (
		su = callbackabi.BG_JOB_STATE_SUSPENDED
		qd = callbackabi.BG_JOB_STATE_QUEUED
	)
	var b tb
	b.start("sta-queue", 1).config(2).client("app-1", "alice", "STA")
	for _, j := range []string{"job-1", "job-2", "job-3"} {
		b.job(j, "alice").register(j, "app-1", "alice").state(j, su, qd)
	}
	b.at(sec).begin(1, "job-1", "alice", "app-1", trace.JobModification, 0)                           // seq 11
	b.add(trace.Record{Ev: trace.EvCallQueued, Call: 2, Job: "job-2", User: "alice", Client: "app-1", // seq 14
		Method: trace.JobModification, Lane: trace.LaneLow})
	b.wait("job-3", "alice", trace.JobModification)                    // seq 13
	b.at(2 * sec).add(trace.Record{Ev: trace.EvCallUnqueued, Call: 2}) // seq 14
	b.end(1, callbackabi.S_OK).endRun("idle")                          // seq 15, 16
	out := text(t, b.recs)
	for seq, want := range map[string]string{"13": "alice #.", "14": "alice ##", "15": "alice ##", "16": "alice #.", "17": "alice .."} {
		if l := lineOf(t, out, seq); !strings.Contains(l, want) {
			t.Errorf("seq %s: %q lacks the gauge %q", seq, l, want)
		}
	}
	if !strings.Contains(out, "peak slots in use: alice 2\n") {
		t.Errorf("the peak counts the queued call:\n%s", out)
	}
}
