package callbackabi

// VtableSlot is one entry of a COM interface's vtable: the 0-based index of
// the function pointer and the method's name as the IDL spells it.
type VtableSlot struct {
	Index int
	Name  string
}

// interfaceInfo describes one COM interface: its IID, the interface it
// derives from (by index into interfaceTable, -1 for none) and the methods
// it adds, in declaration order (= vtable order after the parent's slots).
type interfaceInfo struct {
	name    string
	iid     GUID
	parent  int
	methods []string
}

// Indexes into interfaceTable of the interfaces others derive from.
const (
	ifaceIUnknown  = 0
	ifaceCallback  = 1
	ifaceCallback2 = 2
	ifaceJob       = 5
)

// interfaceTable lists the interfaces whose layout bitsim knows. Sources:
// W-IDL (wine include/bits.idl, bits1_5.idl) for IBackgroundCopyJob(2),
// IBackgroundCopyFile/Error/Manager, the enumerators and
// IBackgroundCopyCallback; H-SDK for Callback2/3 (table 2.9 note) and for
// AsyncIBackgroundCopyCallback (G36); wine-bits.md lists the same Job,
// Manager and Callback slots as used against Wine's BITS.
var interfaceTable = [...]interfaceInfo{
	ifaceIUnknown: {"IUnknown", IID_IUnknown, -1,
		[]string{"QueryInterface", "AddRef", "Release"}},
	ifaceCallback: {"IBackgroundCopyCallback", IID_IBackgroundCopyCallback, ifaceIUnknown,
		[]string{"JobTransferred", "JobError", "JobModification"}},
	ifaceCallback2: {"IBackgroundCopyCallback2", IID_IBackgroundCopyCallback2, ifaceCallback,
		[]string{"FileTransferred"}},
	3: {"IBackgroundCopyCallback3", IID_IBackgroundCopyCallback3, ifaceCallback2,
		[]string{"FileRangesTransferred"}},
	4: {"AsyncIBackgroundCopyCallback", IID_AsyncIBackgroundCopyCallback, ifaceIUnknown,
		[]string{"Begin_JobTransferred", "Finish_JobTransferred", "Begin_JobError",
			"Finish_JobError", "Begin_JobModification", "Finish_JobModification"}},
	ifaceJob: {"IBackgroundCopyJob", IID_IBackgroundCopyJob, ifaceIUnknown,
		[]string{"AddFileSet", "AddFile", "EnumFiles", "Suspend", "Resume", "Cancel",
			"Complete", "GetId", "GetType", "GetProgress", "GetTimes", "GetState",
			"GetError", "GetOwner", "SetDisplayName", "GetDisplayName",
			"SetDescription", "GetDescription", "SetPriority", "GetPriority",
			"SetNotifyFlags", "GetNotifyFlags", "SetNotifyInterface",
			"GetNotifyInterface", "SetMinimumRetryDelay", "GetMinimumRetryDelay",
			"SetNoProgressTimeout", "GetNoProgressTimeout", "GetErrorCount",
			"SetProxySettings", "GetProxySettings", "TakeOwnership"}},
	6: {"IBackgroundCopyJob2", IID_IBackgroundCopyJob2, ifaceJob,
		[]string{"SetNotifyCmdLine", "GetNotifyCmdLine", "GetReplyProgress",
			"GetReplyData", "SetReplyFileName", "GetReplyFileName",
			"SetCredentials", "RemoveCredentials"}},
	7: {"IBackgroundCopyManager", IID_IBackgroundCopyManager, ifaceIUnknown,
		[]string{"CreateJob", "GetJob", "EnumJobs", "GetErrorDescription"}},
	8: {"IBackgroundCopyError", IID_IBackgroundCopyError, ifaceIUnknown,
		[]string{"GetError", "GetFile", "GetErrorDescription",
			"GetErrorContextDescription", "GetProtocol"}},
	9: {"IBackgroundCopyFile", IID_IBackgroundCopyFile, ifaceIUnknown,
		[]string{"GetRemoteName", "GetLocalName", "GetProgress"}},
	10: {"IEnumBackgroundCopyFiles", IID_IEnumBackgroundCopyFiles, ifaceIUnknown,
		[]string{"Next", "Skip", "Reset", "Clone", "GetCount"}},
	11: {"IEnumBackgroundCopyJobs", IID_IEnumBackgroundCopyJobs, ifaceIUnknown,
		[]string{"Next", "Skip", "Reset", "Clone", "GetCount"}},
}

// maxInterfaceDepth bounds the walk up the parent chain (the deepest chain
// above is Callback3 → Callback2 → Callback → IUnknown).
const maxInterfaceDepth = 8

func findInterface(iid GUID) int {
	for i := range interfaceTable {
		if interfaceTable[i].iid == iid {
			return i
		}
	}
	return -1
}

// Vtable returns the complete vtable of the interface iid, inherited slots
// first: Vtable(IID_IBackgroundCopyCallback3) is QueryInterface(0), AddRef(1),
// Release(2), JobTransferred(3), JobError(4), JobModification(5),
// FileTransferred(6), FileRangesTransferred(7). It knows IUnknown, the three
// callback interfaces and AsyncIBackgroundCopyCallback, IBackgroundCopyJob
// (slots 0–34) and IBackgroundCopyJob2 (35–42), IBackgroundCopyManager,
// IBackgroundCopyError, IBackgroundCopyFile and the two enumerators; for any
// other iid it returns nil. The slice is a fresh copy.
func Vtable(iid GUID) []VtableSlot {
	i := findInterface(iid)
	if i < 0 {
		return nil
	}
	var chain [maxInterfaceDepth]int
	depth := 0
	for ; i >= 0; i = interfaceTable[i].parent {
		if depth == maxInterfaceDepth {
			panic("callbackabi: interface chain deeper than maxInterfaceDepth")
		}
		chain[depth] = i
		depth++
	}
	var slots []VtableSlot
	for d := depth - 1; d >= 0; d-- {
		for _, m := range interfaceTable[chain[d]].methods {
			slots = append(slots, VtableSlot{Index: len(slots), Name: m})
		}
	}
	return slots
}

// VtableIndex returns the slot of method in the vtable of iid, or -1 when
// the interface is unknown or has no such method. VtableIndex(
// IID_IBackgroundCopyJob, "SetNotifyInterface") is 25.
func VtableIndex(iid GUID, method string) int {
	for _, s := range Vtable(iid) {
		if s.Name == method {
			return s.Index
		}
	}
	return -1
}

// InterfaceName returns the name of a known interface ("IBackgroundCopyCallback2",
// "IUnknown") or "BackgroundCopyManager" for CLSID_BackgroundCopyManager; for
// any other GUID it returns g.String(), so a log of QueryInterface calls stays
// readable.
func InterfaceName(g GUID) string {
	if i := findInterface(g); i >= 0 {
		return interfaceTable[i].name
	}
	if g == CLSID_BackgroundCopyManager {
		return "BackgroundCopyManager"
	}
	return g.String()
}
