// Command importcheck is the smallest program importing the library's
// packages; imports_test.go lists what it links (go list -deps).
package main

import (
	"fmt"

	"github.com/bitsim/bitsim"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
)

func main() {
	var o bitsim.Config
	var j scheduler.Program
	fmt.Println(o.Seed, j == nil, sim.NewPRNG(1).Intn(2))
}
