package callbackabi

// Apartment is a COM threading model: where a client's callbacks run.
// The simulator's clients (scheduler.StartClient) and the Windows bridge's
// connections (combridge.ConnectIn) use the same two.
type Apartment uint8

const (
	// MTA is the multithreaded apartment: each invocation runs on a thread
	// of its own (COM's RPC threads on Windows), so invocations may overlap,
	// up to BITS's per-user cap (G31).
	MTA Apartment = iota
	// STA is a single-threaded apartment: every invocation runs on the
	// client's one thread, delivered through its message loop, and an
	// outgoing COM call from inside a callback lets BITS deliver another
	// pending notification nested on that thread (G34).
	STA
)

func (a Apartment) String() string {
	if a == STA {
		return "STA"
	}
	return "MTA"
}
