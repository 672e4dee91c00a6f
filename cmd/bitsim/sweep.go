package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bitsim/bitsim/catalogue"
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
}

// sweep is "bitsim sweep NAME --seeds A:B".
func (a *app) sweep(args []string) int {
	c := newCommand("sweep", "NAME --seeds A:B [--shard i/n] [--parallel N] [--out DIR]")
	seedsFlag := c.flags.String("seeds", "", "run the seeds `A:B`, that is A, A+1 … B-1 (required)")
	shardFlag := c.flags.String("shard", "1/1", "run only shard `i/n`: the seeds S with S mod n = i-1")
	parallel := c.flags.Int("parallel", runtime.GOMAXPROCS(0), "run `N` seeds at once (results do not depend on it)")
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

	results := a.runSeeds(s, first, count, sh.N, *parallel)

	sf := shardFile{
		Format: shardFormat, Scenario: s.Name, From: rng.From, To: rng.To, Shard: sh.I, Shards: sh.N,
		Rule: shardRule, First: first, Ran: count, Hashes: make([]string, 0, count), Failures: []failure{},
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

	fmt.Fprintf(summary, "sweep %s seeds %s shard %s: %s, %d failing\n", oneLine(s.Name), rng, sh, plural(count, "seed"), sf.Failed)
	printFailures(summary, sf.Failures)
	fmt.Fprintf(summary, "digest %s\n", sf.Digest)
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
	if sf.Failed > 0 {
		return exitFound
	}
	return exitOK
}

// runSeeds runs count seeds (first, first+step, …) on parallel workers and
// returns their results in seed order.
func (a *app) runSeeds(s scenarios.Scenario, first, count, step uint64, parallel int) []seedResult {
	results := make([]seedResult, count)
	var next atomic.Uint64
	done := make(chan bool, parallel)
	var wg sync.WaitGroup
	for range min(uint64(parallel), max(count, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := next.Add(1) - 1
				if k >= count {
					return
				}
				results[k] = a.runSeed(s, first+k*step)
				done <- results[k].failure != nil
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	bar := progress{w: a.stderr, on: a.stderrTTY, now: a.now, total: count, name: s.Name}
	for failed := range done {
		bar.step(failed)
	}
	bar.finish()
	return results
}

// runSeed runs and checks one seed.
func (a *app) runSeed(s scenarios.Scenario, seed uint64) (res seedResult) {
	repro := fmt.Sprintf("bitsim run %s --seed %d --format text", shellQuote(s.Name), seed)
	recs, err := runOne(s, seed)
	if err != nil {
		return seedResult{hash: "-", failure: &failure{Seed: seed, Error: err.Error(), Repro: repro}}
	}
	sum := trace.Hash(recs)
	res.hash = hex.EncodeToString(sum[:])[:hashHexLen]
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

// progress draws a bar on a terminal: "[=====>    ] 512/1000 seeds, 1 failing".
// Time only throttles redrawing.
type progress struct {
	w         io.Writer
	on        bool
	now       func() time.Time
	total     uint64
	name      string
	done      uint64
	failed    uint64
	last      time.Time
	drawnOnce bool
}

const progressEvery = 100 * time.Millisecond

func (p *progress) step(failed bool) {
	p.done++
	if failed {
		p.failed++
	}
	if !p.on {
		return
	}
	if t := p.now(); !p.drawnOnce || t.Sub(p.last) >= progressEvery || p.done == p.total {
		p.last = t
		p.draw()
	}
}

func (p *progress) draw() {
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
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d seeds, %d failing", oneLine(p.name), bar, p.done, p.total, p.failed)
}

func (p *progress) finish() {
	if p.on && p.drawnOnce {
		fmt.Fprint(p.w, "\n")
	}
}
