package sim

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Limits bound one run of a World. A zero field means "use the default"
// (see DefaultLimits). Hitting a limit ends the run with a *LimitError and
// finishes the world; it never hangs.
type Limits struct {
	// MaxEvents is the most events one call of Run or RunUntil may fire.
	MaxEvents int64
	// MaxDepth is the deepest nesting of RunOn calls on one thread
	// (a thread's outermost call has depth 1).
	MaxDepth int
	// MaxTime is the latest virtual time (since Epoch) the world may reach.
	MaxTime time.Duration
}

// Default limit values.
const (
	DefaultMaxEvents = 10_000_000
	DefaultMaxDepth  = 64
	DefaultMaxTime   = 365 * 24 * time.Hour
)

// DefaultLimits returns the limits used for zero fields of Limits:
// 10M events per run, nesting depth 64, 365 days of virtual time.
func DefaultLimits() Limits {
	return Limits{MaxEvents: DefaultMaxEvents, MaxDepth: DefaultMaxDepth, MaxTime: DefaultMaxTime}
}

// withDefaults fills zero fields and rejects negative ones.
func (l Limits) withDefaults() Limits {
	if l.MaxEvents < 0 || l.MaxDepth < 0 || l.MaxTime < 0 {
		panic(fmt.Sprintf("sim: NewWorld: negative limit in %+v (0 means default)", l))
	}
	d := DefaultLimits()
	if l.MaxEvents == 0 {
		l.MaxEvents = d.MaxEvents
	}
	if l.MaxDepth == 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxTime == 0 {
		l.MaxTime = d.MaxTime
	}
	return l
}

// Names of the limits, as found in LimitError.Limit.
const (
	LimitEvents = "events"
	LimitDepth  = "depth"
	LimitTime   = "time"
)

// LimitError reports which limit ended a run. Limit is one of LimitEvents,
// LimitDepth or LimitTime; Value is the limit's value (events, nesting depth,
// or nanoseconds of virtual time).
type LimitError struct {
	Limit string
	Value int64
}

func (e *LimitError) Error() string {
	switch e.Limit {
	case LimitEvents:
		return fmt.Sprintf("sim: events limit reached: %d events fired in one run (Limits.MaxEvents)", e.Value)
	case LimitDepth:
		return fmt.Sprintf("sim: depth limit reached: RunOn nested deeper than %d on one thread (Limits.MaxDepth)", e.Value)
	case LimitTime:
		return fmt.Sprintf("sim: time limit reached: virtual time would pass %v (Limits.MaxTime)", time.Duration(e.Value))
	}
	return fmt.Sprintf("sim: %s limit reached (%d)", e.Limit, e.Value)
}

// ErrFinished is returned by Run and RunUntil on a world that is finished:
// a limit was hit, a handler panicked, or Close was called.
var ErrFinished = errors.New("sim: the world is finished (a limit was hit, a handler panicked, or Close was called)")

// satAdd returns a+b for b >= 0, saturating at math.MaxInt64.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
