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
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"beredskap/internal/store"
)

// Options configure Open.
type Options struct {
	// EncryptionKey turns on Badger's encryption at rest (16, 24 or 32
	// bytes). Badger encrypts with AES-CTR, which does not authenticate, so
	// checksums are then verified on every read.
	EncryptionKey []byte
	// Logger receives Badger's warnings and errors; nil discards them.
	Logger *slog.Logger
	// MinFree is the free disk space, in bytes, below which bulk writes
	// are refused (ReserveWrite); two thirds of it is the floor below
	// which no write is taken. Zero means DefaultMinFreeMB.
	MinFree uint64
	// PollEvery is how often free space is measured between writes (to
	// log changes and to reopen a store opened read-only); zero means
	// three seconds.
	PollEvery time.Duration
	// snappy writes tables compressed with Snappy, as stores made before
	// tables were written uncompressed (tests reopen such a store).
	snappy bool
	// FreeSpace, when set, replaces statfs as the measure of free space
	// (tests use it to fill a disk without filling one).
	FreeSpace func(dir string) (uint64, error)
	// mappedBudget replaces mappedBudget (tests use a small one).
	mappedBudget int64
}

// DB is the open store.
type DB struct {
	opts  badger.Options
	space *space
	// openMu is read-locked by every transaction and write-locked while
	// the store is swapped from read-only to writable; it guards bdb,
	// mode and shut.
	openMu sync.RWMutex
	bdb    *badger.DB // nil when ModeUnavailable
	mode   store.Mode
	shut   bool
	// watchStop ends the goroutine that polls the disk; watchDone is
	// closed when it has.
	watchStop, watchDone chan struct{}
	// trimDone is closed when the goroutine that keeps the store's
	// mapped pages down (trimMapped) has stopped; watchStop stops it.
	trimDone chan struct{}
	// auditMu serializes appends to the audit chain: every writer that
	// appends reads the chain's head, and two at once would fork it.
	auditMu sync.Mutex
	// puts holds the PutRecords calls waiting for the audit chain: the
	// one that takes auditMu next writes all of them in one transaction
	// (see PutRecords).
	putsMu sync.Mutex
	puts   []*putCall
	// dropMu lets every write transaction (read lock) wait while purged
	// records are dropped from the files (write lock): Badger refuses
	// writes during a DropPrefix rather than holding them.
	dropMu sync.RWMutex
	closed bool // under dropMu: no drop may start once Close has
	// planMu applies plans one at a time: a plan too large for one
	// transaction is staged, and nothing else may write a plan meanwhile.
	planMu sync.Mutex
	// stagePending is set while a committed plan waits to be applied
	// (its apply failed after the commit marker).
	stagePending atomic.Bool
}

// Open opens (or creates) the store in dir and brings its layout to the
// current schema version (see migrate). Every commit is synced to disk
// before it returns: a record the server acknowledged survives a power cut.
//
// On a disk too full for Badger to open for writes (opening writes
// through memory maps, which kills the process with SIGBUS when the
// blocks are not there), the store is opened read-only, or, when Badger
// refuses that too, not at all (ModeUnavailable): the server still starts
// and answers, and the store reopens for writes by itself once space has
// been freed.
func Open(dir string, o Options) (*DB, error) {
	opts := badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(badgerLogger{o.Logger}).
		WithLoggingLevel(badger.WARNING).
		WithVerifyValueChecksum(true).
		// Every block is checked as it is read, so nothing corrupt is
		// served. Checking every table whole at open as well
		// (OnTableAndBlockRead) read the whole store at each start:
		// two gigabytes at a million records, all of it resident.
		WithChecksumVerificationMode(options.OnBlockRead).
		// Memory: the server must stay within a few hundred megabytes
		// beside the desk it keeps (issue 16: 500 MB at a million
		// records). Badger's defaults hold 256 MiB of blocks and up to five
		// 64 MiB memtables, each allocated whole. Reads that matter walk
		// the tables in order (exports, the desk's start) and read each
		// block once, so 32 MiB of blocks do. Without a block cache (which
		// Badger advises for tables neither compressed nor encrypted) an
		// export made about 140 bytes less garbage a record, but the
		// server serving the desk at a million records rose from 448 to
		// 502 MB resident, over its 500: the cache stays. Two 32 MiB
		// memtables still take a transaction of 4.8 MB (a sync is tens
		// of kilobytes, a bulk chunk about one megabyte; a larger plan is
		// staged).
		WithBlockCacheSize(32 << 20).
		WithMemTableSize(32 << 20).
		WithNumMemtables(2).
		// Each compactor builds its tables whole in memory, several at
		// once: Badger's four compactors took the server to 900 MB at
		// the start after a million records were written, two (one a
		// core on the machines it is sized for) keep it near 450 MB.
		WithNumCompactors(2).
		// Tables are written uncompressed. Badger decompresses a block
		// into a new buffer each time it reads one, and in a pure Go
		// build that buffer is the garbage collector's: an export of a
		// million records made 2.7 KB of it per record, a collection
		// every few megabytes under the memory limit, and ran at 38,000
		// records/s. An uncompressed block is read where the file is
		// mapped, with nothing allocated: 60,000 records/s, for twice
		// the disk (3.5 GB at a million records instead of 1.8). Each
		// table's compression is in the manifest, so a store written
		// compressed is read as before and rewritten uncompressed as
		// it is compacted.
		WithCompression(options.None)
	if o.snappy {
		opts = opts.WithCompression(options.Snappy)
	}
	if len(o.EncryptionKey) > 0 {
		opts = opts.WithEncryptionKey(o.EncryptionKey).
			WithIndexCacheSize(64 << 20).
			WithBlockCacheSize(64 << 20)
	}
	db := &DB{opts: opts, space: newSpace(dir, o), mode: store.ModeReadWrite,
		watchStop: make(chan struct{}), watchDone: make(chan struct{}), trimDone: make(chan struct{})}
	if err := db.clearCrashLeft(); err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	if ok, free := db.space.canOpenWritable(); ok {
		bdb, err := badger.Open(opts)
		if err != nil {
			return nil, fmt.Errorf("open store %s: %w", dir, err)
		}
		db.bdb = bdb
	} else {
		db.space.log.Warn("the disk is too full to open the store for writes; opening it read-only",
			"free_mib", mib(free), "needs_mib", mib(db.space.hard+pendingWAL(dir)))
		bdb, err := badger.Open(opts.WithReadOnly(true))
		if err != nil {
			db.space.log.Error("the store cannot be opened read-only either; it opens once space is freed", "err", err)
			db.mode = store.ModeUnavailable
		} else {
			db.bdb, db.mode = bdb, store.ModeReadOnly
		}
	}
	if err := db.openSchema(); err != nil {
		if db.bdb != nil {
			db.bdb.Close()
		}
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	// A large plan that was committed but not fully applied when the
	// process stopped is finished before anything reads it; if that fails
	// (a full disk), or the store opened read-only, the store's poll (or
	// the next plan import) finishes it once it can write.
	if db.mode == store.ModeReadWrite {
		if err := db.finishStagedPlans(context.Background()); err != nil {
			badgerLogger{o.Logger}.Warningf("finish a staged plan: %v", err)
			db.stagePending.Store(true)
		}
	} else {
		db.stagePending.Store(true)
	}
	every := o.PollEvery
	if every <= 0 {
		every = 3 * time.Second
	}
	go db.watch(every)
	budget := o.mappedBudget
	if budget <= 0 {
		budget = mappedBudget
	}
	go db.trimMapped(mappedEvery, budget)
	return db, nil
}

// Close flushes and closes the store. A drop of purged records in
// progress is finished first: Badger cannot stop one halfway, and closing
// beside it would race its resumption of writes. On a disk too full for
// the flush (a table written through a memory map), Badger is left open
// instead: every acknowledged write is in its synced write-ahead log,
// which the next start replays.
func (db *DB) Close() error {
	select {
	case <-db.watchStop:
	default:
		close(db.watchStop)
	}
	<-db.watchDone
	<-db.trimDone
	db.openMu.Lock()
	defer db.openMu.Unlock()
	db.dropMu.Lock()
	defer db.dropMu.Unlock()
	if db.shut {
		return nil
	}
	db.shut, db.closed = true, true
	if db.bdb == nil {
		return nil
	}
	if db.mode == store.ModeReadWrite {
		if ok, free, need := db.space.canClose(); !ok {
			return fmt.Errorf("close store: %w: %d MiB free, flushing the memtable needs %d MiB; it stays in the synced write-ahead log and is replayed at the next start",
				store.ErrInsufficientStorage, mib(free), mib(need))
		}
	}
	if err := db.bdb.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Badger exposes the underlying database to tests and tools that must
// reach past the contract (to write what only an older version wrote);
// nil while the store is unavailable (see Mode). No capability package
// uses it: backup goes through Backup and Load.
func (db *DB) Badger() *badger.DB {
	db.openMu.RLock()
	defer db.openMu.RUnlock()
	return db.bdb
}

// Mode says how the store is open now.
func (db *DB) Mode() store.Mode {
	db.openMu.RLock()
	defer db.openMu.RUnlock()
	return db.mode
}

// update runs fn in a read-write transaction, retrying on conflict, and
// stops early when ctx is done.
func (db *DB) update(ctx context.Context, fn func(txn *badger.Txn) error) error {
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		db.openMu.RLock()
		if err := db.writable(); err != nil {
			db.openMu.RUnlock()
			return err
		}
		db.dropMu.RLock()
		err := db.bdb.Update(fn)
		db.dropMu.RUnlock()
		db.openMu.RUnlock()
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
	db.openMu.RLock()
	defer db.openMu.RUnlock()
	if db.bdb == nil {
		return refused(db.space.state(db.mode))
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
		var err error
		if r, ok := v.(*store.StoredRecord); ok {
			err = store.DecodeStoredRecord(b, r) // as into a zero record
		} else {
			err = store.DecodeJSON(b, v)
		}
		if err != nil {
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
		if err := it.Item().Value(func(b []byte) error { return store.DecodeJSON(b, &v) }); err != nil {
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
