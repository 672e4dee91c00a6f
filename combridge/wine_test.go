//go:build !windows

package combridge_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/internal/wine"
	"github.com/bitsim/bitsim/scheduler"
)

// TestUnderWine cross-compiles this package's tests for windows/amd64 and
// runs them under Wine, against Wine's BITS service: TestRealBITS and its
// companions (bits_windows_test.go) register Go callbacks through the
// bridge and check what the real service does with them. Without Wine the
// test skips with a message, except under CI=true, where it fails.
func TestUnderWine(t *testing.T) {
	w := wine.Need(t)
	// A hang guard for the whole test, not a speed assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()

	exe := filepath.Join(dir, "combridge.test.exe")
	build := exec.CommandContext(ctx, "go", "test", "-c", "-o", exe, ".")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "cross-compiling the Windows test binary:\n%s", out)

	prefix, err := w.Prefix(ctx, filepath.Join(dir, "prefix"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, prefix.Shutdown()) })

	traces := filepath.Join(dir, "traces")
	require.NoError(t, os.Mkdir(traces, 0o755))
	winTraces := "Z:" + strings.ReplaceAll(traces, "/", `\`) // Wine's Z: is the Linux root
	out, runErr := prefix.Output(ctx, []string{"BITSIM_REAL_BITS=1", "BITSIM_TRACE_DIR=" + winTraces}, exe, "-test.v", "-test.count=1")
	text := string(out)
	t.Logf("under Wine:\n%s", text)
	require.NoError(t, runErr, "the Windows test binary failed under Wine")
	for _, name := range []string{"TestRealBITS", "TestRealBITSError", "TestRealBITSPanickingCallback", "TestRealBITSReleasesTheCallback", "TestRealBITSSTA", "TestCompleterPassesTheHarness", "TestRecordWorkload", "TestRecordWorkloadSTA"} {
		require.Contains(t, text, "--- PASS: "+name+" ", "%s passed under Wine", name)
	}
	require.NotContains(t, text, "--- SKIP", "nothing skipped under Wine")
	require.True(t, strings.HasSuffix(strings.TrimSpace(text), "PASS"), "the binary ends with PASS")

	// What the bridge recorded of Wine's BITS, judged on Linux.
	if os.Getenv("BITSIM_UPDATE_WINE_TRACES") != "" { // refresh the copies in testdata
		for _, name := range []string{"workload.jsonl", "workload-sta.jsonl"} {
			data, err := os.ReadFile(filepath.Join(traces, name))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join("testdata", "wine-"+name), data, 0o644))
		}
	}
	t.Run("integration", func(t *testing.T) {
		// The suite's own trace: every job ends ACKNOWLEDGED or CANCELLED
		// before the recording ends, so nothing is owed at run.end and
		// Wine's naive dispatch (no JobError, no retry) breaks no rule the
		// trace can decide.
		judgeRecorded(t, readTrace(t, filepath.Join(traces, "integration.jsonl")), nil)
	})
	t.Run("workload", func(t *testing.T) {
		recs := readTrace(t, filepath.Join(traces, "workload.jsonl"))
		judgeRecorded(t, recs, wineBreaks)
		compareWorkload(t, recs, simWorkload(t, scheduler.WineCompatOptions()))
		diffMatchesModel(t, recs)
	})
	t.Run("workload-sta", func(t *testing.T) {
		recs := readTrace(t, filepath.Join(traces, "workload-sta.jsonl"))
		judgeRecorded(t, recs, nil)
		compareWorkload(t, recs, simWorkloadSTA(t, scheduler.WineCompatOptions()))
	})
}
