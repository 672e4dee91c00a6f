package bitsimtest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"pgregory.net/rapid"
)

// Recorder is a rapid.TB that records what a check says instead of
// failing the test: the way to test that CheckClient or CheckCallback
// catches a bug (a client with a planted bug must fail, for the right
// reason). Run runs the check; FailNow, Fatal and SkipNow end it, as they
// end a test.
type Recorder struct {
	name   string
	mu     sync.Mutex
	failed bool
	out    strings.Builder
}

var _ rapid.TB = (*Recorder)(nil)

// NewRecorder returns a Recorder whose Name is name: rapid keeps its fail
// files under testdata/rapid/NAME/ and the harness writes the failing
// world's trace to testdata/failures/NAME.jsonl.
func NewRecorder(name string) *Recorder { return &Recorder{name: name} }

// Run runs check with r as its TB, on a goroutine of its own, and returns
// when check returns or ends itself with FailNow or SkipNow.
func (r *Recorder) Run(check func(tb rapid.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
}

// Output returns everything the check logged and reported, a line each.
func (r *Recorder) Output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// Name returns the name given to NewRecorder.
func (r *Recorder) Name() string { return r.name }

// Helper does nothing.
func (r *Recorder) Helper() {}

// Logf records a line.
func (r *Recorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.out, format, args...)
	r.out.WriteByte('\n')
}

// Log records a line.
func (r *Recorder) Log(args ...any) { r.Logf("%s", fmt.Sprint(args...)) }

// Errorf records a line and marks the check failed.
func (r *Recorder) Errorf(format string, args ...any) { r.Logf(format, args...); r.Fail() }

// Error records a line and marks the check failed.
func (r *Recorder) Error(args ...any) { r.Log(args...); r.Fail() }

// Fatalf records a line, marks the check failed and ends it.
func (r *Recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); runtime.Goexit() }

// Fatal records a line, marks the check failed and ends it.
func (r *Recorder) Fatal(args ...any) { r.Error(args...); runtime.Goexit() }

// Skipf records a line and ends the check.
func (r *Recorder) Skipf(format string, args ...any) { r.Logf(format, args...); runtime.Goexit() }

// Skip records a line and ends the check.
func (r *Recorder) Skip(args ...any) { r.Log(args...); runtime.Goexit() }

// SkipNow ends the check.
func (r *Recorder) SkipNow() { runtime.Goexit() }

// FailNow marks the check failed and ends it.
func (r *Recorder) FailNow() { r.Fail(); runtime.Goexit() }

// Fail marks the check failed.
func (r *Recorder) Fail() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
}

// Failed reports whether the check failed.
func (r *Recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}
