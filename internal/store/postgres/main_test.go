package postgres

import (
	"bytes"
	"context"
	"testing"

	"beredskap/internal/store/postgres/pgtest"
)

// TestMain stops the cluster the tests share once they are done.
func TestMain(m *testing.M) { pgtest.Main(m) }

// testKey is the encryption key of the tests' stores.
var testKey = bytes.Repeat([]byte{7}, 32)

// openTest opens the store in database url, closed when the test ends.
func openTest(t *testing.T, url string, o Options) *DB {
	t.Helper()
	if o.EncryptionKey == nil {
		o.EncryptionKey = testKey
	}
	db, err := Open(context.Background(), url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
