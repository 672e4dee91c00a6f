package callbackabi

import "fmt"

// GUID is a COM GUID with the Windows memory layout, so the Windows bridge
// can pass it by pointer unchanged.
type GUID struct {
	Data1 uint32
	Data2 uint16
	Data3 uint16
	Data4 [8]byte
}

// GUID_NULL is the all-zero GUID. SetProperty(NOTIFICATION_CLSID, GUID_NULL)
// clears a registered callback CLSID (G9).
var GUID_NULL = GUID{}

// Interface and class identifiers (table 2.9). IID_IUnknown is the COM
// constant {00000000-0000-0000-C000-000000000046}; IID_IBackgroundCopyJob2
// comes from Wine's bits1_5.idl (W-IDL), the others from table 2.9.
var (
	IID_IUnknown                     = MustParseGUID("{00000000-0000-0000-C000-000000000046}")
	IID_IBackgroundCopyCallback      = MustParseGUID("{97EA99C7-0186-4AD4-8DF9-C5B4E0ED6B22}")
	IID_AsyncIBackgroundCopyCallback = MustParseGUID("{CA29D251-B4BB-4679-A3D9-AE8006119D54}")
	IID_IBackgroundCopyCallback2     = MustParseGUID("{659CDEAC-489E-11D9-A9CD-000D56965251}")
	IID_IBackgroundCopyCallback3     = MustParseGUID("{98C97BD2-E32B-4AD8-A528-95FD8B16BD42}")
	IID_IBackgroundCopyJob           = MustParseGUID("{37668D37-507E-4160-9316-26306D150B12}")
	IID_IBackgroundCopyJob2          = MustParseGUID("{54B50739-686F-45EB-9DFF-D6A9A0FAA9AF}")
	IID_IBackgroundCopyManager       = MustParseGUID("{5CE34C0D-0DC9-4C1F-897C-DAA1B78CEE7C}")
	IID_IBackgroundCopyError         = MustParseGUID("{19C613A0-FCB8-4F28-81AE-897C3D078F81}")
	IID_IBackgroundCopyFile          = MustParseGUID("{01B7BD23-FB88-4A77-8490-5891D3E4653A}")
	IID_IEnumBackgroundCopyFiles     = MustParseGUID("{CA51E165-C365-424C-8D41-24AAA4FF3C40}")
	IID_IEnumBackgroundCopyJobs      = MustParseGUID("{1AF4F612-3B71-466F-8F58-7B6F73AC57AD}")
	CLSID_BackgroundCopyManager      = MustParseGUID("{4991D34B-80A1-4291-83B6-3328366B9097}")
)

// String returns the registry form of g: braced, upper-case hex,
// "{4991D34B-80A1-4291-83B6-3328366B9097}". Data4[0:2] form the fourth
// group, as in every Windows tool.
func (g GUID) String() string {
	return fmt.Sprintf("{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
		g.Data1, g.Data2, g.Data3,
		g.Data4[0], g.Data4[1],
		g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7])
}

// IsNull reports whether g is GUID_NULL.
func (g GUID) IsNull() bool { return g == GUID_NULL }

// guidTextLen is the length of "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX".
const guidTextLen = 36

// ParseGUID reads a GUID in registry form, with or without the braces
// ("{4991D34B-80A1-4291-83B6-3328366B9097}" or
// "4991d34b-80a1-4291-83b6-3328366b9097"); hex digits may be of either case.
// Any other text, including one brace without the other, is an error that
// quotes it.
func ParseGUID(s string) (GUID, error) {
	body := s
	if len(body) == guidTextLen+2 && body[0] == '{' && body[len(body)-1] == '}' {
		body = body[1 : len(body)-1]
	}
	if len(body) != guidTextLen {
		return GUID{}, errNotGUID(s)
	}
	// raw holds the 16 bytes in text order: 4-2-2-2-6.
	var raw [16]byte
	n := 0
	for i := 0; i < guidTextLen; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if body[i] != '-' {
				return GUID{}, errNotGUID(s)
			}
			i++
			continue
		}
		hi, ok1 := hexDigit(body[i])
		lo, ok2 := hexDigit(body[i+1])
		if !ok1 || !ok2 {
			return GUID{}, errNotGUID(s)
		}
		raw[n] = hi<<4 | lo
		n++
		i += 2
	}
	g := GUID{
		Data1: uint32(raw[0])<<24 | uint32(raw[1])<<16 | uint32(raw[2])<<8 | uint32(raw[3]),
		Data2: uint16(raw[4])<<8 | uint16(raw[5]),
		Data3: uint16(raw[6])<<8 | uint16(raw[7]),
	}
	copy(g.Data4[:], raw[8:])
	return g, nil
}

// MustParseGUID is [ParseGUID] for constants: it panics on malformed text.
func MustParseGUID(s string) GUID {
	g, err := ParseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}

func errNotGUID(s string) error {
	return fmt.Errorf("callbackabi: %q is not a GUID", s)
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
