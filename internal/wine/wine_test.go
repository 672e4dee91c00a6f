package wine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bitsim/bitsim/internal/peshim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hangGuard bounds every real Wine test. It only stops a hung Wine from
// blocking the test binary; nothing asserts on how long anything takes.
const hangGuard = 3 * time.Minute

// buildHello cross-compiles testdata/hello for windows/amd64 and returns
// the path of the .exe.
func buildHello(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to cross-compile testdata/hello")
	exe := filepath.Join(t.TempDir(), "hello.exe")
	cmd := exec.Command(gobin, "build", "-o", exe, "./testdata/hello")
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build ./testdata/hello:\n%s", out)
	return exe
}

const helloLine = "hello from windows/amd64"

// TestGoProgramUnderWine runs a real Go windows/amd64 program under Wine
// in a fresh prefix, then shows that the ProcessPrng shim is what lets it
// start: without the shim it fails, and Prefix puts the shim back. The
// steps share one prefix (creating one costs seconds and ~700 MB) and run
// in order; a failed step stops the rest.
func TestGoProgramUnderWine(t *testing.T) {
	w := Need(t)
	exe := buildHello(t)
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()

	dir := filepath.Join(t.TempDir(), "prefix")
	p, err := w.Prefix(ctx, dir)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, p.Shutdown()) })
	shim := filepath.Join(p.Dir, filepath.FromSlash(ShimPath))

	run := func(t *testing.T) (string, error) {
		out, err := p.Output(ctx, nil, exe)
		t.Logf("wine64 hello.exe: err=%v, output:\n%s", err, out)
		return string(out), err
	}

	ok := t.Run("hello runs", func(t *testing.T) {
		assert.FileExists(t, filepath.Join(p.Dir, "system.reg"))
		b, err := os.ReadFile(shim)
		require.NoError(t, err, "Prefix must install the shim")
		require.Equal(t, peshim.ProcessPrngShim(), b)

		out, err := run(t)
		require.NoError(t, err)
		assert.Equal(t, helloLine, strings.TrimSpace(out))
	})
	ok = ok && t.Run("fails without the shim", func(t *testing.T) {
		require.NoError(t, os.Remove(shim))
		out, err := run(t)
		started := err == nil && strings.Contains(out, helloLine)
		require.False(t, started, "hello.exe started without the ProcessPrng shim; is the shim still needed?")
		// It must fail for the right reason, not because Wine broke.
		assert.Contains(t, out, "bcryptprimitives.dll")
	})
	ok = ok && t.Run("Prefix puts the shim back", func(t *testing.T) {
		p2, err := w.Prefix(ctx, dir)
		require.NoError(t, err)
		assert.Equal(t, p.Dir, p2.Dir)
		b, err := os.ReadFile(shim)
		require.NoError(t, err)
		require.Equal(t, peshim.ProcessPrngShim(), b)

		out, err := run(t)
		require.NoError(t, err)
		assert.Equal(t, helloLine, strings.TrimSpace(out))
	})
	assert.True(t, ok, "a step failed; later steps did not run")
}

// fakeWine writes shell scripts standing in for wine64 and wineserver.
// Each appends its arguments and WINEPREFIX to calls.log, prints the
// script's output and exits with its code; see the callers.
func fakeWine(t *testing.T, wine64Script, wineserverScript string) (*Wine, string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake Wine is made of /bin/sh scripts")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "calls.log")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		script := fmt.Sprintf("#!/bin/sh\necho \"%s $* [$WINEPREFIX]\" >> '%s'\n%s\n", name, log, body)
		require.NoError(t, os.WriteFile(p, []byte(script), 0o755))
		return p
	}
	return &Wine{Wine64: write("wine64", wine64Script), Wineserver: write("wineserver", wineserverScript)}, log
}

func readLog(t *testing.T, log string) string {
	t.Helper()
	b, err := os.ReadFile(log)
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	require.NoError(t, err)
	return string(b)
}

// TestPrefixSteps checks, with a fake Wine, the order of the steps on a
// new prefix: wineboot -i, then wineserver -w, then the shim.
func TestPrefixSteps(t *testing.T) {
	// The fake wineboot creates what a real one would.
	w, log := fakeWine(t,
		`mkdir -p "$WINEPREFIX/drive_c/windows/system32" && touch "$WINEPREFIX/system.reg"`,
		`exit 0`)
	dir := filepath.Join(t.TempDir(), "new")
	p, err := w.Prefix(context.Background(), dir)
	require.NoError(t, err)
	assert.Equal(t, dir, p.Dir)
	assert.Equal(t, "wine64 wineboot -i ["+dir+"]\nwineserver -w ["+dir+"]\n", readLog(t, log))
	b, err := os.ReadFile(filepath.Join(dir, ShimPath))
	require.NoError(t, err)
	assert.Equal(t, peshim.ProcessPrngShim(), b)
}

// TestPrefixExisting checks that an initialized prefix is not booted
// again, that a damaged shim is replaced, and that the result is the same
// on every call.
func TestPrefixExisting(t *testing.T) {
	w, log := fakeWine(t, `echo "wineboot must not run"; exit 1`, `exit 0`)
	dir := t.TempDir()
	sys32 := filepath.Join(dir, "drive_c", "windows", "system32")
	require.NoError(t, os.MkdirAll(sys32, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "system.reg"), nil, 0o644))
	shim := filepath.Join(dir, filepath.FromSlash(ShimPath))
	require.NoError(t, os.WriteFile(shim, []byte("not a DLL"), 0o644))

	for i := range 2 {
		_, err := w.Prefix(context.Background(), dir)
		require.NoError(t, err, "call %d", i)
		b, err := os.ReadFile(shim)
		require.NoError(t, err)
		assert.Equal(t, peshim.ProcessPrngShim(), b, "call %d", i)
	}
	assert.Equal(t, strings.Repeat("wineserver -w ["+dir+"]\n", 2), readLog(t, log))
	entries, err := os.ReadDir(sys32)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file may be left behind")
}

// TestPrefixErrors checks that a failing step is named and its output's
// tail (not its head) quoted.
func TestPrefixErrors(t *testing.T) {
	noisy := `i=1; while [ $i -le 100 ]; do echo "line $i"; i=$((i+1)); done; exit 3`

	t.Run("wineboot", func(t *testing.T) {
		w, _ := fakeWine(t, noisy, `exit 0`)
		_, err := w.Prefix(context.Background(), t.TempDir())
		require.Error(t, err)
		msg := err.Error()
		assert.Contains(t, msg, "wineboot -i: exit status 3")
		assert.Contains(t, msg, "line 100")
		assert.NotContains(t, msg, "line 1\n", "the head of the output should be cut")
	})
	t.Run("wineserver -w", func(t *testing.T) {
		w, _ := fakeWine(t, `exit 0`, `echo "cannot wait"; exit 2`)
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "system.reg"), nil, 0o644))
		_, err := w.Prefix(context.Background(), dir)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "wineserver -w: exit status 2")
		assert.Contains(t, err.Error(), "cannot wait")
	})
	t.Run("no system32", func(t *testing.T) {
		w, _ := fakeWine(t, `exit 0`, `exit 0`)
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "system.reg"), nil, 0o644))
		_, err := w.Prefix(context.Background(), dir)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "installing the ProcessPrng shim")
	})
	t.Run("cancelled", func(t *testing.T) {
		w, _ := fakeWine(t, `exit 0`, `exit 0`)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := w.Prefix(ctx, t.TempDir())
		require.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "wineboot -i")
	})
}

func TestShutdown(t *testing.T) {
	t.Run("no server running", func(t *testing.T) {
		w, log := fakeWine(t, `exit 0`, `exit 1`)
		p := &Prefix{Dir: "/pfx", wine: w}
		require.NoError(t, p.Shutdown())
		assert.Equal(t, "wineserver -k [/pfx]\n", readLog(t, log))
	})
	t.Run("real failure", func(t *testing.T) {
		w, _ := fakeWine(t, `exit 0`, `echo "permission denied" >&2; exit 1`)
		p := &Prefix{Dir: "/pfx", wine: w}
		err := p.Shutdown()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "wineserver -k: exit status 1")
		assert.Contains(t, err.Error(), "permission denied")
	})
}

func TestCommandEnv(t *testing.T) {
	p := &Prefix{Dir: "/pfx", wine: &Wine{Wine64: "/opt/wine64", Wineserver: "/opt/wineserver"}}
	env := func(cmd *exec.Cmd) map[string][]string {
		m := map[string][]string{}
		for _, kv := range cmd.Env {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = append(m[k], v)
		}
		return m
	}

	t.Setenv("WINEPREFIX", "/somewhere/else")
	t.Setenv("WINEDLLOVERRIDES", "foo=n")
	t.Setenv("BITSIM_TEST_KEEP", "kept")
	t.Setenv("WINEDEBUG", "") // restores the caller's value afterwards
	require.NoError(t, os.Unsetenv("WINEDEBUG"))

	cmd := p.Command(context.Background(), `C:\x.exe`, "a", "b c")
	assert.Equal(t, []string{"/opt/wine64", `C:\x.exe`, "a", "b c"}, cmd.Args)
	e := env(cmd)
	assert.Equal(t, []string{"/pfx"}, e["WINEPREFIX"], "exactly one WINEPREFIX, ours")
	assert.Equal(t, []string{"-all"}, e["WINEDEBUG"])
	assert.Equal(t, []string{"mscoree,mshtml=;winemenubuilder.exe=d"}, e["WINEDLLOVERRIDES"])
	assert.Equal(t, []string{"kept"}, e["BITSIM_TEST_KEEP"])

	t.Setenv("WINEDEBUG", "+loaddll")
	assert.Equal(t, []string{"+loaddll"}, env(p.Command(context.Background(), "x.exe"))["WINEDEBUG"],
		"the caller's WINEDEBUG wins")
}

// Output returns what the program printed on both streams, with the extra
// environment, and the program's failure together with its output.
func TestOutput(t *testing.T) {
	w, _ := fakeWine(t, `echo "out: $1 $BITSIM_X"; echo "err: $2" >&2; [ "$1" = ok ] || exit 3`, ``)
	p := &Prefix{Dir: t.TempDir(), wine: w}
	out, err := p.Output(context.Background(), []string{"BITSIM_X=seen"}, "ok", "two")
	require.NoError(t, err)
	assert.Equal(t, "out: ok seen\nerr: two\n", string(out))

	out, err = p.Output(context.Background(), nil, "bad", "x")
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 3, exit.ExitCode())
	assert.Equal(t, "out: bad \nerr: x\n", string(out))
}

// Need skips without Wine, or fails under CI=true.
func TestNeed(t *testing.T) {
	missing := func() (*Wine, error) { return find(t.TempDir()) } // an empty lib dir
	t.Setenv("PATH", t.TempDir())                                 // and no wine64 on PATH
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		rec := &recordingTB{TB: t}
		done := make(chan struct{})
		go func() { // Skip and Fatal end the goroutine (runtime.Goexit)
			defer close(done)
			need(rec, missing)
		}()
		<-done
		assert.Equal(t, ci != "true", rec.skipped, "CI=%q", ci)
		assert.Equal(t, ci == "true", rec.failed, "CI=%q", ci)
	}
}

// recordingTB records Skip and Fatal instead of acting on the test.
type recordingTB struct {
	testing.TB
	skipped, failed bool
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Skipf(string, ...any) {
	r.skipped = true
	runtime.Goexit()
}
func (r *recordingTB) Fatalf(string, ...any) {
	r.failed = true
	runtime.Goexit()
}

func TestFind(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses Unix executable bits")
	}
	mkExe := func(t *testing.T, dir, name string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755))
		return p
	}

	t.Run("nothing anywhere", func(t *testing.T) {
		lib, bin := t.TempDir(), t.TempDir()
		t.Setenv("PATH", bin)
		w, err := find(lib)
		require.ErrorIs(t, err, ErrNotFound)
		assert.Nil(t, w)
		msg := err.Error()
		assert.Contains(t, msg, "wine64 (looked for "+filepath.Join(lib, "wine64")+", "+filepath.Join(lib, "wine"))
		assert.Contains(t, msg, "wine64 or wine on PATH")
		assert.Contains(t, msg, "wineserver (looked for "+filepath.Join(lib, "wineserver"))
		assert.Contains(t, msg, "apt-get install -y wine64")
	})
	t.Run("only wineserver missing", func(t *testing.T) {
		lib, bin := t.TempDir(), t.TempDir()
		mkExe(t, lib, "wine64")
		t.Setenv("PATH", bin)
		_, err := find(lib)
		require.ErrorIs(t, err, ErrNotFound)
		assert.Contains(t, err.Error(), "missing wineserver")
		assert.NotContains(t, err.Error(), "missing wine64")
	})
	t.Run("library dir first", func(t *testing.T) {
		lib, bin := t.TempDir(), t.TempDir()
		w64, ws := mkExe(t, lib, "wine64"), mkExe(t, lib, "wineserver")
		mkExe(t, bin, "wine64")
		mkExe(t, bin, "wineserver")
		t.Setenv("PATH", bin)
		w, err := find(lib)
		require.NoError(t, err)
		assert.Equal(t, &Wine{Wine64: w64, Wineserver: ws}, w)
	})
	t.Run("PATH fallback to wine", func(t *testing.T) {
		lib, bin := t.TempDir(), t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(lib, "wine64"), nil, 0o644)) // not executable
		wine, ws := mkExe(t, bin, "wine"), mkExe(t, bin, "wineserver")
		t.Setenv("PATH", bin)
		w, err := find(lib)
		require.NoError(t, err)
		assert.Equal(t, &Wine{Wine64: wine, Wineserver: ws}, w)
	})
}

func TestRequired(t *testing.T) {
	for val, want := range map[string]bool{"true": true, "": false, "false": false, "1": false} {
		t.Setenv("CI", val)
		assert.Equal(t, want, Required(), "CI=%q", val)
	}
}

func TestTail(t *testing.T) {
	assert.Equal(t, " (no output)", tail([]byte(" \n")))
	assert.Equal(t, "; output ends:\n\ta\n\tb", tail([]byte("a\nb\n")))
	long := strings.Repeat("x", 5000)
	assert.LessOrEqual(t, len(tail([]byte(long))), 2100)
}
