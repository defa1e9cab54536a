// Package servertest is the one test fixture for the server's packages: a
// data directory in t.TempDir() as serve leaves it (the server's keys, a
// real Badger store in dir/db, the demo municipality) and a cheap password
// hasher. It builds no HTTP server: server's own tests do that, so that
// this package does not import server and every package can use it.
package servertest

import (
	"context"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Oslo must load on machines without zoneinfo

	"beredskap/internal/auth"
	"beredskap/internal/demo"
	"beredskap/internal/keys"
	"beredskap/internal/store/badger"
)

// Hasher is a cheap password hasher: it keeps the tests fast. The
// production cost is auth.DefaultHasher's.
func Hasher() *auth.Hasher { return auth.NewHasher(1, 8<<10, 1, 4) }

// Oslo is the demo municipality's time zone.
func Oslo(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// DataDir is a data directory with its open store.
type DataDir struct {
	Dir    string
	DB     *badger.DB
	Keys   *keys.Keys
	Hasher *auth.Hasher
	Loc    *time.Location
	// Now is the time the demo data was loaded for.
	Now time.Time
}

// Options change what New makes.
type Options struct {
	// Store is passed to store.Open (free space, encryption key, logger).
	Store badger.Options
	// NoDemo leaves the store empty.
	NoDemo bool
}

// New makes a data directory in t.TempDir(): the server's keys first (as
// serve does: a store without keys is refused), then the store, loaded
// with the demo municipality for today and tomorrow. The store is closed
// when the test ends.
func New(t testing.TB, opts ...Options) *DataDir {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	dir := t.TempDir()
	k, err := keys.LoadKeysWithKey(dir, o.Store.EncryptionKey)
	if err != nil {
		t.Fatal(err)
	}
	db := Open(t, filepath.Join(dir, "db"), o.Store)
	d := &DataDir{Dir: dir, DB: db, Keys: k, Hasher: Hasher(), Loc: Oslo(t), Now: time.Now()}
	if !o.NoDemo {
		if err := demo.Seed(context.Background(), db, d.Hasher, d.Now, d.Loc); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// Open opens a store in dir, closed when the test ends.
func Open(t testing.TB, dir string, opts badger.Options) *badger.DB {
	t.Helper()
	db, err := badger.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Seed loads the demo municipality for today and tomorrow into db, with
// the cheap hasher; it returns the time it loaded for.
func Seed(t testing.TB, db *badger.DB) time.Time {
	t.Helper()
	now := time.Now()
	if err := demo.Seed(context.Background(), db, Hasher(), now, Oslo(t)); err != nil {
		t.Fatal(err)
	}
	return now
}
