package peshim

import (
	"bytes"
	"crypto/sha256"
	"debug/pe"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// shimSHA256 is the SHA-256 of ProcessPrngShim(), computed once. If it
// changes, the bytes written into every Wine prefix change: make sure that
// is intended (and re-run the internal/wine tests) before updating it.
const shimSHA256 = "fa50b9123f6f75fdaf25277ce5d5ac4c308e18782896ec177a3362e66c93ebc8"

// export is one entry of an export directory as a loader sees it.
type export struct {
	Name      string
	Ordinal   uint32 // biased: Base + index into the export address table
	Forwarder string
}

type exportTable struct {
	DLL     string
	Exports []export // in name pointer table order
}

// readExports decodes the export directory of a PE32+ image independently
// of the generator: it follows RVAs through the section table the way a
// loader does, and fails if an export is not a forwarder (its address
// outside the export directory range).
func readExports(img []byte) (exportTable, error) {
	var t exportTable
	f, err := pe.NewFile(bytes.NewReader(img))
	if err != nil {
		return t, err
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		return t, fmt.Errorf("optional header is %T, want PE32+", f.OptionalHeader)
	}
	dd := oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
	if dd.VirtualAddress == 0 || dd.Size < 40 {
		return t, fmt.Errorf("no export directory: %+v", dd)
	}
	// at returns the image bytes from rva to the end of its section.
	at := func(rva uint32, n int) ([]byte, error) {
		for _, s := range f.Sections {
			if rva >= s.VirtualAddress && rva < s.VirtualAddress+s.VirtualSize {
				off := s.Offset + (rva - s.VirtualAddress)
				end := s.Offset + min(s.VirtualSize, s.Size)
				if int(end) > len(img) || int(off)+n > int(end) {
					return nil, fmt.Errorf("rva %#x+%d runs past its section", rva, n)
				}
				return img[off:end], nil
			}
		}
		return nil, fmt.Errorf("rva %#x is in no section", rva)
	}
	u32 := func(rva uint32) (uint32, error) {
		b, err := at(rva, 4)
		if err != nil {
			return 0, err
		}
		return binary.LittleEndian.Uint32(b), nil
	}
	cstr := func(rva uint32) (string, error) {
		b, err := at(rva, 1)
		if err != nil {
			return "", err
		}
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return "", fmt.Errorf("string at rva %#x is not NUL-terminated", rva)
		}
		return string(b[:i]), nil
	}

	dir, err := at(dd.VirtualAddress, 40)
	if err != nil {
		return t, err
	}
	le := binary.LittleEndian
	nameRVA := le.Uint32(dir[12:])
	base := le.Uint32(dir[16:])
	numFuncs, numNames := le.Uint32(dir[20:]), le.Uint32(dir[24:])
	funcs, names, ords := le.Uint32(dir[28:]), le.Uint32(dir[32:]), le.Uint32(dir[36:])
	if t.DLL, err = cstr(nameRVA); err != nil {
		return t, err
	}
	for i := range numNames {
		nrva, err := u32(names + 4*i)
		if err != nil {
			return t, err
		}
		name, err := cstr(nrva)
		if err != nil {
			return t, err
		}
		ob, err := at(ords+2*i, 2)
		if err != nil {
			return t, err
		}
		idx := uint32(le.Uint16(ob))
		if idx >= numFuncs {
			return t, fmt.Errorf("%s: ordinal index %d >= NumberOfFunctions %d", name, idx, numFuncs)
		}
		frva, err := u32(funcs + 4*idx)
		if err != nil {
			return t, err
		}
		if frva < dd.VirtualAddress || frva >= dd.VirtualAddress+dd.Size {
			return t, fmt.Errorf("%s: address %#x is outside the export directory: not a forwarder", name, frva)
		}
		fwd, err := cstr(frva)
		if err != nil {
			return t, err
		}
		t.Exports = append(t.Exports, export{Name: name, Ordinal: base + idx, Forwarder: fwd})
	}
	return t, nil
}

// lookup resolves name by binary search over the name pointer table, as
// the Windows loader does; it only finds names in a correctly sorted table.
func (t exportTable) lookup(name string) (export, bool) {
	i := sort.Search(len(t.Exports), func(i int) bool { return t.Exports[i].Name >= name })
	if i < len(t.Exports) && t.Exports[i].Name == name {
		return t.Exports[i], true
	}
	return export{}, false
}

func TestProcessPrngShimHeaders(t *testing.T) {
	img := ProcessPrngShim()
	require.Equal(t, "MZ", string(img[:2]))
	require.Equal(t, uint32(0x40), binary.LittleEndian.Uint32(img[0x3c:]), "e_lfanew")

	f, err := pe.NewFile(bytes.NewReader(img))
	require.NoError(t, err)

	assert.Equal(t, uint16(pe.IMAGE_FILE_MACHINE_AMD64), f.Machine)
	assert.Equal(t, uint16(1), f.NumberOfSections)
	assert.Equal(t, uint16(240), f.SizeOfOptionalHeader)
	assert.Equal(t, uint16(pe.IMAGE_FILE_EXECUTABLE_IMAGE|pe.IMAGE_FILE_LARGE_ADDRESS_AWARE|pe.IMAGE_FILE_DLL), f.Characteristics)
	assert.Zero(t, f.TimeDateStamp, "time stamp must be zero for byte-stable output")

	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	require.True(t, ok, "optional header is %T, want PE32+", f.OptionalHeader)
	assert.Equal(t, uint16(0x20b), oh.Magic)
	assert.Zero(t, oh.AddressOfEntryPoint)
	assert.Equal(t, uint64(0x180000000), oh.ImageBase)
	assert.Equal(t, uint32(0x1000), oh.SectionAlignment)
	assert.Equal(t, uint32(0x200), oh.FileAlignment)
	assert.Equal(t, [2]uint16{6, 0}, [2]uint16{oh.MajorOperatingSystemVersion, oh.MinorOperatingSystemVersion})
	assert.Equal(t, [2]uint16{6, 0}, [2]uint16{oh.MajorSubsystemVersion, oh.MinorSubsystemVersion})
	assert.Equal(t, uint16(pe.IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE|pe.IMAGE_DLLCHARACTERISTICS_NX_COMPAT|pe.IMAGE_DLLCHARACTERISTICS_HIGH_ENTROPY_VA), oh.DllCharacteristics)
	assert.Equal(t, uint32(0x200), oh.SizeOfHeaders)
	assert.Equal(t, uint32(0x2000), oh.SizeOfImage, "headers page + one page of .rdata")
	assert.Equal(t, uint32(16), oh.NumberOfRvaAndSizes)

	require.Len(t, f.Sections, 1)
	s := f.Sections[0]
	assert.Equal(t, ".rdata", s.Name)
	assert.Equal(t, uint32(pe.IMAGE_SCN_CNT_INITIALIZED_DATA|pe.IMAGE_SCN_MEM_READ), s.Characteristics)
	assert.Equal(t, uint32(0x1000), s.VirtualAddress)
	assert.Equal(t, oh.SizeOfHeaders, s.Offset, "section data starts right after the headers")
	assert.Zero(t, s.Size%oh.FileAlignment)
	assert.Equal(t, s.Size, oh.SizeOfInitializedData)
	assert.Equal(t, int(s.Offset+s.Size), len(img), "file ends with the section")
	assert.Equal(t, oh.SectionAlignment+alignUp(s.VirtualSize, oh.SectionAlignment), oh.SizeOfImage)

	dd := oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
	assert.Equal(t, s.VirtualAddress, dd.VirtualAddress)
	assert.Equal(t, s.VirtualSize, dd.Size, "the export directory spans the section")
	for i, d := range oh.DataDirectory {
		if i != pe.IMAGE_DIRECTORY_ENTRY_EXPORT {
			assert.Zero(t, d, "data directory %d", i)
		}
	}
}

func TestProcessPrngShimExports(t *testing.T) {
	tab, err := readExports(ProcessPrngShim())
	require.NoError(t, err)
	assert.Equal(t, exportTable{
		DLL:     "bcryptprimitives.dll",
		Exports: []export{{Name: "ProcessPrng", Ordinal: 1, Forwarder: "advapi32.SystemFunction036"}},
	}, tab)
}

func TestProcessPrngShimGolden(t *testing.T) {
	img := ProcessPrngShim()
	assert.LessOrEqual(t, len(img), 1536, "the shim should stay about 1 KB")
	sum := sha256.Sum256(img)
	assert.Equal(t, shimSHA256, hex.EncodeToString(sum[:]), "ProcessPrngShim bytes changed")
	assert.Equal(t, img, ProcessPrngShim(), "two calls must give the same bytes")
}

func TestSeveralExports(t *testing.T) {
	in := []Forward{
		{Name: "Zeta", Target: "kernel32.Sleep"},
		{Name: "alpha", Target: "ntdll.#12"},
		{Name: "Alpha", Target: "user32.MessageBoxW"},
		{Name: "Beta_2", Target: "api-ms-win-core-synch-l1-2-0.WaitOnAddress"},
	}
	orig := slices.Clone(in)
	img, err := ForwarderDLL("multi.dll", in)
	require.NoError(t, err)
	assert.Equal(t, orig, in, "ForwarderDLL must not reorder the caller's slice")

	tab, err := readExports(img)
	require.NoError(t, err)
	assert.Equal(t, "multi.dll", tab.DLL)
	// ASCII order: upper case before lower case.
	assert.Equal(t, []export{
		{Name: "Alpha", Ordinal: 1, Forwarder: "user32.MessageBoxW"},
		{Name: "Beta_2", Ordinal: 2, Forwarder: "api-ms-win-core-synch-l1-2-0.WaitOnAddress"},
		{Name: "Zeta", Ordinal: 3, Forwarder: "kernel32.Sleep"},
		{Name: "alpha", Ordinal: 4, Forwarder: "ntdll.#12"},
	}, tab.Exports)
	for _, f := range in {
		e, ok := tab.lookup(f.Name)
		if assert.True(t, ok, "loader-style lookup of %q", f.Name) {
			assert.Equal(t, f.Target, e.Forwarder)
		}
	}
}

func TestValidation(t *testing.T) {
	ok := Forward{Name: "F", Target: "mod.F"}
	for _, tc := range []struct {
		name    string
		dll     string
		exports []Forward
		want    string // substring of the error, quoting the bad value
	}{
		{"empty DLL name", "", []Forward{ok}, "empty DLL name"},
		{"NUL in DLL name", "a\x00.dll", []Forward{ok}, `DLL name "a\x00.dll" contains a NUL`},
		{"non-ASCII DLL name", "ä.dll", []Forward{ok}, `DLL name "ä.dll" is not ASCII`},
		{"no exports", "x.dll", nil, `"x.dll": no exports`},
		{"empty export list", "x.dll", []Forward{}, `"x.dll": no exports`},
		{"empty name", "x.dll", []Forward{{Name: "", Target: "a.b"}}, "empty export name"},
		{"NUL in name", "x.dll", []Forward{{Name: "F\x00G", Target: "a.b"}}, `export name "F\x00G" contains a NUL`},
		{"non-ASCII name", "x.dll", []Forward{{Name: "Fé", Target: "a.b"}}, `export name "Fé" is not ASCII`},
		{"duplicate name", "x.dll", []Forward{ok, {Name: "G", Target: "a.b"}, ok}, `duplicate export name "F"`},
		{"empty target", "x.dll", []Forward{{Name: "F", Target: ""}}, `empty target of "F"`},
		{"NUL in target", "x.dll", []Forward{{Name: "F", Target: "a.b\x00"}}, `target of "F" "a.b\x00" contains a NUL`},
		{"non-ASCII target", "x.dll", []Forward{{Name: "F", Target: "a.bü"}}, `target of "F" "a.bü" is not ASCII`},
		{"target without dot", "x.dll", []Forward{{Name: "F", Target: "advapi32"}}, `target "advapi32" of "F" is not "module.function"`},
		{"target without module", "x.dll", []Forward{{Name: "F", Target: ".Func"}}, `target ".Func" of "F"`},
		{"target without function", "x.dll", []Forward{{Name: "F", Target: "mod."}}, `target "mod." of "F"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := ForwarderDLL(tc.dll, tc.exports)
			require.Error(t, err)
			assert.Nil(t, img)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "peshim: "), "error %q lacks the package prefix", err)
		})
	}
}

// TestRoundTrip: any valid export list comes back from the image exactly,
// sorted for the loader's binary search, each name resolving to its
// target.
func TestRoundTrip(t *testing.T) {
	// str draws 1–24 ASCII bytes (no NUL) from the given alphabet.
	str := func(alphabet *rapid.Generator[byte]) *rapid.Generator[string] {
		return rapid.Custom(func(t *rapid.T) string {
			return string(rapid.SliceOfN(alphabet, 1, 24).Draw(t, "bytes"))
		})
	}
	anyASCII := rapid.ByteRange(1, 0x7f)
	noDot := anyASCII.Filter(func(b byte) bool { return b != '.' })
	rapid.Check(t, func(t *rapid.T) {
		dll := str(anyASCII).Draw(t, "dll")
		names := rapid.SliceOfNDistinct(str(anyASCII), 1, 30, rapid.ID[string]).Draw(t, "names")
		in := make([]Forward, len(names))
		for i, n := range names {
			// The module may contain dots; the function after the last
			// dot may not.
			in[i] = Forward{Name: n, Target: str(anyASCII).Draw(t, "module") + "." + str(noDot).Draw(t, "function")}
		}

		img, err := ForwarderDLL(dll, in)
		if err != nil {
			t.Fatalf("valid input rejected: %v", err)
		}
		tab, err := readExports(img)
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if tab.DLL != dll {
			t.Fatalf("DLL name %q, want %q", tab.DLL, dll)
		}
		if len(tab.Exports) != len(in) {
			t.Fatalf("%d exports, want %d", len(tab.Exports), len(in))
		}
		for i, e := range tab.Exports {
			if e.Ordinal != uint32(i+1) {
				t.Fatalf("export %d %q has ordinal %d", i, e.Name, e.Ordinal)
			}
			if i > 0 && tab.Exports[i-1].Name >= e.Name {
				t.Fatalf("name table not sorted: %q before %q", tab.Exports[i-1].Name, e.Name)
			}
		}
		for _, f := range in {
			e, ok := tab.lookup(f.Name)
			if !ok || e.Forwarder != f.Target {
				t.Fatalf("lookup %q = %+v, %v; want forwarder %q", f.Name, e, ok, f.Target)
			}
		}
	})
}
