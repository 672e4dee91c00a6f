package panicsite_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/internal/panicsite"
)

func nilMap() {
	var m map[string]int
	m["x"] = 1 //lint:ignore SA5000 the panic under test
}

func explicit() { panic("boom") }

// recovered runs fn and returns what a report would say of its panic.
func recovered(fn func()) (site string) {
	defer func() {
		r := recover()
		site = fmt.Sprint(r) + panicsite.Of()
	}()
	fn()
	return ""
}

// The site is the user function, past the runtime's own frames (a nil
// map's assignment panics inside runtime.mapassign).
func TestOf(t *testing.T) {
	require.Regexp(t, regexp.MustCompile(`^assignment to entry in nil map, in panicsite_test\.nilMap \(panicsite_test\.go:15\)$`), recovered(nilMap))
	require.Regexp(t, regexp.MustCompile(`^boom, in panicsite_test\.explicit \(panicsite_test\.go:18\)$`), recovered(explicit))
}

func ExampleOf() {
	defer func() {
		r := recover()
		fmt.Println(r, panicsite.Of() != "")
	}()
	panic("a callback's bug")
	// Output: a callback's bug true
}
