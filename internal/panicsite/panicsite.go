// Package panicsite names where a panic came from, for reports that tell a
// recovered panic of user code (a callback, an application's thread) in one
// line: the first frame of the panicking stack outside the Go runtime.
package panicsite

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// Of returns ", in pkg.Func (file.go:12)" for the panic being recovered, or
// "" if no frame outside the runtime is found. Call it while the panic is
// being recovered: from the deferred function that recovered, or from a
// function that one calls (sim.World.RunOnCatch's catch). The site is the
// first frame outside the runtime below runtime.gopanic — where the panic
// was raised, whatever lies between it and the recovery; without a
// gopanic frame, the first frame outside the runtime past Of's caller.
func Of() string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(3, pcs)
	if f, ok := site(pcs[:n], true); ok {
		return f
	}
	f, _ := site(pcs[:n], false)
	return f
}

// site returns the first frame of pcs outside the runtime, after the
// gopanic frame if afterPanic (ok false when there is none).
func site(pcs []uintptr, afterPanic bool) (string, bool) {
	frames := runtime.CallersFrames(pcs)
	seen := !afterPanic
	for {
		f, more := frames.Next()
		if seen && f.Function != "" && !strings.HasPrefix(f.Function, "runtime.") {
			fn := f.Function
			if i := strings.LastIndex(fn, "/"); i >= 0 {
				fn = fn[i+1:]
			}
			return fmt.Sprintf(", in %s (%s:%d)", fn, filepath.Base(f.File), f.Line), true
		}
		if f.Function == "runtime.gopanic" {
			seen = true
		}
		if !more {
			return "", seen
		}
	}
}
