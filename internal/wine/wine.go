// Package wine runs Windows programs under Wine, so that tests on Linux
// can exercise real Windows code paths (Wine ships a BITS service, qmgr)
// and not only the simulator.
//
// # The three steps
//
//  1. Find locates the two programs everything else needs: wine64, the
//     loader that runs a .exe, and wineserver, the per-prefix daemon that
//     plays the Windows kernel. On Debian both live in /usr/lib/wine, off
//     PATH; `apt-get install -y wine64` provides them.
//  2. Wine.Prefix prepares a prefix: a directory holding one simulated
//     Windows installation (drive_c, the registry files). Creating one
//     runs `wineboot -i` and then `wineserver -w`, which waits until the
//     boot's background processes have finished; a COM call made before
//     then fails. Creating a prefix takes several seconds and ~700 MB, so
//     tests make one per test binary or per test, in t.TempDir().
//  3. Prefix.Command builds an *exec.Cmd that runs a .exe in the prefix;
//     Prefix.Shutdown stops the prefix's wineserver and every Windows
//     process in it.
//
// # Go programs need a shim on Wine 8.0
//
// Since Go 1.22 the runtime of every windows/amd64 program imports
// ProcessPrng from bcryptprimitives.dll, which Wine 8.0 (Debian 12) does
// not have: such a program dies before main with "bcryptprimitives.dll not
// found". Prefix therefore always installs a one-export forwarder DLL
// (see package peshim) as drive_c/windows/system32/bcryptprimitives.dll,
// sending ProcessPrng to advapi32's SystemFunction036 (RtlGenRandom). The
// DLL has to be in system32: the runtime loads it from the system
// directory only, so a copy next to the .exe is not picked up.
//
// # Environment
//
// Every command gets WINEPREFIX, WINEDEBUG=-all (Wine's diagnostic noise
// off, unless the caller's environment already sets WINEDEBUG) and
// WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d". Disabling
// mscoree and mshtml stops wineboot from offering to download Mono and
// Gecko; disabling winemenubuilder stops it from writing desktop menu
// entries into the user's home directory.
//
// # Tests without Wine
//
// A test that needs Wine calls Find; when Find fails the test should
// t.Skip with the error (which says what is missing), except when Required
// reports true (CI=true), where it must t.Fatal so that a CI machine
// without Wine cannot silently skip the real-Windows checks.
package wine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitsim/bitsim/internal/peshim"
)

// libDir is where Debian's wine64 package puts wine64 and wineserver.
const libDir = "/usr/lib/wine"

// installHint provides what Find looks for on Debian and Ubuntu.
const installHint = "apt-get install -y wine64"

// ErrNotFound is wrapped by Find's error when wine64 or wineserver is
// missing.
var ErrNotFound = errors.New("wine not found")

// Wine names the two Wine programs a prefix needs.
type Wine struct {
	Wine64     string // runs a Windows program: wine64 prog.exe args...
	Wineserver string // the prefix daemon: -w waits for it, -k kills it
}

// Find locates wine64 and wineserver: first in /usr/lib/wine, then on PATH
// (wine64, else wine; and wineserver). If either is missing the error,
// which wraps ErrNotFound, lists what is missing, where Find looked, and
// how to install it.
func Find() (*Wine, error) {
	return find(libDir)
}

// find is Find with the library directory as a parameter, for tests.
func find(libDir string) (*Wine, error) {
	var w Wine
	var missing []string
	look := func(dst *string, names ...string) {
		var tried []string
		for _, n := range names {
			p := filepath.Join(libDir, n)
			tried = append(tried, p)
			if isExecutable(p) {
				*dst = p
				return
			}
		}
		for _, n := range names {
			if p, err := exec.LookPath(n); err == nil {
				*dst = p
				return
			}
		}
		missing = append(missing, fmt.Sprintf("%s (looked for %s, and for %s on PATH)",
			names[0], strings.Join(tried, ", "), strings.Join(names, " or ")))
	}
	look(&w.Wine64, "wine64", "wine")
	look(&w.Wineserver, "wineserver")
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: missing %s; install it with: %s",
			ErrNotFound, strings.Join(missing, " and "), installHint)
	}
	return &w, nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// Prefix is one initialized Wine prefix. Make it with Wine.Prefix.
type Prefix struct {
	Dir  string // absolute path; what WINEPREFIX is set to
	wine *Wine
}

// ShimPath is where Prefix installs the ProcessPrng shim, relative to the
// prefix directory.
const ShimPath = "drive_c/windows/system32/bcryptprimitives.dll"

// Prefix makes dir a ready-to-use Wine prefix and returns it:
//
//   - unless dir already holds one (system.reg exists), it runs
//     `wine64 wineboot -i` to create it;
//   - it runs `wineserver -w`, which returns once every Windows process
//     in the prefix has exited — so do not call Prefix while programs you
//     started are still running in it;
//   - it installs the ProcessPrng shim at ShimPath unless the file
//     already holds exactly the shim's bytes.
//
// Calling Prefix again on the same dir is cheap and repairs a removed or
// damaged shim. ctx bounds the commands it runs. Errors name the failing
// step and end with the tail of its output.
func (w *Wine) Prefix(ctx context.Context, dir string) (*Prefix, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("wine: prefix %s: %w", dir, err)
	}
	p := &Prefix{Dir: abs, wine: w}

	if _, err := os.Stat(filepath.Join(abs, "system.reg")); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return nil, fmt.Errorf("wine: prefix %s: %w", abs, err)
		}
		if err := p.run(ctx, "wineboot -i", w.Wine64, "wineboot", "-i"); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("wine: prefix %s: %w", abs, err)
	}
	if err := p.run(ctx, "wineserver -w", w.Wineserver, "-w"); err != nil {
		return nil, err
	}
	if err := p.installShim(); err != nil {
		return nil, fmt.Errorf("wine: prefix %s: installing the ProcessPrng shim: %w", abs, err)
	}
	return p, nil
}

// installShim writes the shim unless it is already there, via a rename so
// that a concurrent reader never sees half a DLL.
func (p *Prefix) installShim() error {
	dst := filepath.Join(p.Dir, filepath.FromSlash(ShimPath))
	shim := peshim.ProcessPrngShim()
	if cur, err := os.ReadFile(dst); err == nil && bytes.Equal(cur, shim) {
		return nil
	}
	dir := filepath.Dir(dst)
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("no system32 directory, is the prefix initialized? %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".bcryptprimitives-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(shim); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// Command returns a command that runs the Windows program exe (a Linux
// path such as /tmp/x/hello.exe, or a Windows one such as
// C:\windows\system32\cmd.exe) with args under wine64 in the prefix.
// Its Env is the current environment plus WINEPREFIX, WINEDEBUG and
// WINEDLLOVERRIDES as the package documentation describes; adjust
// cmd.Env, cmd.Dir or the standard streams before starting it as with any
// exec.Cmd. Cancelling ctx kills the program.
func (p *Prefix) Command(ctx context.Context, exe string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, p.wine.Wine64, append([]string{exe}, args...)...)
	cmd.Env = p.environ()
	return cmd
}

// Shutdown runs `wineserver -k` for the prefix: the wineserver and every
// Windows process in the prefix are killed. A prefix with no server
// running is not an error, so Shutdown can always go in t.Cleanup.
func (p *Prefix) Shutdown() error {
	var out bytes.Buffer
	cmd := exec.Command(p.wine.Wineserver, "-k")
	cmd.Env = p.environ()
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 &&
		(len(bytes.TrimSpace(out.Bytes())) == 0 || bytes.Contains(out.Bytes(), []byte("no server running"))) {
		// wineserver -k exits 1, silently, when it finds no server to kill.
		return nil
	}
	if err != nil {
		return fmt.Errorf("wine: prefix %s: wineserver -k: %w%s", p.Dir, err, tail(out.Bytes()))
	}
	return nil
}

// Required reports whether tests must not skip for want of Wine: true
// when the environment variable CI is "true", as CI services set it.
func Required() bool {
	return os.Getenv("CI") == "true"
}

// dllOverrides is WINEDLLOVERRIDES: an empty value after '=' disables a
// DLL, "d" disables a program.
const dllOverrides = "mscoree,mshtml=;winemenubuilder.exe=d"

// environ is the current environment with the prefix's variables set.
func (p *Prefix) environ() []string {
	set := map[string]string{
		"WINEPREFIX":       p.Dir,
		"WINEDLLOVERRIDES": dllOverrides,
	}
	if _, ok := os.LookupEnv("WINEDEBUG"); !ok {
		set["WINEDEBUG"] = "-all"
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ours := set[k]; !ours {
			env = append(env, kv)
		}
	}
	for _, k := range []string{"WINEPREFIX", "WINEDEBUG", "WINEDLLOVERRIDES"} {
		if v, ok := set[k]; ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// run runs one preparation step.
func (p *Prefix) run(ctx context.Context, step, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = p.environ()
	out, err := capture(cmd)
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return fmt.Errorf("wine: prefix %s: %s: %w%s", p.Dir, step, err, tail(out))
}

// Output runs exe with args in the prefix, like Command, with extra
// environment variables env ("KEY=value"), and returns its standard output
// and standard error together. The output goes through a temporary file,
// not a pipe: Wine starts background processes that inherit the program's
// descriptors, and a pipe would keep the caller waiting for them.
func (p *Prefix) Output(ctx context.Context, env []string, exe string, args ...string) ([]byte, error) {
	cmd := p.Command(ctx, exe, args...)
	cmd.Env = append(cmd.Env, env...)
	return capture(cmd)
}

// capture runs cmd with its output going to a temporary file, and returns
// the output.
func capture(cmd *exec.Cmd) ([]byte, error) {
	log, err := os.CreateTemp("", "wine-output-*.log")
	if err != nil {
		return nil, err
	}
	defer os.Remove(log.Name())
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	runErr := cmd.Run()
	out, err := os.ReadFile(log.Name())
	if runErr != nil {
		return out, runErr
	}
	return out, err
}

// Need finds Wine for a test, or, when it is missing, skips the test with
// a message saying what is missing — or fails it when Required (CI=true)
// says Wine must be there.
func Need(t testing.TB) *Wine {
	t.Helper()
	return need(t, Find)
}

func need(t testing.TB, find func() (*Wine, error)) *Wine {
	t.Helper()
	w, err := find()
	if err != nil {
		if Required() {
			t.Fatalf("Wine is required here (CI=true): %v", err)
		}
		t.Skipf("SKIPPED, Wine is not installed: %v", err)
	}
	return w
}

// tail formats the last lines of a command's output for an error message.
func tail(out []byte) string {
	const maxLines, maxBytes = 20, 2000
	s := strings.TrimSpace(string(out))
	if s == "" {
		return " (no output)"
	}
	if len(s) > maxBytes {
		s = "…" + strings.ToValidUTF8(s[len(s)-maxBytes:], "")
	}
	lines := strings.Split(s, "\n")
	if len(lines) > maxLines {
		lines = append([]string{"…"}, lines[len(lines)-maxLines:]...)
	}
	return "; output ends:\n\t" + strings.Join(lines, "\n\t")
}
