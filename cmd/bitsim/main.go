// Command bitsim runs bitsim's named scenarios, draws their traces, judges
// traces against the guarantee catalogue and sweeps scenarios over many
// seeds.
//
//	bitsim list
//	bitsim run NAME [--seed N] [--format text|jsonl|chrome|html] [--out FILE]
//	bitsim render FILE.jsonl|- [--format text|chrome|html] [--out FILE]
//	bitsim check FILE.jsonl|-
//	bitsim sweep NAME --seeds A:B [--shard i/n] [--parallel N] [--out DIR] [--progress-every D] [--coverage]
//	bitsim sweep-merge FILE.json...
//	bitsim search NAME [--strategy S] [--budget N] [--seed N] [--out FILE] [--choices FILE]
//	bitsim search --replay FILE [--out FILE]
//	bitsim help COMMAND
//	bitsim --version
//
// Every --out accepts - for standard output; a missing directory of an
// --out path is created. A UTF-8 byte order mark at the start of a trace
// is skipped.
//
// run builds the scenario's world with a seed and prints its trace: text is
// an annotated timeline for a terminal, jsonl is trace format v1
// (docs/TRACE.md), chrome is Trace Event Format JSON for Perfetto or
// chrome://tracing, html one self-contained page with an SVG timeline (see
// package render). The same seed gives the same bytes, on every machine.
//
// render draws a trace recorded elsewhere; check judges one against the
// guarantee catalogue (package catalogue) and lists each violation with its
// rule id and the seqs that prove it.
//
// sweep runs the seeds A, A+1 … B−1 of a scenario and checks every trace. A
// sweep can be split over machines with --shard i/n: shard i of n runs the
// seeds S of the range with S mod n = i−1. The rule depends only on the
// seed, so the n shards of a range cover it exactly once, whatever the
// range. Each failure is printed with the command that replays it, as
// soon as the seeds before it are done. Progress goes to stderr: a bar with
// rate, elapsed time and ETA on a terminal, otherwise a plain line every
// --progress-every (5s).
//
// SIGINT or SIGTERM stops a sweep cleanly: the seeds in flight finish (a
// worker takes up to 64 consecutive seeds at a time and finishes them), no
// other seed starts, the shard file is written marked "partial" with the seeds
// done (always the first ones of the shard) and the failures so far, and a
// last line on stderr says how many seeds ran and the command that resumes
// the sweep where it stopped. The exit status is 128 plus the signal's
// number (130, 143). sweep-merge refuses partial files. With
// --out DIR a shard writes its results (seeds run, failures and the hash
// of every trace) to DIR/sweep-NAME-A-B-shard-i-of-n.json, and sweep-merge
// joins such files, reporting missing or doubled shards. The output of a
// sweep, and its digest over all trace hashes, do not depend on --parallel
// or on how it was sharded.
//
// search looks for a failing world of a generator (adversarial, faults,
// aimed-cmdline, aimed-slots) with a strategy of package explore: the
// seed sweep, PCT-style change points, feedback-guided mutation of choice
// streams, or branching from a frontier (docs/TESTING.md compares them).
// It prints the failing world's violations, writes its trace (--out) and
// its choice stream (--choices), and exits 1; nothing failing within the
// budget exits 0. --replay FILE runs the world of a choice stream again.
// SIGINT or SIGTERM stops a search after the world in flight.
//
// Every --out is written safely: a regular file (or a new path) through a
// temporary file renamed into place only when complete; a device, FIFO or
// /dev/stdout directly, and never removed.
//
// Exit status: 0 when all is well, 1 when a check or sweep found
// violations (or a scenario failed to run), 2 for bad usage or input: a
// bad flag, an unknown scenario, an unreadable or malformed trace, an
// --out that cannot be written. Errors are one line on stderr.
//
// bitsim never executes a command line: the notification program of a
// job is simulated.
package main

import (
	"os"
	"runtime/debug"
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "sweep" || os.Args[1] == "search") {
		manyWorldsGC()
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// manyWorldsGC lets the heap of a sweep or a search grow to five times what
// is live (GOGC=400) unless GOGC is set. They run one small world after
// another — a few MB live — so the default collected every couple of
// hundred worlds and took a fifth of the time: 400 makes a sweep about
// 20 % faster for some 30 MB more (docs/PERFORMANCE.md).
func manyWorldsGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
