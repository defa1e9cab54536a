//go:build js && wasm

package vault

import (
	"context"
	"testing"
)

// TestIndexedDB runs the conformance suite against the browser's IndexedDB
// (GOOS=js, in Chromium through wasmbrowsertest). Each subtest starts from
// empty buckets.
func TestIndexedDB(t *testing.T) {
	conformance(t, func(t *testing.T) Store {
		s, err := OpenIndexedDB(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Clear(context.Background(), Buckets()...); err != nil {
			t.Fatal(err)
		}
		return s
	})
}
