package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/coverage"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/trace"
)

// Limits of one sweep invocation.
const (
	maxSweepSeeds = 10_000_000 // seeds one shard may run; more needs --shard
	maxParallel   = 1024
	hashHexLen    = 16 // hex digits of a trace hash kept per seed
)

// shardFormat names the layout of a shard result file.
const shardFormat = "bitsim-sweep/1"

// shardFile is what sweep --out writes and sweep-merge reads. Hashes holds,
// for each seed the shard ran in ascending order (First, First+Shards, …),
// the first 16 hex digits of the SHA-256 of its trace in format v1 (what
// `bitsim run NAME --seed S --format jsonl | sha256sum` starts with), or
// "-" when the run failed before it made a trace. Digest is the SHA-256 of
// the lines "SEED HASH\n" in seed order; a merge computes the same digest
// over all its shards, equal to that of one unsharded sweep.
type shardFile struct {
	Format   string    `json:"format"`
	Scenario string    `json:"scenario"`
	From     uint64    `json:"from"`
	To       uint64    `json:"to"`
	Shard    uint64    `json:"shard"`
	Shards   uint64    `json:"shards"`
	Rule     string    `json:"rule"`
	First    uint64    `json:"first"`
	Ran      uint64    `json:"ran"`
	Failed   int       `json:"failed"`
	Digest   string    `json:"digest"`
	Failures []failure `json:"failures"`
	Hashes   []string  `json:"hashes"`
	// Partial is set when the sweep was interrupted: Ran counts the seeds
	// it finished (the first Ran of the shard, in order) and Next is the
	// seed a resumed sweep starts at (--seeds Next:To).
	Partial bool   `json:"partial,omitempty"`
	Next    uint64 `json:"next,omitempty"`
}

const shardRule = "seed % shards == shard - 1"

// failure is one seed whose trace broke a guarantee or that did not run.
type failure struct {
	Seed       uint64          `json:"seed"`
	Error      string          `json:"error,omitempty"`
	Violations []violationJSON `json:"violations,omitempty"`
	Repro      string          `json:"repro"`
}

type violationJSON struct {
	Rule string  `json:"rule"`
	Seqs []int64 `json:"seqs"`
	Msg  string  `json:"msg"`
}

// seedResult is what one seed produced.
type seedResult struct {
	hash    string // hashHexLen hex digits, or "-"
	failure *failure
	cov     *coverage.Tally // with --coverage: what the seed's world reached
}

// sweep is "bitsim sweep NAME --seeds A:B".
func (a *app) sweep(args []string) int {
	c := newCommand("sweep", "NAME --seeds A:B [--shard i/n] [--parallel N] [--out DIR]")
	seedsFlag := c.flags.String("seeds", "", "run the seeds `A:B`, that is A, A+1 … B-1 (required)")
	shardFlag := c.flags.String("shard", "1/1", "run only shard `i/n`: the seeds S with S mod n = i-1")
	parallel := c.flags.Int("parallel", runtime.GOMAXPROCS(0), "run `N` seeds at once (results do not depend on it)")
	every := c.flags.Duration("progress-every", 5*time.Second, "when standard error is not a terminal, print a progress line every `DURATION` (0: never)")
	withCoverage := c.flags.Bool("coverage", false, "after the summary, print what the worlds reached: every event kind, method, call result, job state, drop and unregister reason and dispatcher interaction, and what none reached (package coverage)")
	outDir := c.flags.String("out", "", "write the shard's results to a JSON file in `DIR` (created if missing; -: the JSON to standard output, the summary to standard error)")
	pos, code, ok := a.parseOrFail(c, args)
	if !ok {
		return code
	}
	s, code, ok := a.scenarioArg(c, pos)
	if !ok {
		return code
	}
	if *seedsFlag == "" {
		return a.fail(c.name, "--seeds A:B is required (for example --seeds 0:1000)")
	}
	rng, err := parseSeeds(*seedsFlag)
	if err != nil {
		return a.fail(c.name, "%v", err)
	}
	sh, err := parseShard(*shardFlag)
	if err != nil {
		return a.fail(c.name, "%v", err)
	}
	if *parallel < 1 || *parallel > maxParallel {
		return a.fail(c.name, "--parallel %d: want 1 to %d", *parallel, maxParallel)
	}
	first, count := shardSeeds(rng, sh)
	if count > maxSweepSeeds {
		return a.fail(c.name, "shard %s of %s has %d seeds; at most %d per run (split it with --shard)", sh, rng, count, maxSweepSeeds)
	}
	var out *outFile
	summary := a.stdout
	if *outDir == "-" {
		summary = a.stderr
	} else if *outDir != "" {
		if st, err := os.Stat(*outDir); err == nil && !st.IsDir() {
			return a.fail(c.name, "cannot write --out: %s is not a directory", *outDir)
		}
		if out, err = openOut(filepath.Join(*outDir, shardFileName(s.Name, rng, sh))); err != nil {
			return a.fail(c.name, "cannot write --out: %v", err)
		}
		defer out.abort() // after commit this does nothing
	}

	sigs, stopSignals := a.signals()
	defer stopSignals()
	a.tallyCoverage = *withCoverage
	run := a.runSeeds(s, first, count, sh.N, *parallel, sigs, *every, summary)
	results := run.results

	sf := shardFile{
		Format: shardFormat, Scenario: s.Name, From: rng.From, To: rng.To, Shard: sh.I, Shards: sh.N,
		Rule: shardRule, First: first, Ran: uint64(len(results)), Hashes: make([]string, 0, len(results)), Failures: []failure{},
	}
	d := sha256.New()
	for k, r := range results {
		seed := first + uint64(k)*sh.N
		sf.Hashes = append(sf.Hashes, r.hash)
		fmt.Fprintf(d, "%d %s\n", seed, r.hash)
		if r.failure != nil {
			sf.Failures = append(sf.Failures, *r.failure)
		}
	}
	sf.Failed = len(sf.Failures)
	sf.Digest = "sha256:" + hex.EncodeToString(d.Sum(nil))
	if run.signal != nil {
		sf.Partial = true
		sf.Next = first + sf.Ran*sh.N
	}

	if sf.Partial {
		fmt.Fprintf(summary, "sweep %s seeds %s shard %s: interrupted, %d of %s, %d failing\n", oneLine(s.Name), rng, sh, sf.Ran, plural(count, "seed"), sf.Failed)
	} else {
		fmt.Fprintf(summary, "sweep %s seeds %s shard %s: %s, %d failing\n", oneLine(s.Name), rng, sh, plural(count, "seed"), sf.Failed)
	}
	fmt.Fprintf(summary, "digest %s\n", sf.Digest)
	if *withCoverage {
		total := coverage.New()
		for _, r := range results {
			if r.cov != nil {
				total.Merge(r.cov)
			}
		}
		total.Report(summary)
	}
	if *outDir == "-" {
		b, _ := json.MarshalIndent(&sf, "", "  ") // plain data: cannot fail
		a.stdout.Write(append(b, '\n'))
	}

	if out != nil {
		if err := writeJSON(out, &sf); err != nil {
			return a.fail(c.name, "writing %s: %v", out.path, err)
		}
		fmt.Fprintf(a.stderr, "bitsim sweep: wrote %s\n", oneLine(out.path))
	}
	if sf.Partial {
		resume := fmt.Sprintf("bitsim sweep %s --seeds %d:%d --shard %s", shellQuote(s.Name), sf.Next, rng.To, sh)
		if *outDir != "" {
			resume += " --out " + shellQuote(*outDir)
		}
		fmt.Fprintf(a.stderr, "bitsim sweep: interrupted (%v): ran %d of %s, %d failing; resume with: %s\n",
			run.signal, sf.Ran, plural(count, "seed"), sf.Failed, oneLine(resume))
		return exitCodeFor(run.signal)
	}
	if sf.Failed > 0 {
		return exitFound
	}
	return exitOK
}

// sweepBatch is the most seeds a sweep worker runs before it hands their
// results over.
const sweepBatch = 64

// seedsRun is what runSeeds did: the results of the seeds it finished
// (always the first len(results) of the shard, in order) and the signal
// that stopped it early, if any.
type seedsRun struct {
	results []seedResult
	signal  os.Signal
}

// runSeeds runs count seeds (first, first+step, …) on parallel workers and
// returns their results in seed order. Each failure is printed to w as
// soon as every earlier seed is done (so the output does not depend on
// parallel). A signal on sigs stops it early: no new batch of seeds
// starts, the batches in flight finish. Workers take batches of
// consecutive seeds in order and finish every batch they take, so the
// seeds done are always a prefix of the shard.
func (a *app) runSeeds(s scenarios.Scenario, first, count, step uint64, parallel int, sigs <-chan os.Signal, every time.Duration, w io.Writer) seedsRun {
	type done struct {
		k   uint64 // the batch's first seed index
		res []seedResult
	}
	results := make([]seedResult, count)
	var next atomic.Uint64
	stop := make(chan struct{})
	doneCh := make(chan done, parallel)
	// Seeds go out in batches: a world takes ~100 µs, and handing each one
	// to the collector on its own cost a goroutine wake-up per seed — a
	// fifth of a sweep's time went to the scheduler (docs/PERFORMANCE.md).
	// Small sweeps keep batches small, so every worker gets work.
	batch := min(sweepBatch, max(count/uint64(4*parallel), 1))
	var wg sync.WaitGroup
	for range min(uint64(parallel), max(count, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run := seedRunner(s) // the worker's own: a generator's reuses one log
			for {
				select {
				case <-stop:
					return
				default:
				}
				k := next.Add(batch) - batch
				if k >= count {
					return
				}
				res := make([]seedResult, min(batch, count-k))
				for i := range res {
					res[i] = a.runSeed(s, run, first+(k+uint64(i))*step)
				}
				doneCh <- done{k, res}
			}
		}()
	}
	go func() { wg.Wait(); close(doneCh) }()

	bar := newProgress(a, s.Name, count, every)
	var run seedsRun
	have := make([]bool, count)
	var printed uint64 // results[:printed] are done and their failures printed
	for doneCh != nil {
		select {
		case d, ok := <-doneCh:
			if !ok {
				doneCh = nil
				continue
			}
			for i, res := range d.res {
				results[d.k+uint64(i)], have[d.k+uint64(i)] = res, true
			}
			for printed < count && have[printed] {
				if f := results[printed].failure; f != nil {
					bar.clear()
					printFailures(w, []failure{*f})
				}
				printed++
			}
			for _, res := range d.res {
				bar.step(res.failure != nil)
			}
		case sig := <-sigs:
			if run.signal == nil {
				run.signal = sig
				close(stop)
				bar.clear()
				fmt.Fprintf(a.stderr, "bitsim sweep: %v: finishing the seeds in flight (at most 64 a worker; no others start)\n", sig)
			}
		}
	}
	bar.finish()
	run.results = results[:printed]
	return run
}

// exitCodeFor is the exit status of a sweep stopped by sig: 128 plus the
// signal's number, as a shell reports it (130 for SIGINT, 143 for SIGTERM).
func exitCodeFor(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return 128 + 15
	}
	return 128 + 2
}

// notifySignals delivers SIGINT and SIGTERM to the returned channel until
// stop is called.
func notifySignals() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	return ch, func() { signal.Stop(ch) }
}

// seedRunner returns how one sweep worker runs a seed of s: with one trace
// log for all its worlds when s writes into a log of the caller's
// (Scenario.InLog: the generators, whose worlds a sweep runs by the
// million — about a fifth faster, docs/PERFORMANCE.md), else with s.Run.
// A runner serves one goroutine; the trace it returns lasts until its
// next run.
func seedRunner(s scenarios.Scenario) func(seed uint64) ([]trace.Record, error) {
	if s.InLog == nil {
		return func(seed uint64) ([]trace.Record, error) { return runOne(s, seed) }
	}
	log := new(trace.Log)
	return func(seed uint64) ([]trace.Record, error) {
		return contained(func() ([]trace.Record, error) {
			res, err := s.InLog(log, seed)
			return res.Records, err
		})
	}
}

// runSeed runs (with run) and checks one seed of s.
func (a *app) runSeed(s scenarios.Scenario, run func(uint64) ([]trace.Record, error), seed uint64) (res seedResult) {
	repro := fmt.Sprintf("bitsim run %s --seed %d --format text", shellQuote(s.Name), seed)
	recs, err := run(seed)
	if err != nil {
		return seedResult{hash: "-", failure: &failure{Seed: seed, Error: err.Error(), Repro: repro}}
	}
	sum := trace.Hash(recs)
	res.hash = hex.EncodeToString(sum[:])[:hashHexLen]
	if a.tallyCoverage {
		res.cov = coverage.New()
		res.cov.AddTrace(recs)
	}
	vs, err := a.safeCheck(recs)
	if err != nil {
		res.failure = &failure{Seed: seed, Error: err.Error(), Repro: repro}
		return res
	}
	if len(vs) > 0 {
		f := &failure{Seed: seed, Repro: repro}
		for _, v := range vs {
			f.Violations = append(f.Violations, violationJSON{Rule: v.Rule, Seqs: v.Seqs, Msg: v.Msg})
		}
		res.failure = f
	}
	return res
}

// safeCheck runs the catalogue; a panic in a checker is reported, not fatal.
func (a *app) safeCheck(recs []trace.Record) (vs []catalogue.Violation, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("checker panic: %v", p)
		}
	}()
	return a.check(recs), nil
}

func printFailures(w io.Writer, fs []failure) {
	for _, f := range fs {
		fmt.Fprintf(w, "FAIL seed %d:\n", f.Seed)
		if f.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", oneLine(f.Error))
		}
		for _, v := range f.Violations {
			fmt.Fprintf(w, "  %s\n", violationLine(catalogue.Violation{Rule: v.Rule, Seqs: v.Seqs, Msg: v.Msg}))
		}
		fmt.Fprintf(w, "  repro: %s\n", oneLine(f.Repro))
	}
}

// shardFileName is sweep-NAME-A-B-shard-i-of-n.json, with any character of
// NAME outside [A-Za-z0-9._-] replaced by '_'.
func shardFileName(name string, r seedRange, sh shard) string {
	safe := strings.Map(func(c rune) rune {
		if c < 128 && (c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return c
		}
		return '_'
	}, name)
	return fmt.Sprintf("sweep-%s-%d-%d-shard-%d-of-%d.json", safe, r.From, r.To, sh.I, sh.N)
}

// writeJSON writes v to o and commits it.
func writeJSON(o *outFile, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if _, err := o.Write(append(b, '\n')); err != nil {
		return err
	}
	return o.commit()
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(c rune) bool {
		return !(c == '-' || c == '_' || c == '.' || c == '/' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func plural(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.FormatUint(n, 10) + " " + what + "s"
}

// progress reports a sweep's advance on stderr. On a terminal it redraws
// a bar, "[=====>    ] 512/1000 seeds, 1 failing, 85.3 seeds/s, 6s elapsed,
// ETA 5s"; otherwise it prints such a line (without the bar) every
// `every`, so a sweep in CI or a batch pod is never silent. The clock only
// paces the output; it never affects results.
type progress struct {
	w         io.Writer
	tty       bool
	every     time.Duration // plain lines; 0: none
	now       func() time.Time
	total     uint64
	name      string
	done      uint64
	failed    uint64
	start     time.Time
	last      time.Time
	drawnOnce bool // a bar is on the screen
}

// progressEvery throttles redrawing the bar on a terminal.
const progressEvery = 100 * time.Millisecond

func newProgress(a *app, name string, total uint64, every time.Duration) *progress {
	p := &progress{w: a.stderr, tty: a.stderrTTY, every: every, now: a.now, total: total, name: name}
	if p.tty || p.every > 0 {
		p.start = p.now()
		p.last = p.start
	}
	return p
}

func (p *progress) step(failed bool) {
	p.done++
	if failed {
		p.failed++
	}
	switch {
	case p.tty:
		if t := p.now(); !p.drawnOnce || t.Sub(p.last) >= progressEvery || p.done == p.total {
			p.last = t
			p.draw(t)
		}
	case p.every > 0:
		if t := p.now(); t.Sub(p.last) >= p.every && p.done < p.total {
			p.last = t
			fmt.Fprintf(p.w, "bitsim sweep: %s %s\n", oneLine(p.name), p.stats(t))
		}
	}
}

// stats is "512/1000 seeds, 1 failing, 85.3 seeds/s, 6s elapsed, ETA 5s".
func (p *progress) stats(t time.Time) string {
	elapsed := t.Sub(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.done) / elapsed.Seconds()
	}
	eta := "?"
	if rate > 0 {
		eta = roundDuration(time.Duration(float64(p.total-p.done) / rate * float64(time.Second))).String()
	}
	return fmt.Sprintf("%d/%d seeds, %d failing, %.1f seeds/s, %s elapsed, ETA %s",
		p.done, p.total, p.failed, rate, roundDuration(elapsed), eta)
}

// roundDuration rounds to seconds, or to milliseconds under a second.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

func (p *progress) draw(t time.Time) {
	const width = 30
	p.drawnOnce = true
	filled := width
	if p.total > 0 {
		filled = int(p.done * width / p.total)
	}
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s [%s] %s", oneLine(p.name), bar, p.stats(t))
}

// clear removes the bar from the terminal before other output; the next
// step draws it again.
func (p *progress) clear() {
	if p.tty && p.drawnOnce {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawnOnce = false
	}
}

func (p *progress) finish() {
	if p.tty && p.drawnOnce {
		fmt.Fprint(p.w, "\n")
	}
}
