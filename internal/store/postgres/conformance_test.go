package postgres

import (
	"context"
	"testing"

	"beredskap/internal/store"
	"beredskap/internal/store/postgres/pgtest"
	"beredskap/internal/store/storetest"
)

// TestConformance runs the store contract's suite on PostgreSQL 15, in
// a new database of the shared cluster for each test.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() store.Store {
		url := pgtest.NewDatabase(t)
		return func() store.Store {
			db, err := Open(context.Background(), url, Options{EncryptionKey: testKey})
			if err != nil {
				t.Fatal(err)
			}
			return db
		}
	})
}
