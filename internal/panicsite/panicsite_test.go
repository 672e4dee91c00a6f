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

// catchSite is what a catch (sim.World.RunOnCatch) does: it is called by
// the deferred function that recovered, not deferred itself.
func catchSite(r any) string { return fmt.Sprint(r) + panicsite.Of() }

// recoveredDeeper runs fn and returns what a catch called by its
// recovering deferred function would say of the panic.
func recoveredDeeper(fn func()) (site string) {
	defer func() { site = catchSite(recover()) }()
	fn()
	return ""
}

// Of names the panic's site also when called below the deferred function
// that recovered: it looks below runtime.gopanic, not at its caller.
func TestOfFromACatch(t *testing.T) {
	require.Regexp(t, regexp.MustCompile(`^boom, in panicsite_test\.explicit \(panicsite_test\.go:18\)$`), recoveredDeeper(explicit))
	require.Regexp(t, regexp.MustCompile(`^assignment to entry in nil map, in panicsite_test\.nilMap \(panicsite_test\.go:15\)$`), recoveredDeeper(nilMap))
}

// Outside a panic, Of names its caller's caller, as before.
func TestOfOutsideAPanic(t *testing.T) {
	require.Regexp(t, regexp.MustCompile(`^, in panicsite_test\.TestOfOutsideAPanic \(panicsite_test\.go:\d+\)$`), outside())
}

func outside() string { return panicsite.Of() }
