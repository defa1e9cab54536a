package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/store"
)

// The checklist ticks of the exposure reports (store.Exposures): one row
// per device and item, replaced by each tick or untick.

const tExposureTicks = "exposure_ticks"

// SetExposureTick stores t with its audit entry, in one transaction.
func (db *DB) SetExposureTick(ctx context.Context, t store.ExposureTick, a store.Audit) error {
	if t.DeviceID == "" || t.Item == "" {
		return fmt.Errorf("set exposure tick: device and item are required")
	}
	t.At = t.At.UTC()
	id := t.DeviceID + "/" + t.Item
	err := db.tx(ctx, func(tx pgx.Tx) error {
		data, err := db.seal.sealJSON(tExposureTicks, id, t)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO exposure_ticks (id, device_id, data) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET data = excluded.data`, id, t.DeviceID, data); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, t.At, a)
	})
	if err != nil {
		return fmt.Errorf("set exposure tick %s of %s: %w", t.Item, t.DeviceID, err)
	}
	return nil
}

// ExposureTicks lists the device's items' states in item order.
func (db *DB) ExposureTicks(ctx context.Context, deviceID string) ([]store.ExposureTick, error) {
	return list[store.ExposureTick](ctx, db, "exposure ticks of "+deviceID, tExposureTicks,
		`SELECT id, data FROM exposure_ticks WHERE device_id = $1 ORDER BY id`, deviceID)
}
