package badger

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// Devices lists every registered device.
func (db *DB) Devices(ctx context.Context) ([]store.Device, error) {
	var out []store.Device
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		out, err = scanJSON[store.Device](txn, "device/")
		return err
	})
	return out, err
}

// RevokeDevice marks a device revoked: it gets no new bundle, and what it
// still sends is quarantined. Its sessions are kept, but (see the server)
// they may only deliver records and log out, so that the phone learns it
// must wipe; the phone logs out once it has, and the server ends them the
// offline validity after the revocation at the latest.
func (db *DB) RevokeDevice(ctx context.Context, id, by string, now time.Time) (store.Device, error) {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	var d store.Device
	err := db.update(ctx, func(txn *badger.Txn) error {
		if err := getJSON(txn, deviceKey(id), &d); err != nil {
			return err
		}
		if d.Revoked == nil {
			t := now.UTC()
			d.Revoked = &t
		}
		if err := putJSON(txn, deviceKey(id), d); err != nil {
			return err
		}
		return appendAudit(txn, now, store.Audit{Time: now, Actor: by, Action: store.AuditDeviceRevoke, Subject: id, Detail: "user=" + d.UserID + " label=" + d.Label})
	})
	if err != nil {
		return d, fmt.Errorf("revoke device: %w", err)
	}
	return d, nil
}

// TouchDevice records contact from a device (a bundle fetched, a sync),
// at most once a minute, so that the admin page can show when a lost phone
// last spoke.
func (db *DB) TouchDevice(ctx context.Context, id string, now time.Time) error {
	return db.update(ctx, func(txn *badger.Txn) error {
		var d store.Device
		if err := getJSON(txn, deviceKey(id), &d); err != nil {
			return err
		}
		if now.Sub(d.LastSeen) < time.Minute {
			return nil
		}
		d.LastSeen = now.UTC()
		return putJSON(txn, deviceKey(id), d)
	})
}
