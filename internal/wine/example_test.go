package wine_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"testing"
	"time"

	"github.com/bitsim/bitsim/internal/wine"
)

// Find reports exactly what is missing; a test turns that into a skip,
// or into a failure on CI (see Required).
func ExampleFind() {
	w, err := wine.Find()
	if errors.Is(err, wine.ErrNotFound) {
		fmt.Println(err) // ...; install it with: apt-get install -y wine64
		return
	}
	fmt.Println("wine64:", w.Wine64, "wineserver:", w.Wineserver)
}

// Preparing a prefix: the first call boots it (seconds, ~700 MB), later
// calls on the same directory only settle it and check the shim.
func ExampleWine_Prefix() {
	w, err := wine.Find()
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "prefix")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a hang guard
	defer cancel()
	p, err := w.Prefix(ctx, dir)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Shutdown()
	fmt.Println("WINEPREFIX=" + p.Dir)
}

// Running a Windows program (here a Go program built with GOOS=windows
// GOARCH=amd64) and collecting its output.
func ExamplePrefix_Command() {
	w, err := wine.Find()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	p, err := w.Prefix(ctx, "/tmp/bitsim-prefix")
	if err != nil {
		log.Fatal(err)
	}
	defer p.Shutdown()

	out, err := p.Command(ctx, "/tmp/hello.exe", "-v").CombinedOutput()
	if err != nil {
		log.Fatalf("hello.exe: %v\n%s", err, out)
	}
	fmt.Printf("%s", out)
}

// Shutdown belongs in t.Cleanup: it stops the wineserver and any Windows
// process still running in the prefix, and is a no-op when none is.
func ExamplePrefix_Shutdown() {
	w, err := wine.Find()
	if err != nil {
		log.Fatal(err)
	}
	p, err := w.Prefix(context.Background(), "/tmp/bitsim-prefix")
	if err != nil {
		log.Fatal(err)
	}
	if err := p.Shutdown(); err != nil {
		log.Fatal(err)
	}
}

// The helper every Wine-dependent test starts with: skip where Wine is
// missing, naming what is missing, but fail where CI=true, so that a CI
// machine without Wine cannot silently skip the real-Windows checks.
func ExampleRequired() {
	needWine := func(t testing.TB) *wine.Wine {
		t.Helper()
		w, err := wine.Find()
		if err != nil {
			if wine.Required() {
				t.Fatalf("Wine is required here (CI=true): %v", err)
			}
			t.Skipf("skipping, Wine is not installed: %v", err)
		}
		return w
	}
	_ = needWine // in a test: w := needWine(t)
}
