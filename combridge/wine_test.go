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

	out, runErr := prefix.Output(ctx, []string{"BITSIM_REAL_BITS=1"}, exe, "-test.v", "-test.count=1")
	text := string(out)
	t.Logf("under Wine:\n%s", text)
	require.NoError(t, runErr, "the Windows test binary failed under Wine")
	for _, name := range []string{"TestRealBITS", "TestRealBITSError", "TestRealBITSPanickingCallback", "TestRealBITSReleasesTheCallback", "TestRealBITSSTA", "TestCompleterPassesTheHarness"} {
		require.Contains(t, text, "--- PASS: "+name+" ", "%s passed under Wine", name)
	}
	require.NotContains(t, text, "--- SKIP", "nothing skipped under Wine")
	require.True(t, strings.HasSuffix(strings.TrimSpace(text), "PASS"), "the binary ends with PASS")
}
