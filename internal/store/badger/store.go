// Package badger implements the store contract (package store) on an
// embedded Badger v4 database, Beredskap's default: users, sessions,
// devices, the plan (units, patients, visits, doses, routines,
// announcements), the bundles issued to phones, records and the audit
// log. Keys are prefixed by kind ("user/", "visit/", ...); indexes are
// separate keys written in the same transaction as the thing they index.
// The layout is versioned (see schema.go).
package badger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Options configure Open.
type Options struct {
	// EncryptionKey turns on Badger's encryption at rest (16, 24 or 32
	// bytes). Badger encrypts with AES-CTR, which does not authenticate, so
	// checksums are then verified on every read.
	EncryptionKey []byte
	// Logger receives Badger's warnings and errors; nil discards them.
	Logger *slog.Logger
	// uncompressed writes tables without Snappy, so that a test can
	// search the files for text that must not be there.
	uncompressed bool
}

// DB is the open store.
type DB struct {
	bdb *badger.DB
	// auditMu serializes appends to the audit chain: every writer that
	// appends reads the chain's head, and two at once would fork it.
	auditMu sync.Mutex
	// dropMu lets every write transaction (read lock) wait while purged
	// records are dropped from the files (write lock): Badger refuses
	// writes during a DropPrefix rather than holding them.
	dropMu sync.RWMutex
	closed bool // under dropMu: no drop may start once Close has
	// planMu applies plans one at a time: a plan too large for one
	// transaction is staged, and nothing else may write a plan meanwhile.
	planMu sync.Mutex
}

// Open opens (or creates) the store in dir and brings its layout to the
// current schema version (see migrate). Every commit is synced to disk
// before it returns: a record the server acknowledged survives a power cut.
func Open(dir string, o Options) (*DB, error) {
	opts := badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(badgerLogger{o.Logger}).
		WithLoggingLevel(badger.WARNING).
		WithVerifyValueChecksum(true).
		WithChecksumVerificationMode(options.OnTableAndBlockRead)
	if o.uncompressed {
		opts = opts.WithCompression(options.None)
	}
	if len(o.EncryptionKey) > 0 {
		opts = opts.WithEncryptionKey(o.EncryptionKey).
			WithIndexCacheSize(64 << 20).
			WithBlockCacheSize(64 << 20)
	}
	bdb, err := badger.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	db := &DB{bdb: bdb}
	if err := db.migrate(context.Background()); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	// A large plan that was committed but not fully applied when the
	// process stopped is finished before anything reads it; if that fails
	// (a full disk), the next plan import finishes it.
	if err := db.finishStagedPlans(context.Background()); err != nil {
		badgerLogger{o.Logger}.Warningf("finish a staged plan: %v", err)
	}
	return db, nil
}

// Close flushes and closes the store. A drop of purged records in
// progress is finished first: Badger cannot stop one halfway, and closing
// beside it would race its resumption of writes.
func (db *DB) Close() error {
	db.dropMu.Lock()
	defer db.dropMu.Unlock()
	db.closed = true
	if err := db.bdb.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Badger exposes the underlying database for backup and garbage collection.
func (db *DB) Badger() *badger.DB { return db.bdb }

// update runs fn in a read-write transaction, retrying on conflict, and
// stops early when ctx is done.
func (db *DB) update(ctx context.Context, fn func(txn *badger.Txn) error) error {
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		db.dropMu.RLock()
		err := db.bdb.Update(fn)
		db.dropMu.RUnlock()
		if errors.Is(err, badger.ErrConflict) && attempt < 10 {
			continue
		}
		return err
	}
}

// view runs fn in a read-only transaction.
func (db *DB) view(ctx context.Context, fn func(txn *badger.Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bdb.View(fn)
}

func getJSON(txn *badger.Txn, key string, v any) error {
	item, err := txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return notFound(key)
	}
	if err != nil {
		return fmt.Errorf("get %s: %w", kind(key), err)
	}
	return item.Value(func(b []byte) error {
		if len(b) == 0 {
			return notFound(key) // a purged record's keys until they are dropped
		}
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("decode %s: %w", kind(key), err)
		}
		return nil
	})
}

func putJSON(txn *badger.Txn, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", kind(key), err)
	}
	return txn.Set([]byte(key), b)
}

func putJSONWithTTL(txn *badger.Txn, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", kind(key), err)
	}
	return txn.SetEntry(badger.NewEntry([]byte(key), b).WithTTL(ttl))
}

func exists(txn *badger.Txn, key string) (bool, error) {
	_, err := txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

func setIndex(txn *badger.Txn, key string) error { return txn.Set([]byte(key), nil) }

// scanJSON decodes every value under prefix, in key order, into a new T.
func scanJSON[T any](txn *badger.Txn, prefix string) ([]T, error) {
	var out []T
	it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 100, Prefix: []byte(prefix)})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var v T
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &v) }); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kind(prefix), err)
		}
		out = append(out, v)
	}
	return out, nil
}

// scanKeys returns the last path segment of every key under prefix within
// [from, to) (both relative to prefix; empty means open).
func scanKeys(txn *badger.Txn, prefix, from, to string) []string {
	var out []string
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix)})
	defer it.Close()
	for it.Seek([]byte(prefix + from)); it.Valid(); it.Next() {
		k := string(it.Item().Key())
		if to != "" && k >= prefix+to {
			break
		}
		out = append(out, k[strings.LastIndexByte(k, '/')+1:])
	}
	return out
}

func kind(key string) string {
	if i := strings.IndexByte(key, '/'); i > 0 {
		return key[:i]
	}
	return key
}

// sortableTime formats t so that byte order is time order.
func sortableTime(t time.Time) string { return t.UTC().Format("20060102T150405.000000000Z") }

// badgerLogger passes Badger's warnings and errors to slog.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	if b.l != nil {
		b.l.Error("badger", "msg", strings.TrimSpace(fmt.Sprintf(f, a...)))
	}
}

func (b badgerLogger) Warningf(f string, a ...any) {
	if b.l != nil {
		b.l.Warn("badger", "msg", strings.TrimSpace(fmt.Sprintf(f, a...)))
	}
}
func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
