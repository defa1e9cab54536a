// Package plainjson reads a JSON object in the one form encoding/json
// writes a flat struct in, without encoding/json's reflection and its
// scans of every byte; any other form is left to encoding/json.
//
// The form is: one object, its keys spelled as the struct's tags, each
// at most once and in the struct's order, every value a string without
// escapes or control characters in valid UTF-8 (a time as time.Time
// reads it), a plain decimal number for an unsigned integer or true or
// false for a bool, and nothing after the object. For such bytes
// json.Unmarshal into a zero value gives exactly what Decode gives, with
// unknown fields refused or not; for anything else (white space, an
// escape, null, another order or case, an unknown key, a value json
// would refuse or read differently) Decode reports false, and the caller
// asks encoding/json, which decides.
package plainjson

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"time"
	"unicode/utf8"
)

// Field is one field of a struct T: its key and, in the one setter that
// is not nil, where its value goes.
type Field[T any] struct {
	Key string
	// Str is a string field; with Intern, the same bytes give the same
	// string over a DecodeWith's Strings (for values that recur from one
	// object to the next: a type, a unit, a device).
	Str    func(v *T) *string
	Intern bool
	// String gets a string's contents as they are in the bytes decoded
	// (the caller copies what it keeps).
	String  func(v *T, s []byte)
	Time    func(v *T) *time.Time
	TimePtr func(v *T) **time.Time
	Uint    func(v *T) *uint64
	Bool    func(v *T) *bool
}

// Decode decodes b into v if b has the plain form of fields (T's fields
// in the struct's order, Check says) and reports whether it had. v is
// zeroed first, and is zero again when Decode reports false.
func Decode[T any](b []byte, fields []Field[T], v *T) bool {
	return DecodeWith(b, fields, v, nil)
}

// DecodeWith is Decode with the strings of the fields marked Intern made
// by st, once for each value: one object after the other, a decoder that
// keeps its Strings makes garbage only of what is new.
func DecodeWith[T any](b []byte, fields []Field[T], v *T, st *Strings) bool {
	var zero T
	*v = zero
	if !decode(b, fields, v, st) {
		*v = zero
		return false
	}
	return true
}

// maxInterned is how many distinct strings a Strings keeps: past it, new
// values are made anew each time (a field that was thought to recur and
// does not costs no more than this).
const maxInterned = 1 << 14

// Strings keeps the strings DecodeWith made for fields marked Intern.
// The zero value is ready; it is not safe for use by several goroutines
// at once.
type Strings struct {
	seen map[string]string
}

func (st *Strings) of(s []byte, intern bool) string {
	if st == nil || !intern {
		return string(s)
	}
	if v, ok := st.seen[string(s)]; ok {
		return v
	}
	v := string(s)
	if st.seen == nil {
		st.seen = make(map[string]string)
	}
	if len(st.seen) < maxInterned {
		st.seen[v] = v
	}
	return v
}

func decode[T any](b []byte, fields []Field[T], v *T, st *Strings) bool {
	rest, ok := bytes.CutPrefix(b, []byte("{"))
	if !ok {
		return false
	}
	if string(rest) == "}" {
		return true
	}
	next := 0 // the first field a key may name: keys come in struct order
	for {
		var key []byte
		if rest, ok = bytes.CutPrefix(rest, []byte(`"`)); !ok {
			return false
		}
		if key, rest, ok = CutString(rest); !ok {
			return false
		}
		if rest, ok = bytes.CutPrefix(rest, []byte(":")); !ok {
			return false
		}
		f := next
		for f < len(fields) && fields[f].Key != string(key) {
			f++
		}
		if f == len(fields) {
			return false
		}
		next = f + 1
		field := &fields[f]
		switch {
		case field.Uint != nil:
			n := 0
			for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
				n++
			}
			// JSON allows no leading zero; ParseUint refuses what is too large.
			if n == 0 || n > 1 && rest[0] == '0' {
				return false
			}
			u, err := strconv.ParseUint(string(rest[:n]), 10, 64)
			if err != nil {
				return false
			}
			*field.Uint(v), rest = u, rest[n:]
		case field.Bool != nil:
			switch {
			case bytes.HasPrefix(rest, []byte("true")):
				*field.Bool(v), rest = true, rest[len("true"):]
			case bytes.HasPrefix(rest, []byte("false")):
				*field.Bool(v), rest = false, rest[len("false"):]
			default:
				return false
			}
		default:
			literal := rest
			var s []byte
			if rest, ok = bytes.CutPrefix(rest, []byte(`"`)); !ok {
				return false
			}
			if s, rest, ok = CutString(rest); !ok {
				return false
			}
			literal = literal[:len(s)+2] // with its quotes, as json hands it to UnmarshalJSON
			switch {
			case field.Str != nil:
				*field.Str(v) = st.of(s, field.Intern)
			case field.String != nil:
				field.String(v, s)
			case field.Time != nil:
				if err := field.Time(v).UnmarshalJSON(literal); err != nil {
					return false
				}
			case field.TimePtr != nil:
				t := new(time.Time)
				if err := t.UnmarshalJSON(literal); err != nil {
					return false
				}
				*field.TimePtr(v) = t
			default:
				return false
			}
		}
		if after, more := bytes.CutPrefix(rest, []byte(",")); more {
			rest = after
			continue
		}
		return string(rest) == "}"
	}
}

// CutString returns the contents of a JSON string whose opening quote is
// already consumed, up to its closing quote, if encoding/json would
// decode them as they are: no escape, no control character, valid UTF-8.
func CutString(b []byte) (s, rest []byte, ok bool) {
	end := bytes.IndexByte(b, '"')
	if end < 0 {
		return nil, nil, false
	}
	s = b[:end]
	if !plainString(s) {
		return nil, nil, false
	}
	return s, b[end+1:], true
}

// plainString says whether s is valid UTF-8 without a backslash or a
// byte below 0x20, looking at eight bytes at a time: a word w holds a
// byte below n (at most 0x80) exactly when (w - n in every byte) &^ w
// has a high bit set (a borrow may mark a byte above the one below n,
// never a word without one), and it holds a backslash when w XOR
// backslashes holds a zero byte. Text without a byte of 0x80 or more is
// ASCII, valid as it is; only other text is checked as UTF-8. One pass,
// where a search for backslashes, one for control bytes and the UTF-8
// check made three: 300–350 ns → 265 ns for a body's strings
// (BenchmarkCutString).
func plainString(s []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	var seen uint64 // every byte looked at, OR-ed: its high bits
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		bs := w ^ '\\'*ones
		if ((w-0x20*ones)&^w|(bs-ones)&^bs)&highs != 0 {
			return false
		}
		seen |= w
	}
	for ; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == '\\' {
			return false
		}
		seen |= uint64(s[i])
	}
	return seen&highs == 0 || utf8.Valid(s)
}
