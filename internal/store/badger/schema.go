package badger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// The layout of the store is versioned: meta/schema holds the version a
// store is at, and Open brings an older store up to date by applying the
// numbered migrations after it, each in one transaction with the version
// it reaches, so that a crash halfway leaves the store at a version it
// really has. Version 1 is the layout before the key existed: a store
// without the key (an empty one included) is taken to be at version 1.
//
// To change the layout, append a migration; never edit or reorder one
// that has shipped.

// schemaKey holds the store's schema version as a JSON number.
const schemaKey = "meta/schema"

// migration brings a store from the version before it to its own.
type migration struct {
	name string
	fn   func(txn *badger.Txn) error
}

// migrations[i] brings a store at version i+1 to version i+2.
var migrations = []migration{
	// Stores written before usernames were normalised index accounts
	// under their lower-cased username; serve used to back-fill the
	// normalised index at every start.
	{name: "index usernames by their normalised form", fn: normalizeUsernameIndex},
}

// SchemaVersion is the layout this code writes.
func SchemaVersion() int { return len(migrations) + 1 }

// Schema reports the store's schema version.
func (db *DB) Schema(ctx context.Context) (int, error) {
	var v int
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		v, err = schemaOf(txn)
		return err
	})
	return v, err
}

func schemaOf(txn *badger.Txn) (int, error) {
	var v int
	switch err := getJSON(txn, schemaKey, &v); {
	case errors.Is(err, store.ErrNotFound):
		return 1, nil
	case err != nil:
		return 0, fmt.Errorf("schema version: %w", err)
	case v < 1:
		return 0, fmt.Errorf("schema version %d: not a version", v)
	}
	return v, nil
}

// openSchema brings a store opened for writes to the current schema and
// refuses one newer than the code. A store opened read-only on a full
// disk is only checked (it is read in the layout it has) and is migrated
// when it reopens for writes; one that could not be opened at all is
// checked then.
func (db *DB) openSchema() error {
	switch db.mode {
	case store.ModeReadWrite:
		return migrate(db.bdb)
	case store.ModeReadOnly:
		return db.bdb.View(func(txn *badger.Txn) error {
			v, err := schemaOf(txn)
			if err == nil && v > SchemaVersion() {
				err = tooNew(v)
			}
			return err
		})
	}
	return nil
}

func tooNew(v int) error {
	return fmt.Errorf("schema version %d, this program knows up to %d: %w", v, SchemaVersion(), store.ErrSchemaTooNew)
}

// migrate applies every migration the store lacks, one transaction each,
// and refuses a store newer than the code. It runs on the Badger database
// itself, before (or, after a reopen or a load, while) nothing else
// writes to it.
func migrate(bdb *badger.DB) error {
	for {
		done := false
		err := bdb.Update(func(txn *badger.Txn) error {
			v, err := schemaOf(txn)
			if err != nil {
				return err
			}
			if v > SchemaVersion() {
				return tooNew(v)
			}
			if v == SchemaVersion() {
				done = true
				if _, err := txn.Get([]byte(schemaKey)); errors.Is(err, badger.ErrKeyNotFound) {
					return putJSON(txn, schemaKey, v) // version 1 with no migration yet
				}
				return nil
			}
			m := migrations[v-1]
			if err := m.fn(txn); err != nil {
				return fmt.Errorf("migrate to schema %d (%s): %w", v+1, m.name, err)
			}
			return putJSON(txn, schemaKey, v+1)
		})
		if err != nil || done {
			return err
		}
	}
}

// Backup streams a full copy of the store to w in Badger's backup format.
func (db *DB) Backup(ctx context.Context, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db.openMu.RLock()
	defer db.openMu.RUnlock()
	if db.bdb == nil {
		return refused(db.space.state(db.mode))
	}
	if _, err := db.bdb.Backup(w, 0); err != nil {
		return fmt.Errorf("back up the store: %w", err)
	}
	return nil
}

// Load reads a stream that Backup wrote into this (new) store, then
// brings it to the current schema: a backup taken before the schema was
// versioned holds no meta/schema key and is migrated from version 1.
func (db *DB) Load(ctx context.Context, r io.Reader) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Open wrote this empty store's version; the backup's own (or its
	// absence) is what counts.
	if err := db.update(ctx, func(txn *badger.Txn) error { return txn.Delete([]byte(schemaKey)) }); err != nil {
		return fmt.Errorf("load a backup: %w", err)
	}
	db.openMu.RLock()
	defer db.openMu.RUnlock()
	db.dropMu.RLock()
	err := db.bdb.Load(r, 256)
	if err == nil {
		err = migrate(db.bdb)
	}
	db.dropMu.RUnlock()
	if err != nil {
		return fmt.Errorf("load a backup: %w", err)
	}
	return nil
}

// setSchema writes a schema version; tests use it to make an older store.
func (db *DB) setSchema(ctx context.Context, v int) error {
	return db.update(ctx, func(txn *badger.Txn) error {
		if v == 1 {
			return txn.Delete([]byte(schemaKey))
		}
		return txn.Set([]byte(schemaKey), []byte(strconv.Itoa(v)))
	})
}

// DB is the Badger implementation of the whole store contract.
var _ store.Store = (*DB)(nil)
