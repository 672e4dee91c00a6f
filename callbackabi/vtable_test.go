package callbackabi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func names(slots []VtableSlot) []string {
	out := make([]string, len(slots))
	for i, s := range slots {
		out[i] = s.Name
	}
	return out
}

// Table 2.9 note: the vtable order of IBackgroundCopyCallback3 (H-SDK).
func TestVtableCallback3MatchesTable2_9(t *testing.T) {
	want := []string{"QueryInterface", "AddRef", "Release", "JobTransferred",
		"JobError", "JobModification", "FileTransferred", "FileRangesTransferred"}
	got := Vtable(IID_IBackgroundCopyCallback3)
	assert.Equal(t, want, names(got))
	assert.Equal(t, want[:7], names(Vtable(IID_IBackgroundCopyCallback2)))
	assert.Equal(t, want[:6], names(Vtable(IID_IBackgroundCopyCallback)))
	assert.Equal(t, want[:3], names(Vtable(IID_IUnknown)))
	for i, s := range got {
		assert.Equal(t, i, s.Index)
	}
}

// wine-bits.md, "Vtable slots used": IBackgroundCopyJob 3…34 after
// IUnknown's 0–2, transcribed independently.
func TestVtableJobMatchesWineBits(t *testing.T) {
	want := map[int]string{
		0: "QueryInterface", 1: "AddRef", 2: "Release",
		3: "AddFileSet", 4: "AddFile", 5: "EnumFiles", 6: "Suspend", 7: "Resume", 8: "Cancel",
		9: "Complete", 10: "GetId", 11: "GetType", 12: "GetProgress", 13: "GetTimes",
		14: "GetState", 15: "GetError", 16: "GetOwner", 17: "SetDisplayName",
		18: "GetDisplayName", 19: "SetDescription", 20: "GetDescription", 21: "SetPriority",
		22: "GetPriority", 23: "SetNotifyFlags", 24: "GetNotifyFlags", 25: "SetNotifyInterface",
		26: "GetNotifyInterface", 27: "SetMinimumRetryDelay", 28: "GetMinimumRetryDelay",
		29: "SetNoProgressTimeout", 30: "GetNoProgressTimeout", 31: "GetErrorCount",
		32: "SetProxySettings", 33: "GetProxySettings", 34: "TakeOwnership",
	}
	got := Vtable(IID_IBackgroundCopyJob)
	require.Len(t, got, 35)
	for _, s := range got {
		assert.Equal(t, want[s.Index], s.Name, "slot %d", s.Index)
		assert.Equal(t, s.Index, VtableIndex(IID_IBackgroundCopyJob, s.Name))
	}
	job2 := Vtable(IID_IBackgroundCopyJob2)
	require.Len(t, job2, 43)
	assert.Equal(t, got, job2[:35], "IBackgroundCopyJob2 extends IBackgroundCopyJob")
	assert.Equal(t, VtableSlot{35, "SetNotifyCmdLine"}, job2[35])
	assert.Equal(t, VtableSlot{36, "GetNotifyCmdLine"}, job2[36])
}

// Every Go method of Job has a slot in IBackgroundCopyJob or Job2 (so a
// bridge can forward it), and every Callback method has its documented slot.
func TestVtableCoversTheGoInterfaces(t *testing.T) {
	for _, m := range []string{"GetId", "GetType", "GetDisplayName", "SetDisplayName", "GetDescription",
		"SetDescription", "GetOwner", "GetProgress", "GetTimes", "GetState", "GetError",
		"GetErrorCount", "GetPriority", "SetPriority", "AddFile", "EnumFiles", "Resume", "Suspend",
		"Cancel", "Complete", "TakeOwnership", "GetNotifyFlags", "SetNotifyFlags",
		"GetNotifyInterface", "SetNotifyInterface", "GetMinimumRetryDelay", "SetMinimumRetryDelay",
		"GetNoProgressTimeout", "SetNoProgressTimeout", "SetNotifyCmdLine", "GetNotifyCmdLine"} {
		assert.GreaterOrEqual(t, VtableIndex(IID_IBackgroundCopyJob2, m), 3, m)
	}
	assert.Equal(t, 3, VtableIndex(IID_IBackgroundCopyCallback, "JobTransferred"))
	assert.Equal(t, 4, VtableIndex(IID_IBackgroundCopyCallback, "JobError"))
	assert.Equal(t, 5, VtableIndex(IID_IBackgroundCopyCallback, "JobModification"))
	assert.Equal(t, 6, VtableIndex(IID_IBackgroundCopyCallback2, "FileTransferred"))
	assert.Equal(t, 7, VtableIndex(IID_IBackgroundCopyCallback3, "FileRangesTransferred"))
	assert.Equal(t, -1, VtableIndex(IID_IBackgroundCopyCallback, "FileTransferred"))
}

func TestVtableManagerErrorFile(t *testing.T) {
	assert.Equal(t, []string{"QueryInterface", "AddRef", "Release", "CreateJob", "GetJob", "EnumJobs", "GetErrorDescription"},
		names(Vtable(IID_IBackgroundCopyManager)))
	assert.Equal(t, []string{"QueryInterface", "AddRef", "Release", "GetError", "GetFile", "GetErrorDescription",
		"GetErrorContextDescription", "GetProtocol"}, names(Vtable(IID_IBackgroundCopyError)))
	assert.Equal(t, []string{"QueryInterface", "AddRef", "Release", "GetRemoteName", "GetLocalName", "GetProgress"},
		names(Vtable(IID_IBackgroundCopyFile)))
	assert.Equal(t, 7, VtableIndex(IID_IEnumBackgroundCopyFiles, "GetCount"))
	assert.Equal(t, 8, VtableIndex(IID_AsyncIBackgroundCopyCallback, "Finish_JobModification"))
}

func TestVtableUnknownInterface(t *testing.T) {
	assert.Nil(t, Vtable(GUID_NULL))
	assert.Nil(t, Vtable(CLSID_BackgroundCopyManager), "a CLSID has no vtable")
	assert.Equal(t, -1, VtableIndex(GUID_NULL, "QueryInterface"))
	assert.Equal(t, "BackgroundCopyManager", InterfaceName(CLSID_BackgroundCopyManager))
	assert.Equal(t, "{00000000-0000-0000-0000-000000000000}", InterfaceName(GUID_NULL))
}

func TestVtableReturnsACopy(t *testing.T) {
	v := Vtable(IID_IBackgroundCopyCallback)
	v[3].Name = "Mutated"
	assert.Equal(t, 3, VtableIndex(IID_IBackgroundCopyCallback, "JobTransferred"))
}
