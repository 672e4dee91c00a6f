package callbackabi

// GUID is a COM GUID with the Windows memory layout, so the Windows bridge
// can pass it by pointer unchanged.
type GUID struct {
	Data1 uint32
	Data2 uint16
	Data3 uint16
	Data4 [8]byte
}
