package care

import (
	"testing"

	"beredskap/internal/plainjson"
)

// TestPlainFields: the one-pass reader's list is Record's fields, in the
// struct's order, each read as its type (a field added to Record and not
// to the list would send every body naming it to encoding/json).
func TestPlainFields(t *testing.T) {
	if err := plainjson.Check(PlainFields); err != nil {
		t.Fatal(err)
	}
}
