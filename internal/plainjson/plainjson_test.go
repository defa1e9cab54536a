package plainjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

type sample struct {
	ID     string     `json:"id"`
	Kind   kind       `json:"kind,omitempty"`
	At     time.Time  `json:"at"`
	Maybe  *time.Time `json:"maybe,omitempty"`
	Seq    uint64     `json:"seq"`
	Flag   bool       `json:"flag,omitempty"`
	Hidden string     `json:"-"`
	Last   string     `json:"last,omitempty"`
}

type kind string

var sampleFields = []Field[sample]{
	{Key: "id", String: func(v *sample, s []byte) { v.ID = string(s) }},
	{Key: "kind", Str: func(v *sample) *string { return (*string)(&v.Kind) }, Intern: true},
	{Key: "at", Time: func(v *sample) *time.Time { return &v.At }},
	{Key: "maybe", TimePtr: func(v *sample) **time.Time { return &v.Maybe }},
	{Key: "seq", Uint: func(v *sample) *uint64 { return &v.Seq }},
	{Key: "flag", Bool: func(v *sample) *bool { return &v.Flag }},
	{Key: "last", Str: func(v *sample) *string { return &v.Last }},
}

func TestCheck(t *testing.T) {
	if err := Check(sampleFields); err != nil {
		t.Fatal(err)
	}
	swap := func(i, j int) []Field[sample] {
		f := append([]Field[sample](nil), sampleFields...)
		f[i], f[j] = f[j], f[i]
		return f
	}
	wrongKey := append([]Field[sample](nil), sampleFields...)
	wrongKey[0].Key = "ID"
	wrongField := append([]Field[sample](nil), sampleFields...)
	wrongField[0].String = func(v *sample, s []byte) { v.Last = string(s) }
	wrongType := append([]Field[sample](nil), sampleFields...)
	wrongType[4] = Field[sample]{Key: "seq", String: func(v *sample, s []byte) {}}
	none := append([]Field[sample](nil), sampleFields...)
	none[5] = Field[sample]{Key: "flag"}
	two := append([]Field[sample](nil), sampleFields...)
	two[2].TimePtr = func(v *sample) **time.Time { return &v.Maybe }
	strField := append([]Field[sample](nil), sampleFields...)
	strField[6].Str = func(v *sample) *string { return &v.ID }
	internTime := append([]Field[sample](nil), sampleFields...)
	internTime[2].Intern = true
	bad := map[string][]Field[sample]{
		"order":       swap(0, 1),
		"missing":     sampleFields[:6],
		"key":         wrongKey,
		"field":       wrongField,
		"type":        wrongType,
		"no setter":   none,
		"two setters": two,
		"str field":   strField,
		"intern time": internTime,
	}
	for name, f := range bad {
		if err := Check(f); err == nil {
			t.Errorf("%s: Check passed", name)
		}
	}
	type own struct {
		K kind         `json:"k"`
		U selfDecoding `json:"u"`
	}
	if err := Check([]Field[own]{{Key: "k", String: func(*own, []byte) {}}, {Key: "u", String: func(*own, []byte) {}}}); err == nil {
		t.Error("a field with its own UnmarshalJSON passed")
	}
}

type selfDecoding string

func (u *selfDecoding) UnmarshalJSON([]byte) error { return nil }

var cases = []string{
	`{}`,
	`{"id":"a"}`,
	`{"id":"a","kind":"k","at":"2026-12-03T09:00:00.123456789+01:00","maybe":"2026-12-03T08:00:00Z","seq":42,"flag":true,"last":"æøå"}`,
	`{"id":"a","flag":false}`,
	`{"seq":0}`,
	`{"seq":18446744073709551615}`,
	`{"seq":18446744073709551616}`,
	`{"seq":01}`,
	`{"seq":1.5}`,
	`{"seq":-1}`,
	`{"seq":1e3}`,
	`{"flag":"true"}`,
	`{"flag":tru}`,
	`{"flag":null}`,
	`{"id":null}`,
	`{"id":"a" }`,
	`{ "id":"a"}`,
	`{"id":"a\"b"}`,
	`{"id":"a\u0041"}`,
	"{\"id\":\"a\x01\"}",
	"{\"id\":\"\xff\"}",
	`{"kind":"k","id":"a"}`,
	`{"id":"a","id":"b"}`,
	`{"ID":"a"}`,
	`{"id":"a","other":"x"}`,
	`{"-":"x"}`,
	`{"Hidden":"x"}`,
	`{"at":"2026-12-03"}`,
	`{"at":"2026-12-03T09:00:00Z"} `,
	`{"at":"2026-12-03T09:00:00Z"}x`,
	`{"maybe":"nope"}`,
	`{"id":"a",}`,
	`{"id":"a"`,
	`{"id":`,
	`{`,
	``,
	`[]`,
	`{"":"x"}`,
}

func TestDecodeAsJSON(t *testing.T) {
	accepted := 0
	for _, c := range cases {
		if sameAsJSON(t, []byte(c)) {
			accepted++
		}
	}
	// The plain forms above: an empty object, the full one, and those
	// whose values are all plain.
	if accepted != 6 {
		t.Fatalf("%d of the cases read directly, 6 are plain", accepted)
	}
	if var1 := (sample{ID: "left"}); Decode([]byte(`{"id":"a","nope":1}`), sampleFields, &var1) || !reflect.DeepEqual(var1, sample{}) {
		t.Fatalf("after a refusal: %#v, want the zero value", var1)
	}
}

func FuzzDecode(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) { sameAsJSON(t, b) })
}

// sameAsJSON checks that what Decode accepts, json.Unmarshal accepts as
// the same value, with unknown fields refused too; it reports whether
// Decode accepted b.
func sameAsJSON(t *testing.T, b []byte) bool {
	t.Helper()
	got := sample{Hidden: "before"} // zeroed by Decode
	if !Decode(b, sampleFields, &got) {
		var st Strings
		if DecodeWith(b, sampleFields, &got, &st) {
			t.Fatalf("%q: DecodeWith read it, Decode did not", b)
		}
		return false
	}
	var st Strings
	var with sample
	if !DecodeWith(b, sampleFields, &with, &st) || !reflect.DeepEqual(with, got) {
		t.Fatalf("%q: DecodeWith gave %#v, Decode %#v", b, with, got)
	}
	var want sample
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&want); err != nil || dec.More() {
		t.Fatalf("%q: read directly, json refuses it: %v", b, err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("%q: read directly, json.Unmarshal refuses it: %v", b, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: read directly as %#v, json reads %#v", b, got, want)
	}
	return true
}

// TestHasControl: the word-at-a-time check says what a byte-by-byte one
// says, for a control byte at every place and next to every other byte.
func TestHasControl(t *testing.T) {
	slow := func(s []byte) bool {
		for _, c := range s {
			if c < 0x20 {
				return true
			}
		}
		return false
	}
	for n := 0; n <= 20; n++ {
		for fill := 0; fill < 256; fill++ {
			s := make([]byte, n)
			for i := range s {
				s[i] = byte(fill)
			}
			if hasControl(s) != slow(s) {
				t.Fatalf("%d bytes of %#x: %v", n, fill, hasControl(s))
			}
			for at := 0; at < n; at++ {
				for _, c := range []byte{0, 0x1f, 0x20, 0x7f, 0x80, 0x9f, 0xa0, 0xff} {
					s[at] = c
					if hasControl(s) != slow(s) {
						t.Fatalf("%x: %v", s, hasControl(s))
					}
					s[at] = byte(fill)
				}
			}
		}
	}
}

// TestStrings: over one Strings, an interned field's value is one string
// for every object that has it, a field not interned is made anew each
// time, and past maxInterned distinct values new ones are still read
// right.
func TestStrings(t *testing.T) {
	var st Strings
	var a, b sample
	if !DecodeWith([]byte(`{"kind":"note","last":"a longer text"}`), sampleFields, &a, &st) ||
		!DecodeWith([]byte(`{"kind":"note","last":"a longer text"}`), sampleFields, &b, &st) {
		t.Fatal("not read")
	}
	if unsafe.StringData(string(a.Kind)) != unsafe.StringData(string(b.Kind)) {
		t.Error("an interned field was made twice")
	}
	if unsafe.StringData(a.Last) == unsafe.StringData(b.Last) {
		t.Error("a field not interned was shared")
	}
	for i := range maxInterned + 10 {
		want := fmt.Sprintf("k%d", i)
		var v sample
		if !DecodeWith([]byte(`{"kind":"`+want+`"}`), sampleFields, &v, &st) || string(v.Kind) != want {
			t.Fatalf("value %d read as %q", i, v.Kind)
		}
	}
	if len(st.seen) != maxInterned {
		t.Fatalf("%d values kept, at most %d", len(st.seen), maxInterned)
	}
}
