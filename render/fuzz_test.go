package render_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bitsim/bitsim/render"
	"github.com/bitsim/bitsim/trace"
)

// FuzzRender feeds arbitrary bytes to trace.Parse and every trace it
// accepts to the three renderers: none may panic or fail, the HTML may
// hold no markup from the trace (only its own two <script> elements, and
// as many </svg> as <svg), the Chrome output must be JSON with no raw < or
// >, and the text no escape character.
func FuzzRender(f *testing.F) {
	for _, recs := range [][]trace.Record{simpleTrace(), busyTrace(), hostileTrace(), transferTrace()} {
		var b bytes.Buffer
		if err := trace.Encode(&b, recs); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Add([]byte(`{"seq":1,"t":0,"ev":"call.begin","call":1,"job":"<script>","user":"\u003c/svg\u003e","client":"c","method":"JobError","lane":"high","parent":1}` + "\n"))
	f.Add([]byte(`{"seq":1,"t":0,"ev":"x.y","job":"</title>"}` + "\n"))
	f.Add([]byte("not json\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := trace.Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		var txt, chr, page bytes.Buffer
		if err := render.Text(&txt, recs); err != nil {
			t.Fatal(err)
		}
		if bytes.ContainsRune(txt.Bytes(), 0x1b) {
			t.Fatal("text output holds an escape character")
		}
		if err := render.Chrome(&chr, recs); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(chr.Bytes()) || bytes.ContainsAny(chr.Bytes(), "<>") {
			t.Fatalf("bad Chrome JSON:\n%s", chr.Bytes())
		}
		if err := render.HTML(&page, recs); err != nil {
			t.Fatal(err)
		}
		lower := strings.ToLower(page.String())
		if n := strings.Count(lower, "<script"); n != 2 {
			t.Fatalf("%d <script in the page", n)
		}
		if strings.Count(lower, "<svg") != strings.Count(lower, "</svg>") {
			t.Fatal("unbalanced <svg> in the page")
		}
		calls := 0
		for _, r := range recs {
			if r.Ev == trace.EvCallBegin {
				calls++
			}
		}
		if n := len(callBarRE.FindAllString(page.String(), -1)); n != calls {
			t.Fatalf("%d call bars for %d calls", n, calls)
		}
	})
}
