package render_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/render"
	"github.com/bitsim/bitsim/trace"
)

// transferTrace is the example of docs/TRACE.md: alice's job transfers and
// her client's JobTransferred returns S_OK.
func transferTrace() []trace.Record {
	const (
		transferring = callbackabi.BG_JOB_STATE_TRANSFERRING
		transferred  = callbackabi.BG_JOB_STATE_TRANSFERRED
	)
	recs := []trace.Record{
		{T: 0, Ev: trace.EvRunStart, Seed: 7, Scenario: "transfer-complete", Version: "bitsim/1"},
		{T: 0, Ev: trace.EvClientStart, Client: "app-1", User: "alice", Apartment: "MTA"},
		{T: 0, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"},
		{T: 0, Ev: trace.EvJobRegister, Job: "job-1", Client: "app-1", User: "alice"},
		{T: 0, Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_SUSPENDED, To: transferring},
		{T: 2 * time.Second, Ev: trace.EvJobState, Job: "job-1", From: transferring, To: transferred},
		{T: 2 * time.Second, Ev: trace.EvCallBegin, Call: 1, Job: "job-1", User: "alice", Client: "app-1",
			Method: trace.JobTransferred, Lane: trace.LaneHigh},
		{T: 2*time.Second + 5*time.Millisecond, Ev: trace.EvCallEnd, Call: 1, HR: callbackabi.S_OK},
		{T: 2*time.Second + 5*time.Millisecond, Ev: trace.EvRunEnd, Reason: "idle"},
	}
	for i := range recs {
		recs[i].Seq = int64(i + 1)
	}
	return recs
}

// Text prints one line per event: virtual time, seq, the slots of the
// user in use (here one of alice's four), what happened and the rule
// behind it.
func ExampleText() {
	if err := render.Text(os.Stdout, transferTrace()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// bitsim trace: scenario transfer-complete, seed 7, bitsim/1
	// options: not recorded; assuming 4 calls at once per user (G31)
	// about the notes: notes after # cite rules G1-G50 of the BITS reference (bits-semantics.md; titles
	//   under "rules seen" below); "ambiguity N" is row N of docs/MODEL.md §2, which explains each
	//   modelling choice
	//
	//   time   seq  slots       event
	// 0.000s     1              run starts: scenario transfer-complete, seed 7, bitsim/1
	// 0.000s     2              client app-1 starts (user alice, MTA)
	// 0.000s     3              job-1 created by alice
	// 0.000s     4              job-1 callback set: app-1 (as alice)
	// 0.000s     5              job-1 SUSPENDED -> TRANSFERRING
	// 2.000s     6              job-1 TRANSFERRING -> TRANSFERRED  # JobTransferred is owed (G11)
	// 2.000s     7  alice #...  call 1 JobTransferred job-1 -> app-1 [high lane]
	//                           # job TRANSFERRED, high lane (G11, G32)
	// 2.005s     8  alice ....  call 1 JobTransferred job-1 returns S_OK  # slot freed
	// 2.005s     9              run ends: idle
	//
	// 9 events over 2.005s of virtual time; 1 call; ended: idle
	// peak slots in use: alice 1
	// rules seen (rule, its title in the BITS reference, how many notes above cite it):
	//   G11  JobTransferred trigger                                  x2
	//   G32  Two priority lanes, no order between them               x1
}

// TextWith heads the timeline with the scenario's one-line summary (what
// bitsim list shows), so a reader knows what the run is meant to show.
func ExampleTextWith() {
	var b strings.Builder
	err := render.TextWith(&b, transferTrace(), render.Options{Summary: "one job finishes; its JobTransferred returns S_OK"})
	if err != nil {
		fmt.Println(err)
	}
	lines := strings.SplitN(b.String(), "\n", 3)
	fmt.Println(lines[0])
	fmt.Println(lines[1])
	// Output:
	// bitsim trace: scenario transfer-complete, seed 7, bitsim/1
	// what it shows: one job finishes; its JobTransferred returns S_OK
}

// Chrome writes Trace Event Format JSON: save it to a file and open it in
// ui.perfetto.dev or chrome://tracing. Here we only list the call spans:
// the JobTransferred held slot 0 of alice for 5 ms (ts and dur are in
// microseconds).
func ExampleChrome() {
	var buf bytes.Buffer
	if err := render.Chrome(&buf, transferTrace()); err != nil {
		fmt.Println(err)
		return
	}
	var doc struct {
		TraceEvents []struct {
			Name string         `json:"name"`
			Ph   string         `json:"ph"`
			Ts   float64        `json:"ts"`
			Dur  float64        `json:"dur"`
			Args map[string]any `json:"args"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range doc.TraceEvents {
		if e.Ph == "X" && e.Args["call"] != nil {
			fmt.Printf("%s ts=%v dur=%v user=%v slot=%v result=%q\n", e.Name, e.Ts, e.Dur, e.Args["user"], e.Args["slot"], e.Args["result"])
		}
	}
	// Output:
	// JobTransferred ts=2e+06 dur=5000 user=alice slot=0 result="S_OK"
}

// HTML writes one page that opens in any browser without a network: an
// SVG timeline with a bar of class "call-bar" per call, a legend, the
// rules seen and the event log.
func ExampleHTML() {
	var buf bytes.Buffer
	if err := render.HTML(&buf, transferTrace()); err != nil {
		fmt.Println(err)
		return
	}
	page := buf.String()
	fmt.Println(strings.HasPrefix(page, "<!DOCTYPE html>"))
	fmt.Println(strings.Count(page, `<g class="call-bar `), "call bar")
	fmt.Println(strings.Contains(page, `data-method="JobTransferred" data-job="job-1" data-user="alice"`))
	// Output:
	// true
	// 1 call bar
	// true
}

// HTMLWith draws the same page with options: here a horizontal axis of
// virtual time, on which everything that happens at one instant has one x.
func ExampleHTMLWith() {
	var buf bytes.Buffer
	if err := render.HTMLWith(&buf, transferTrace(), render.Options{Axis: render.AxisTime}); err != nil {
		fmt.Println(err)
		return
	}
	page := buf.String()
	fmt.Println(strings.Count(page, `<g class="call-bar `), "call bar")
	fmt.Println(strings.Contains(page, `Horizontal: virtual time`))
	// Output:
	// 1 call bar
	// true
}

// ParseAxis reads the name of an axis, as the command line's --axis gives
// it.
func ExampleParseAxis() {
	ax, err := render.ParseAxis("time")
	fmt.Println(ax, err)
	_, err = render.ParseAxis("linear")
	fmt.Println(err)
	// Output:
	// time <nil>
	// unknown axis "linear" (want events or time)
}
