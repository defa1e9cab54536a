package badger_test

import (
	"testing"

	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/store/storetest"
)

// TestConformance runs the store contract's suite on Badger, in a new
// directory for each test.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() store.Store {
		dir := t.TempDir()
		return func() store.Store {
			db, err := badger.Open(dir, badger.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return db
		}
	})
}
