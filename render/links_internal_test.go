package render

import (
	"reflect"
	"testing"
)

func TestWhyParts(t *testing.T) {
	got := whyParts("left the state (ambiguity 4); retry (G20, G99)", map[string]bool{"G20": true})
	want := []whyPart{
		{Text: "left the state ("},
		{Text: "ambiguity 4", Href: modelAmbiguitiesURL},
		{Text: "); retry ("},
		{Text: "G20", Href: "#rule-G20"},
		{Text: ", G99)"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
	if got := whyParts("", nil); len(got) != 0 {
		t.Errorf("empty note: %#v", got)
	}
}
