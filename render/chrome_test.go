package render_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bitsim/bitsim/render"
	"github.com/bitsim/bitsim/trace"
)

type chromeEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"`
	Dur  float64        `json:"dur"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	S    string         `json:"s"`
	Args map[string]any `json:"args"`
}

func chrome(t *testing.T, recs []trace.Record) (string, []chromeEvent) {
	t.Helper()
	var b bytes.Buffer
	if err := render.Chrome(&b, recs); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents     []chromeEvent `json:"traceEvents"`
		DisplayTimeUnit string        `json:"displayTimeUnit"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if doc.DisplayTimeUnit != "ns" {
		t.Errorf("displayTimeUnit %q", doc.DisplayTimeUnit)
	}
	return b.String(), doc.TraceEvents
}

func TestChromeTracks(t *testing.T) {
	recs := busyTrace()
	_, evs := chrome(t, recs)
	names := map[[2]int]string{} // (pid, tid) → thread name; tid 0: process name
	for _, e := range evs {
		if e.Ph == "M" && (e.Name == "process_name" || e.Name == "thread_name") {
			tid := e.Tid
			if e.Name == "process_name" {
				tid = 0
			}
			names[[2]int{e.Pid, tid}] = e.Args["name"].(string)
		}
	}
	// One X per call on a slot of its user; slots are reused and never
	// overlap; the cap of four is never exceeded in this trace.
	type span struct{ from, to float64 }
	bySlot := map[[2]int][]span{}
	calls := 0
	for _, e := range evs {
		if e.Ph != "X" || !strings.HasPrefix(e.Cat, "call") {
			continue
		}
		calls++
		slot := int(e.Args["slot"].(float64))
		if slot > 3 || e.Tid != slot+1 {
			t.Errorf("call %v in slot %d on tid %d", e.Args["call"], slot, e.Tid)
		}
		user := e.Args["user"].(string)
		if got := names[[2]int{e.Pid, 0}]; !strings.HasPrefix(got, "user "+user) {
			t.Errorf("call of %s on process %q", user, got)
		}
		if got := names[[2]int{e.Pid, e.Tid}]; got != fmt.Sprintf("slot %d", slot) {
			t.Errorf("slot %d on thread %q", slot, got)
		}
		k := [2]int{e.Pid, e.Tid}
		for _, o := range bySlot[k] {
			if e.Ts < o.to && o.from < e.Ts+e.Dur {
				t.Errorf("calls overlap in %s %q", names[[2]int{e.Pid, 0}], names[k])
			}
		}
		bySlot[k] = append(bySlot[k], span{e.Ts, e.Ts + e.Dur})
	}
	if calls != 11 {
		t.Errorf("%d call spans, want 11", calls)
	}
	// Call 6 (JobTransferred of job-5) waited and took the slot call 2 freed.
	for _, e := range evs {
		if e.Ph == "X" && e.Args["call"] == float64(6) {
			if e.Args["slot"] != float64(1) || e.Ts != 2000000 || e.Dur != 200000 {
				t.Errorf("call 6: %+v", e)
			}
			if !strings.Contains(e.Args["why"].(string), "high lane first") {
				t.Errorf("call 6 why: %v", e.Args["why"])
			}
		}
	}
	// B/E pairs on client threads balance and nest.
	depth := map[[2]int]int{}
	for _, e := range evs {
		switch e.Ph {
		case "B":
			depth[[2]int{e.Pid, e.Tid}]++
		case "E":
			k := [2]int{e.Pid, e.Tid}
			if depth[k]--; depth[k] < 0 {
				t.Errorf("E without B on %q", names[k])
			}
		}
	}
	for k, d := range depth {
		if d != 0 {
			t.Errorf("%d unbalanced B on %q", d, names[k])
		}
	}
	// The STA call nested in call 1 is on the same thread.
	var tid1, tid2 int
	for _, e := range evs {
		if e.Ph == "B" && e.Args["call"] == float64(1) {
			tid1 = e.Tid
		}
		if e.Ph == "B" && e.Args["call"] == float64(2) {
			tid2 = e.Tid
		}
	}
	if tid1 == 0 || tid1 != tid2 {
		t.Errorf("nested call on thread %d, parent on %d", tid2, tid1)
	}
	// Every job has a named thread, the program runs are spans.
	runs := 0
	for _, e := range evs {
		if e.Cat == "cmdline" {
			runs++
		}
	}
	if runs != 2 {
		t.Errorf("%d program runs, want 2", runs)
	}
	// The slots-in-use counter of alice reaches her cap of four and ends at 0.
	peak, last := 0.0, -1.0
	for _, e := range evs {
		if e.Ph == "C" && e.Name == "slots in use" && strings.HasPrefix(names[[2]int{e.Pid, 0}], "user alice") {
			peak = max(peak, e.Args["in use"].(float64))
			last = e.Args["in use"].(float64)
		}
	}
	if peak != 4 || last != 0 {
		t.Errorf("alice's slots in use: peak %v, last %v; want 4 and 0", peak, last)
	}
}

func TestChromeUnfinishedCallsClose(t *testing.T) {
	var b tb
	b.start("x", 1).client("app-1", "alice", "STA").
		begin(1, "job-1", "alice", "app-1", trace.JobModification, 0).
		at(sec).begin(2, "job-1", "alice", "app-1", trace.JobModification, 1).
		at(2 * sec)
	b.add(trace.Record{Ev: trace.EvJobProgress, Job: "job-1", Bytes: 10})
	_, evs := chrome(t, b.recs)
	var order []string
	for _, e := range evs {
		if e.Ph == "B" || e.Ph == "E" {
			order = append(order, fmt.Sprintf("%s%v@%v", e.Ph, e.Args["call"], e.Ts))
		}
	}
	// E events carry no call id; the inner call closes first, at the end.
	if got := strings.Join(order, " "); got != "B1@0 B2@1e+06 E<nil>@2e+06 E<nil>@2e+06" {
		t.Errorf("B/E order: %s", got)
	}
}
