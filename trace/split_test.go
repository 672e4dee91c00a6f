package trace

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzSplitValid checks the object splitter on its own: it never panics,
// even on input that is not valid JSON, and on a valid JSON object it finds
// the same members, in order, as encoding/json.
func FuzzSplitValid(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a" : "x\"}" , "b":[1,{"c":"]"}],"d":null}`,
		`{"s\u0065q":1,"t":-0.5e3,"ev":true}`, `{"a":{"b":{"c":[[],{}]}}}`, "{\"\xff\":\"\xfe\"}",
		`{"a":`, `{"a"`, `{"`, `{`, `"`, `[1]`, `{"a":1,}`, `{"a":"\`, `{"a":[`, `{"a":{"b":"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		members, msg := splitValid(line, nil)
		if !json.Valid(line) || msg != "" {
			return
		}
		// Compare with encoding/json's reading of the same object.
		dec := json.NewDecoder(bytes.NewReader(line))
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		if tok != json.Delim('{') {
			t.Fatalf("splitValid accepted a non-object %q", line)
		}
		i := 0
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if i >= len(members) {
				t.Fatalf("%q: splitValid found %d members, encoding/json more", line, len(members))
			}
			m := members[i]
			text := string([]rune(string(m.key))) // what encoding/json makes of raw bytes
			if m.isEscaped {
				text = m.escaped
			}
			if text != k.(string) {
				t.Fatalf("%q: member %d key %q, encoding/json %q", line, i, m.key, k)
			}
			if !bytes.Equal(m.val, v) {
				t.Fatalf("%q: member %d value %q, encoding/json %q", line, i, m.val, v)
			}
			i++
		}
		if i != len(members) {
			t.Fatalf("%q: splitValid found %d members, encoding/json %d", line, len(members), i)
		}
	})
}
