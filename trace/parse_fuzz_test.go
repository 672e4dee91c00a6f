package trace_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/bitsim/bitsim/trace"
)

// FuzzParse checks that Parse never panics, fails only with a *ParseError
// naming a line of the input, and that anything it accepts re-encodes and
// re-parses to the same records (and the same bytes the second time).
func FuzzParse(f *testing.F) {
	good := encode(f, sampleTrace())
	f.Add(good)
	f.Add([]byte(""))
	f.Add([]byte(l1 + "\n" + l2 + "\n"))
	f.Add([]byte(l1 + "\r\n" + l2 + "\r\n\r\n"))
	f.Add([]byte(l1 + "\n" + `{"seq":2,"t":3,"ev":"net.drop","job":"job-9","x":[1,{"y":null}]}` + "\n"))
	f.Add([]byte(l1 + "\n" + `{"seq":2,"t":5,"ev":"call.end","call":1,"hr":"0x80010108","outcome":"disconnected"}`))
	f.Add([]byte(l1 + "\n" + "{\"seq\":2,\"t\":5,\"ev\":\"job.create\",\"job\":\"a\xffb\\u003c\\ud800\",\"user\":\"\"}"))
	f.Add([]byte(l1 + "\n" + `{"seq":2,"t":5,"ev":"user.action","client":"app#2","user":"alice","reason":"cancel"}` + "\n" +
		`{"seq":3,"t":5,"ev":"app.outcome","job":"job-1","client":"app#2","outcome":"cancelled","reason":""}`))
	// Bad traces: every error kind.
	for _, bad := range []string{
		"hello", "[1]", "3", `{"seq":1}`, `{"seq":"1","t":0,"ev":"x"}`, `{"seq":2,"t":0,"ev":"x"}`,
		l1 + "\n" + `{"seq":2,"t":-1,"ev":"x"}`, l1 + "\n\n" + l2, l1 + "\n" + l2 + " {}",
		`{"seq":1,"t":0,"ev":"job.state","job":"j","from":"QUEUED","to":"DONE"}`,
		`{"seq":1,"t":0,"ev":"call.end","call":1,"hr":"0x1"}`,
		`{"seq":1,"t":0,"ev":"call.end","call":1,"outcome":"panic"}`,
		`{"seq":1,"t":0,"ev":"job.flags","job":"j","flags":1e3}`,
		`{"seq":1,"t":0,"ev":"slot.wait","job":"j","user":"u","method":"CmdLine","lane":"mid"}`,
		`{"seq":1,"t":0,"ev":"job.create","job":"j","job":"k","user":"u"}`,
		`{"seq":1,"t":0,"ev":"app.outcome","job":"j","client":"c","outcome":"done","reason":""}`,
	} {
		f.Add([]byte(bad))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := trace.Parse(bytes.NewReader(data))
		if err != nil {
			var pe *trace.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is %T, want *trace.ParseError: %v", err, err)
			}
			if lines := strings.Count(string(data), "\n") + 1; pe.Line < 1 || pe.Line > lines {
				t.Fatalf("error names line %d of an input of %d lines: %v", pe.Line, lines, err)
			}
			return
		}
		var enc bytes.Buffer
		if err := trace.Encode(&enc, recs); err != nil {
			t.Fatal(err)
		}
		again, err := trace.Parse(bytes.NewReader(enc.Bytes()))
		if err != nil {
			t.Fatalf("re-parse of accepted input failed: %v\ninput: %q\nencoded: %q", err, data, enc.Bytes())
		}
		if len(again) != len(recs) {
			t.Fatalf("re-parse gave %d records, want %d", len(again), len(recs))
		}
		for i := range recs {
			if again[i] != recs[i] {
				t.Fatalf("record %d changed:\n%+v\n%+v", i, recs[i], again[i])
			}
		}
		var enc2 bytes.Buffer
		if err := trace.Encode(&enc2, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc.Bytes(), enc2.Bytes()) {
			t.Fatalf("second encoding differs:\n%q\n%q", enc.Bytes(), enc2.Bytes())
		}
	})
}
