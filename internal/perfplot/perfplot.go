// Package perfplot turns `go test -bench` output into a small SVG chart:
// nanoseconds per op against a size parameter, one line per benchmark,
// both axes logarithmic. docs/PERFORMANCE.md's dispatch plot is made by it
// from the very output its table quotes, so the picture cannot drift from
// the numbers:
//
//	go test -run '^$' -bench 'Dispatch/|MinimalLoop/' -benchtime 300000x -count 3 . > bench.txt
//	go run ./internal/perfplot/cmd/perfplot -param jobs < bench.txt > docs/dispatch.svg
//
// A benchmark line counts when its name has the form Name/param=size
// (size may end in k or M); with -count above 1 the median of the runs is
// plotted. Everything else in the input (headers, PASS, other benchmarks)
// is skipped. The output depends only on the input: series are sorted by
// name, numbers printed with fixed precision.
package perfplot

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Point is one size of one benchmark: the median ns/op over its runs.
type Point struct {
	Size    float64
	NsPerOp float64
}

// Series is one benchmark's points, sorted by size.
type Series struct {
	Name   string
	Points []Point
}

// Parse reads `go test -bench` output and returns, per benchmark name (the
// part before "/param="), the median ns/op at each size, sorted by name.
func Parse(r io.Reader, param string) ([]Series, error) {
	runs := map[string]map[float64][]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	key := "/" + param + "="
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name, rest, ok := strings.Cut(f[0], key)
		if !ok {
			continue
		}
		if i := strings.LastIndexByte(rest, '-'); i > 0 {
			rest = rest[:i] // the -GOMAXPROCS suffix
		}
		size, err := ParseSize(rest)
		if err != nil {
			return nil, fmt.Errorf("perfplot: %s: %v", f[0], err)
		}
		ns := -1.0
		for i := 2; i+1 < len(f); i++ {
			if f[i+1] == "ns/op" {
				ns, err = strconv.ParseFloat(f[i], 64)
				if err != nil {
					return nil, fmt.Errorf("perfplot: %s: %v", f[0], err)
				}
			}
		}
		if ns < 0 {
			continue
		}
		name = strings.TrimPrefix(name, "Benchmark")
		if runs[name] == nil {
			runs[name] = map[float64][]float64{}
		}
		runs[name][size] = append(runs[name][size], ns)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var out []Series
	for name, bySize := range runs {
		s := Series{Name: name}
		for size, v := range bySize {
			s.Points = append(s.Points, Point{Size: size, NsPerOp: median(v)})
		}
		sort.Slice(s.Points, func(i, j int) bool { return s.Points[i].Size < s.Points[j].Size })
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ParseSize reads a size as benchmark names write it: "1000", "10k", "1M".
func ParseSize(s string) (float64, error) {
	mul := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		mul, s = 1e3, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "M"):
		mul, s = 1e6, strings.TrimSuffix(s, "M")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return v * mul, nil
}

func median(v []float64) float64 {
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
