package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bitsim/bitsim/trace"
)

// Text writes recs as an annotated timeline for a terminal: one line per
// event with its virtual time, its seq, the slots its user has in use
// (G31), what happened, and after "#" the documented rule behind it.
//
//	  time  seq  slots       event
//	2.000s   14  alice #...  call 1 JobTransferred job-1 -> app-1 [high lane]  # job TRANSFERRED, high lane (G11, G32)
//
// Calls nested in another call on an STA thread (G34) are indented. A
// header states the run and its dispatcher options and a footer sums up
// the calls, the peak slots per user and the rules seen. Names from the
// trace are shown quoted when they hold control characters, so a hostile
// trace cannot drive the terminal.
func Text(w io.Writer, recs []trace.Record) error {
	tl := build(recs)
	bw := bufio.NewWriter(w)
	tw := textWriter{w: bw, tl: tl, prec: precision(recs)}
	tw.header()
	for i := range recs {
		tw.line(i)
	}
	tw.footer()
	return bw.Flush()
}

type textWriter struct {
	w     *bufio.Writer
	tl    *timeline
	prec  int // decimals of seconds in the time column
	timeW int
	slotW int
	capN  int64
}

// noteColumn is where "# why" starts when the event text is shorter.
const noteColumn = 64

func (tw *textWriter) header() {
	run := tw.tl.run
	if run.started {
		fmt.Fprintf(tw.w, "bitsim trace: scenario %s, seed %d, %s\n", clean(run.scenario), run.seed, clean(run.version))
	} else {
		fmt.Fprintf(tw.w, "bitsim trace (no run.start line)\n")
	}
	if run.configured {
		fmt.Fprintf(tw.w, "options: %s\n", configText(run.profile, run.bits, run.cap, run.interval, run.strict, run.retry))
	} else {
		fmt.Fprintf(tw.w, "options: not recorded; assuming %d calls at once per user (G31)\n", defaultCap)
	}
	tw.capN = run.cap
	tw.timeW = len("time")
	for _, r := range tw.tl.recs {
		if n := len(fmtT(r.T, tw.prec)); n > tw.timeW {
			tw.timeW = n
		}
	}
	tw.slotW = len("slots")
	for i := range tw.tl.events {
		if n := utf8.RuneCountInString(tw.slots(i)); n > tw.slotW {
			tw.slotW = n
		}
	}
	fmt.Fprintf(tw.w, "\n%*s %5s  %-*s  %s\n", tw.timeW, "time", "seq", tw.slotW, "slots", "event")
}

// slots shows the user's slots in use after event i: "alice ##.." (one
// character per slot of the cap), or "alice 5/4" when over the cap.
func (tw *textWriter) slots(i int) string {
	ev := tw.tl.events[i]
	if ev.user == "" {
		return ""
	}
	name := clean(ev.user)
	if utf8.RuneCountInString(name) > 12 {
		name = string([]rune(name)[:11]) + "…"
	}
	if tw.capN > 0 && tw.capN <= 8 && int64(ev.inUse) <= tw.capN {
		return name + " " + strings.Repeat("#", ev.inUse) + strings.Repeat(".", int(tw.capN)-ev.inUse)
	}
	if tw.capN > 0 {
		return fmt.Sprintf("%s %d/%d", name, ev.inUse, tw.capN)
	}
	return fmt.Sprintf("%s %d busy", name, ev.inUse)
}

func (tw *textWriter) line(i int) {
	r := &tw.tl.recs[i]
	ev := tw.tl.events[i]
	text := strings.Repeat("  ", min(ev.depth, 16)) + ev.desc
	fmt.Fprintf(tw.w, "%*s %5d  %-*s  %s", tw.timeW, fmtT(r.T, tw.prec), r.Seq, tw.slotW, tw.slots(i), text)
	if why := ev.why.String(); why != "" {
		if pad := noteColumn - utf8.RuneCountInString(text); pad > 0 {
			tw.w.WriteString(strings.Repeat(" ", pad))
		}
		tw.w.WriteString("  # " + why)
	}
	tw.w.WriteByte('\n')
}

func (tw *textWriter) footer() {
	tl := tw.tl
	fmt.Fprintf(tw.w, "\n%s over %s of virtual time; %s", plural(len(tl.recs), "event"), fmtDur(tl.end-tl.start), plural(len(tl.calls), "call"))
	unfinished := 0
	for _, c := range tl.calls {
		if !c.ended() {
			unfinished++
		}
	}
	if unfinished > 0 {
		fmt.Fprintf(tw.w, " (%d never returned)", unfinished)
	}
	if len(tl.cmdRuns) > 0 {
		fmt.Fprintf(tw.w, "; %s", plural(len(tl.cmdRuns), "notification program run"))
	}
	if tl.run.ended {
		fmt.Fprintf(tw.w, "; ended: %s", clean(tl.run.endReason))
	} else {
		fmt.Fprintf(tw.w, "; no run.end line")
	}
	tw.w.WriteString("\n")
	var peaks []string
	for _, u := range tl.users {
		if u.peak > 0 {
			peaks = append(peaks, fmt.Sprintf("%s %d", clean(u.name), u.peak))
		}
	}
	if len(peaks) > 0 {
		fmt.Fprintf(tw.w, "peak slots in use: %s\n", strings.Join(peaks, ", "))
	}
	if len(tl.rules) > 0 {
		tw.w.WriteString("rules seen:\n")
		for _, ru := range tl.rules {
			fmt.Fprintf(tw.w, "  %-4s %-55s x%d\n", ru.id, ruleTitles[ru.id], ru.count)
		}
	}
}

// precision is the number of decimals of seconds that shows every time in
// recs exactly (3, 6 or 9), so a trace in whole milliseconds prints
// "2.000s" and one with nanosecond detail keeps it.
func precision(recs []trace.Record) int {
	p := 3
	for _, r := range recs {
		switch {
		case r.T%time.Microsecond != 0:
			return 9
		case r.T%time.Millisecond != 0:
			p = 6
		}
	}
	return p
}

// fmtT prints a virtual time as seconds with prec decimals: "2.000s".
func fmtT(t time.Duration, prec int) string {
	sign := ""
	u := uint64(t)
	if t < 0 {
		sign, u = "-", -u
	}
	frac := u % 1e9
	for k := 9; k > prec; k-- {
		frac /= 10
	}
	return fmt.Sprintf("%s%d.%0*ds", sign, u/1e9, prec, frac)
}

// plural says "1 call", "2 calls".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
