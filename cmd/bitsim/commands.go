package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/render"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/trace"
)

// list prints every scenario with its one-line summary and rule ids.
func (a *app) list(args []string) int {
	c := newCommand("list", "")
	pos, code, ok := a.parseOrFail(c, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return a.fail(c.name, "takes no arguments, got %s", quote(pos[0]))
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	for _, s := range a.scenarios() {
		rules := ""
		if len(s.Rules) > 0 {
			rules = "(" + strings.Join(s.Rules, ", ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", oneLine(s.Name), oneLine(s.Summary), rules)
	}
	if err := tw.Flush(); err != nil {
		return a.fail(c.name, "%v", err)
	}
	return exitOK
}

// drawFunc renders a trace; o carries the scenario's summary, which heads
// the text and HTML outputs.
type drawFunc func(w io.Writer, recs []trace.Record, o render.Options) error

// formats maps --format values to renderers; jsonl is trace format v1.
var formats = map[string]drawFunc{
	"text":   render.TextWith,
	"jsonl":  func(w io.Writer, recs []trace.Record, _ render.Options) error { return trace.Encode(w, recs) },
	"chrome": func(w io.Writer, recs []trace.Record, _ render.Options) error { return render.Chrome(w, recs) },
	"html":   render.HTMLWith,
}

// summaryOf is the one-line summary of the scenario a trace says it ran
// (its run.start line), or "" when the trace names no known scenario.
func (a *app) summaryOf(recs []trace.Record) string {
	if len(recs) == 0 || recs[0].Ev != trace.EvRunStart {
		return ""
	}
	if s, ok := a.lookup(recs[0].Scenario); ok {
		return s.Summary
	}
	return ""
}

// scenarioArg resolves the one positional argument of run and sweep: a
// scenario name. On failure it has printed the one-line error; code is the
// exit code.
func (a *app) scenarioArg(c *command, pos []string) (s scenarios.Scenario, code int, ok bool) {
	if len(pos) != 1 {
		return s, a.fail(c.name, "want one scenario name, got %d arguments (see bitsim list)", len(pos)), false
	}
	s, found := a.lookup(pos[0])
	if !found {
		return s, a.fail(c.name, "unknown scenario %s (see bitsim list)", quote(pos[0])), false
	}
	return s, 0, true
}

// runScenario is "bitsim run NAME".
func (a *app) runScenario(args []string) int {
	c := newCommand("run", "NAME [--seed N] [--format text|jsonl|chrome|html] [--axis events|time] [--out FILE]")
	seed := c.flags.Uint64("seed", 1, "the `seed` of the world's choice stream")
	format := c.flags.String("format", "text", "output `format`: text, jsonl, chrome or html")
	axis := axisFlag(c)
	out := c.flags.String("out", "", "write to `FILE` (- or none: standard output; a missing directory is created)")
	pos, code, ok := a.parseOrFail(c, args)
	if !ok {
		return code
	}
	s, code, ok := a.scenarioArg(c, pos)
	if !ok {
		return code
	}
	draw, found := formats[*format]
	if !found {
		return a.fail(c.name, "unknown --format %s (want text, jsonl, chrome or html)", quote(*format))
	}
	draw, err := withAxis(draw, *format, *axis)
	if err != nil {
		return a.fail(c.name, "%v", err)
	}
	w, finish, err := a.output(*out)
	if err != nil {
		return a.fail(c.name, "%v", err)
	}
	recs, err := runOne(s, *seed)
	if err != nil {
		finish(false)
		fmt.Fprintf(a.stderr, "bitsim run: %s seed %d: %s\n", oneLine(s.Name), *seed, oneLine(err.Error()))
		return exitFound
	}
	return a.draw(c, draw, w, finish, recs)
}

// runOne runs a scenario with a seed; a panic in the model is an error.
func runOne(s scenarios.Scenario, seed uint64) ([]trace.Record, error) {
	return contained(func() ([]trace.Record, error) {
		if s.Run == nil {
			return nil, fmt.Errorf("scenario has no Run function")
		}
		res, err := s.Run(seed)
		if err != nil {
			return nil, err
		}
		return res.Records, nil
	})
}

// contained runs one world with fn and returns its trace; a panic in the
// model is an error.
func contained(fn func() ([]trace.Record, error)) (recs []trace.Record, err error) {
	defer func() {
		if p := recover(); p != nil {
			recs, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return fn()
}

// draw renders recs to w and finishes the output: kept on success,
// removed (for a file) when writing failed.
func (a *app) draw(c *command, draw drawFunc, w io.Writer, finish func(keep bool) error, recs []trace.Record) int {
	if err := draw(w, recs, render.Options{Summary: a.summaryOf(recs)}); err != nil {
		finish(false)
		return a.fail(c.name, "writing output: %v", err)
	}
	if err := finish(true); err != nil {
		return a.fail(c.name, "%v", err)
	}
	return exitOK
}

// output opens the destination of --out (standard output when empty or
// "-") before any work, so an unwritable path fails at once. finish(true)
// completes it; finish(false) gives it up. Neither ever removes what the
// path named before (see outFile).
func (a *app) output(path string) (w io.Writer, finish func(keep bool) error, err error) {
	if path == "" || path == "-" {
		bw := bufio.NewWriter(a.stdout)
		return bw, func(keep bool) error {
			return bw.Flush()
		}, nil
	}
	o, err := openOut(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot write --out: %v", err)
	}
	return o, func(keep bool) error {
		if !keep {
			o.abort()
			return nil
		}
		if err := o.commit(); err != nil {
			return fmt.Errorf("writing %s: %v", path, err)
		}
		return nil
	}, nil
}

// streamCheck judges a trace file (standard input for "-") record by
// record: it never holds the trace, so its memory is the checker's live
// state however long the file is, and no record limit applies. It returns
// the number of records, the violations and, for an observed trace, the
// rules skipped; a malformed file is an error
// and nothing is judged.
func (a *app) streamCheck(path string) (int, []catalogue.Violation, []catalogue.Skip, error) {
	var r io.Reader = a.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return 0, nil, nil, err
		}
		defer f.Close()
		r = f
	}
	rd := trace.NewReader(bufio.NewReaderSize(r, 1<<16))
	rd.MaxRecords = -1
	var c traceChecker
	var skipped []catalogue.Skip
	finishObserved := func() {}
	n := 0
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			if c == nil {
				return 0, nil, nil, nil
			}
			vs := c.Finish()
			finishObserved()
			return n, vs, skipped, nil
		}
		if err != nil {
			return 0, nil, nil, fmt.Errorf("%s: %v", displayName(path), err)
		}
		if c == nil {
			// An observed trace (a real BITS, recorded by combridge) is
			// judged by the rules it can decide only (docs/TRACE.md).
			if _, observed := catalogue.ObservedKinds(&rec); observed {
				o := catalogue.NewCheckerFor(&rec)
				c, finishObserved = o, func() { skipped = o.Skipped() }
			} else {
				c = a.newChecker()
			}
		}
		c.Add(&rec)
		n++
	}
}

// htmlMaxRecords is the most records `render --format html` draws: the
// page grows with every event (about 15 px of plot and 500 bytes each), so
// a bigger trace would make a page no browser can use. Text and chrome
// (Perfetto) have no such limit.
const htmlMaxRecords = 20_000

// readTraceLimit reads a trace file, or standard input for "-". With
// limit > 0 it stops reading at record limit+1 and says the trace is too
// big to draw as HTML, without holding the rest of it.
func (a *app) readTraceLimit(path string, limit int) ([]trace.Record, error) {
	var r io.Reader = a.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	rd := trace.NewReader(bufio.NewReader(r))
	var recs []trace.Record
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", displayName(path), err)
		}
		if limit > 0 && len(recs) == limit {
			return nil, fmt.Errorf("%s: more than %d records, too many to draw as one HTML page: render it with --format chrome (Perfetto) or text, or check it with bitsim check",
				displayName(path), limit)
		}
		recs = append(recs, rec)
	}
}

func displayName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// render is "bitsim render FILE".
func (a *app) render(args []string) int {
	c := newCommand("render", "FILE.jsonl|- [--format text|chrome|html] [--axis events|time] [--out FILE]")
	format := c.flags.String("format", "text", "output `format`: text, chrome or html")
	axis := axisFlag(c)
	out := c.flags.String("out", "", "write to `FILE` (- or none: standard output; a missing directory is created)")
	pos, code, ok := a.parseOrFail(c, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return a.fail(c.name, "want one trace file (or - for standard input), got %d arguments", len(pos))
	}
	draw, found := formats[*format]
	if !found || *format == "jsonl" {
		return a.fail(c.name, "unknown --format %s (want text, chrome or html)", quote(*format))
	}
	draw, err := withAxis(draw, *format, *axis)
	if err != nil {
		return a.fail(c.name, "%v", err)
	}
	limit := 0
	if *format == "html" {
		limit = htmlMaxRecords
	}
	recs, err := a.readTraceLimit(pos[0], limit)
	if err != nil {
		return a.fail(c.name, "%v", err)
	}
	w, finish, err := a.output(*out)
	if err != nil {
		return a.fail(c.name, "%v", err)
	}
	return a.draw(c, draw, w, finish, recs)
}

// checkTrace is "bitsim check FILE".
func (a *app) checkTrace(args []string) int {
	c := newCommand("check", "FILE.jsonl|-")
	pos, code, ok := a.parseOrFail(c, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return a.fail(c.name, "want one trace file (or - for standard input), got %d arguments", len(pos))
	}
	n, vs, skipped, err := a.streamCheck(pos[0])
	if err != nil {
		return a.fail(c.name, "%v", err)
	}
	name := oneLine(displayName(pos[0]))
	if n == 0 {
		// An empty file is more often a run that failed than a clean one.
		return a.fail(c.name, "%s: empty trace, nothing to judge", name)
	}
	for _, v := range vs {
		fmt.Fprintln(a.stdout, violationLine(v))
	}
	if len(skipped) > 0 {
		names := make([]string, len(skipped))
		for i, sk := range skipped {
			names[i] = sk.String()
		}
		fmt.Fprintf(a.stdout, "%s: an observed trace: %s not judged, its recorder cannot see what they need: %s\n",
			name, plural(uint64(len(skipped)), "rule"), strings.Join(names, ", "))
	}
	if len(vs) > 0 {
		fmt.Fprintf(a.stdout, "%s: %d records, %s\n", name, n, plural(uint64(len(vs)), "violation"))
		return exitFound
	}
	fmt.Fprintf(a.stdout, "%s: %d records, no violations\n", name, n)
	return exitOK
}

// violationLine prints a violation as "G31 seq 14,15,16,17,18: message".
func violationLine(v catalogue.Violation) string {
	seqs := make([]string, len(v.Seqs))
	for i, s := range v.Seqs {
		seqs[i] = strconv.FormatInt(s, 10)
	}
	word := "seqs"
	if len(v.Seqs) == 1 {
		word = "seq"
	}
	return oneLine(fmt.Sprintf("%s %s %s: %s", v.Rule, word, strings.Join(seqs, ","), v.Msg))
}
