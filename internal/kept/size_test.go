package kept

import (
	"reflect"
	"testing"
	"unsafe"
)

// TestRecStaysSmall holds the desk's record to its size: a million of
// them are most of what the server holds at a million records, and the
// headroom left under the memory limit is what the garbage collector
// works in while an export runs. It also holds it free of pointers, so
// that the collector never scans the array.
func TestRecStaysSmall(t *testing.T) {
	if got := unsafe.Sizeof(rec{}); got > 128 {
		t.Errorf("a kept record takes %d bytes, more than 128: order its fields from the widest down", got)
	}
	if typ := reflect.TypeFor[rec](); hasPointers(typ) {
		t.Errorf("a kept record holds a pointer: %v", typ)
	}
}

// hasPointers reports whether a value of typ holds a pointer the
// garbage collector follows.
func hasPointers(typ reflect.Type) bool {
	switch typ.Kind() {
	case reflect.Struct:
		for i := range typ.NumField() {
			if hasPointers(typ.Field(i).Type) {
				return true
			}
		}
		return false
	case reflect.Array:
		return typ.Len() > 0 && hasPointers(typ.Elem())
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	}
	return true
}
