package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/store"
)

// Drills (store.Drills): one row per drill, sealed; a change reads the
// row FOR UPDATE, so that two nodes changing one drill at once apply
// their changes one after the other.

const tDrills = "drills"

// CreateDrill stores a new drill and its audit entry; an id used before
// is ErrDrillExists.
func (db *DB) CreateDrill(ctx context.Context, d store.Drill, a store.Audit) error {
	data, err := db.seal.sealJSON(tDrills, d.ID, d)
	if err != nil {
		return fmt.Errorf("create drill: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO drills (id, data) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, d.ID, data)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("drill %s: %w", d.ID, store.ErrDrillExists)
		}
		return db.appendAudit(ctx, tx, d.Created, a)
	})
	if err != nil {
		return fmt.Errorf("create drill: %w", db.mapErr(err))
	}
	return nil
}

// Drill returns one drill.
func (db *DB) Drill(ctx context.Context, id string) (store.Drill, error) {
	var d store.Drill
	err := db.one(ctx, nil, "drill", tDrills, id, &d)
	return d, err
}

// Drills returns every drill, the latest start first.
func (db *DB) Drills(ctx context.Context) ([]store.Drill, error) {
	out, err := list[store.Drill](ctx, db, "drills", tDrills, `SELECT id, data FROM drills`)
	if err != nil {
		return nil, err
	}
	store.SortDrills(out)
	return out, nil
}

// ChangeDrill changes a drill and appends the audit entry in one
// transaction.
func (db *DB) ChangeDrill(ctx context.Context, id string, change func(*store.Drill) error, a store.Audit) (store.Drill, error) {
	now := a.Time
	if now.IsZero() {
		now = time.Now()
	}
	var d store.Drill
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var data []byte
		err := tx.QueryRow(ctx, `SELECT data FROM drills WHERE id = $1 FOR UPDATE`, id).Scan(&data)
		if err := noRows(db.mapErr(err), "drill", id); err != nil {
			return err
		}
		d = store.Drill{}
		if err := db.seal.openJSON(tDrills, id, data, &d); err != nil {
			return err
		}
		if err := change(&d); err != nil {
			return err
		}
		d.ID = id
		if data, err = db.seal.sealJSON(tDrills, id, d); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE drills SET data = $2 WHERE id = $1`, id, data); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, now, a)
	})
	if err != nil {
		return store.Drill{}, fmt.Errorf("change drill %s: %w", id, db.mapErr(err))
	}
	return d, nil
}
