// Package hangwatch reports a world that never comes back.
//
// A world's virtual time stands still while code runs on one of its
// virtual threads: the code must return or wait through the simulation
// (package proc's events, waits, mutexes and Sleep, which are events of the
// world's queue). Code that blocks on something the simulation does not
// know — a Go channel, a sync.Mutex or WaitGroup, time.Sleep, network I/O —
// or loops forever never gives control back, and the world never ends. In
// a test that shows as a binary killed by go test's -timeout, ten minutes
// later, with every goroutine's stack: nothing says which line blocked.
//
// A Watch, armed around each world, turns that into one line sooner: after
// a stretch of real time with the world still running it reads the
// goroutines' stacks, finds the virtual thread that blocked and where, and
// crashes the binary with a panic saying so. It is the one place the
// harness reads the wall clock, and nothing else depends on it: a world
// that ends, however slowly, is never touched, and its trace and verdict
// are the same with or without the watch. A hung goroutine cannot be
// stopped from outside, so the watch cannot fail the test and go on; the
// crash is the clear way out.
package hangwatch

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Watch crashes the binary if the world it is armed for runs longer than
// its limit in real time. Its zero value is not usable; see New.
type Watch struct {
	after  time.Duration
	what   func(world int) string
	replay string

	mu    sync.Mutex
	timer *time.Timer
	world int // the world armed, counted from 1
	armed bool
}

// New returns a Watch that gives each world after of real time (after ≤ 0:
// it never fires). what(n) names the n-th world for the message, such as
// "TestInstaller: world 3"; replay, if not empty, ends the message: how to
// run the world that hung again.
func New(after time.Duration, what func(world int) string, replay string) *Watch {
	return &Watch{after: after, what: what, replay: replay}
}

// Arm starts the watch for the next world.
func (w *Watch) Arm() {
	if w.after <= 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.world++
	w.armed = true
	if w.timer == nil {
		w.timer = time.AfterFunc(w.after, w.fire)
		return
	}
	w.timer.Reset(w.after)
}

// Disarm stops the watch: the world came back.
func (w *Watch) Disarm() {
	if w.after <= 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed = false
	w.timer.Stop()
}

func (w *Watch) fire() {
	w.mu.Lock()
	armed, world := w.armed, w.world
	w.mu.Unlock()
	if !armed {
		return // disarmed as the timer fired
	}
	buf := make([]byte, 1<<20)
	msg := Message(w.what(world), w.after, buf[:runtime.Stack(buf, true)])
	if w.replay != "" {
		msg += ". " + w.replay
	}
	panic(msg)
}

// Message is the watch's panic for a world (named by what) still running
// after a limit, given a dump of every goroutine (runtime.Stack(buf, true)).
func Message(what string, after time.Duration, dump []byte) string {
	state, site := Blocked(dump)
	var how string
	switch {
	case state == "":
		how = "no virtual thread of it was found in the goroutines' stacks"
	case site == "":
		how = fmt.Sprintf("a virtual thread is %s", describe(state))
	default:
		how = fmt.Sprintf("a virtual thread is %s in %s", describe(state), site)
	}
	return fmt.Sprintf("bitsim: %s has not finished after %v of real time: %s. "+
		"Virtual time stands still while code runs: wait with package proc (Event, WaitAny, Mutex, Sleep, Pump), "+
		"not a Go channel, sync primitive or time.Sleep, and do not loop without waiting", what, after, how)
}

// describe words a goroutine state of the dump.
func describe(state string) string {
	switch state {
	case "running", "runnable":
		return "running and does not return (an endless loop?)"
	}
	return "blocked (" + state + ")"
}

// Blocked finds, in a dump of every goroutine, the virtual thread that
// holds a world up: a goroutine running a world's event loop
// (sim.(*World).coroMain) that is not a coroutine waiting its turn. It
// returns the goroutine's state ("chan receive", "select", "sync.Mutex.Lock",
// "running", ...) and its innermost frame outside the Go runtime, the
// standard library's sync and time, and bitsim's kernel, as
// "pkg.Func (file.go:12)" — or "" where there is none. A goroutine that
// waits is preferred to one that runs.
func Blocked(dump []byte) (state, site string) {
	for _, g := range bytes.Split(dump, []byte("\n\n")) {
		lines := strings.Split(strings.TrimSpace(string(g)), "\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[0], "goroutine ") || !strings.Contains(string(g), "bitsim/sim.(*World).coroMain") {
			continue
		}
		st := goroutineState(lines[0])
		if st == "" || st == "coroutine" {
			continue
		}
		s := userFrame(lines[1:])
		running := st == "running" || st == "runnable"
		if state == "" || !running && (state == "running" || state == "runnable") {
			state, site = st, s
		}
	}
	return state, site
}

// goroutineState returns the state of a goroutine header such as
// "goroutine 7 [chan receive, 2 minutes]:".
func goroutineState(h string) string {
	i, j := strings.IndexByte(h, '['), strings.IndexByte(h, ']')
	if i < 0 || j < i {
		return ""
	}
	st, _, _ := strings.Cut(h[i+1:j], ",")
	return st
}

// kernelPrefixes are the packages whose frames are not where user code
// blocked.
var kernelPrefixes = []string{"runtime.", "sync.", "internal/", "iter.", "time.", "github.com/bitsim/bitsim/sim."}

// userFrame returns the first frame of a goroutine's frame lines (function
// line, then "\tfile:line +0x..") outside kernelPrefixes.
func userFrame(lines []string) string {
	for i := 0; i+1 < len(lines); i++ {
		fn := lines[i]
		if strings.HasPrefix(fn, "\t") || strings.HasPrefix(fn, "created by ") {
			continue
		}
		if p := strings.LastIndexByte(fn, '('); p > 0 {
			fn = fn[:p]
		}
		kernel := false
		for _, k := range kernelPrefixes {
			kernel = kernel || strings.HasPrefix(fn, k)
		}
		if kernel {
			continue
		}
		loc := strings.TrimSpace(lines[i+1])
		if sp := strings.IndexByte(loc, ' '); sp >= 0 {
			loc = loc[:sp]
		}
		if k := strings.LastIndex(fn, "/"); k >= 0 {
			fn = fn[k+1:]
		}
		return fmt.Sprintf("%s (%s)", fn, filepath.Base(loc))
	}
	return ""
}
