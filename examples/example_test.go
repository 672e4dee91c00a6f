package examples_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/examples"
)

// caught runs CheckClient on app through a Recorder (as a go test function
// would, without failing this one) and says which check caught it.
func caught(name string, app func(*bitsimtest.ClientWorld) bitsimtest.App) string {
	rec := bitsimtest.NewRecorder(name)
	defer os.RemoveAll(filepath.Join("testdata", "rapid", name))
	defer os.Remove(filepath.Join("testdata", "failures", name+".jsonl"))
	rec.Run(func(tb rapid.TB) { bitsimtest.CheckClient(tb, app, bitsimtest.ClientOptions{}) })
	if !rec.Failed() {
		return "passes"
	}
	out := rec.Output()
	i := strings.Index(out, `fails check "`)
	return "fails " + strings.SplitN(out[i+len("fails "):], "\n", 2)[0]
}

// A Go client with a progress bar that acts on every message saying its
// job ended: the JobModification of the state change and the
// JobTransferred both (bug class 4).
func ExampleNewProgress() {
	fmt.Println(caught("ExampleNewProgress_fixed", examples.NewProgress(examples.ProgressFixed)))
	fmt.Println(caught("ExampleNewProgress_ends_twice", examples.NewProgress(examples.ProgressEndsTwice)))
	// Output:
	// passes
	// fails check "outcome-twice" (rule G18-G20)
}

// An application that leaves the work to its notification program, which
// BITS does not run while the callback succeeds (bug class 11, G25).
func ExampleNewInstaller() {
	fmt.Println(caught("ExampleNewInstaller_fixed", examples.NewInstaller(false)))
	fmt.Println(caught("ExampleNewInstaller_buggy", examples.NewInstaller(true)))
	// Output:
	// passes
	// fails check "outcome-missing"
}
