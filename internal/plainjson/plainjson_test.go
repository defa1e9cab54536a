package plainjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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

var sampleFields = FieldsOf[sample]("kind")

// TestFieldsOf: the fields are the struct's as json reads them, in its
// order, each set where the struct has it, as its type, the ones named
// interned; a struct Decode cannot read is refused.
func TestFieldsOf(t *testing.T) {
	type want struct {
		key    string
		kind   string
		intern bool
	}
	wants := []want{{"id", "str", false}, {"kind", "str", true}, {"at", "time", false}, {"maybe", "timeptr", false},
		{"seq", "uint", false}, {"flag", "bool", false}, {"last", "str", false}}
	if len(sampleFields) != len(wants) {
		t.Fatalf("%d fields, want %d", len(sampleFields), len(wants))
	}
	var v sample
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	for i, f := range sampleFields {
		w := wants[i]
		if f.Key != w.key || f.Intern != w.intern {
			t.Errorf("field %d: %q interned=%v, want %q %v", i, f.Key, f.Intern, w.key, w.intern)
		}
		switch w.kind {
		case "str":
			*f.Str(&v) = "v" + f.Key
		case "time":
			*f.Time(&v) = at
		case "timeptr":
			*f.TimePtr(&v) = &at
		case "uint":
			*f.Uint(&v) = 7
		case "bool":
			*f.Bool(&v) = true
		}
	}
	if got := (sample{ID: "vid", Kind: "vkind", At: at, Maybe: &at, Seq: 7, Flag: true, Last: "vlast"}); !reflect.DeepEqual(v, got) {
		t.Fatalf("the setters wrote %#v, want %#v", v, got)
	}
	type embeds struct {
		sample
	}
	type number struct {
		N int `json:"n"`
	}
	type own struct {
		K selfDecoding `json:"k"`
	}
	type quoted struct {
		N uint64 `json:"n,omitempty,string"`
	}
	for name, fn := range map[string]func() error{
		"not a struct":       func() error { _, err := fieldsOf[string](nil); return err },
		"embedded":           func() error { _, err := fieldsOf[embeds](nil); return err },
		"an int":             func() error { _, err := fieldsOf[number](nil); return err },
		"own UnmarshalJSON":  func() error { _, err := fieldsOf[own](nil); return err },
		"itself":             func() error { _, err := fieldsOf[selfDecoding](nil); return err },
		"quoted number":      func() error { _, err := fieldsOf[quoted](nil); return err },
		"unknown intern key": func() error { _, err := fieldsOf[sample]([]string{"nope"}); return err },
		"interned time":      func() error { _, err := fieldsOf[sample]([]string{"at"}); return err },
	} {
		if fn() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("FieldsOf of an int field did not panic")
		}
	}()
	FieldsOf[number]()
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

// TestPlainString: plainString says what looking at each byte says, for
// every length up to 20 and every byte value, alone and among others.
func TestPlainString(t *testing.T) {
	slow := func(s []byte) bool {
		for _, c := range s {
			if c < 0x20 || c == '\\' {
				return false
			}
		}
		return utf8.Valid(s)
	}
	for n := 0; n <= 20; n++ {
		for fill := 0; fill < 256; fill++ {
			s := bytes.Repeat([]byte{byte(fill)}, n)
			if plainString(s) != slow(s) {
				t.Fatalf("%d bytes of %#x: %v", n, fill, plainString(s))
			}
			for at := 0; at < n; at++ {
				for _, c := range []byte{0, 0x1f, 0x20, '\\', '[', ']', 0x5c ^ 0x80, 0x7f, 0x80, 0x9f, 0xa0, 0xc3, 0xff} {
					s[at] = c
					if plainString(s) != slow(s) {
						t.Fatalf("%x: %v", s, plainString(s))
					}
					s[at] = byte(fill)
				}
			}
		}
		// Text in valid UTF-8, and cut in the middle of a character.
		s := []byte(strings.Repeat("æø", n))
		for cut := 0; cut <= len(s); cut++ {
			if plainString(s[:cut]) != slow(s[:cut]) {
				t.Fatalf("%q: %v", s[:cut], plainString(s[:cut]))
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

// BenchmarkCutString: the strings of a record body as phones send it: an
// id, a time, an ASCII word and a note in Norwegian.
func BenchmarkCutString(b *testing.B) {
	values := []string{"0b7a3c1e-5d1f-4b8e-9a77-2f6f1c9d8e01", "2026-11-22T08:00:00.123456789Z", "medication",
		"Spiste frokost, tok medisiner. Litt svimmel ved oppstigning, målte blodtrykk: 128/84. Pårørende varslet."}
	var in [][]byte
	for _, v := range values {
		in = append(in, []byte(v+`","next"`))
	}
	b.SetBytes(int64(len(strings.Join(values, ""))))
	for b.Loop() {
		for _, v := range in {
			if _, _, ok := CutString(v); !ok {
				b.Fatal("not plain")
			}
		}
	}
}
