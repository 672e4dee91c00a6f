package trace_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

func ExampleEncode() {
	recs := []trace.Record{
		{Seq: 1, T: 0, Ev: trace.EvRunStart, Seed: 7, Scenario: "transfer-complete", Version: "bitsim/1"},
		{Seq: 2, T: 2 * time.Second, Ev: trace.EvJobState, Job: "job-1",
			From: callbackabi.BG_JOB_STATE_TRANSFERRING, To: callbackabi.BG_JOB_STATE_TRANSFERRED},
		{Seq: 3, T: 2 * time.Second, Ev: trace.EvCallBegin, Call: 1, Job: "job-1", User: "alice", Client: "app-1",
			Method: trace.JobTransferred, Lane: trace.LaneHigh},
		{Seq: 4, T: 2 * time.Second, Ev: trace.EvCallEnd, Call: 1, HR: callbackabi.S_OK},
		{Seq: 5, T: 2 * time.Second, Ev: trace.EvRunEnd, Reason: "idle"},
	}
	if err := trace.Encode(os.Stdout, recs); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"seq":1,"t":0,"ev":"run.start","seed":7,"scenario":"transfer-complete","version":"bitsim/1"}
	// {"seq":2,"t":2000000000,"ev":"job.state","job":"job-1","from":"TRANSFERRING","to":"TRANSFERRED"}
	// {"seq":3,"t":2000000000,"ev":"call.begin","call":1,"job":"job-1","user":"alice","client":"app-1","method":"JobTransferred","lane":"high","parent":0}
	// {"seq":4,"t":2000000000,"ev":"call.end","call":1,"hr":"0x00000000"}
	// {"seq":5,"t":2000000000,"ev":"run.end","reason":"idle"}
}

func ExampleAppendJSON() {
	// Hostile strings stay on one line and are safe to paste into HTML.
	r := trace.Record{Seq: 1, Ev: trace.EvJobCreate, Job: "</script>\n\"x\"", User: "alice"}
	os.Stdout.Write(trace.AppendJSON(nil, &r))
	// Output:
	// {"seq":1,"t":0,"ev":"job.create","job":"\u003c/script\u003e\n\"x\"","user":"alice"}
}

func ExampleParse() {
	const in = `{"seq":1,"t":0,"ev":"run.start","seed":7,"scenario":"demo","version":"bitsim/1"}
{"seq":2,"t":5,"ev":"call.end","call":1,"outcome":"disconnected"}
{"seq":3,"t":5,"ev":"wine.quirk","detail":"kept, not understood"}
`
	recs, err := trace.Parse(strings.NewReader(in))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range recs {
		fmt.Printf("%d %v %v name=%q outcome=%q\n", r.Seq, r.T, r.Ev, r.Name, r.Outcome)
	}

	// A broken trace is an error naming its line.
	_, err = trace.Parse(strings.NewReader(in + `{"seq":5,"t":5,"ev":"run.end","reason":"idle"}`))
	fmt.Println(err)
	_, err = trace.Parse(strings.NewReader(`{"seq":1,"t":0,"ev":"call.end","call":1,"hr":"S_OK"}`))
	fmt.Println(err)
	// Output:
	// 1 0s run.start name="" outcome=""
	// 2 5ns call.end name="" outcome="disconnected"
	// 3 5ns ? name="wine.quirk" outcome=""
	// trace: line 4: seq is 5, want 4 (seq counts 1, 2, 3 … without gaps)
	// trace: line 1: key "hr": "S_OK" is not an HRESULT ("0x" and 8 hex digits)
}

func ExampleReader() {
	const in = `{"seq":1,"t":0,"ev":"job.create","job":"job-1","user":"alice"}
{"seq":2,"t":7,"ev":"job.progress","job":"job-1","bytes":4096}
`
	r := trace.NewReader(strings.NewReader(in))
	r.MaxRecords = 1000 // bound what an untrusted file may hold
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(rec.Seq, rec.Ev, rec.Job)
	}
	// Output:
	// 1 job.create job-1
	// 2 job.progress job-1
}

func ExampleHash() {
	run := func() []trace.Record {
		var l trace.Log
		l.Append(trace.Record{Ev: trace.EvRunStart, Seed: 7, Scenario: "demo", Version: "bitsim/1"})
		l.Append(trace.Record{Ev: trace.EvRunEnd, Reason: "idle"})
		return l.Records()
	}
	a, b := run(), run()
	fmt.Println(trace.Hash(a) == trace.Hash(b)) // the determinism self-check
	fmt.Println(trace.HashString(a))
	// Output:
	// true
	// 56d56f901ceb89606cf5706b7aea78ce49c180e74a92e57e4957a6c567742c76
}

func ExampleLog() {
	var l trace.Log // keeps every record
	l.SetLimit(1_000_000)
	l.Append(trace.Record{Ev: trace.EvJobCreate, Job: "job-1", User: "alice"})
	l.Append(trace.Record{T: time.Second, Ev: trace.EvJobState, Job: "job-1",
		From: callbackabi.BG_JOB_STATE_QUEUED, To: callbackabi.BG_JOB_STATE_CONNECTING})
	fmt.Println(l.Len(), l.Records()[1].Seq, l.Err())

	// A big run: keep only the hash. Same appends, same hash.
	var big trace.Log
	big.SetMode(trace.HashOnly)
	for _, r := range l.Records() {
		big.Append(r)
	}
	fmt.Println(big.Len(), len(big.Records()), big.Hash() == l.Hash())

	// Past the limit records are dropped, and the Log says so.
	var small trace.Log
	small.SetLimit(1)
	small.Append(trace.Record{Ev: trace.EvRunStart})
	small.Append(trace.Record{Ev: trace.EvRunEnd})
	fmt.Println(small.Len(), small.Overflow(), small.Err())
	// Output:
	// 2 2 <nil>
	// 2 0 true
	// 1 true trace: log record limit reached: kept 1, dropped 1 records
}

// Observe lets a program react to records as they are written, for
// example to act when a user logs off.
func ExampleLog_Observe() {
	var l trace.Log
	l.Observe(func(r *trace.Record) {
		if r.Ev == trace.EvUserLogoff {
			fmt.Println("seq", r.Seq, r.Ev, r.User)
		}
	})
	l.Append(trace.Record{Ev: trace.EvRunStart, Scenario: "observe"})
	l.Append(trace.Record{Ev: trace.EvUserLogoff, User: "alice"})
	// Output: seq 2 user.logoff alice
}

// A simulator's hot path appends packed records: the job's name is
// interned once, when the job is made, and each record is a 48-byte value
// with no strings. Records (and Hash, Encode, an observer) see the whole
// Record it stands for.
func ExampleLog_AppendPacked() {
	var l trace.Log
	job := l.Name("job-1") // once, when the job is created
	l.Append(trace.Record{Ev: trace.EvJobCreate, Job: "job-1", User: "alice"})
	for i := int64(1); i <= 2; i++ {
		l.AppendPacked(trace.Packed{T: time.Duration(i) * time.Second, Ev: trace.EvJobProgress, Job: job, A: i << 20})
	}
	for _, r := range l.Records() {
		fmt.Print(string(trace.AppendJSON(nil, &r)))
	}
	// Output:
	// {"seq":1,"t":0,"ev":"job.create","job":"job-1","user":"alice"}
	// {"seq":2,"t":1000000000,"ev":"job.progress","job":"job-1","bytes":1048576}
	// {"seq":3,"t":2000000000,"ev":"job.progress","job":"job-1","bytes":2097152}
}

// A simulator's innermost loop passes a packed record's fields as
// arguments (AppendFields): they travel in registers and are written into
// the log's next entry one by one, with no Packed built in between.
func ExampleLog_AppendFields() {
	var l trace.Log
	job, user, app := l.Name("job-1"), l.Name("alice"), l.Name("app")
	l.AppendFields(time.Second, trace.EvCallBegin, job, user, app, 0, trace.JobModification, trace.LaneLow, 7, 0)
	l.AppendFields(time.Second, trace.EvCallEnd, 0, 0, 0, 0, 0, 0, 7, 0)
	for _, r := range l.Records() {
		fmt.Print(string(trace.AppendJSON(nil, &r)))
	}
	// Output:
	// {"seq":1,"t":1000000000,"ev":"call.begin","call":7,"job":"job-1","user":"alice","client":"app","method":"JobModification","lane":"low","parent":0}
	// {"seq":2,"t":1000000000,"ev":"call.end","call":7,"hr":"0x00000000"}
}

// The narrow appenders pass only the fields their kinds use: a job's
// record (AppendJob), a call taking a slot (AppendCall), a call's end
// (AppendEnd).
func ExampleLog_AppendJob() {
	var l trace.Log
	job, user, app, progress := l.Name("job-1"), l.Name("alice"), l.Name("app"), l.Name("progress")
	l.AppendJob(time.Second, trace.EvJobProgress, job, 0, 1<<20, 0)
	l.AppendJob(time.Second, trace.EvJobModified, job, progress, 0, 0)
	l.AppendCall(time.Second, trace.EvCallBegin, job, user, app, trace.JobModification, trace.LaneLow, 7, 0)
	l.AppendEnd(time.Second, trace.EvCallEnd, 0, 7, 0)
	for _, r := range l.Records() {
		fmt.Print(string(trace.AppendJSON(nil, &r)))
	}
	// Output:
	// {"seq":1,"t":1000000000,"ev":"job.progress","job":"job-1","bytes":1048576}
	// {"seq":2,"t":1000000000,"ev":"job.modified","job":"job-1","reason":"progress"}
	// {"seq":3,"t":1000000000,"ev":"call.begin","call":7,"job":"job-1","user":"alice","client":"app","method":"JobModification","lane":"low","parent":0}
	// {"seq":4,"t":1000000000,"ev":"call.end","call":7,"hr":"0x00000000"}
}

// A transfer chunk's two records, job.progress and the job.modified it
// raises, in one append.
func ExampleLog_AppendProgress() {
	var l trace.Log
	job, progress := l.Name("job-1"), l.Name("progress")
	l.AppendProgress(2*time.Second, job, 2<<20, progress)
	for _, r := range l.Records() {
		fmt.Print(string(trace.AppendJSON(nil, &r)))
	}
	// Output:
	// {"seq":1,"t":2000000000,"ev":"job.progress","job":"job-1","bytes":2097152}
	// {"seq":2,"t":2000000000,"ev":"job.modified","job":"job-1","reason":"progress"}
}

// Clear readies a Log for another run: records, Names and observer go,
// the memory stays for the next run to reuse.
func ExampleLog_Clear() {
	var l trace.Log
	for run := 1; run <= 2; run++ {
		l.Clear()
		job := l.Name(fmt.Sprintf("job-%d", run))
		l.AppendFields(time.Second, trace.EvJobProgress, job, 0, 0, 0, 0, 0, int64(run)<<20, 0)
		fmt.Println(l.Len(), job, l.Records()[0].Job, l.Records()[0].Bytes)
	}
	// Output:
	// 1 1 job-1 1048576
	// 1 1 job-2 2097152
}

// Name interns a string in the Log; NameString reads it back.
func ExampleLog_Name() {
	var l trace.Log
	a, b := l.Name("alice"), l.Name("bob")
	fmt.Println(a, b, l.Name("alice"), l.Name(""), l.NameString(b))
	// Output: 1 2 1 0 bob
}
