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
// "" if no frame outside the runtime is found. Call it from the deferred
// function that recovered (directly: it skips that function's frame).
func Of() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if f.Function != "" && !strings.HasPrefix(f.Function, "runtime.") {
			fn := f.Function
			if i := strings.LastIndex(fn, "/"); i >= 0 {
				fn = fn[i+1:]
			}
			return fmt.Sprintf(", in %s (%s:%d)", fn, filepath.Base(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}
