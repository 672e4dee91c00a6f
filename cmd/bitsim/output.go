package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// An outFile is where an --out is written. It never destroys what the path
// names:
//
//   - a path that does not exist yet, or a regular file (also through
//     symlinks, which are kept), is written through a temporary file in the
//     same directory that is renamed over it only when the output is
//     complete; an error leaves the old file as it was and no temporary
//     file behind;
//   - anything else (a character device such as /dev/null, a FIFO, a
//     socket, /dev/stdout, any path under /dev or /proc, a symlink to one of
//     them) is opened write-only and written directly; it is never removed
//     or renamed, even when writing fails.
type outFile struct {
	path  string // as given, for messages
	final string // the file a rename replaces ("" when direct)
	f     *os.File
	w     *bufio.Writer
	done  bool // committed or aborted
}

// maxSymlinkHops bounds the symlinks openOut follows, as the kernel does.
const maxSymlinkHops = 40

// openOut opens path for an output; see outFile. A missing directory is
// created (as sweep --out does for its directory).
func openOut(path string) (*outFile, error) {
	final, direct, err := resolveOut(path)
	if err != nil {
		return nil, err
	}
	o := &outFile{path: path}
	if direct {
		// Write-only, no O_TRUNC, no O_CREATE: a device or FIFO stays what
		// it is, and a pipe's reader may close its end at any time.
		if o.f, err = os.OpenFile(path, os.O_WRONLY, 0); err != nil {
			return nil, err
		}
		o.w = bufio.NewWriter(o.f)
		return o, nil
	}
	perm := fs.FileMode(0o644)
	if st, err := os.Stat(final); err == nil {
		perm = st.Mode().Perm() // replacing a file keeps its mode
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return nil, err
	}
	if o.f, err = os.CreateTemp(filepath.Dir(final), ".bitsim-*.tmp"); err != nil {
		return nil, err
	}
	if err := o.f.Chmod(perm); err != nil {
		o.abort()
		return nil, err
	}
	o.final = final
	o.w = bufio.NewWriter(o.f)
	return o, nil
}

// resolveOut follows path's symlinks. final is the regular file (or the
// missing path) a rename would replace; direct is true when the path must
// be written in place.
func resolveOut(path string) (final string, direct bool, err error) {
	p := path
	for range maxSymlinkHops {
		if specialPath(p) {
			return "", true, nil
		}
		st, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, false, nil
		}
		if err != nil {
			return "", false, err
		}
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return "", false, err
			}
			if !filepath.IsAbs(t) {
				t = filepath.Join(filepath.Dir(p), t)
			}
			p = t
		case st.Mode().IsRegular():
			return p, false, nil
		case st.IsDir():
			return "", false, fmt.Errorf("%s is a directory", p)
		default: // device, FIFO, socket
			return "", true, nil
		}
	}
	return "", false, fmt.Errorf("%s: too many levels of symbolic links", path)
}

// specialPath reports whether p is under /dev or /proc, whose entries
// (/dev/stdout, /proc/self/fd/1) stand for open files and must never be
// replaced.
func specialPath(p string) bool {
	if filepath.Separator != '/' {
		return false
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	return abs == "/dev" || abs == "/proc" || strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/")
}

func (o *outFile) Write(p []byte) (int, error) { return o.w.Write(p) }

// commit completes the output: flushes, closes and, for a temporary file,
// renames it into place.
func (o *outFile) commit() error {
	if o.done {
		return errors.New("output already finished")
	}
	o.done = true
	err := o.w.Flush()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		o.removeTemp()
		return err
	}
	if o.final != "" {
		if err := os.Rename(o.f.Name(), o.final); err != nil {
			o.removeTemp()
			return err
		}
	}
	return nil
}

// abort gives the output up: a temporary file is removed; a path written
// directly is closed and left in place. After commit it does nothing.
func (o *outFile) abort() {
	if o.done {
		return
	}
	o.done = true
	o.f.Close()
	o.removeTemp()
}

func (o *outFile) removeTemp() {
	if o.final != "" {
		os.Remove(o.f.Name())
	}
}

var _ io.Writer = (*outFile)(nil)
