package plainjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Check says whether fields are T's fields as encoding/json decodes them:
// every field json reads (a tag of "-" leaves one out), in the struct's
// order, each key its json name and each setter writing that field, as
// its type. A field added to the struct and not to fields would send
// every object naming it to encoding/json; one of another type, or with
// an UnmarshalJSON of its own, would be read wrongly. T's tests call it.
func Check[T any](fields []Field[T]) error {
	rt := reflect.TypeFor[T]()
	if rt.Kind() != reflect.Struct {
		return fmt.Errorf("%s is not a struct", rt)
	}
	if unmarshals(rt) {
		return fmt.Errorf("%s has its own UnmarshalJSON", rt)
	}
	var want []int // the struct's fields json reads, in order
	for i := range rt.NumField() {
		sf := rt.Field(i)
		if name, _, _ := strings.Cut(sf.Tag.Get("json"), ","); name == "-" || !sf.IsExported() || sf.Anonymous {
			if sf.Anonymous {
				return fmt.Errorf("%s embeds %s", rt, sf.Type)
			}
			continue
		}
		want = append(want, i)
	}
	if len(want) != len(fields) {
		return fmt.Errorf("%s has %d fields json reads, the list %d", rt, len(want), len(fields))
	}
	timeType, timePtr := reflect.TypeFor[time.Time](), reflect.TypeFor[*time.Time]()
	for j, f := range fields {
		sf := rt.Field(want[j])
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" {
			name = sf.Name
		}
		if name != f.Key {
			return fmt.Errorf("field %d: the struct says %q, the list %q", j, name, f.Key)
		}
		if sf.Type != timeType && sf.Type != timePtr && unmarshals(sf.Type) {
			return fmt.Errorf("field %q has its own UnmarshalJSON", f.Key)
		}
		setters := 0
		for _, s := range []bool{f.Str != nil, f.String != nil, f.Time != nil, f.TimePtr != nil, f.Uint != nil, f.Bool != nil} {
			if s {
				setters++
			}
		}
		matched := false
		var v T
		rv := reflect.ValueOf(&v).Elem()
		switch {
		case f.Str != nil && sf.Type.Kind() == reflect.String:
			if reflect.ValueOf(f.Str(&v)).UnsafePointer() != rv.Field(want[j]).Addr().UnsafePointer() {
				return fmt.Errorf("field %q: the list writes another field", f.Key)
			}
			matched = true
		case f.String != nil && sf.Type.Kind() == reflect.String:
			f.String(&v, []byte("x"))
			if rv.Field(want[j]).String() != "x" {
				return fmt.Errorf("field %q: the list writes another field", f.Key)
			}
			matched = true
		case f.Time != nil && sf.Type == timeType:
			if reflect.ValueOf(f.Time(&v)).UnsafePointer() != rv.Field(want[j]).Addr().UnsafePointer() {
				return fmt.Errorf("field %q: the list writes another field", f.Key)
			}
			matched = true
		case f.TimePtr != nil && sf.Type == timePtr:
			if reflect.ValueOf(f.TimePtr(&v)).UnsafePointer() != rv.Field(want[j]).Addr().UnsafePointer() {
				return fmt.Errorf("field %q: the list writes another field", f.Key)
			}
			matched = true
		case f.Uint != nil && sf.Type.Kind() == reflect.Uint64:
			if reflect.ValueOf(f.Uint(&v)).UnsafePointer() != rv.Field(want[j]).Addr().UnsafePointer() {
				return fmt.Errorf("field %q: the list writes another field", f.Key)
			}
			matched = true
		case f.Bool != nil && sf.Type.Kind() == reflect.Bool:
			if reflect.ValueOf(f.Bool(&v)).UnsafePointer() != rv.Field(want[j]).Addr().UnsafePointer() {
				return fmt.Errorf("field %q: the list writes another field", f.Key)
			}
			matched = true
		}
		if f.Intern && f.Str == nil {
			return fmt.Errorf("field %q: only a Str field is interned", f.Key)
		}
		if setters != 1 || !matched {
			return fmt.Errorf("field %q of type %s is read as another type", f.Key, sf.Type)
		}
	}
	return nil
}

// unmarshals says whether t or *t decodes itself.
func unmarshals(t reflect.Type) bool {
	u := reflect.TypeFor[json.Unmarshaler]()
	return t.Implements(u) || reflect.PointerTo(t).Implements(u)
}
