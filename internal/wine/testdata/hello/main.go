// Command hello is the Windows program the wine package's tests
// cross-compile (GOOS=windows GOARCH=amd64) and run under Wine. Living
// under testdata, it is invisible to `go build ./...`.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("hello from %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
