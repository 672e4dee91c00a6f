package peshim_test

import (
	"bytes"
	"debug/pe"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/bitsim/bitsim/internal/peshim"
)

// A DLL whose two exports are forwarded to kernel32: the loader resolves
// an import of mykernel.Sleep to kernel32.Sleep without running any code
// from mykernel.dll.
func ExampleForwarderDLL() {
	dll, err := peshim.ForwarderDLL("mykernel.dll", []peshim.Forward{
		{Name: "Sleep", Target: "kernel32.Sleep"},
		{Name: "Beep", Target: "kernel32.Beep"},
	})
	if err != nil {
		log.Fatal(err)
	}

	f, err := pe.NewFile(bytes.NewReader(dll))
	if err != nil {
		log.Fatal(err)
	}
	opt := f.OptionalHeader.(*pe.OptionalHeader64)
	fmt.Printf("%d bytes, AMD64: %v, DLL: %v, entry point: %#x\n", len(dll),
		f.Machine == pe.IMAGE_FILE_MACHINE_AMD64,
		f.Characteristics&pe.IMAGE_FILE_DLL != 0,
		opt.AddressOfEntryPoint)
	fmt.Printf("section %s, export directory at RVA %#x\n",
		f.Sections[0].Name, opt.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT].VirtualAddress)

	// Bad input is refused with the bad value quoted.
	_, err = peshim.ForwarderDLL("mykernel.dll", []peshim.Forward{{Name: "Sleep", Target: "kernel32"}})
	fmt.Println(err)
	// Output:
	// 1024 bytes, AMD64: true, DLL: true, entry point: 0x0
	// section .rdata, export directory at RVA 0x1000
	// peshim: target "kernel32" of "Sleep" is not "module.function"
}

// Installing the shim into a Wine prefix by hand (package wine's Prefix
// does this for you).
func ExampleProcessPrngShim() {
	prefix, err := os.MkdirTemp("", "prefix")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(prefix)
	system32 := filepath.Join(prefix, "drive_c", "windows", "system32")
	if err := os.MkdirAll(system32, 0o755); err != nil {
		log.Fatal(err)
	}

	shim := peshim.ProcessPrngShim()
	if err := os.WriteFile(filepath.Join(system32, "bcryptprimitives.dll"), shim, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(shim), "bytes; forwards to SystemFunction036:",
		bytes.Contains(shim, []byte("advapi32.SystemFunction036\x00")))
	// Output:
	// 1024 bytes; forwards to SystemFunction036: true
}
