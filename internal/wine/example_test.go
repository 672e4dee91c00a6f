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

	cmd := p.Command(ctx, "/tmp/hello.exe", "-v")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr // files, not pipes (see Output)
	if err := cmd.Run(); err != nil {
		log.Fatalf("hello.exe: %v", err)
	}
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

// Required is what decides, in Need and anywhere else, whether a missing
// Wine fails a test (CI=true) or skips it.
func ExampleRequired() {
	if _, err := wine.Find(); err != nil && !wine.Required() {
		fmt.Println("no Wine here: the real-Windows checks will be skipped")
	}
}

// Every Wine-dependent test starts with Need: it skips where Wine is
// missing, naming what is missing, but fails where CI=true, so that a CI
// machine without Wine cannot silently skip the real-Windows checks.
func ExampleNeed() {
	testUnderWine := func(t *testing.T) {
		w := wine.Need(t)
		p, err := w.Prefix(t.Context(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Shutdown() })
		// ... p.Output(...) ...
	}
	_ = testUnderWine
}

// Output is how a test runs a program and reads what it printed: through a
// file, so Wine's background processes cannot keep it waiting on a pipe.
func ExamplePrefix_Output() {
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
	out, err := p.Output(ctx, []string{"BITSIM_REAL_BITS=1"}, "/tmp/combridge.test.exe", "-test.v")
	if err != nil {
		log.Fatalf("the tests failed: %v\n%s", err, out)
	}
	fmt.Printf("%s", out)
}
