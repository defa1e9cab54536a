package badger

import (
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

func deviceKey(id string) string { return "device/" + id }
func userDeviceKey(userID, id string) string {
	return "userdevice/" + userID + "/" + id
}

// PutDevice creates or updates a device.
func (db *DB) PutDevice(ctx context.Context, d store.Device) error {
	if d.ID == "" || d.UserID == "" || len(d.PublicKey) == 0 {
		return fmt.Errorf("put device: id, user and public key are required")
	}
	return db.update(ctx, func(txn *badger.Txn) error {
		if err := putJSON(txn, deviceKey(d.ID), d); err != nil {
			return err
		}
		return setIndex(txn, userDeviceKey(d.UserID, d.ID))
	})
}

// Device returns the device with the id.
func (db *DB) Device(ctx context.Context, id string) (store.Device, error) {
	var d store.Device
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, deviceKey(id), &d) })
	return d, err
}

// UserDevices lists a user's devices.
func (db *DB) UserDevices(ctx context.Context, userID string) ([]store.Device, error) {
	var out []store.Device
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, id := range scanKeys(txn, "userdevice/"+userID+"/", "", "") {
			var d store.Device
			if err := getJSON(txn, deviceKey(id), &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}
