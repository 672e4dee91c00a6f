package sim

import "time"

// Epoch is virtual time 0: World.Clock().Now() returns Epoch + World.Now().
var Epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Clock is the small time interface code under simulation should depend on
// instead of package time. World.Clock returns the virtual implementation;
// WallClock returns the production one.
type Clock interface {
	Now() time.Time
	Since(t time.Time) time.Duration
	Sleep(d time.Duration)
}

// worldClock is the strict test double: its Sleep panics outside a virtual
// thread, exactly like World.Sleep.
type worldClock struct{ w *World }

func (c *worldClock) Now() time.Time                  { return Epoch.Add(c.w.now) }
func (c *worldClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c *worldClock) Sleep(d time.Duration)           { c.w.Sleep(d) }

// WallClock returns a Clock backed by package time, for production code that
// shares the Clock interface with its simulated tests. Never use it inside a
// World: it would make runs depend on the wall clock.
func WallClock() Clock { return wallClock{} }

type wallClock struct{}

func (wallClock) Now() time.Time                  { return time.Now() }
func (wallClock) Since(t time.Time) time.Duration { return time.Since(t) }
func (wallClock) Sleep(d time.Duration)           { time.Sleep(d) }
