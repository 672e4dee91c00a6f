// Package peshim writes tiny Windows DLLs that contain nothing but
// forwarded exports.
//
// # Why
//
// The Go runtime (Go 1.22 and later) imports ProcessPrng from
// bcryptprimitives.dll at start-up. Wine 8.0 has no such DLL, so a Go
// program built for windows/amd64 dies before main under Wine 8.0. Windows
// has long had a function of the same shape, advapi32's SystemFunction036
// (better known as RtlGenRandom: fill a buffer, return a BOOLEAN), so a
// bcryptprimitives.dll whose ProcessPrng simply forwards to
// advapi32.SystemFunction036 is all the runtime needs. ProcessPrngShim
// returns exactly that DLL; ForwarderDLL builds any other forwarder-only DLL.
//
// # What a forwarder is
//
// A DLL's export directory maps names to addresses through three parallel
// tables: the export address table (EAT), the name pointer table and the
// ordinal table. Normally an EAT entry is the RVA of code. The Windows
// loader (and Wine's) has one special case: when the RVA lands inside the
// export directory itself (the range given by data directory 0), it is not
// code but a NUL-terminated string "module.function", and the loader
// resolves the import by loading module and looking up function there. A
// DLL made only of forwarders needs no code, no entry point and no
// relocations — just headers and one read-only section.
//
// # The image this package writes
//
//	offset 0x000  DOS header: "MZ", e_lfanew = 0x40 (no DOS stub)
//	offset 0x040  "PE\0\0"
//	offset 0x044  COFF file header: AMD64, 1 section, DLL
//	offset 0x058  PE32+ optional header (240 bytes, 16 data directories)
//	offset 0x148  section header ".rdata"
//	offset 0x200  .rdata (RVA 0x1000), all of it the export directory:
//	              IMAGE_EXPORT_DIRECTORY (40 bytes)
//	              export address table   (4 bytes per export)
//	              name pointer table     (4 bytes per export)
//	              ordinal table          (2 bytes per export)
//	              DLL name, export names, forwarder strings (NUL-terminated)
//
// Exports are sorted by name in byte (ASCII) order, because the loader
// binary-searches the name pointer table, and ordinals are handed out in
// that order starting at 1. Every time stamp and the checksum are zero, so
// the same input always gives the same bytes.
package peshim

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// Forward is one forwarded export: calls to Name in the generated DLL are
// resolved by the loader to Target, written "module.function" (the module
// without its .dll suffix, e.g. "advapi32.SystemFunction036"), or
// "module.#ordinal" to forward by ordinal.
type Forward struct {
	Name   string
	Target string
}

// Image layout constants. Everything that is not derived from the input
// is fixed here so that the output is byte-stable.
const (
	imageBase        = 0x180000000 // the customary base of 64-bit DLLs
	sectionAlignment = 0x1000
	fileAlignment    = 0x200
	peOffset         = 0x40 // e_lfanew: PE signature right after the DOS header
	sectionRVA       = sectionAlignment

	dosHeaderSize      = 64
	fileHeaderSize     = 20
	optionalHeaderSize = 240 // PE32+ with 16 data directories
	sectionHeaderSize  = 40
	exportDirSize      = 40 // IMAGE_EXPORT_DIRECTORY
	headersEnd         = peOffset + 4 + fileHeaderSize + optionalHeaderSize + sectionHeaderSize

	maxExports = 0xFFFF  // ordinal table entries are 16 bits
	maxStrings = 1 << 30 // keeps every RVA well inside 32 bits
)

// ForwarderDLL returns the file image of a PE32+ (x86-64) DLL named
// dllName whose exports are exactly the given forwarders. Write the bytes
// to a file called dllName where the loader will look for it.
//
// dllName, every Name and every Target must be non-empty ASCII without NUL
// bytes, names must be unique, and every Target must contain a dot with a
// module before it and a function (or #ordinal) after it. The error names
// the offending value.
func ForwarderDLL(dllName string, exports []Forward) ([]byte, error) {
	if err := validate(dllName, exports); err != nil {
		return nil, err
	}
	sorted := slices.Clone(exports)
	slices.SortFunc(sorted, func(a, b Forward) int { return strings.Compare(a.Name, b.Name) })

	section := exportSection(dllName, sorted)
	rawSize := alignUp(uint32(len(section)), fileAlignment)
	sizeOfHeaders := alignUp(headersEnd, fileAlignment)

	var buf bytes.Buffer
	buf.Grow(int(sizeOfHeaders + rawSize))

	// DOS header: only e_magic and e_lfanew matter to a modern loader.
	var dos [dosHeaderSize]byte
	copy(dos[:], "MZ")
	binary.LittleEndian.PutUint32(dos[0x3c:], peOffset)
	buf.Write(dos[:])

	buf.WriteString("PE\x00\x00")
	write(&buf, pe.FileHeader{
		Machine:              pe.IMAGE_FILE_MACHINE_AMD64,
		NumberOfSections:     1,
		SizeOfOptionalHeader: optionalHeaderSize,
		Characteristics: pe.IMAGE_FILE_EXECUTABLE_IMAGE |
			pe.IMAGE_FILE_LARGE_ADDRESS_AWARE |
			pe.IMAGE_FILE_DLL,
	})

	opt := pe.OptionalHeader64{
		Magic:                       0x20b, // PE32+
		MajorLinkerVersion:          14,
		SizeOfInitializedData:       rawSize,
		AddressOfEntryPoint:         0, // no DllMain: allowed for a DLL
		ImageBase:                   imageBase,
		SectionAlignment:            sectionAlignment,
		FileAlignment:               fileAlignment,
		MajorOperatingSystemVersion: 6,
		MajorSubsystemVersion:       6,
		SizeOfImage:                 sectionRVA + alignUp(uint32(len(section)), sectionAlignment),
		SizeOfHeaders:               sizeOfHeaders,
		Subsystem:                   pe.IMAGE_SUBSYSTEM_WINDOWS_GUI,
		DllCharacteristics: pe.IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE |
			pe.IMAGE_DLLCHARACTERISTICS_NX_COMPAT |
			pe.IMAGE_DLLCHARACTERISTICS_HIGH_ENTROPY_VA,
		SizeOfStackReserve:  0x100000,
		SizeOfStackCommit:   0x1000,
		SizeOfHeapReserve:   0x100000,
		SizeOfHeapCommit:    0x1000,
		NumberOfRvaAndSizes: 16,
	}
	// The export directory spans the whole section; that range is what
	// turns the EAT entries into forwarders.
	opt.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT] = pe.DataDirectory{
		VirtualAddress: sectionRVA,
		Size:           uint32(len(section)),
	}
	write(&buf, opt)

	write(&buf, pe.SectionHeader32{
		Name:             [8]uint8{'.', 'r', 'd', 'a', 't', 'a'},
		VirtualSize:      uint32(len(section)),
		VirtualAddress:   sectionRVA,
		SizeOfRawData:    rawSize,
		PointerToRawData: sizeOfHeaders,
		Characteristics:  pe.IMAGE_SCN_CNT_INITIALIZED_DATA | pe.IMAGE_SCN_MEM_READ,
	})

	pad(&buf, sizeOfHeaders)
	buf.Write(section)
	pad(&buf, sizeOfHeaders+rawSize)
	return buf.Bytes(), nil
}

// ProcessPrngShim returns bcryptprimitives.dll with a single export,
// ProcessPrng, forwarded to advapi32.SystemFunction036 (RtlGenRandom).
// Placed in a Wine 8.0 prefix's drive_c/windows/system32 it lets Go 1.22+
// windows/amd64 programs start. Both functions take (buffer, length) and
// return nonzero on success; the Go runtime only tests the low byte of the
// result, which is all SystemFunction036's BOOLEAN sets.
func ProcessPrngShim() []byte {
	b, err := ForwarderDLL("bcryptprimitives.dll", []Forward{
		{Name: "ProcessPrng", Target: "advapi32.SystemFunction036"},
	})
	if err != nil {
		panic("peshim: ProcessPrngShim: " + err.Error()) // constant input: cannot happen
	}
	return b
}

// exportSection lays out the .rdata section, which holds the whole export
// directory. exports must be sorted by name.
func exportSection(dllName string, exports []Forward) []byte {
	n := uint32(len(exports))
	eatOff := uint32(exportDirSize)
	namePtrOff := eatOff + 4*n
	ordinalOff := namePtrOff + 4*n
	stringsOff := ordinalOff + 2*n

	// Strings go after the tables; rva hands out their addresses.
	var strs bytes.Buffer
	rva := func(s string) uint32 {
		at := sectionRVA + stringsOff + uint32(strs.Len())
		strs.WriteString(s)
		strs.WriteByte(0)
		return at
	}

	sec := make([]byte, stringsOff)
	le := binary.LittleEndian
	// IMAGE_EXPORT_DIRECTORY; Characteristics, TimeDateStamp and the
	// version stay zero.
	le.PutUint32(sec[12:], rva(dllName))          // Name
	le.PutUint32(sec[16:], 1)                     // Base: first ordinal
	le.PutUint32(sec[20:], n)                     // NumberOfFunctions
	le.PutUint32(sec[24:], n)                     // NumberOfNames
	le.PutUint32(sec[28:], sectionRVA+eatOff)     // AddressOfFunctions
	le.PutUint32(sec[32:], sectionRVA+namePtrOff) // AddressOfNames
	le.PutUint32(sec[36:], sectionRVA+ordinalOff) // AddressOfNameOrdinals

	for i, e := range exports {
		i := uint32(i)
		le.PutUint32(sec[namePtrOff+4*i:], rva(e.Name))
		le.PutUint16(sec[ordinalOff+2*i:], uint16(i)) // index into the EAT
		le.PutUint32(sec[eatOff+4*i:], rva(e.Target)) // inside the directory: a forwarder
	}
	return append(sec, strs.Bytes()...)
}

func validate(dllName string, exports []Forward) error {
	if err := checkString("DLL name", dllName); err != nil {
		return err
	}
	if len(exports) == 0 {
		return fmt.Errorf("peshim: %q: no exports", dllName)
	}
	if len(exports) > maxExports {
		return fmt.Errorf("peshim: %q: %d exports, at most %d fit the ordinal table", dllName, len(exports), maxExports)
	}
	seen := make(map[string]bool, len(exports))
	total := len(dllName)
	for _, e := range exports {
		total += len(e.Name) + len(e.Target)
		if err := checkString("export name", e.Name); err != nil {
			return err
		}
		if seen[e.Name] {
			return fmt.Errorf("peshim: duplicate export name %q", e.Name)
		}
		seen[e.Name] = true
		if total > maxStrings {
			return fmt.Errorf("peshim: %q: more than %d bytes of names and targets", dllName, maxStrings)
		}
		if err := checkString(fmt.Sprintf("target of %q", e.Name), e.Target); err != nil {
			return err
		}
		if dot := strings.LastIndexByte(e.Target, '.'); dot <= 0 || dot == len(e.Target)-1 {
			return fmt.Errorf("peshim: target %q of %q is not \"module.function\"", e.Target, e.Name)
		}
	}
	return nil
}

// checkString rejects what cannot be a NUL-terminated ASCII string in the
// image.
func checkString(what, s string) error {
	if s == "" {
		return fmt.Errorf("peshim: empty %s", what)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0:
			return fmt.Errorf("peshim: %s %q contains a NUL byte", what, s)
		case c >= 0x80:
			return fmt.Errorf("peshim: %s %q is not ASCII", what, s)
		}
	}
	return nil
}

func alignUp(n, a uint32) uint32 { return (n + a - 1) &^ (a - 1) }

// write appends the little-endian encoding of a fixed-size header struct.
func write(buf *bytes.Buffer, v any) {
	if err := binary.Write(buf, binary.LittleEndian, v); err != nil {
		panic("peshim: " + err.Error()) // only fixed-size structs are written
	}
}

// pad zero-fills buf up to length n.
func pad(buf *bytes.Buffer, n uint32) {
	buf.Write(make([]byte, int(n)-buf.Len()))
}
