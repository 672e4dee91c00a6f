package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/trace"
)

// Exit statuses.
const (
	exitOK    = 0 // all is well
	exitFound = 1 // violations found, or a scenario failed to run
	exitUsage = 2 // bad usage or input; nothing was judged
)

// app is the CLI with its surroundings made explicit, so tests run every
// command in-process with their own scenarios, input and terminal.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	outErr         *errWriter // a.stdout during run: remembers a failed write
	stderrTTY      bool       // draw a progress bar on stderr

	scenarios func() []scenarios.Scenario
	lookup    func(name string) (scenarios.Scenario, bool)
	check     func(recs []trace.Record) []catalogue.Violation
	// newChecker returns the record-by-record judge `check` streams a
	// trace file through (catalogue.NewChecker).
	newChecker func() traceChecker
	now        func() time.Time // paces progress output; never affects results
	// signals returns the channel of SIGINT/SIGTERM a sweep stops on, and
	// a function that stops the delivery.
	signals func() (<-chan os.Signal, func())
	// tallyCoverage: sweep --coverage, each seed's world is tallied.
	tallyCoverage bool
}

// run is main without the process: it runs the command in args and
// returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return newApp(stdout, stderr).run(args)
}

func newApp(stdout, stderr io.Writer) *app {
	a := &app{
		stdin:      os.Stdin,
		stdout:     stdout,
		stderr:     stderr,
		scenarios:  scenarios.All,
		lookup:     scenarios.Lookup,
		check:      catalogue.Check,
		newChecker: func() traceChecker { return catalogue.NewChecker() },
		now:        time.Now,
		signals:    notifySignals,
	}
	if f, ok := stderr.(*os.File); ok {
		a.stderrTTY = isTerminal(f)
	}
	return a
}

// traceChecker judges a trace one record at a time (*catalogue.Checker).
type traceChecker interface {
	Add(r *trace.Record)
	Finish() []catalogue.Violation
}

// isTerminal reports whether f is a character device (a terminal), with
// no dependency beyond os.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

const usageText = `bitsim simulates how Windows BITS delivers notifications to callbacks.

usage:
  bitsim list
  bitsim run NAME [--seed N] [--format text|jsonl|chrome|html] [--axis events|time] [--out FILE]
  bitsim render FILE.jsonl|- [--format text|chrome|html] [--axis events|time] [--out FILE]
  bitsim check FILE.jsonl|-
  bitsim sweep NAME --seeds A:B [--shard i/n] [--parallel N] [--out DIR] [--coverage]
  bitsim sweep-merge FILE.json...
  bitsim search NAME [--strategy S] [--budget N] [--seed N] [--out FILE] [--choices FILE]
  bitsim search --replay FILE [--out FILE]
  bitsim help COMMAND
  bitsim --version

Run "bitsim help COMMAND" (or "bitsim COMMAND -h") for the flags of a command.
--out - writes to standard output.
Exit status: 0 ok, 1 violations found, 2 bad usage or input.
`

// commandNames are the verbs of the CLI, in usage order.
var commandNames = []string{"list", "run", "render", "check", "sweep", "sweep-merge", "search"}

// fallbackVersion is the version a binary reports when the Go toolchain
// recorded none (built from a work tree rather than "go install ...@v").
const fallbackVersion = "v0.0.0-devel"

// version is the module version recorded in the binary, or
// fallbackVersion.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return fallbackVersion
}

// errWriter passes writes through and remembers the first error, so a
// command whose standard output could not be written exits 2 instead of
// reporting success.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

func (a *app) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usageText)
		return exitUsage
	}
	a.outErr = &errWriter{w: a.stdout}
	a.stdout = a.outErr
	code := a.dispatch(args)
	if a.outErr.err != nil && code != exitUsage {
		return a.fail(args[0], "writing standard output: %v", a.outErr.err)
	}
	return code
}

func (a *app) dispatch(args []string) int {
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "list":
		return a.list(rest)
	case "run":
		return a.runScenario(rest)
	case "render":
		return a.render(rest)
	case "check":
		return a.checkTrace(rest)
	case "sweep":
		return a.sweep(rest)
	case "sweep-merge":
		return a.sweepMerge(rest)
	case "search":
		return a.search(rest)
	case "help":
		if len(rest) == 0 {
			fmt.Fprint(a.stdout, usageText)
			return exitOK
		}
		if len(rest) > 1 || !slices.Contains(commandNames, rest[0]) {
			return a.fail("help", "want one command, got %s (commands: %s)", quote(strings.Join(rest, " ")), strings.Join(commandNames, ", "))
		}
		return a.dispatch([]string{rest[0], "-h"})
	case "-h", "-help", "--help":
		fmt.Fprint(a.stdout, usageText)
		return exitOK
	case "version", "-version", "--version":
		fmt.Fprintf(a.stdout, "bitsim %s\n", version())
		return exitOK
	}
	return a.fail("", "unknown command %s (commands: list, run, render, check, sweep, sweep-merge, search)", quote(cmd))
}

// fail prints one line on stderr, "bitsim CMD: message", and returns
// exitUsage.
func (a *app) fail(cmd, format string, args ...any) int {
	prefix := "bitsim: "
	if cmd != "" {
		prefix = "bitsim " + cmd + ": "
	}
	fmt.Fprintln(a.stderr, prefix+oneLine(fmt.Sprintf(format, args...)))
	return exitUsage
}

// command describes one subcommand for flag parsing and help.
type command struct {
	name  string
	usage string // after "bitsim NAME "
	flags *flag.FlagSet
}

func newCommand(name, usage string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &command{name: name, usage: usage, flags: fs}
}

// errHelp is returned by parse after printing help for -h.
var errHelp = errors.New("help")

// parse parses args, allowing flags before, between and after positional
// arguments ("bitsim run NAME --seed 3"). "--" ends the flags; a lone "-"
// is a positional argument (standard input).
func (a *app) parse(c *command, args []string) ([]string, error) {
	var pos []string
	for {
		err := c.flags.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			a.help(c)
			return nil, errHelp
		}
		if err != nil {
			return nil, err
		}
		rest := c.flags.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func (a *app) help(c *command) {
	fmt.Fprintf(a.stdout, "usage: bitsim %s %s\n", c.name, c.usage)
	var b strings.Builder
	c.flags.SetOutput(&b)
	c.flags.PrintDefaults()
	c.flags.SetOutput(io.Discard)
	if b.Len() > 0 {
		fmt.Fprintf(a.stdout, "\nflags:\n%s", doubleDash(b.String()))
	}
}

// parseOrFail parses and turns a flag error into one line and exitUsage.
// ok is false when the command should return code.
func (a *app) parseOrFail(c *command, args []string) (pos []string, code int, ok bool) {
	pos, err := a.parse(c, args)
	if errors.Is(err, errHelp) {
		return nil, exitOK, false
	}
	if err != nil {
		return nil, a.fail(c.name, "%s (see bitsim help %s)", doubleDash(err.Error()), c.name), false
	}
	return pos, 0, true
}

// doubleDash rewrites the flag package's "-seed" in its error messages as
// "--seed", the spelling of the usage text.
func doubleDash(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		b.WriteByte(msg[i])
		if msg[i] == '-' && (i == 0 || msg[i-1] == ' ') && i+1 < len(msg) && isLetter(msg[i+1]) {
			b.WriteByte('-')
		}
	}
	return b.String()
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// oneLine makes a message safe for one line of a terminal: newlines and
// other control characters are shown escaped.
func oneLine(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// quote shows a user-given name in a message.
func quote(s string) string { return strconv.Quote(s) }
