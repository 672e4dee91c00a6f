package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bitsim/bitsim/render"
)

// --axis time draws render.HTMLWith's time axis, for run and render alike;
// the default is the events axis of render.HTML; a bad axis, or an axis
// other than the default with another format, is a one-line usage error.
func TestAxisFlag(t *testing.T) {
	var want bytes.Buffer
	if err := render.HTMLWith(&want, testTrace(9, 3), render.Options{Axis: render.AxisTime}); err != nil {
		t.Fatal(err)
	}
	run := cli(t, "", "run", "good", "--seed", "9", "--format", "html")
	timed := cli(t, "", "run", "good", "--seed", "9", "--format", "html", "--axis", "time")
	if timed.code != exitOK || timed.stdout == run.stdout {
		t.Fatalf("run --axis time: code %d, same page as the default: %v", timed.code, timed.stdout == run.stdout)
	}
	if def := cli(t, "", "run", "good", "--seed", "9", "--format", "html", "--axis", "events"); def.stdout != run.stdout {
		t.Error("--axis events differs from the default")
	}
	rendered := cli(t, encode(t, testTrace(9, 3)), "render", "-", "--format", "html", "--axis=time")
	if rendered.code != exitOK || rendered.stdout != want.String() {
		t.Errorf("render --axis=time: code %d, not render.HTMLWith's time axis", rendered.code)
	}
	for _, args := range [][]string{
		{"run", "good", "--format", "html", "--axis", "linear"},
		{"run", "good", "--format", "text", "--axis", "time"},
		{"render", "-", "--format", "chrome", "--axis", "time"},
	} {
		r := cli(t, encode(t, testTrace(9, 1)), args...)
		if r.code != exitUsage || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "--axis") || r.stdout != "" {
			t.Errorf("%q: code %d, stderr %q, %d bytes out", args, r.code, r.stderr, len(r.stdout))
		}
	}
}
