package trace_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

func line(r trace.Record) string { return string(trace.AppendJSON(nil, &r)) }

func TestAppendJSONGoldenEveryEv(t *testing.T) {
	const p = `{"seq":3,"t":2000000000,"ev":`
	golden := map[trace.Ev]string{
		trace.EvRunStart:      p + `"run.start","seed":7,"scenario":"transfer-complete","version":"bitsim/1"}`,
		trace.EvRunEnd:        p + `"run.end","reason":"idle"}`,
		trace.EvClientStart:   p + `"client.start","client":"app-1","user":"alice","apartment":"MTA"}`,
		trace.EvClientExit:    p + `"client.exit","client":"app-1","user":"alice","apartment":"MTA","reason":"idle"}`,
		trace.EvJobCreate:     p + `"job.create","job":"job-1","user":"alice"}`,
		trace.EvJobState:      p + `"job.state","job":"job-1","from":"TRANSFERRING","to":"TRANSFERRED"}`,
		trace.EvJobFlags:      p + `"job.flags","job":"job-1","flags":11}`,
		trace.EvJobRegister:   p + `"job.register","job":"job-1","client":"app-1","user":"alice"}`,
		trace.EvJobUnregister: p + `"job.unregister","job":"job-1","reason":"idle"}`,
		trace.EvJobOwner:      p + `"job.owner","job":"job-1","user":"alice"}`,
		trace.EvCallBegin:     p + `"call.begin","call":5,"job":"job-1","user":"alice","client":"app-1","method":"JobTransferred","lane":"high","parent":4}`,
		trace.EvCallEnd:       p + `"call.end","call":5,"hr":"0x80010108"}`,
		trace.EvCmdlineStart:  p + `"cmdline.start","job":"job-1","run":2}`,
		trace.EvCmdlineExit:   p + `"cmdline.exit","job":"job-1","run":2,"code":-1}`,
		trace.EvNotifyOwed:    p + `"notify.owed","job":"job-1","method":"JobTransferred","file":1}`,
		trace.EvNotifyDrop:    p + `"notify.drop","job":"job-1","method":"JobTransferred","reason":"idle"}`,
		trace.EvSlotWait:      p + `"slot.wait","job":"job-1","user":"alice","method":"JobTransferred","lane":"high"}`,
		trace.EvRetry:         p + `"retry.scheduled","job":"job-1","method":"JobTransferred","at":600000000000}`,
		trace.EvFileDone:      p + `"file.done","job":"job-1","file":1}`,
		trace.EvJobError:      p + `"job.error","job":"job-1","hr":"0x80010108","context":"REMOTE_FILE","file":1}`,
		trace.EvJobCmdline:    p + `"job.cmdline","job":"job-1","user":"alice"}`,
		trace.EvJobProgress:   p + `"job.progress","job":"job-1","bytes":4096}`,
		trace.EvJobModified:   p + `"job.modified","job":"job-1","reason":"idle"}`,
		trace.EvLimit:         p + `"limit","reason":"idle"}`,
		trace.EvRunConfig:     p + `"run.config","profile":"default","bits":"10.1","cap":4,"interval":500000000,"strict":true,"retry":5000000000}`,
		trace.EvJobRetryDelay: p + `"job.retrydelay","job":"job-1","delay":5000000000}`,
		trace.EvAppOutcome:    p + `"app.outcome","job":"job-1","client":"app-1","outcome":"","reason":"idle"}`,
		trace.EvUserAction:    p + `"user.action","client":"app-1","user":"alice","reason":"idle"}`,
		trace.EvUserLogoff:    p + `"user.logoff","user":"alice"}`,
		trace.EvUserLogon:     p + `"user.logon","user":"alice"}`,
		trace.EvSTAHold:       p + `"sta.hold","client":"app-1"}`,
		trace.EvSTARelease:    p + `"sta.release","client":"app-1"}`,
		trace.EvCallQueued:    p + `"call.queued","call":5,"job":"job-1","user":"alice","client":"app-1","method":"JobTransferred","lane":"high"}`,
		trace.EvCallUnqueued:  p + `"call.unqueued","call":5}`,
		trace.EvNetworkDown:   p + `"network.down"}`,
		trace.EvNetworkUp:     p + `"network.up"}`,
	}
	for _, ev := range allEvs() {
		want, ok := golden[ev]
		require.True(t, ok, "no golden line for %v", ev)
		assert.Equal(t, want+"\n", line(full(ev)), "%v", ev)
	}
	assert.Len(t, golden, len(allEvs()))
}

func TestAppendJSONCallEndOutcomes(t *testing.T) {
	r := trace.Record{Seq: 9, T: 1, Ev: trace.EvCallEnd, Call: 2, HR: callbackabi.S_OK}
	assert.Equal(t, `{"seq":9,"t":1,"ev":"call.end","call":2,"hr":"0x00000000"}`+"\n", line(r))

	r.HR = callbackabi.E_FAIL
	r.Outcome = trace.OutcomeDisconnected
	assert.Equal(t, `{"seq":9,"t":1,"ev":"call.end","call":2,"outcome":"disconnected"}`+"\n", line(r),
		"disconnected: outcome only, no hr")

	r.HR = callbackabi.RPC_E_SERVERFAULT
	r.Outcome = trace.OutcomePanic
	assert.Equal(t, `{"seq":9,"t":1,"ev":"call.end","call":2,"hr":"0x80010105","outcome":"panic"}`+"\n", line(r),
		"panic: hr then outcome")

	r.Outcome = "something else"
	assert.Equal(t, `{"seq":9,"t":1,"ev":"call.end","call":2,"hr":"0x80010105"}`+"\n", line(r),
		"any other outcome: hr only")
}

func TestAppendJSONUnknownEv(t *testing.T) {
	r := full(trace.EvUnknown)
	r.Name = "notify.later"
	assert.Equal(t, `{"seq":3,"t":2000000000,"ev":"notify.later"}`+"\n", line(r), "only seq, t, ev")

	r.Name = ""
	assert.Equal(t, `{"seq":3,"t":2000000000,"ev":"?"}`+"\n", line(r))

	r.Ev = trace.Ev(200)
	r.Name = "x<y"
	assert.Equal(t, `{"seq":3,"t":2000000000,"ev":"x\u003cy"}`+"\n", line(r), "out of range is unknown")
}

func TestAppendJSONHRESULT(t *testing.T) {
	for _, c := range []struct {
		hr   callbackabi.HRESULT
		want string
	}{
		{callbackabi.S_OK, "0x00000000"},
		{callbackabi.S_FALSE, "0x00000001"},
		{callbackabi.E_FAIL, "0x80004005"},
		{callbackabi.BG_E_ERROR_CONTEXT_REMOTE_FILE, "0x8020000A"},
		{callbackabi.HRESULT(-1), "0xFFFFFFFF"},
		{callbackabi.HRESULT(0x7FFFFFFF), "0x7FFFFFFF"},
		{callbackabi.HRESULT(0x00ABCDEF), "0x00ABCDEF"},
	} {
		r := trace.Record{Seq: 1, Ev: trace.EvCallEnd, HR: c.hr}
		assert.Equal(t, `{"seq":1,"t":0,"ev":"call.end","call":0,"hr":"`+c.want+`"}`+"\n", line(r))
	}
}

func TestAppendJSONEscapesStrings(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", `""`},
		{"job-1", `"job-1"`},
		{`say "hi"`, `"say \"hi\""`},
		{`C:\dir`, `"C:\\dir"`},
		{"a\nb\rc\td", `"a\nb\rc\td"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"\b\f", `"\u0008\u000c"`},
		{"</script><script>alert(1)&", `"\u003c/script\u003e\u003cscript\u003ealert(1)\u0026"`},
		{"héllo, 世界 🙂", `"héllo, 世界 🙂"`},
		{"line\u2028sep\u2029", `"line\u2028sep\u2029"`},
		{"bad\xffutf8", "\"bad\uFFFDutf8\""},
		{"\xc3", "\"\uFFFD\""},                     // truncated sequence: one replacement per byte
		{"\xed\xa0\x80", "\"\uFFFD\uFFFD\uFFFD\""}, // surrogate half
		{"ok\uFFFD", "\"ok\uFFFD\""},               // a real U+FFFD stays
	} {
		r := trace.Record{Seq: 1, Ev: trace.EvRunEnd, Reason: c.in}
		got := line(r)
		want := `{"seq":1,"t":0,"ev":"run.end","reason":` + c.want + "}\n"
		assert.Equal(t, want, got, "%q", c.in)
		assert.True(t, json.Valid([]byte(got)), "%q", got)
		assert.True(t, utf8.ValidString(got))
		// encoding/json reads back the same string, with U+FFFD for bad bytes.
		var v struct{ Reason string }
		require.NoError(t, json.Unmarshal([]byte(got), &v))
		assert.Equal(t, string([]rune(c.in)), v.Reason)
	}
}

func TestAppendJSONAppendsWithoutAllocating(t *testing.T) {
	r := full(trace.EvCallBegin)
	r.Job = "job <with> \"escapes\"\n\xff"
	dst := trace.AppendJSON([]byte("prefix "), &r)
	assert.True(t, strings.HasPrefix(string(dst), "prefix {"))
	assert.True(t, strings.HasSuffix(string(dst), "}\n"))

	buf := make([]byte, 0, 4096)
	evs := allEvs()
	allocs := testing.AllocsPerRun(100, func() {
		for _, ev := range evs {
			r := full(ev)
			buf = trace.AppendJSON(buf[:0], &r)
		}
	})
	assert.Zero(t, allocs)
}

func TestEncodeWritesLinesInOrder(t *testing.T) {
	recs := sampleTrace()
	out := encode(t, recs)
	lines := strings.SplitAfter(string(out), "\n")
	require.Equal(t, "", lines[len(lines)-1])
	lines = lines[:len(lines)-1]
	require.Len(t, lines, len(recs))
	for i := range recs {
		assert.Equal(t, line(recs[i]), lines[i])
	}
	var empty bytes.Buffer
	require.NoError(t, trace.Encode(&empty, nil))
	assert.Zero(t, empty.Len())
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("disk full")
}

func TestEncodeReturnsWriteError(t *testing.T) {
	w := &failWriter{}
	err := trace.Encode(w, sampleTrace())
	require.EqualError(t, err, "disk full")
	assert.Equal(t, 1, w.n)

	// A trace bigger than one write chunk stops at the first failed write.
	big := make([]trace.Record, 5000)
	for i := range big {
		big[i] = trace.Record{Seq: int64(i + 1), Ev: trace.EvJobProgress, Job: "job-1", Bytes: int64(i)}
	}
	w = &failWriter{}
	require.Error(t, trace.Encode(w, big))
	assert.Equal(t, 1, w.n)
}

// docTables reads the event tables of docs/TRACE.md: ev name → keys after
// seq, t, ev, as listed (backticked words of the second column).
func docTables(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("../docs/TRACE.md")
	require.NoError(t, err)
	defer f.Close()
	row := regexp.MustCompile("^\\| `([a-z.]+)` \\| ([^|]*) \\|")
	word := regexp.MustCompile("`([a-z]+)")
	tables := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := row.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		var keys []string
		for _, w := range word.FindAllStringSubmatch(m[2], -1) {
			keys = append(keys, w[1])
		}
		require.NotContains(t, tables, m[1], "ev listed twice")
		tables[m[1]] = keys
	}
	require.NoError(t, sc.Err())
	return tables
}

// keysOf returns the keys of a JSON object line, in order.
func keysOf(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	_, err := dec.Token()
	require.NoError(t, err)
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, k.(string))
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
	}
	return keys
}

func TestKeyOrderMatchesDocs(t *testing.T) {
	tables := docTables(t)
	for _, ev := range allEvs() {
		keys, ok := tables[ev.String()]
		require.True(t, ok, "docs/TRACE.md has no row for %v", ev)
		delete(tables, ev.String())
		if ev == trace.EvCallEnd {
			// "`call`, then `hr`; or `outcome: "disconnected"`; or `hr` and `outcome: "panic"`"
			require.Equal(t, []string{"call", "hr", "outcome", "hr", "outcome"}, keys)
			r := full(ev)
			assert.Equal(t, []string{"seq", "t", "ev", "call", "hr"}, keysOf(t, line(r)))
			r.Outcome = trace.OutcomeDisconnected
			assert.Equal(t, []string{"seq", "t", "ev", "call", "outcome"}, keysOf(t, line(r)))
			r.Outcome = trace.OutcomePanic
			assert.Equal(t, []string{"seq", "t", "ev", "call", "hr", "outcome"}, keysOf(t, line(r)))
			continue
		}
		if ev == trace.EvRunStart {
			// "`seed`, `scenario`, `version`, and optionally `observed`"
			require.Equal(t, []string{"seed", "scenario", "version", "observed"}, keys)
			r := full(ev)
			r.Observed = ""
			assert.Equal(t, []string{"seq", "t", "ev", "seed", "scenario", "version"}, keysOf(t, line(r)))
			r.Observed = "run.start run.end"
			assert.Equal(t, []string{"seq", "t", "ev", "seed", "scenario", "version", "observed"}, keysOf(t, line(r)))
			continue
		}
		assert.Equal(t, append([]string{"seq", "t", "ev"}, keys...), keysOf(t, line(full(ev))), "%v", ev)
	}
	assert.Empty(t, tables, "docs/TRACE.md lists events package trace does not know")
}

func TestDocsExampleLinesAreEncoderOutput(t *testing.T) {
	doc, err := os.ReadFile("../docs/TRACE.md")
	require.NoError(t, err)
	seqPrefix := regexp.MustCompile(`^\{"seq":(\d+),`)
	n := 0
	for _, l := range strings.Split(string(doc), "\n") {
		m := seqPrefix.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n++
		// Parse the line on its own as the first line of a trace.
		recs, err := trace.Parse(strings.NewReader(seqPrefix.ReplaceAllString(l, `{"seq":1,`)))
		require.NoError(t, err, l)
		require.Len(t, recs, 1)
		recs[0].Seq, err = strconv.ParseInt(m[1], 10, 64)
		require.NoError(t, err)
		assert.Equal(t, l+"\n", line(recs[0]))
	}
	assert.GreaterOrEqual(t, n, 10, "example lines found")
}
