package trace_test

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

func TestParseReadsBackEncode(t *testing.T) {
	recs := sampleTrace()
	got, err := trace.Parse(strings.NewReader(string(encode(t, recs))))
	require.NoError(t, err)
	for i := range recs {
		if recs[i].Ev == trace.EvCallEnd && recs[i].Outcome == trace.OutcomeDisconnected {
			recs[i].HR = 0 // not written
		}
	}
	assert.Equal(t, recs, got)
}

func TestParseEmptyInputIsEmptyTrace(t *testing.T) {
	for _, in := range []string{"", "\n", "\n\n  \n", " "} {
		recs, err := trace.Parse(strings.NewReader(in))
		require.NoError(t, err, "%q", in)
		assert.Empty(t, recs)
	}
}

const (
	l1 = `{"seq":1,"t":0,"ev":"run.start","seed":7,"scenario":"s","version":"bitsim/1"}`
	l2 = `{"seq":2,"t":5,"ev":"job.create","job":"job-1","user":"alice"}`
)

func TestParseAccepts(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     trace.Record // the last record
	}{
		{"unknown ev kept", l1 + "\n" + `{"seq":2,"t":3,"ev":"net.drop","job":"job-9","x":[1,{"y":null}]}`,
			trace.Record{Seq: 2, T: 3, Name: "net.drop"}},
		{"unknown keys ignored", l1 + "\n" + `{"extra":{"a":[1,2]},"seq":2,"t":5,"ev":"job.create","job":"job-1","user":"alice","zz":null}`,
			trace.Record{Seq: 2, T: 5, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"}},
		{"an ignored key may repeat", l1 + "\n" + `{"seq":2,"t":5,"ev":"job.create","job":"job-1","user":"alice","x":1,"x":"two"}`,
			trace.Record{Seq: 2, T: 5, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"}},
		{"any key order", l1 + "\n" + `{"user":"alice","job":"job-1","ev":"job.create","t":5,"seq":2}`,
			trace.Record{Seq: 2, T: 5, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"}},
		{"no final newline", l1 + "\n" + l2,
			trace.Record{Seq: 2, T: 5, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"}},
		{"trailing blank lines", l1 + "\n" + l2 + "\n\n \t\n\n",
			trace.Record{Seq: 2, T: 5, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"}},
		{"CRLF line ends", l1 + "\r\n" + l2 + "\r\n",
			trace.Record{Seq: 2, T: 5, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"}},
		{"spaces around the object", "  " + l1 + "  \n\t" + l2 + " ",
			trace.Record{Seq: 2, T: 5, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"}},
		{"escaped strings", l1 + "\n" + `{"seq":2,"t":5,"ev":"job.create","job":"\u003cb\u003e\n\"x\"","user":"\ud83d\ude42"}`,
			trace.Record{Seq: 2, T: 5, Ev: trace.EvJobCreate, Job: "<b>\n\"x\"", User: "🙂"}},
		{"escaped key and ev", l1 + "\n" + `{"s\u0065q":2,"t":5,"ev":"job\u002ecreate","job":"j","user":"u"}`,
			trace.Record{Seq: 2, T: 5, Ev: trace.EvJobCreate, Job: "j", User: "u"}},
		{"invalid UTF-8 in a string becomes U+FFFD", l1 + "\n" + "{\"seq\":2,\"t\":5,\"ev\":\"job.create\",\"job\":\"a\xffb\",\"user\":\"\"}",
			trace.Record{Seq: 2, T: 5, Ev: trace.EvJobCreate, Job: "a\uFFFDb"}},
		{"prefixed state names and lowercase hex", l1 + "\n" + `{"seq":2,"t":5,"ev":"job.state","job":"j","from":"BG_JOB_STATE_QUEUED","to":"CANCELLED"}` + "\n" +
			`{"seq":3,"t":5,"ev":"job.error","job":"j","hr":"0x8020000a","context":"BG_ERROR_CONTEXT_LOCAL_FILE","file":-1}`,
			trace.Record{Seq: 3, T: 5, Ev: trace.EvJobError, Job: "j", HR: callbackabi.FromUint32(0x8020000A), Context: callbackabi.BG_ERROR_CONTEXT_LOCAL_FILE, File: -1}},
		{"disconnected ignores hr", l1 + "\n" + `{"seq":2,"t":5,"ev":"call.end","call":1,"hr":"not even an hr","outcome":"disconnected"}`,
			trace.Record{Seq: 2, T: 5, Ev: trace.EvCallEnd, Call: 1, Outcome: trace.OutcomeDisconnected}},
		{"panic keeps hr", l1 + "\n" + `{"seq":2,"t":5,"ev":"call.end","call":1,"outcome":"panic","hr":"0x80010105"}`,
			trace.Record{Seq: 2, T: 5, Ev: trace.EvCallEnd, Call: 1, HR: callbackabi.RPC_E_SERVERFAULT, Outcome: trace.OutcomePanic}},
		{"-0 is zero, extreme ints", `{"seq":1,"t":-0,"ev":"job.progress","job":"j","bytes":-9223372036854775808}` + "\n" +
			`{"seq":2,"t":9223372036854775807,"ev":"run.start","seed":18446744073709551615,"scenario":"","version":""}`,
			trace.Record{Seq: 2, T: 1<<63 - 1, Ev: trace.EvRunStart, Seed: 1<<64 - 1}},
		{"first line need not be run.start", `{"seq":1,"t":10,"ev":"run.end","reason":"idle"}`,
			trace.Record{Seq: 1, T: 10, Ev: trace.EvRunEnd, Reason: "idle"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs, err := trace.Parse(strings.NewReader(c.in))
			require.NoError(t, err)
			require.NotEmpty(t, recs)
			assert.Equal(t, c.want, recs[len(recs)-1])
		})
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	job := func(seq, tm, rest string) string {
		return `{"seq":` + seq + `,"t":` + tm + `,"ev":"job.create","job":"job-1","user":"alice"` + rest + `}`
	}
	two := func(second string) string { return l1 + "\n" + second + "\n" }
	for _, c := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"not JSON", two("hello"), 2, "not JSON"},
		{"broken JSON", two(`{"seq":2,"t":5,"ev":"job.create"`), 2, "not JSON"},
		{"invalid UTF-8 outside strings", two("{\"seq\":2,\xff}"), 2, "not JSON"},
		{"array", two(`[1,2]`), 2, "not a JSON object"},
		{"number", "3\n", 1, "not a JSON object"},
		{"string", `"x"`, 1, "not a JSON object"},
		{"two objects", two(job("2", "5", "") + ` {}`), 2, "not JSON: invalid character '{' after top-level value"},
		{"duplicate key", two(job("2", "5", `,"job":"job-2"`)), 2, `key "job" appears twice`},
		{"duplicate key after unescaping", two(job("2", "5", `,"j\u006fb":"job-2"`)), 2, `key "job" appears twice`},
		{"missing seq", two(`{"t":5,"ev":"run.end","reason":"idle"}`), 2, `missing key "seq"`},
		{"missing t", two(`{"seq":2,"ev":"run.end","reason":"idle"}`), 2, `missing key "t"`},
		{"missing ev", two(`{"seq":2,"t":5,"reason":"idle"}`), 2, `missing key "ev"`},
		{"seq as string", two(job(`"2"`, "5", "")), 2, `key "seq": want an integer, got a string`},
		{"seq as float", two(job("2.0", "5", "")), 2, `key "seq": 2.0 is not an int64`},
		{"seq with exponent", two(job("2e0", "5", "")), 2, `key "seq": 2e0 is not an int64`},
		{"seq overflows", two(job("9223372036854775808", "5", "")), 2, "is not an int64"},
		{"seq null", two(job("null", "5", "")), 2, "want an integer, got null"},
		{"seq gap", two(job("3", "5", "")), 2, "seq is 3, want 2"},
		{"seq repeats", two(job("1", "5", "")), 2, "seq is 1, want 2"},
		{"seq starts at 2", job("2", "5", ""), 1, "seq is 2, want 1"},
		{"seq zero", job("0", "5", ""), 1, "seq is 0, want 1 or more"},
		{"t goes back", l1 + "\n" + job("2", "5", "") + "\n" + job("3", "4", ""), 3, "t goes back from 5 to 4"},
		{"t negative", job("1", "-1", ""), 1, "t is -1"},
		{"t as string", two(job("2", `"5"`, "")), 2, `key "t": want an integer, got a string`},
		{"ev not a string", two(`{"seq":2,"t":5,"ev":7}`), 2, `key "ev": want a string, got a number`},
		{"ev empty", two(`{"seq":2,"t":5,"ev":""}`), 2, `ev is ""`},
		{"missing required key", two(`{"seq":2,"t":5,"ev":"job.state","job":"job-1","from":"QUEUED"}`), 2, `missing key "to"`},
		{"missing key of model detail", two(`{"seq":2,"t":5,"ev":"notify.owed","job":"job-1","method":"JobError"}`), 2, `missing key "file"`},
		{"wrong type string", two(`{"seq":2,"t":5,"ev":"job.create","job":5,"user":"alice"}`), 2, `key "job": want a string, got a number`},
		{"wrong type int", two(`{"seq":2,"t":5,"ev":"job.flags","job":"j","flags":"3"}`), 2, `key "flags": want an integer, got a string`},
		{"flags out of range", two(`{"seq":2,"t":5,"ev":"job.flags","job":"j","flags":4294967296}`), 2, `key "flags": 4294967296 is not a uint32`},
		{"negative flags", two(`{"seq":2,"t":5,"ev":"job.flags","job":"j","flags":-1}`), 2, `is not a uint32`},
		{"negative seed", `{"seq":1,"t":0,"ev":"run.start","seed":-7,"scenario":"s","version":"v"}`, 1, `key "seed": -7 is not a uint64`},
		{"bool as string", two(`{"seq":2,"t":5,"ev":"run.config","profile":"p","bits":"10.1","cap":4,"interval":0,"strict":"yes","retry":0}`), 2, `key "strict": want true or false, got a string`},
		{"bad HRESULT short", two(`{"seq":2,"t":5,"ev":"call.end","call":1,"hr":"0x1"}`), 2, `key "hr": "0x1" is not an HRESULT`},
		{"bad HRESULT no prefix", two(`{"seq":2,"t":5,"ev":"call.end","call":1,"hr":"80010108"}`), 2, `is not an HRESULT`},
		{"bad HRESULT 0X", two(`{"seq":2,"t":5,"ev":"call.end","call":1,"hr":"0X80010108"}`), 2, `is not an HRESULT`},
		{"bad HRESULT digit", two(`{"seq":2,"t":5,"ev":"call.end","call":1,"hr":"0x8001010G"}`), 2, `is not an HRESULT`},
		{"bad HRESULT number", two(`{"seq":2,"t":5,"ev":"call.end","call":1,"hr":2147483648}`), 2, `key "hr": want a string, got a number`},
		{"missing hr", two(`{"seq":2,"t":5,"ev":"call.end","call":1}`), 2, `missing key "hr"`},
		{"panic without hr", two(`{"seq":2,"t":5,"ev":"call.end","call":1,"outcome":"panic"}`), 2, `missing key "hr"`},
		{"bad outcome", two(`{"seq":2,"t":5,"ev":"call.end","call":1,"hr":"0x00000000","outcome":"timeout"}`), 2, `key "outcome": "timeout" is not "disconnected" or "panic"`},
		{"bad state", two(`{"seq":2,"t":5,"ev":"job.state","job":"j","from":"QUEUED","to":"DONE"}`), 2, `key "to": "DONE" is not a job state`},
		{"state lowercase", two(`{"seq":2,"t":5,"ev":"job.state","job":"j","from":"queued","to":"DONE"}`), 2, `key "from": "queued" is not a job state`},
		{"bad method", two(`{"seq":2,"t":5,"ev":"notify.owed","job":"j","method":"jobTransferred","file":-1}`), 2, `key "method": "jobTransferred" is not a method`},
		{"empty method", two(`{"seq":2,"t":5,"ev":"notify.drop","job":"j","method":"","reason":"state"}`), 2, `key "method": "" is not a method`},
		{"bad lane", two(`{"seq":2,"t":5,"ev":"slot.wait","job":"j","user":"u","method":"JobError","lane":"HIGH"}`), 2, `key "lane": "HIGH" is not a lane`},
		{"bad context", two(`{"seq":2,"t":5,"ev":"job.error","job":"j","hr":"0x80004005","context":"4","file":-1}`), 2, `key "context": "4" is not an error context`},
		{"blank line inside", l1 + "\n\n" + job("2", "5", ""), 2, "blank line inside the trace"},
		{"blank lines inside name the first", l1 + "\n  \n\n" + job("2", "5", ""), 2, "blank line inside the trace"},
		{"blank first line", "\n" + l1, 1, "blank line inside the trace"},
		{"form feed is not blank", l1 + "\n\f\n", 2, "not JSON"},
		{"NBSP is not blank", l1 + "\n\u00a0\n", 2, "not JSON"},
		{"error on a later line", l1 + "\n" + l2 + "\n" + `{"seq":3,"t":5,"ev":"run.end"}` + "\n", 3, `missing key "reason"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs, err := trace.Parse(strings.NewReader(c.in))
			var pe *trace.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, c.line, pe.Line)
			assert.Contains(t, pe.Msg, c.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "trace: line "+strconv.Itoa(c.line)+": "), err.Error())
			before := 0
			for _, l := range strings.Split(c.in, "\n")[:c.line-1] {
				if strings.TrimSpace(l) != "" {
					before++
				}
			}
			assert.Len(t, recs, before, "the records before the bad line are returned")
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	err := &trace.ParseError{Line: 12, Msg: `missing key "to"`}
	assert.Equal(t, `trace: line 12: missing key "to"`, err.Error())
	assert.Nil(t, errors.Unwrap(err))
}

func TestReaderStreamsAndStaysFailed(t *testing.T) {
	in := l1 + "\n" + l2 + "\n" + `{"seq":9,"t":5,"ev":"run.end","reason":"idle"}` + "\n"
	r := trace.NewReader(strings.NewReader(in))
	rec, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, trace.EvRunStart, rec.Ev)
	rec, err = r.Next()
	require.NoError(t, err)
	assert.Equal(t, trace.EvJobCreate, rec.Ev)
	_, err = r.Next()
	var pe *trace.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 3, pe.Line)
	_, err2 := r.Next()
	assert.Same(t, err, err2, "the error is sticky")

	r = trace.NewReader(strings.NewReader(l1))
	_, err = r.Next()
	require.NoError(t, err)
	for range 3 {
		_, err = r.Next()
		assert.Equal(t, io.EOF, err)
	}
}

func TestReaderLimits(t *testing.T) {
	long := `{"seq":1,"t":0,"ev":"run.end","reason":"` + strings.Repeat("x", 100) + `"}`
	r := trace.NewReader(strings.NewReader(l1 + "\n" + long))
	r.MaxLineBytes = len(l1)
	_, err := r.Next()
	require.NoError(t, err, "a line of exactly the limit is fine")
	_, err = r.Next()
	var pe *trace.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 2, pe.Line)
	assert.Contains(t, pe.Msg, "longer than")

	// The default limit: 1 MiB of string in one line is too long.
	huge := `{"seq":1,"t":0,"ev":"run.end","reason":"` + strings.Repeat("x", trace.DefaultMaxLineBytes) + `"}`
	_, err = trace.Parse(strings.NewReader(huge))
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 1, pe.Line)
	assert.Contains(t, pe.Msg, "longer than 1048576 bytes")

	three := l1 + "\n" + l2 + "\n" + `{"seq":3,"t":5,"ev":"run.end","reason":"idle"}` + "\n"
	r = trace.NewReader(strings.NewReader(three))
	r.MaxRecords = 2
	recs, err := r.ReadAll()
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 3, pe.Line)
	assert.Equal(t, "more than 2 records", pe.Msg)
	assert.Len(t, recs, 2)

	r = trace.NewReader(strings.NewReader(three))
	r.MaxRecords = -1
	recs, err = r.ReadAll()
	require.NoError(t, err)
	assert.Len(t, recs, 3)
}

func TestReaderReportsReadErrors(t *testing.T) {
	boom := errors.New("boom")
	src := io.MultiReader(strings.NewReader(l1+"\n"+l2+"\n"), iotest.ErrReader(boom))
	recs, err := trace.Parse(src)
	require.ErrorIs(t, err, boom)
	var pe *trace.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 3, pe.Line)
	assert.Len(t, recs, 2)

	// One byte at a time changes nothing.
	want, err := trace.Parse(strings.NewReader(string(encode(t, sampleTrace()))))
	require.NoError(t, err)
	got, err := trace.Parse(iotest.OneByteReader(strings.NewReader(string(encode(t, sampleTrace())))))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestParseNames(t *testing.T) {
	for _, ev := range allEvs() {
		got, ok := trace.ParseEv(ev.String())
		assert.True(t, ok)
		assert.Equal(t, ev, got)
	}
	for _, s := range []string{"", "?", "CALL.BEGIN", "call.begin "} {
		_, ok := trace.ParseEv(s)
		assert.False(t, ok, "%q", s)
	}
	for m := trace.JobTransferred; m <= trace.CmdLine; m++ {
		got, ok := trace.ParseMethod(m.String())
		assert.True(t, ok)
		assert.Equal(t, m, got)
	}
	for _, s := range []string{"", "?", "jobtransferred"} {
		_, ok := trace.ParseMethod(s)
		assert.False(t, ok, "%q", s)
	}
	for _, l := range []trace.Lane{trace.LaneHigh, trace.LaneLow} {
		got, ok := trace.ParseLane(l.String())
		assert.True(t, ok)
		assert.Equal(t, l, got)
	}
	_, ok := trace.ParseLane("")
	assert.False(t, ok)
}

func TestAppEventsRoundTrip(t *testing.T) {
	var l trace.Log
	l.Append(trace.Record{Ev: trace.EvRunStart, Seed: 1, Scenario: "app", Version: "bitsim/1"})
	l.Append(trace.Record{T: time.Second, Ev: trace.EvUserAction, Client: "app#2", User: "alice", Reason: "cancel <now> & \"quit\""})
	l.Append(trace.Record{T: 2 * time.Second, Ev: trace.EvAppOutcome, Job: "job-1", Client: "app#2", Outcome: trace.AppCancelled, Reason: "user"})
	l.Append(trace.Record{T: 2 * time.Second, Ev: trace.EvAppOutcome, Job: "job-2", Client: "app#2", Outcome: trace.AppSucceeded})
	recs := l.Records()
	out := encode(t, recs)
	assert.Contains(t, string(out), `"ev":"user.action","client":"app#2","user":"alice","reason":"cancel \u003cnow\u003e \u0026 \"quit\""}`)
	assert.Contains(t, string(out), `"ev":"app.outcome","job":"job-2","client":"app#2","outcome":"succeeded","reason":""}`)
	back, err := trace.Parse(bytesReader(out))
	require.NoError(t, err)
	assert.Equal(t, recs, back)
}

func TestParseRejectsBadAppOutcome(t *testing.T) {
	for _, tc := range []struct{ line, msg string }{
		{`{"seq":1,"t":0,"ev":"app.outcome","job":"job-1","client":"app","outcome":"ok","reason":""}`, `"ok" is not "succeeded", "failed" or "cancelled"`},
		{`{"seq":1,"t":0,"ev":"app.outcome","job":"job-1","client":"app","outcome":"","reason":""}`, `"" is not "succeeded"`},
		{`{"seq":1,"t":0,"ev":"app.outcome","job":"job-1","client":"app","reason":""}`, `outcome`},
		{`{"seq":1,"t":0,"ev":"user.action","client":"app","user":"alice"}`, `reason`},
	} {
		_, err := trace.Parse(strings.NewReader(tc.line + "\n"))
		require.Error(t, err, tc.line)
		assert.Contains(t, err.Error(), tc.msg, tc.line)
		assert.Contains(t, err.Error(), "line 1", tc.line)
	}
}

// A UTF-8 byte order mark before the first record is skipped (some Windows
// editors write one); anywhere else it is an error naming its line.
func TestParseSkipsLeadingBOM(t *testing.T) {
	const bom = "\xEF\xBB\xBF"
	recs, err := trace.Parse(strings.NewReader(bom + l1 + "\n" + l2 + "\n"))
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, int64(2), recs[1].Seq)

	recs, err = trace.Parse(strings.NewReader(bom))
	require.NoError(t, err, "a BOM alone is an empty trace")
	assert.Empty(t, recs)

	_, err = trace.Parse(strings.NewReader(l1 + "\n" + bom + l2 + "\n"))
	var pe *trace.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 2, pe.Line)
}
