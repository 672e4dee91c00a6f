package main

import (
	"strings"
	"testing"

	"github.com/bitsim/bitsim/trace"
)

// longTrace returns a parseable trace of exactly n records: testTrace's
// records repeated, renumbered, with t never going back.
func longTrace(n int) []trace.Record {
	base := testTrace(1, 1)
	out := make([]trace.Record, n)
	for i := range out {
		out[i] = base[i%len(base)]
		out[i].Seq = int64(i + 1)
		out[i].T = base[len(base)-1].T
	}
	return out
}

// render --format html refuses a trace too big to draw as one page, in one
// line that says what to do instead, and still draws one at the limit;
// text has no limit.
func TestRenderHTMLRefusesATraceTooBigToDraw(t *testing.T) {
	over := encode(t, longTrace(htmlMaxRecords+1))
	wantUsageError(t, cli(t, over, "render", "-", "--format", "html"),
		"bitsim render: ", "standard input: more than 20000 records", "--format chrome")
	if r := cli(t, over, "render", "-", "--format", "text"); r.code != exitOK {
		t.Errorf("text of %d records: exit %d, stderr %q", htmlMaxRecords+1, r.code, r.stderr)
	}
	at := cli(t, encode(t, longTrace(htmlMaxRecords)), "render", "-", "--format", "html")
	if at.code != exitOK || !strings.Contains(at.stdout, "<html") {
		t.Errorf("html of %d records: exit %d, stderr %q", htmlMaxRecords, at.code, at.stderr)
	}
}
