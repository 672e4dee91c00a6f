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
//
// Lines stay within TextWidth columns where they can: a note that does not
// fit goes on the next line(s), under the event. A legend under the header
// says where the rule ids and ambiguities are explained.
func Text(w io.Writer, recs []trace.Record) error {
	return TextWith(w, recs, Options{})
}

// Options are what a renderer may be told beyond the trace.
type Options struct {
	// Summary is the scenario's one-line summary (what `bitsim list`
	// shows); when set it heads the output, under the title.
	Summary string
	// Axis is the horizontal axis of the HTML timeline: AxisEvents (the
	// default) or AxisTime. Text ignores it.
	Axis Axis
}

// TextWidth is the width, in columns, Text wraps its lines to.
const TextWidth = 100

// Where the notes' references are explained: rule ids are those of the
// BITS reference (reference/bits-semantics.md, titles under "rules seen"),
// ambiguities and the model's choices are in docs/MODEL.md.
const (
	modelDoc        = "docs/MODEL.md"
	ambiguitySecDoc = "docs/MODEL.md §2"
	rulesLegend     = "notes after # cite rules G1-G50 of the BITS reference (bits-semantics.md; titles under \"rules seen\" below); \"ambiguity N\" is row N of " + ambiguitySecDoc + ", which explains each modelling choice"
)

// TextWith is Text with options.
func TextWith(w io.Writer, recs []trace.Record, o Options) error {
	tl := build(recs)
	bw := bufio.NewWriter(w)
	tw := textWriter{w: bw, tl: tl, prec: precision(recs), opts: o}
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
	opts  Options
}

// writeWrapped writes text wrapped to TextWidth: the first line starts
// with first, the others with indent.
func (tw *textWriter) writeWrapped(first, indent, text string) {
	for _, l := range wrapWords(first, indent, text, TextWidth) {
		tw.w.WriteString(l)
		tw.w.WriteByte('\n')
	}
}

// wrapWords breaks text at spaces into lines of at most width runes (a
// word longer than a line keeps its own line), the first starting with
// first and the others with indent (both end with the space wanted before
// the text, if any).
func wrapWords(first, indent, text string, width int) []string {
	var lines []string
	cur := first
	n := utf8.RuneCountInString(cur)
	empty := true // nothing of text on cur yet
	for _, word := range strings.Fields(text) {
		wl := utf8.RuneCountInString(word)
		if !empty && n+1+wl > width {
			lines = append(lines, cur)
			cur, n, empty = indent, utf8.RuneCountInString(indent), true
		}
		if !empty {
			cur += " "
			n++
		}
		cur += word
		n += wl
		empty = false
	}
	return append(lines, cur)
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
	if tw.opts.Summary != "" {
		tw.writeWrapped("what it shows: ", "  ", cleanText(tw.opts.Summary))
	}
	if run.observed != "" {
		tw.writeWrapped("observed: ", "  ", observedText(run.observed))
	}
	if run.configured {
		tw.writeWrapped("options: ", "  ", configText(run.profile, run.bits, run.cap, run.interval, run.strict, run.retry))
	} else {
		fmt.Fprintf(tw.w, "options: not recorded; assuming %d calls at once per user (G31)\n", defaultCap)
	}
	tw.writeWrapped("about the notes: ", "  ", rulesLegend)
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

// line writes event i: on one line when it fits in TextWidth (the note
// aligned at noteColumn, or right after the event), otherwise the event
// and then its note wrapped under it.
func (tw *textWriter) line(i int) {
	r := &tw.tl.recs[i]
	ev := tw.tl.events[i]
	indent := strings.Repeat("  ", min(ev.depth, 16))
	prefix := fmt.Sprintf("%*s %5d  %-*s  %s", tw.timeW, fmtT(r.T, tw.prec), r.Seq, tw.slotW, tw.slots(i), indent)
	cont := strings.Repeat(" ", utf8.RuneCountInString(prefix))
	why := ev.why.String()
	if why == "" {
		tw.writeWrapped(prefix, cont+"  ", ev.desc)
		return
	}
	text := indent + ev.desc
	head := utf8.RuneCountInString(prefix) - utf8.RuneCountInString(indent)
	pad := max(noteColumn-utf8.RuneCountInString(text), 0)
	note := "  # " + why
	switch {
	case head+utf8.RuneCountInString(text)+pad+utf8.RuneCountInString(note) <= TextWidth:
		tw.w.WriteString(prefix + ev.desc + strings.Repeat(" ", pad) + note + "\n")
	case head+utf8.RuneCountInString(text)+utf8.RuneCountInString(note) <= TextWidth:
		tw.w.WriteString(prefix + ev.desc + note + "\n")
	default:
		tw.writeWrapped(prefix, cont+"  ", ev.desc)
		tw.writeWrapped(cont+"# ", cont+"  ", why)
	}
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
		tw.writeWrapped("peak slots in use: ", "  ", strings.Join(peaks, ", "))
	}
	if len(tl.rules) > 0 {
		tw.w.WriteString("rules seen (rule, its title in the BITS reference, how many notes above cite it):\n")
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

// observedText explains an observed trace's run.start (docs/TRACE.md).
func observedText(kinds string) string {
	return "recorded outside the service (a real BITS), times are wall clock; only these events were seen: " + cleanText(kinds)
}
