//go:build windows

package combridge

import (
	"fmt"
	"syscall"
	"time"
	"unsafe"

	"github.com/bitsim/bitsim/callbackabi"
)

var (
	ole32                = syscall.NewLazyDLL("ole32.dll")
	procCoInitializeEx   = ole32.NewProc("CoInitializeEx")
	procCoUninitialize   = ole32.NewProc("CoUninitialize")
	procCoCreateInstance = ole32.NewProc("CoCreateInstance")
	procCoTaskMemFree    = ole32.NewProc("CoTaskMemFree")

	user32                 = syscall.NewLazyDLL("user32.dll")
	procGetMessageW        = user32.NewProc("GetMessageW")
	procTranslateMessage   = user32.NewProc("TranslateMessage")
	procDispatchMessageW   = user32.NewProc("DispatchMessageW")
	procPostThreadMessageW = user32.NewProc("PostThreadMessageW")

	kernel32               = syscall.NewLazyDLL("kernel32.dll")
	procGetCurrentThreadId = kernel32.NewProc("GetCurrentThreadId")
)

const (
	coinitMultithreaded     = 0x0
	coinitApartmentThreaded = 0x2
	wmQuit                  = 0x0012
	wmPoll                  = 0x8000 + 0x42 // WM_APP+0x42: a recorder's poll, posted to an STA thread
	clsctxLocalServer       = 0x4
	rpcEChangedMode         = 0x80010106 // CoInitializeEx: the thread is in an STA already
)

// hr turns a syscall's first result into an HRESULT (COM methods return a
// 32-bit HRESULT in the low half of the result register).
func hr(r1, _ uintptr, _ syscall.Errno) callbackabi.HRESULT {
	return callbackabi.HRESULT(int32(uint32(r1)))
}

// count turns a syscall's first result into a 32-bit count (AddRef,
// Release).
func count(r1, _ uintptr, _ syscall.Errno) uint32 { return uint32(r1) }

// method returns the address of vtable slot of the COM object p.
func method(p unsafe.Pointer, slot int) uintptr {
	vtbl := *(*unsafe.Pointer)(p)
	return *(*uintptr)(unsafe.Add(vtbl, uintptr(slot)*unsafe.Sizeof(uintptr(0))))
}

// slot returns the vtable slot of method name of the interface iid, from
// callbackabi's tables; it panics (at package initialisation) if the table
// lacks it.
func slot(iid callbackabi.GUID, name string) int {
	i := callbackabi.VtableIndex(iid, name)
	if i < 0 {
		panic(fmt.Sprintf("combridge: no vtable slot for %s::%s", callbackabi.InterfaceName(iid), name))
	}
	return i
}

// IUnknown slots, the same in every interface.
const (
	slotQueryInterface = 0
	slotRelease        = 2
)

func release(p unsafe.Pointer) uint32 {
	return count(syscall.SyscallN(method(p, slotRelease), uintptr(p)))
}

// queryInterface asks p for iid and returns the new pointer (with a
// reference the caller owns).
func queryInterface(p unsafe.Pointer, iid callbackabi.GUID) (unsafe.Pointer, callbackabi.HRESULT) {
	var out unsafe.Pointer
	h := hr(syscall.SyscallN(method(p, slotQueryInterface), uintptr(p),
		uintptr(unsafe.Pointer(&iid)), uintptr(unsafe.Pointer(&out))))
	return out, h
}

// utf16 converts s for an LPCWSTR argument; a string with a NUL in it is
// E_INVALIDARG, as BITS would answer for an invalid name.
func utf16(s string) (*uint16, callbackabi.HRESULT) {
	p, err := syscall.UTF16PtrFromString(s)
	if err != nil {
		return nil, callbackabi.E_INVALIDARG
	}
	return p, callbackabi.S_OK
}

// takeString returns the LPWSTR a COM method allocated and frees it with
// CoTaskMemFree.
func takeString(p *uint16) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*uint16)(unsafe.Add(unsafe.Pointer(p), uintptr(n)*2)) != 0 {
		n++
	}
	s := syscall.UTF16ToString(unsafe.Slice(p, n))
	syscall.SyscallN(procCoTaskMemFree.Addr(), uintptr(unsafe.Pointer(p)))
	return s
}

// fileTime is FILETIME: 100 ns intervals since 1601-01-01 UTC; zero means
// "not yet" and becomes the zero time.Time.
type fileTime uint64

func (t fileTime) time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	const epochDelta = 116444736000000000 // 1601 to 1970 in 100 ns
	return time.Unix(0, (int64(t)-epochDelta)*100).UTC()
}
