package badger

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// Drills (store.Drills): one key per drill, "drill/<id>". They are few
// (a handful a year), so the list reads them all.

func drillKey(id string) string { return "drill/" + id }

// CreateDrill stores a new drill with its audit entry.
func (db *DB) CreateDrill(ctx context.Context, d store.Drill, a store.Audit) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	err := db.update(ctx, func(txn *badger.Txn) error {
		if taken, err := exists(txn, drillKey(d.ID)); err != nil {
			return err
		} else if taken {
			return fmt.Errorf("drill %s: %w", d.ID, store.ErrDrillExists)
		}
		if err := putJSON(txn, drillKey(d.ID), d); err != nil {
			return err
		}
		return appendAudit(txn, d.Created, a)
	})
	if err != nil {
		return fmt.Errorf("create drill: %w", err)
	}
	return nil
}

// Drill returns one drill.
func (db *DB) Drill(ctx context.Context, id string) (store.Drill, error) {
	var d store.Drill
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, drillKey(id), &d) })
	return d, err
}

// Drills returns every drill, the latest start first.
func (db *DB) Drills(ctx context.Context) ([]store.Drill, error) {
	var out []store.Drill
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		out, err = scanJSON[store.Drill](txn, "drill/")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("drills: %w", err)
	}
	store.SortDrills(out)
	return out, nil
}

// ChangeDrill changes a drill and appends the audit entry in one
// transaction; Badger retries it when another one changed the drill
// meanwhile, so change sees the drill as it stands.
func (db *DB) ChangeDrill(ctx context.Context, id string, change func(*store.Drill) error, a store.Audit) (store.Drill, error) {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	now := a.Time
	if now.IsZero() {
		now = time.Now()
	}
	var d store.Drill
	err := db.update(ctx, func(txn *badger.Txn) error {
		d = store.Drill{}
		if err := getJSON(txn, drillKey(id), &d); err != nil {
			return err
		}
		if err := change(&d); err != nil {
			return err
		}
		d.ID = id
		if err := putJSON(txn, drillKey(id), d); err != nil {
			return err
		}
		return appendAudit(txn, now, a)
	})
	if err != nil {
		return store.Drill{}, fmt.Errorf("change drill %s: %w", id, err)
	}
	return d, nil
}
