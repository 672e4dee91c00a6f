package render

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/bitsim/bitsim/trace"
)

// Chrome writes recs in the Trace Event Format (the JSON that Perfetto,
// ui.perfetto.dev and chrome://tracing open).
//
// Each user is a process whose threads are its notification slots (G31):
// every call is an "X" (complete) event on the slot it held, and a counter
// "slots in use" follows how many are busy. Each client is a process whose
// threads are its threads: there a call is a "B"/"E" pair, so calls nested
// on an STA thread (G34) stack under their parent. A "jobs" process has a
// thread per job with its states as "X" spans and the job's other events
// (owed, dropped, retry planned, waiting for a slot, registration …) as
// instants, a thread per job for the runs of its notification program,
// and a counter per job of the bytes transferred.
// Metadata events name every process and thread. Every event carries its
// seq, a description and the rule behind it in args.
//
// Virtual time is written in microseconds with nanosecond decimals
// ("ts": 2000000.000 is 2 s). Strings are written with encoding/json,
// which escapes <, > and & as well as quotes and control characters.
func Chrome(w io.Writer, recs []trace.Record) error {
	tl := build(recs)
	cw := chromeWriter{w: bufio.NewWriter(w), tl: tl}
	cw.w.WriteString("{\"traceEvents\":[\n")
	cw.metadata()
	cw.events()
	cw.w.WriteString("\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":")
	cw.put(chromeOther{
		Generator: "bitsim render.Chrome", Scenario: tl.run.scenario,
		Seed: strconv.FormatUint(tl.run.seed, 10), Version: tl.run.version,
		End: tl.run.endReason,
	})
	cw.w.WriteString("}\n")
	if cw.err != nil {
		return cw.err
	}
	return cw.w.Flush()
}

// micros is a virtual time written as microseconds with three decimals.
type micros time.Duration

func (m micros) MarshalJSON() ([]byte, error) {
	d := int64(m)
	sign := ""
	u := uint64(d)
	if d < 0 {
		sign, u = "-", -u
	}
	frac := strconv.FormatUint(u%1000+1000, 10)[1:]
	return []byte(sign + strconv.FormatUint(u/1000, 10) + "." + frac), nil
}

type chromeEvent struct {
	Name string  `json:"name"`
	Cat  string  `json:"cat,omitempty"`
	Ph   string  `json:"ph"`
	Ts   micros  `json:"ts"`
	Dur  *micros `json:"dur,omitempty"`
	Pid  int     `json:"pid"`
	Tid  int     `json:"tid"`
	S    string  `json:"s,omitempty"`
	Args any     `json:"args,omitempty"`
}

type chromeOther struct {
	Generator string `json:"generator"`
	Scenario  string `json:"scenario"`
	Seed      string `json:"seed"`
	Version   string `json:"version"`
	End       string `json:"end"`
}

type nameArgs struct {
	Name string `json:"name"`
}

type sortArgs struct {
	SortIndex int `json:"sort_index"`
}

type counterArgs struct {
	InUse int `json:"in use"`
}

type bytesArgs struct {
	Bytes int64 `json:"bytes"`
}

type callArgs struct {
	Call     int64  `json:"call"`
	Job      string `json:"job"`
	User     string `json:"user"`
	Client   string `json:"client"`
	Method   string `json:"method"`
	Lane     string `json:"lane"`
	Parent   int64  `json:"parent"`
	Slot     int    `json:"slot"`
	Result   string `json:"result"`
	Meaning  string `json:"meaning,omitempty"`
	BeginSeq int64  `json:"begin_seq"`
	EndSeq   int64  `json:"end_seq,omitempty"`
	Why      string `json:"why,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
}

type eventArgs struct {
	Seq  int64  `json:"seq"`
	Ev   string `json:"ev"`
	Desc string `json:"desc"`
	Why  string `json:"why,omitempty"`
}

type cmdArgs struct {
	Job      string `json:"job"`
	Run      int64  `json:"run"`
	Code     *int64 `json:"code,omitempty"`
	BeginSeq int64  `json:"begin_seq"`
	Why      string `json:"why,omitempty"`
}

type chromeWriter struct {
	w     *bufio.Writer
	tl    *timeline
	n     int // events written
	err   error
	user  map[string]int // user → pid
	cli   map[string]int // client → pid
	jobID map[string]int // job → index
	jobs  int            // pid of the jobs process
}

// put writes one JSON value; encoding/json escapes every string.
func (cw *chromeWriter) put(v any) {
	if cw.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		cw.err = err
		return
	}
	cw.w.Write(b)
}

func (cw *chromeWriter) event(e chromeEvent) {
	if cw.n > 0 {
		cw.w.WriteString(",\n")
	}
	cw.n++
	cw.put(e)
}

func (cw *chromeWriter) meta(name string, pid, tid int, args any) {
	cw.event(chromeEvent{Name: name, Ph: "M", Pid: pid, Tid: tid, Args: args})
}

func (cw *chromeWriter) metadata() {
	tl := cw.tl
	cw.user = map[string]int{}
	cw.cli = map[string]int{}
	cw.jobID = map[string]int{}
	pid := 1
	for _, u := range tl.users {
		cw.user[u.name] = pid
		cw.meta("process_name", pid, 0, nameArgs{"user " + u.name + " (notification slots)"})
		cw.meta("process_sort_index", pid, 0, sortArgs{pid})
		for k := range max(len(u.busy), slotRows(tl)) {
			cw.meta("thread_name", pid, k+1, nameArgs{"slot " + strconv.Itoa(k)})
			cw.meta("thread_sort_index", pid, k+1, sortArgs{k})
		}
		pid++
	}
	for _, c := range tl.clients {
		cw.cli[c.name] = pid
		label := "client " + c.name
		if c.apartment != "" {
			label += " (" + c.apartment + ", user " + c.user + ")"
		}
		cw.meta("process_name", pid, 0, nameArgs{label})
		cw.meta("process_sort_index", pid, 0, sortArgs{pid})
		for k := range max(len(c.active), 1) {
			name := "thread " + strconv.Itoa(k)
			if c.apartment == "STA" {
				name = "STA thread " + strconv.Itoa(k)
			}
			cw.meta("thread_name", pid, k+1, nameArgs{name})
		}
		pid++
	}
	cw.jobs = pid
	cw.meta("process_name", pid, 0, nameArgs{"jobs"})
	cw.meta("process_sort_index", pid, 0, sortArgs{pid})
	for k, j := range tl.jobs {
		cw.jobID[j.name] = k
		cw.meta("thread_name", pid, 2*k+1, nameArgs{j.name})
		cw.meta("thread_sort_index", pid, 2*k+1, sortArgs{2 * k})
		cw.meta("thread_name", pid, 2*k+2, nameArgs{j.name + " notification program"})
		cw.meta("thread_sort_index", pid, 2*k+2, sortArgs{2*k + 1})
	}
}

// slotRows is the number of slot rows drawn for every user: the cap, or
// more if a trace broke it.
func slotRows(tl *timeline) int {
	if tl.run.cap > 0 && tl.run.cap <= 64 {
		return int(tl.run.cap)
	}
	return 1
}

func (cw *chromeWriter) events() {
	tl := cw.tl
	// Job states as spans, first, so instants land inside them.
	for k, j := range tl.jobs {
		for _, s := range j.segments {
			d := micros(s.end - s.begin)
			cw.event(chromeEvent{Name: s.state.String(), Cat: "state", Ph: "X", Ts: micros(s.begin), Dur: &d,
				Pid: cw.jobs, Tid: 2*k + 1, Args: eventArgs{Seq: tl.recs[s.beginIdx].Seq, Ev: "job.state", Desc: tl.events[s.beginIdx].desc}})
		}
	}
	for i := range tl.recs {
		r := &tl.recs[i]
		ev := &tl.events[i]
		args := eventArgs{Seq: r.Seq, Ev: r.Ev.String(), Desc: ev.desc, Why: ev.why.String()}
		if r.Ev == trace.EvUnknown {
			args.Ev = r.Name
		}
		if (r.Ev == trace.EvCallQueued || r.Ev == trace.EvCallUnqueued) && ev.user != "" {
			cw.counter(ev.user, r.T, i) // a queued call holds its slot (G31)
		}
		switch r.Ev {
		case trace.EvCallBegin:
			if ev.call != nil {
				cw.callBegin(ev.call)
			}
		case trace.EvCallEnd:
			if ev.call != nil && ev.call.endIdx == i {
				cw.callEnd(ev.call)
			}
		case trace.EvCmdlineStart:
			cw.cmdRun(i)
		case trace.EvClientStart, trace.EvClientExit, trace.EvUserAction:
			cw.event(chromeEvent{Name: ev.desc, Cat: "client", Ph: "i", S: "p", Ts: micros(r.T), Pid: cw.cli[r.Client], Tid: 1, Args: args})
		case trace.EvRunStart, trace.EvRunEnd, trace.EvLimit, trace.EvRunConfig, trace.EvUserLogoff, trace.EvUserLogon, trace.EvNetworkDown, trace.EvNetworkUp:
			cw.event(chromeEvent{Name: ev.desc, Cat: "run", Ph: "i", S: "g", Ts: micros(r.T), Pid: cw.jobs, Tid: 0, Args: args})
		case trace.EvJobProgress:
			cw.event(chromeEvent{Name: "bytes " + r.Job, Ph: "C", Ts: micros(r.T), Pid: cw.jobs, Args: bytesArgs{r.Bytes}})
		case trace.EvJobState, trace.EvCmdlineExit:
			// drawn as spans
		default:
			// Job events on the job's thread; anything else (an event
			// this version does not know) on the jobs process itself.
			tid, scope := 0, "p"
			if k, ok := cw.jobID[r.Job]; ok {
				tid, scope = 2*k+1, "t"
			}
			cw.event(chromeEvent{Name: ev.desc, Cat: "job", Ph: "i", S: scope, Ts: micros(r.T), Pid: cw.jobs, Tid: tid, Args: args})
		}
	}
	// Calls the trace never ended close at its last instant, innermost
	// first so B/E pairs stay nested.
	for k := len(tl.calls) - 1; k >= 0; k-- {
		if c := tl.calls[k]; !c.ended() {
			cw.event(chromeEvent{Name: c.method.String() + " " + c.job, Cat: "call", Ph: "E", Ts: micros(tl.end),
				Pid: cw.cli[c.client], Tid: c.thread + 1})
		}
	}
}

func (cw *chromeWriter) callArgs(c *call) callArgs {
	a := callArgs{
		Call: c.id, Job: c.job, User: c.user, Client: c.client, Method: c.method.String(),
		Lane: c.lane.String(), Parent: c.parent, Slot: c.slot, BeginSeq: c.beginSeq, EndSeq: c.endSeq,
		Why: c.why.String(), Outcome: c.outcome,
	}
	switch {
	case !c.ended():
		a.Result = "never returned (trace ends)"
	case c.outcome == trace.OutcomeDisconnected:
		a.Result = "client disconnected"
	case c.outcome != "":
		a.Result = c.outcome + " " + hrString(c.hr)
	default:
		a.Result = hrString(c.hr)
	}
	a.Meaning = c.result.String()
	return a
}

func (cw *chromeWriter) callBegin(c *call) {
	d := micros(c.end - c.begin)
	args := cw.callArgs(c)
	cw.event(chromeEvent{Name: c.method.String(), Cat: "call," + c.lane.String(), Ph: "X", Ts: micros(c.begin), Dur: &d,
		Pid: cw.user[c.user], Tid: c.slot + 1, Args: args})
	cw.counter(c.user, c.begin, c.beginIdx)
	cw.event(chromeEvent{Name: c.method.String() + " " + c.job, Cat: "call", Ph: "B", Ts: micros(c.begin),
		Pid: cw.cli[c.client], Tid: c.thread + 1, Args: args})
}

func (cw *chromeWriter) callEnd(c *call) {
	cw.counter(c.user, c.end, c.endIdx)
	cw.event(chromeEvent{Name: c.method.String() + " " + c.job, Cat: "call", Ph: "E", Ts: micros(c.end),
		Pid: cw.cli[c.client], Tid: c.thread + 1, Args: struct {
			Result string `json:"result"`
			Seq    int64  `json:"seq"`
		}{cw.callArgs(c).Result, c.endSeq}})
}

func (cw *chromeWriter) counter(user string, t time.Duration, idx int) {
	cw.event(chromeEvent{Name: "slots in use", Ph: "C", Ts: micros(t), Pid: cw.user[user], Args: counterArgs{cw.tl.events[idx].inUse}})
}

func (cw *chromeWriter) cmdRun(i int) {
	if cr := cw.tl.events[i].cmd; cr != nil {
		d := micros(cr.end - cr.begin)
		a := cmdArgs{Job: cr.job, Run: cr.run, BeginSeq: cw.tl.recs[i].Seq, Why: cr.why.String()}
		if cr.endIdx >= 0 {
			code := cr.code
			a.Code = &code
		}
		cw.event(chromeEvent{Name: "notification program run " + strconv.FormatInt(cr.run, 10), Cat: "cmdline", Ph: "X",
			Ts: micros(cr.begin), Dur: &d, Pid: cw.jobs, Tid: 2*cw.jobID[cr.job] + 2, Args: a})
	}
}
