package badger

import (
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// The checklist ticks of the exposure reports (store.Exposures), one key
// per device and item: "exposuretick/<device>/<item>". A tick appends to
// the audit chain, so it holds auditMu.

func exposureTickPrefix(deviceID string) string { return "exposuretick/" + deviceID + "/" }

// SetExposureTick stores t with its audit entry, in one transaction.
func (db *DB) SetExposureTick(ctx context.Context, t store.ExposureTick, a store.Audit) error {
	if t.DeviceID == "" || t.Item == "" {
		return fmt.Errorf("set exposure tick: device and item are required")
	}
	t.At = t.At.UTC()
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	err := db.update(ctx, func(txn *badger.Txn) error {
		if err := putJSON(txn, exposureTickPrefix(t.DeviceID)+t.Item, t); err != nil {
			return err
		}
		return appendAudit(txn, t.At, a)
	})
	if err != nil {
		return fmt.Errorf("set exposure tick %s of %s: %w", t.Item, t.DeviceID, err)
	}
	return nil
}

// ExposureTicks lists the device's items' states in item order.
func (db *DB) ExposureTicks(ctx context.Context, deviceID string) ([]store.ExposureTick, error) {
	var out []store.ExposureTick
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		out, err = scanJSON[store.ExposureTick](txn, exposureTickPrefix(deviceID))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("exposure ticks of %s: %w", deviceID, err)
	}
	return out, nil
}
