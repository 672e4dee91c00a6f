//go:build linux

package main

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// noTemps fails if dir holds a temporary file of an output.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(dir, ".bitsim-*.tmp"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatalf("%s is gone: %v", path, err)
	}
	return st.Mode()
}

func TestOutNewFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "t.jsonl")
	r := cli(t, "", "run", "good", "--format", "jsonl", "--out", out)
	b, err := os.ReadFile(out)
	if r.code != exitOK || err != nil || string(b) != cli(t, "", "run", "good", "--format", "jsonl").stdout {
		t.Fatalf("got %+v, file %v %q", r, err, b)
	}
	if m := mode(t, out); m.Perm() != 0o644 {
		t.Errorf("new file mode %v", m)
	}
	noTemps(t, dir)
}

// An existing regular file is replaced whole on success, keeps its mode,
// and is left untouched when the run fails.
func TestOutExistingRegularFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "t.txt")
	if err := os.WriteFile(out, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if r := cli(t, "", "run", "broken", "--seed", "3", "--out", out); r.code != exitFound {
		t.Fatalf("got %+v", r)
	}
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("a failed run changed the file: %q", b)
	}
	if r := cli(t, "", "run", "good", "--out", out); r.code != exitOK {
		t.Fatalf("got %+v", r)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "job-1") {
		t.Errorf("file not replaced: %q", b)
	}
	if m := mode(t, out); m.Perm() != 0o640 {
		t.Errorf("mode %v, want the old 0640", m)
	}
	noTemps(t, dir)
}

// Through a symlink to a regular file, the target is replaced and the link
// stays a link.
func TestOutSymlinkToRegularFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.txt")
	link := filepath.Join(dir, "link.txt")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("target.txt", link); err != nil {
		t.Fatal(err)
	}
	if r := cli(t, "", "run", "good", "--out", link); r.code != exitOK {
		t.Fatalf("got %+v", r)
	}
	if mode(t, link)&fs.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), "job-1") {
		t.Errorf("target not written: %q", b)
	}
	noTemps(t, dir)
}

// A FIFO is written directly (a reader gets the bytes) and never removed,
// whether the run succeeds or fails.
func TestOutFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("SKIPPED: cannot make a FIFO here: %v", err)
	}
	read := func() <-chan string {
		got := make(chan string, 1)
		go func() {
			f, err := os.Open(fifo) // blocks until the CLI opens it for writing
			if err != nil {
				got <- "open: " + err.Error()
				return
			}
			defer f.Close()
			b, _ := io.ReadAll(f)
			got <- string(b)
		}()
		return got
	}
	got := read()
	r := cli(t, "", "run", "good", "--format", "jsonl", "--out", fifo)
	if r.code != exitOK {
		t.Fatalf("got %+v", r)
	}
	if s := <-got; s != cli(t, "", "run", "good", "--format", "jsonl").stdout {
		t.Errorf("reader got %q", s)
	}
	got = read()
	if r := cli(t, "", "run", "broken", "--seed", "3", "--out", fifo); r.code != exitFound {
		t.Fatalf("got %+v", r)
	}
	if s := <-got; s != "" {
		t.Errorf("a failed run wrote %q", s)
	}
	if m := mode(t, fifo); m&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is now %v", m)
	}
	noTemps(t, dir)
}

func TestOutDevNull(t *testing.T) {
	if r := cli(t, "", "run", "good", "--out", "/dev/null"); r.code != exitOK || r.stderr != "" {
		t.Fatalf("got %+v", r)
	}
	if m := mode(t, "/dev/null"); m&fs.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is now %v", m)
	}
}

// A copy of /dev/full: every write fails with ENOSPC. The error is one
// line, exit 2, and the node (and a symlink to it) is still there.
func TestOutDeviceThatFails(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("SKIPPED: making a copy of /dev/full needs root (mknod)")
	}
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	if err := syscall.Mknod(full, syscall.S_IFCHR|0o666, 1<<8|7); err != nil {
		t.Skipf("SKIPPED: mknod of a /dev/full copy is not allowed here: %v", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(full, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{full, link} {
		r := cli(t, "", "run", "good", "--out", path)
		wantUsageError(t, r, "bitsim run: ", "no space left on device")
		if m := mode(t, full); m&fs.ModeCharDevice == 0 {
			t.Fatalf("the device node is now %v", m)
		}
		if m := mode(t, link); m&fs.ModeSymlink == 0 {
			t.Fatalf("the symlink is now %v", m)
		}
		sw := cli(t, "", "sweep", "good", "--seeds", "0:2", "--out", dir)
		if sw.code != exitOK {
			t.Fatalf("sweep: %+v", sw)
		}
	}
	noTemps(t, dir)
}

// /dev/stdout, anything under /proc, and a symlink to them are written in
// place, never through a temporary file.
func TestResolveOutSpecialPaths(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "out")
	if err := os.Symlink("/proc/self/fd/1", link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/dev/stdout", "/proc/self/fd/1", link, "/dev/null"} {
		if _, direct, err := resolveOut(p); err != nil || !direct {
			t.Errorf("%s: direct %v, err %v", p, direct, err)
		}
	}
	if _, _, err := resolveOut(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v", err)
	}
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink("loop", loop); err != nil {
		t.Fatal(err)
	}
	if _, _, err := resolveOut(loop); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Errorf("a symlink loop: %v", err)
	}
}
