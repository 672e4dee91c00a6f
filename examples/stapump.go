package examples

import (
	"github.com/bitsim/bitsim/bitsimtest"
)

// NewSTAPump returns SignalWait in a single-threaded apartment (run it with
// bitsimtest.ClientOptions{Apartment: scheduler.STA}). Fixed, the driver waits
// with Pump (CoWaitForMultipleHandles), so BITS's calls reach the
// apartment's thread while it waits. Buggy, it waits with WaitAny
// (WaitForMultipleObjects), which pumps nothing: the callbacks wait for the
// thread forever, holding the user's slots, and the download never ends
// (bug class 7).
func NewSTAPump(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return func(*bitsimtest.ClientWorld) bitsimtest.App { return &SignalWait{STA: true, NoPump: buggy} }
}
