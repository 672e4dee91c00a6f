package callbackabi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestParseGUIDForms(t *testing.T) {
	want := CLSID_BackgroundCopyManager
	for _, text := range []string{
		"{4991D34B-80A1-4291-83B6-3328366B9097}",
		"4991D34B-80A1-4291-83B6-3328366B9097",
		"{4991d34b-80a1-4291-83b6-3328366b9097}",
		"4991d34B-80A1-4291-83b6-3328366B9097",
	} {
		g, err := ParseGUID(text)
		require.NoError(t, err, text)
		assert.Equal(t, want, g, text)
	}
	assert.Equal(t, uint32(0x4991D34B), want.Data1)
	assert.Equal(t, uint16(0x80A1), want.Data2)
	assert.Equal(t, uint16(0x4291), want.Data3)
	assert.Equal(t, [8]byte{0x83, 0xB6, 0x33, 0x28, 0x36, 0x6B, 0x90, 0x97}, want.Data4)
}

func TestParseGUIDRejectsMalformedAndQuotesIt(t *testing.T) {
	bad := []string{
		"",
		"{}",
		"{4991D34B-80A1-4291-83B6-3328366B9097",  // one brace
		"4991D34B-80A1-4291-83B6-3328366B9097}",  // one brace
		"(4991D34B-80A1-4291-83B6-3328366B9097)", // wrong brackets
		"{4991D34B-80A1-4291-83B6-3328366B909}",  // short
		"{4991D34B-80A1-4291-83B6-3328366B90977}",
		"{4991D34B080A1-4291-83B6-3328366B9097}", // hyphen missing
		"{4991D34B-80A1-4291-83B63-328366B9097}", // hyphen misplaced
		"{4991D34G-80A1-4291-83B6-3328366B9097}", // not hex
		"{4991D34B-80A1-4291-83B6-3328366B909 }",
		"{+991D34B-80A1-4291-83B6-3328366B9097}",
		"4991D34B80A1429183B63328366B9097", // no hyphens
		" {4991D34B-80A1-4291-83B6-3328366B9097}",
	}
	for _, text := range bad {
		_, err := ParseGUID(text)
		require.Error(t, err, "%q", text)
		assert.EqualError(t, err, `callbackabi: "`+strings.ReplaceAll(text, `"`, `\"`)+`" is not a GUID`)
	}
}

func TestMustParseGUIDPanicsOnMalformed(t *testing.T) {
	assert.PanicsWithError(t, `callbackabi: "nope" is not a GUID`, func() { MustParseGUID("nope") })
	assert.NotPanics(t, func() { MustParseGUID("00000000-0000-0000-C000-000000000046") })
}

func TestGUIDNull(t *testing.T) {
	assert.Equal(t, "{00000000-0000-0000-0000-000000000000}", GUID_NULL.String())
	assert.True(t, GUID_NULL.IsNull())
	assert.False(t, IID_IUnknown.IsNull())
	g, err := ParseGUID("00000000-0000-0000-0000-000000000000")
	require.NoError(t, err)
	assert.True(t, g.IsNull())
}

func TestGUIDRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := GUID{
			Data1: rapid.Uint32().Draw(t, "d1"),
			Data2: rapid.Uint16().Draw(t, "d2"),
			Data3: rapid.Uint16().Draw(t, "d3"),
		}
		copy(g.Data4[:], rapid.SliceOfN(rapid.Byte(), 8, 8).Draw(t, "d4"))
		s := g.String()
		if len(s) != 38 || s != strings.ToUpper(s) {
			t.Fatalf("String() = %q, want 38 upper-case characters", s)
		}
		for _, text := range []string{s, s[1 : len(s)-1], strings.ToLower(s)} {
			back, err := ParseGUID(text)
			if err != nil || back != g {
				t.Fatalf("ParseGUID(%q) = %v, %v; want %v", text, back, err, g)
			}
		}
	})
}
