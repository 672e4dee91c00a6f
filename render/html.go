package render

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bitsim/bitsim/trace"
)

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("timeline").Parse(htmlSource))

// HTML writes recs as one self-contained HTML page: inline CSS, an inline
// SVG timeline and a few lines of inline JavaScript (for the tooltip and
// highlighting only; the picture is complete without it). It loads
// nothing from the network and names no external font.
//
// The timeline has a row per user slot (G31), a row per client thread and
// a row per job. Every call is a bar of class "call-bar" in the slot row
// it held, coloured by method and outlined by result, with data attributes
// (data-call, data-method, data-job, data-user, data-client, data-lane,
// data-slot, data-result, data-seq); the same call appears again, as a bar
// of class "client-bar", on the thread of its client, where calls nested on
// an STA thread (G34) sit inside their parent. A job row shows the job's
// states as a coloured band, runs of its notification program as bars of
// class "cmdline-bar", time spent waiting for a slot, and markers for
// owed and dropped notifications, planned retries and (un)registrations.
// Hovering anything shows its details and the rule behind it; a legend, the
// rules seen and the annotated event log follow the picture.
//
// The horizontal axis is trace order, stretched by virtual time: each
// event takes a small step and a gap in virtual time adds space growing
// with its logarithm. Calls that begin and end at the same virtual instant
// therefore still show, in the order they happened, and a 10-minute retry
// delay does not push everything else off the page. Tick labels give the
// virtual time. HTMLWith with AxisTime draws an axis of virtual time
// instead, on which everything at one instant has one x.
//
// The label column and the plot are two SVGs side by side, each drawn at
// one CSS pixel per unit and never scaled, so every name stays level with
// its row at any number of rows; the page's script measures this and
// writes the largest offset, in pixels, to <body data-align-max>.
//
// Every string from the trace goes through html/template, which escapes it
// for the context it lands in (text, attribute, SVG title), so hostile job
// or client names cannot inject markup or script.
//
// Rule ids in the notes link to their row of "Rules seen in this trace",
// and "ambiguity N" to section 2 of docs/MODEL.md, where each modelling
// choice is explained.
func HTML(w io.Writer, recs []trace.Record) error {
	return HTMLWith(w, recs, Options{})
}

// Axis is the horizontal axis of the HTML timeline.
type Axis int

const (
	// AxisEvents is trace order stretched by virtual time: every event
	// takes a step of its own, so calls at the same instant stay visible
	// side by side, in the order they happened.
	AxisEvents Axis = iota
	// AxisTime places everything by its virtual time alone: what happens
	// at the same instant is drawn at the same x, so calls that end at
	// the same virtual time end at the same place. The room between two
	// consecutive instants grows with the logarithm of the time between
	// them (as on AxisEvents), so a 10-minute delay does not swallow the
	// page; a call that begins and ends at one instant is a thin bar.
	AxisTime
)

// String is the axis' name, as ParseAxis reads it: "events" or "time".
func (a Axis) String() string {
	switch a {
	case AxisEvents:
		return "events"
	case AxisTime:
		return "time"
	}
	return "Axis(" + strconv.Itoa(int(a)) + ")"
}

// ParseAxis reads an axis name: "events" or "time".
func ParseAxis(s string) (Axis, error) {
	switch s {
	case "events":
		return AxisEvents, nil
	case "time":
		return AxisTime, nil
	}
	return 0, fmt.Errorf("unknown axis %q (want events or time)", s)
}

// HTMLWith is HTML with options: a Summary heads the page, under the
// title, and Axis chooses the horizontal axis. HTMLWith(w, recs,
// Options{}) writes the same page as HTML(w, recs).
func HTMLWith(w io.Writer, recs []trace.Record, o Options) error {
	if o.Axis != AxisEvents && o.Axis != AxisTime {
		return fmt.Errorf("render: unknown axis %d", int(o.Axis))
	}
	p := layout(build(recs), o)
	p.Lead = o.Summary
	return htmlTemplate.Execute(w, p)
}

// modelAmbiguitiesURL is section 2 of docs/MODEL.md, the ambiguities of
// the reference and the choice made for each.
const modelAmbiguitiesURL = "https://github.com/bitsim/bitsim/blob/main/docs/MODEL.md#2-the-ambiguities-of-the-reference-one-by-one"

// whyPart is a piece of a note in the HTML: plain text, or a reference
// with the link that explains it.
type whyPart struct {
	Text, Href string
}

var refPattern = regexp.MustCompile(`\bG[0-9]{1,2}\b|\bambiguity [0-9]{1,2}\b`)

// whyParts splits a note into text and links: a rule id links to its row
// of the rules table (id "rule-Gn"), "ambiguity N" to docs/MODEL.md.
func whyParts(why string, rules map[string]bool) []whyPart {
	var parts []whyPart
	last := 0
	for _, m := range refPattern.FindAllStringIndex(why, -1) {
		ref := why[m[0]:m[1]]
		href := ""
		switch {
		case strings.HasPrefix(ref, "ambiguity"):
			href = modelAmbiguitiesURL
		case rules[ref]:
			href = "#rule-" + ref
		default:
			continue
		}
		if m[0] > last {
			parts = append(parts, whyPart{Text: why[last:m[0]]})
		}
		parts = append(parts, whyPart{Text: ref, Href: href})
		last = m[1]
	}
	if last < len(why) {
		parts = append(parts, whyPart{Text: why[last:]})
	}
	return parts
}

// Geometry of the picture, in CSS pixels.
const (
	labelW    = 190 // the label column
	axisH     = 34  // the time axis at the top
	sectionH  = 24  // a section title row
	slotH     = 20  // a user slot row
	threadH   = 22  // a client thread row
	jobH      = 30  // a job row
	rightPad  = 40
	minBarW   = 3
	bigStep   = 14 // calls and command-line runs
	midStep   = 5  // state changes and other dispatch events
	smallStep = 2  // progress and other detail
	maxGap    = 150
	minPlotW  = 1000 // a shorter axis is stretched to this
)

// page is what html.tmpl draws.
type page struct {
	Title    string
	Lead     string // the scenario's one-line summary, if known
	Subtitle string
	Options  string
	Summary  string
	Width    int
	Height   int
	LabelW   int
	Ticks    []tick
	Sections []section
	Rows     []row
	Segs     []shape
	Waits    []shape
	Links    []link
	Bars     []bar
	Threads  []bar
	Cmds     []bar
	Marks    []marker
	Lines    []vline
	Methods  []legendItem
	States   []legendItem
	Rules    []ruleRow
	Log      []logRow
	LogOpen  bool
	Calls    int
	TimeAxis bool // AxisTime: x is a function of virtual time alone
}

type tick struct {
	X     int
	Label string
}

type section struct {
	Y     int
	Title string // short, in the label column
	Hint  string // longer, at the start of the plot
}

type row struct {
	Y, H, TextY int
	Label       string
	Sub         string
	Odd         bool
	Title       string
	LabelClass  string
}

type shape struct {
	X, Y, W, H int
	Class      string
	Tip        string
}

type link struct {
	D   string // SVG path
	Tip string
}

type bar struct {
	X, Y, W, H int
	Class      string
	Label      string
	Tip        string
	Call       int64
	Method     string
	Job        string
	User       string
	Client     string
	Lane       string
	Slot       int
	Result     string
	Seq        int64
}

type marker struct {
	X, Y  int
	Class string
	Path  string
	Tip   string
	Seq   int64
}

type vline struct {
	X, Y1, Y2 int
	Class     string
	Label     string
	Tip       string
}

type legendItem struct {
	Class, Label, Note string
}

type ruleRow struct {
	ID, Title string
	Count     int
}

type logRow struct {
	Time, Slots, Desc, Why string
	WhyParts               []whyPart // Why with its references linked
	Seq                    int64
	Indent                 int
	Class                  string
}

// axis places every record on the horizontal axis.
type axis struct {
	xs []int
	ts []time.Duration
}

func step(ev trace.Ev) int {
	switch ev {
	case trace.EvCallBegin, trace.EvCallEnd, trace.EvCmdlineStart, trace.EvCmdlineExit:
		return bigStep
	case trace.EvJobProgress, trace.EvJobModified, trace.EvFileDone, trace.EvJobFlags,
		trace.EvJobError, trace.EvJobRetryDelay, trace.EvRunConfig, trace.EvUnknown:
		return smallStep
	}
	return midStep
}

// gap is the room a stretch of virtual time takes: nothing for none, and
// 6 px plus 22 px per decade of milliseconds otherwise.
func gap(dt time.Duration) int {
	if dt <= 0 {
		return 0
	}
	g := 6 + 22*math.Log10(1+float64(dt)/float64(time.Millisecond))
	return min(int(g), maxGap)
}

// newAxis places recs on the axis kind: on AxisEvents each event takes a
// step and a gap growing with the virtual time since the one before; on
// AxisTime only a new instant moves x on (by its gap), so equal virtual
// times have equal x.
func newAxis(recs []trace.Record, kind Axis) axis {
	a := axis{xs: make([]int, len(recs)), ts: make([]time.Duration, len(recs))}
	x := 8
	for i, r := range recs {
		// A trace built in memory may go back in time; the axis never does.
		a.ts[i] = r.T
		if i > 0 && a.ts[i] < a.ts[i-1] {
			a.ts[i] = a.ts[i-1]
		}
		if i > 0 {
			if kind == AxisTime {
				x += gap(a.ts[i] - a.ts[i-1])
			} else {
				x += step(r.Ev) + gap(r.T-a.ts[i-1])
			}
		}
		a.xs[i] = x
	}
	// A short trace is stretched to a readable width.
	if end := a.end(); end > 8 && end < minPlotW {
		for i := range a.xs {
			a.xs[i] = 8 + (a.xs[i]-8)*(minPlotW-8)/(end-8)
		}
	}
	return a
}

// at is the x of virtual time t: the first event at or after t, or past
// the end by the gap.
func (a axis) at(t time.Duration) int {
	k := sort.Search(len(a.ts), func(i int) bool { return a.ts[i] >= t })
	if k == len(a.ts) {
		if k == 0 {
			return 8
		}
		return a.xs[k-1] + gap(t-a.ts[k-1])
	}
	return a.xs[k]
}

func (a axis) end() int {
	if len(a.xs) == 0 {
		return 8
	}
	return a.xs[len(a.xs)-1]
}

var methodClass = map[trace.Method]string{
	trace.JobTransferred:        "m-jt",
	trace.JobError:              "m-je",
	trace.JobModification:       "m-jm",
	trace.FileTransferred:       "m-ft",
	trace.FileRangesTransferred: "m-frt",
}

var methodShort = map[trace.Method]string{
	trace.JobTransferred:        "JT",
	trace.JobError:              "JE",
	trace.JobModification:       "JM",
	trace.FileTransferred:       "FT",
	trace.FileRangesTransferred: "FRT",
}

// Marker shapes, drawn around (0,0) and moved to their place.
var markShapes = map[string]string{
	"owed":       "M-4,-4 L4,-4 L0,2 Z",
	"drop":       "M-3,-5 L3,1 M3,-5 L-3,1",
	"retry":      "M-3.5,-2 A3.5,3.5 0 1 1 0,1.5",
	"register":   "M-3,-2 A3,3 0 1 1 3,-2 A3,3 0 1 1 -3,-2 Z",
	"unregister": "M-3,-2 A3,3 0 1 1 3,-2 A3,3 0 1 1 -3,-2 Z",
	"error":      "M0,-6 L4,1 L-4,1 Z",
	"file":       "M-2.5,-4.5 h5 v5 h-5 Z",
	"modified":   "M-1.5,-3 h3 v3 h-3 Z",
	"flags":      "M0,-5 L3,-2 L0,1 L-3,-2 Z",
	"owner":      "M0,-5 L3,-2 L0,1 L-3,-2 Z",
	"cmdline":    "M0,-5 L3,-2 L0,1 L-3,-2 Z",
	"wait":       "M-3,-5 h6 l-6,6 h6 Z",
	"state":      "M0,3 V16",
	"outcome":    "M-4,-2 L-1,1 L4,-5",
}

// actionShape is the marker of a user action on its client's row (a star).
const actionShape = "M0,-5 L1.5,-1.5 L5,-1.5 L2,1 L3,5 L0,2.5 L-3,5 L-2,1 L-5,-1.5 L-1.5,-1.5 Z"

var stateOrder = []string{"QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED", "TRANSIENT_ERROR", "ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED"}

func layout(tl *timeline, opt Options) *page {
	ax := newAxis(tl.recs, opt.Axis)
	p := &page{Calls: len(tl.calls), TimeAxis: opt.Axis == AxisTime}
	run := tl.run
	p.Title = "bitsim timeline"
	if run.started {
		p.Title = "bitsim timeline: " + clean(run.scenario)
		p.Subtitle = fmt.Sprintf("scenario %s · seed %d · %s", clean(run.scenario), run.seed, clean(run.version))
	} else {
		p.Subtitle = "a trace without a run.start line"
	}
	if run.configured {
		p.Options = configText(run.profile, run.bits, run.cap, run.interval, run.strict, run.retry)
	} else {
		p.Options = fmt.Sprintf("options not recorded; assuming %d calls at once per user (G31)", defaultCap)
	}
	if run.observed != "" {
		p.Options += " · " + observedText(run.observed)
	}
	end := "no run.end line"
	if run.ended {
		end = "ended: " + clean(run.endReason)
	}
	p.Summary = fmt.Sprintf("%s · %s · %s · %s of virtual time · %s",
		plural(len(tl.calls), "call"), plural(len(tl.users), "user"), plural(len(tl.jobs), "job"), fmtDur(tl.end-tl.start), end)

	// Plot coordinates start at 0; the label column is a separate SVG so it
	// stays in view while the plot scrolls.
	x := func(i int) int { return ax.xs[i] }
	plotEnd := ax.end() + 12
	p.Width = plotEnd + rightPad
	p.LabelW = labelW
	depth := map[string]int{}
	for _, c := range tl.clients {
		depth[c.name] = c.maxDepth
	}

	// The time axis: a label where virtual time moves on, if there is room.
	lastLabel := -1000
	for i := range tl.recs {
		if i > 0 && tl.recs[i].T == tl.recs[i-1].T {
			continue
		}
		if x(i)-lastLabel < 64 {
			continue
		}
		lastLabel = x(i)
		p.Ticks = append(p.Ticks, tick{X: x(i), Label: fmtDur(tl.recs[i].T)})
	}

	y := axisH
	odd := false
	addRow := func(h int, label, sub, title, class string) int {
		r := row{Y: y, H: h, TextY: y + min(h, 30)/2 + 4, Label: label, Sub: sub, Odd: odd, Title: title, LabelClass: class}
		odd = !odd
		p.Rows = append(p.Rows, r)
		y += h
		return r.Y
	}

	// Users and their slots (G31).
	slotY := map[string][]int{}
	if len(tl.users) > 0 {
		hint := "each call holds one slot of its user (G31); high lane JobTransferred, JobError, FileTransferred; low lane JobModification, FileRangesTransferred (G32)"
		if tl.run.cap > 0 {
			hint = fmt.Sprintf("each call holds one of its user's %d slots (G31); high lane JobTransferred, JobError, FileTransferred; low lane JobModification, FileRangesTransferred (G32)", tl.run.cap)
		}
		p.Sections = append(p.Sections, section{Y: y, Title: "USERS · slots", Hint: hint})
		y += sectionH
	}
	for _, u := range tl.users {
		n := max(len(u.busy), slotRows(tl))
		for k := range n {
			label, title := "", "user "+clean(u.name)
			if k == 0 {
				label = short(u.name, 18)
			}
			sub := fmt.Sprintf("slot %d", k)
			class := "slot"
			if tl.run.cap > 0 && int64(k) >= tl.run.cap {
				sub = fmt.Sprintf("slot %d!", k)
				class = "slot over"
				title = fmt.Sprintf("user %s: slot %d is over the cap of %d (G31)", clean(u.name), k, tl.run.cap)
			}
			slotY[u.name] = append(slotY[u.name], addRow(slotH, label, sub, title, class))
		}
	}

	// Clients and their threads.
	threadY := map[string][]int{}
	if len(tl.clients) > 0 {
		p.Sections = append(p.Sections, section{Y: y, Title: "CLIENTS · threads", Hint: "the same calls on the threads of the client that received them; a call nested on an STA thread sits inside its parent (G34)"})
		y += sectionH
	}
	for _, c := range tl.clients {
		n := max(len(c.active), 1)
		h := threadH + 6*c.maxDepth
		first := y
		for k := range n {
			label := ""
			if k == 0 {
				label = short(c.name, 18)
			}
			sub := fmt.Sprintf("thread %d", k)
			if c.apartment == "STA" {
				sub = "STA thread"
			}
			title := fmt.Sprintf("client %s of user %s (%s)", clean(c.name), clean(c.user), clean(c.apartment))
			threadY[c.name] = append(threadY[c.name], addRow(h, label, sub, title, "thread"))
		}
		for _, m := range c.starts {
			p.Marks = append(p.Marks, marker{X: x(m.idx), Y: first + 9, Class: "mk mk-start", Path: "M-3,-4 L3,0 L-3,4 Z",
				Tip: tipOf(tl, m.idx), Seq: tl.recs[m.idx].Seq})
		}
		for _, m := range c.actions {
			p.Marks = append(p.Marks, marker{X: x(m.idx), Y: first + 9, Class: "mk mk-action", Path: actionShape,
				Tip: tipOf(tl, m.idx), Seq: tl.recs[m.idx].Seq})
		}
		for _, m := range c.exits {
			p.Lines = append(p.Lines, vline{X: x(m.idx), Y1: first, Y2: y, Class: "exit",
				Label: short(tl.recs[m.idx].Reason, 10), Tip: tipOf(tl, m.idx)})
		}
	}

	// Jobs: state band, waits, program runs, markers.
	jobY := map[string]int{}
	if len(tl.jobs) > 0 {
		p.Sections = append(p.Sections, section{Y: y, Title: "JOBS · states", Hint: "state band; notifications owed and dropped, callbacks set and cleared, retries planned, waits for a slot, runs of the notification program"})
		y += sectionH
	}
	for _, j := range tl.jobs {
		owner := ""
		if j.owner != "" {
			owner = "owner " + short(j.owner, 14)
		}
		jy := addRow(jobH, short(j.name, 18), owner, "job "+clean(j.name), "job")
		jobY[j.name] = jy
		for _, s := range j.segments {
			x1, x2 := x(s.beginIdx), plotEnd
			if s.endIdx >= 0 {
				x2 = x(s.endIdx)
			}
			p.Segs = append(p.Segs, shape{X: x1, Y: jy + 10, W: max(x2-x1, 1), H: 11,
				Class: "st st-" + stateClass(s.state.String()),
				Tip:   fmt.Sprintf("%s: %s from %s to %s", clean(j.name), s.state, fmtDur(s.begin), fmtDur(s.end))})
		}
		for _, m := range j.marks {
			shape, ok := markShapes[m.kind]
			if !ok || m.kind == "wait" {
				continue
			}
			my := jy + 6
			p.Marks = append(p.Marks, marker{X: x(m.idx), Y: my, Class: "mk mk-" + m.kind, Path: shape,
				Tip: tipOf(tl, m.idx), Seq: tl.recs[m.idx].Seq})
		}
	}

	// Retries planned: a dashed link from the plan to its time.
	for i, r := range tl.recs {
		if r.Ev != trace.EvRetry {
			continue
		}
		if jy, ok := jobY[r.Job]; ok {
			x1, x2, ly := x(i), ax.at(r.At), jy+5
			p.Links = append(p.Links, link{D: fmt.Sprintf("M%d,%d Q%d,%d %d,%d", x1, ly, (x1+x2)/2, ly-9, x2, ly), Tip: tipOf(tl, i)})
		}
	}

	// Waiting for a slot: from slot.wait to the call that got one (or a drop).
	type waitKey struct {
		job    string
		method trace.Method
	}
	open := map[waitKey]int{}
	closeWait := func(k waitKey, i int) {
		if w, ok := open[k]; ok {
			delete(open, k)
			if jy, ok := jobY[k.job]; ok {
				p.Waits = append(p.Waits, shape{X: x(w), Y: jy + 22, W: max(x(i)-x(w), minBarW), H: 5, Class: "wait",
					Tip: fmt.Sprintf("%s waited for a slot of %s from %s to %s (G31)", tl.recs[w].Method, clean(tl.recs[w].User),
						fmtDur(tl.recs[w].T), fmtDur(tl.recs[i].T))})
			}
		}
	}
	for i, r := range tl.recs {
		switch r.Ev {
		case trace.EvSlotWait:
			open[waitKey{r.Job, r.Method}] = i
		case trace.EvCallBegin, trace.EvCallQueued, trace.EvNotifyDrop:
			closeWait(waitKey{r.Job, r.Method}, i)
		}
	}
	var still []waitKey
	for k := range open {
		still = append(still, k)
	}
	sort.Slice(still, func(a, b int) bool { return open[still[a]] < open[still[b]] })
	for _, k := range still {
		closeWait(k, len(tl.recs)-1)
	}

	// Calls: one call-bar in the slot, one client-bar on the thread.
	for _, c := range tl.calls {
		x1 := x(c.beginIdx)
		x2 := plotEnd
		if c.ended() {
			x2 = x(c.endIdx)
		}
		w := max(x2-x1, minBarW)
		class := methodClass[c.method]
		if class == "" {
			class = "m-other"
		}
		result := "never returned"
		switch {
		case !c.ended():
			class += " open"
		case c.outcome == trace.OutcomeDisconnected:
			class += " gone"
			result = "disconnected"
		case c.outcome != "":
			class += " fail"
			result = clean(c.outcome) + " " + hrString(c.hr)
		case c.failed():
			class += " fail"
			result = hrString(c.hr)
		default:
			result = hrString(c.hr)
		}
		tip := callTip(c, result)
		// Data attributes keep names whole but never control characters.
		b := bar{X: x1, W: w, Call: c.id, Method: c.method.String(), Job: attr(c.job), User: attr(c.user), Client: attr(c.client),
			Lane: c.lane.String(), Slot: c.slot, Result: attr(result), Seq: c.beginSeq, Tip: tip}
		if ys := slotY[c.user]; c.slot < len(ys) {
			sb := b
			sb.Y, sb.H = ys[c.slot]+3, slotH-6
			sb.Class = "call-bar " + class
			sb.Label = barLabel(c, w)
			p.Bars = append(p.Bars, sb)
		}
		if ys := threadY[c.client]; c.thread < len(ys) {
			tb := b
			inset := 3 + 3*c.depth
			tb.Y, tb.H = ys[c.thread]+inset, max(threadH+6*depth[c.client]-2*inset, 4)
			tb.Class = "client-bar " + class
			tb.Label = barLabel(c, w)
			p.Threads = append(p.Threads, tb)
		}
	}
	for _, cr := range tl.cmdRuns {
		jy, ok := jobY[cr.job]
		if !ok {
			continue
		}
		x1 := x(cr.beginIdx)
		x2 := plotEnd
		result := "still running when the trace ends"
		class := "cmdline-bar"
		if cr.endIdx >= 0 {
			x2 = x(cr.endIdx)
			result = fmt.Sprintf("exit code %d", cr.code)
			if cr.code != 0 {
				class += " fail"
			}
		}
		p.Cmds = append(p.Cmds, bar{X: x1, Y: jy + 8, W: max(x2-x1, minBarW), H: 15, Class: class,
			Label: fmt.Sprintf("run %d", cr.run), Job: attr(cr.job), Result: result, Seq: tl.recs[cr.beginIdx].Seq,
			Tip: fmt.Sprintf("%s: notification program run %d (simulated, never executed)\n%s to %s, %s\nwhy: %s",
				clean(cr.job), cr.run, fmtDur(cr.begin), fmtDur(cr.end), result, cr.why)})
	}
	// run.end, limits, logoff and logon, the network: a line across everything.
	for i, r := range tl.recs {
		switch r.Ev {
		case trace.EvRunEnd, trace.EvLimit:
			p.Lines = append(p.Lines, vline{X: x(i), Y1: axisH - 6, Y2: y, Class: "runend", Label: short(r.Reason, 16), Tip: tipOf(tl, i)})
		case trace.EvUserLogoff:
			p.Lines = append(p.Lines, vline{X: x(i), Y1: axisH - 6, Y2: y, Class: "logoff", Label: "logoff " + short(r.User, 12), Tip: tipOf(tl, i)})
		case trace.EvUserLogon:
			p.Lines = append(p.Lines, vline{X: x(i), Y1: axisH - 6, Y2: y, Class: "logon", Label: "logon " + short(r.User, 12), Tip: tipOf(tl, i)})
		case trace.EvNetworkDown:
			p.Lines = append(p.Lines, vline{X: x(i), Y1: axisH - 6, Y2: y, Class: "netdown", Label: "network down", Tip: tipOf(tl, i)})
		case trace.EvNetworkUp:
			p.Lines = append(p.Lines, vline{X: x(i), Y1: axisH - 6, Y2: y, Class: "netup", Label: "network up", Tip: tipOf(tl, i)})
		}
	}
	p.Height = y + 16

	p.Methods = []legendItem{
		{"m-jt", "JobTransferred", "high lane (G11)"},
		{"m-je", "JobError", "high lane (G12)"},
		{"m-jm", "JobModification", "low lane (G13)"},
		{"m-ft", "FileTransferred", "high lane (G15)"},
		{"m-frt", "FileRangesTransferred", "low lane (G16)"},
		{"cmdline-bar", "notification program", "simulated run (G24–G27)"},
	}
	for _, s := range stateOrder {
		p.States = append(p.States, legendItem{Class: "st-" + stateClass(s), Label: s})
	}
	seen := map[string]bool{}
	for _, ru := range tl.rules {
		p.Rules = append(p.Rules, ruleRow{ID: ru.id, Title: ruleTitles[ru.id], Count: ru.count})
		seen[ru.id] = true
	}
	prec := precision(tl.recs)
	tw := textWriter{tl: tl, capN: tl.run.cap}
	for i, r := range tl.recs {
		ev := tl.events[i]
		lr := logRow{Time: fmtT(r.T, prec), Seq: r.Seq, Slots: tw.slots(i), Desc: ev.desc, Why: ev.why.String(), Indent: min(ev.depth, 8) * 16}
		lr.WhyParts = whyParts(lr.Why, seen)
		switch r.Ev {
		case trace.EvCallBegin, trace.EvCallEnd:
			lr.Class = "ev-call"
		case trace.EvJobProgress, trace.EvJobModified, trace.EvFileDone:
			lr.Class = "ev-detail"
		}
		p.Log = append(p.Log, lr)
	}
	p.LogOpen = len(p.Log) <= 400
	return p
}

func callTip(c *call, result string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "call %d · %s · %s lane\n", c.id, c.method, laneName(c.lane))
	fmt.Fprintf(&b, "job %s → client %s, as user %s (slot %d)\n", clean(c.job), clean(c.client), clean(c.user), c.slot)
	if c.parent != 0 {
		fmt.Fprintf(&b, "nested inside call %d\n", c.parent)
	}
	if c.ended() {
		fmt.Fprintf(&b, "%s → %s (%s), seq %d–%d\n", fmtDur(c.begin), fmtDur(c.end), fmtDur(c.end-c.begin), c.beginSeq, c.endSeq)
		fmt.Fprintf(&b, "result: %s — %s\n", result, c.result)
	} else {
		fmt.Fprintf(&b, "from %s, seq %d: never returned\n", fmtDur(c.begin), c.beginSeq)
	}
	fmt.Fprintf(&b, "why now: %s", c.why)
	return b.String()
}

func tipOf(tl *timeline, i int) string {
	ev := tl.events[i]
	s := fmt.Sprintf("%s (seq %d)\n%s", fmtDur(tl.recs[i].T), tl.recs[i].Seq, ev.desc)
	if w := ev.why.String(); w != "" {
		s += "\n" + w
	}
	return s
}

// barLabel is the text inside a bar, if the bar is wide enough for it.
func barLabel(c *call, w int) string {
	m := methodShort[c.method]
	if m == "" {
		m = "?"
	}
	full := fmt.Sprintf("%s %s", m, short(c.job, 12))
	if approxWidth(full) <= w-6 {
		return full
	}
	if approxWidth(m) <= w-4 {
		return m
	}
	return ""
}

// approxWidth guesses the width of a label at the bar font size.
func approxWidth(s string) int { return 6 * utf8.RuneCountInString(s) }

// short cleans a name and cuts it to n runes.
func short(s string, n int) string {
	s = clean(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func stateClass(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", "-"))
}

// attr is a name for a data attribute: whole, but with control characters
// (which HTML does not allow in attributes) shown as Go escapes.
func attr(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
