//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/trace"
)

// bigTraceBytes is the size of the trace TestCheckBigTraceInBoundedMemory
// checks (issue 12: "a 200 MB valid trace is checked in ≤ 256 MB").
const (
	bigTraceBytes = 200 << 20
	bigCheckMaxKB = 256 << 10 // peak RSS allowed, in KiB (rusage Maxrss on Linux)
)

// writeBigTrace writes a valid trace of at least size bytes to path: the
// records of clean adversarial runs (each ends idle with no violation),
// one after another as one run — one run.start and run.config, one run.end
// at the very end, seq renumbered, t, call ids and retry times shifted,
// and every job, client and user renamed per segment so no segment
// touches another's state. It returns the number of records.
func writeBigTrace(t *testing.T, path string, size int64) int64 {
	t.Helper()
	s, ok := scenarios.Lookup("adversarial")
	require.True(t, ok)
	var segs [][]trace.Record
	for seed := uint64(0); len(segs) < 8 && seed < 64; seed++ {
		res, err := s.Run(seed)
		require.NoError(t, err)
		recs := res.Records
		if last := recs[len(recs)-1]; last.Ev != trace.EvRunEnd || last.Reason != "idle" || len(catalogue.Check(recs)) > 0 {
			continue
		}
		segs = append(segs, recs)
	}
	require.Len(t, segs, 8, "clean idle adversarial runs")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var (
		seq, written   int64
		tOff, callOff  int64
		line           []byte
		runEnd         trace.Record
		lastT, maxCall int64
	)
	rename := func(k int, s string) string {
		if s == "" {
			return ""
		}
		return fmt.Sprintf("s%d.%s", k, s)
	}
	for k := 0; written < size; k++ {
		for _, r := range segs[k%len(segs)] {
			switch r.Ev {
			case trace.EvRunStart, trace.EvRunConfig:
				if k > 0 {
					continue
				}
			case trace.EvRunEnd:
				runEnd = r
				continue
			}
			seq++
			r.Seq = seq
			r.T += time.Duration(tOff)
			if r.At != 0 {
				r.At += time.Duration(tOff)
			}
			if r.Call != 0 {
				r.Call += callOff
				maxCall = max(maxCall, r.Call)
			}
			if r.Parent != 0 {
				r.Parent += callOff
			}
			r.Job, r.Client, r.User = rename(k, r.Job), rename(k, r.Client), rename(k, r.User)
			lastT = int64(r.T)
			line = trace.AppendJSON(line[:0], &r)
			n, err := w.Write(line)
			require.NoError(t, err)
			written += int64(n)
		}
		tOff, callOff = lastT, maxCall
	}
	seq++
	runEnd.Seq, runEnd.T = seq, time.Duration(lastT)
	line = trace.AppendJSON(line[:0], &runEnd)
	_, err = w.Write(line)
	require.NoError(t, err)
	require.NoError(t, w.Flush())
	return seq
}

// TestCheckBigTraceInBoundedMemory is the memory proof of issue 12 item 2:
// the built bitsim binary checks a 200 MB valid trace (about 2 million
// records) as a child process, finds no violation, and its peak RSS, read
// from the child's rusage, is at most 256 MB. The figure is logged; see
// docs/PERFORMANCE.md ("Checking a big trace"). Set BIGCHECK_DIR to a
// directory to keep the binary and the trace there for measuring by hand.
func TestCheckBigTraceInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 200 MB trace and builds the binary")
	}
	dir := t.TempDir()
	if d := os.Getenv("BIGCHECK_DIR"); d != "" {
		dir = d
	}
	exe := filepath.Join(dir, "bitsim")
	build := exec.Command("go", "build", "-o", exe, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)

	path := filepath.Join(dir, "big.jsonl")
	n := writeBigTrace(t, path, bigTraceBytes)
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.GreaterOrEqual(t, st.Size(), int64(bigTraceBytes))

	check := exec.Command(exe, "check", path)
	var stdout, stderr strings.Builder
	check.Stdout, check.Stderr = &stdout, &stderr
	require.NoError(t, check.Run(), "check: stdout %q, stderr %q", stdout.String(), stderr.String())
	want := fmt.Sprintf("%s: %d records, no violations\n", path, n)
	require.Equal(t, want, stdout.String(), "the big trace must be valid and read whole")

	peakKB := check.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	t.Logf("checked %d records, %d MB, in %v user + %v system; peak RSS %d MB",
		n, st.Size()>>20, check.ProcessState.UserTime(), check.ProcessState.SystemTime(), peakKB>>10)
	require.LessOrEqual(t, peakKB, int64(bigCheckMaxKB), "peak RSS of bitsim check, KiB")
}
