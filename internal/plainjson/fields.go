package plainjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// FieldsOf returns T's fields as encoding/json reads them, in the
// struct's order, for Decode: every exported field without a tag of "-",
// named by its tag (or its name). T must be a flat struct of strings (of
// any string type), time.Time, *time.Time, uint64 and bool fields, none
// embedded, none decoding itself or tagged ",string"; the fields whose keys intern names are
// interned. A T that is not such a struct, or an intern key it does not
// have, is a mistake in the program, not in its input: FieldsOf panics,
// when the package that calls it is initialised.
func FieldsOf[T any](intern ...string) []Field[T] {
	fields, err := fieldsOf[T](intern)
	if err != nil {
		panic("plainjson: " + err.Error())
	}
	return fields
}

func fieldsOf[T any](intern []string) ([]Field[T], error) {
	rt := reflect.TypeFor[T]()
	if rt.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s is not a struct", rt)
	}
	if decodesItself(rt) {
		return nil, fmt.Errorf("%s has its own UnmarshalJSON", rt)
	}
	timeType, timePtr := reflect.TypeFor[time.Time](), reflect.TypeFor[*time.Time]()
	var fields []Field[T]
	for i := range rt.NumField() {
		sf := rt.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if slices.Contains(strings.Split(opts, ","), "string") {
			return nil, fmt.Errorf("field %q is read from a JSON string", sf.Name)
		}
		if sf.Anonymous {
			return nil, fmt.Errorf("%s embeds %s", rt, sf.Type)
		}
		if name == "-" || !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		off := sf.Offset
		f := Field[T]{Key: name, Intern: slices.Contains(intern, name)}
		switch {
		case sf.Type == timeType:
			f.Time = func(v *T) *time.Time { return (*time.Time)(unsafe.Add(unsafe.Pointer(v), off)) }
		case sf.Type == timePtr:
			f.TimePtr = func(v *T) **time.Time { return (**time.Time)(unsafe.Add(unsafe.Pointer(v), off)) }
		case decodesItself(sf.Type):
			return nil, fmt.Errorf("field %q has its own UnmarshalJSON", name)
		case sf.Type.Kind() == reflect.String:
			f.Str = func(v *T) *string { return (*string)(unsafe.Add(unsafe.Pointer(v), off)) }
		case sf.Type.Kind() == reflect.Uint64:
			f.Uint = func(v *T) *uint64 { return (*uint64)(unsafe.Add(unsafe.Pointer(v), off)) }
		case sf.Type.Kind() == reflect.Bool:
			f.Bool = func(v *T) *bool { return (*bool)(unsafe.Add(unsafe.Pointer(v), off)) }
		default:
			return nil, fmt.Errorf("field %q is a %s", name, sf.Type)
		}
		if f.Intern && f.Str == nil {
			return nil, fmt.Errorf("field %q is interned, but not a string", name)
		}
		fields = append(fields, f)
	}
	for _, k := range intern {
		if !slices.ContainsFunc(fields, func(f Field[T]) bool { return f.Key == k }) {
			return nil, fmt.Errorf("%s has no field %q to intern", rt, k)
		}
	}
	return fields, nil
}

// decodesItself says whether t or *t has its own UnmarshalJSON.
func decodesItself(t reflect.Type) bool {
	u := reflect.TypeFor[json.Unmarshaler]()
	return t.Implements(u) || reflect.PointerTo(t).Implements(u)
}
