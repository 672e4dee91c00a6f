package perfplot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bitsim/bitsim/internal/perfplot"
)

const input = `goos: linux
BenchmarkDispatch/jobs=1k-2     300000   500.0 ns/op   0 B/op   0 allocs/op
BenchmarkDispatch/jobs=1k-2     300000   520.0 ns/op   0 B/op   0 allocs/op
BenchmarkDispatch/jobs=1k-2     300000   900.0 ns/op   0 B/op   0 allocs/op
BenchmarkDispatch/jobs=1M-2     300000   3000 ns/op
BenchmarkMinimalLoop/jobs=10k-2 300000   70.5 ns/op
BenchmarkOther-2                300000   1.0 ns/op
PASS
`

func TestParseTakesTheMedianPerSize(t *testing.T) {
	s, err := perfplot.Parse(strings.NewReader(input), "jobs")
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 2 || s[0].Name != "Dispatch" || s[1].Name != "MinimalLoop" {
		t.Fatalf("series %+v", s)
	}
	want := []perfplot.Point{{Size: 1e3, NsPerOp: 520}, {Size: 1e6, NsPerOp: 3000}}
	if len(s[0].Points) != 2 || s[0].Points[0] != want[0] || s[0].Points[1] != want[1] {
		t.Fatalf("Dispatch points %+v, want %+v", s[0].Points, want)
	}
	if p := s[1].Points; len(p) != 1 || p[0] != (perfplot.Point{Size: 1e4, NsPerOp: 70.5}) {
		t.Fatalf("MinimalLoop points %+v", p)
	}
}

func TestParseRejectsABadSize(t *testing.T) {
	if _, err := perfplot.Parse(strings.NewReader("BenchmarkX/jobs=lots-2 1 5 ns/op\n"), "jobs"); err == nil {
		t.Fatal("a size that is not a number was accepted")
	}
}

func TestWriteSVGIsDeterministicAndLabelsEverySeries(t *testing.T) {
	s, _ := perfplot.Parse(strings.NewReader(input), "jobs")
	var a, b strings.Builder
	if err := perfplot.WriteSVG(&a, s, "jobs", "t"); err != nil {
		t.Fatal(err)
	}
	perfplot.WriteSVG(&b, s, "jobs", "t")
	if a.String() != b.String() {
		t.Fatal("two renderings of the same input differ")
	}
	for _, want := range []string{"<svg", ">Dispatch<", ">MinimalLoop<", ">520<", ">1M<", "</svg>"} {
		if !strings.Contains(a.String(), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if err := perfplot.WriteSVG(&a, nil, "jobs", "t"); err == nil {
		t.Error("no series: no error")
	}
}

func Example() {
	bench := `BenchmarkDispatch/jobs=1k-2 300000 199 ns/op
BenchmarkDispatch/jobs=1M-2 300000 2045 ns/op
`
	series, _ := perfplot.Parse(strings.NewReader(bench), "jobs")
	for _, s := range series {
		for _, p := range s.Points {
			fmt.Println(s.Name, p.Size, p.NsPerOp)
		}
	}
	var svg strings.Builder
	_ = perfplot.WriteSVG(&svg, series, "jobs", "Dispatch")
	fmt.Println(strings.HasPrefix(svg.String(), "<svg"))
	// Output:
	// Dispatch 1000 199
	// Dispatch 1e+06 2045
	// true
}
