// Command perfplot reads `go test -bench` output on stdin and writes an SVG
// chart of ns/op against a size parameter (package perfplot has the
// details):
//
//	go run ./internal/perfplot/cmd/perfplot -param jobs -title "..." < bench.txt > plot.svg
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/bitsim/bitsim/internal/perfplot"
)

func main() {
	param := flag.String("param", "jobs", "the size parameter in the benchmark names (Name/param=size)")
	title := flag.String("title", "ns per op", "the chart's title")
	flag.Parse()
	series, err := perfplot.Parse(os.Stdin, *param)
	if err == nil {
		err = perfplot.WriteSVG(os.Stdout, series, *param, *title)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
