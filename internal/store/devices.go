package store

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Device is a phone registered to a user: the public half of its ed25519
// key, which signs every record it sends.
type Device struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	PublicKey []byte     `json:"public_key"`
	Label     string     `json:"label"`
	Created   time.Time  `json:"created"`
	LastSeen  time.Time  `json:"last_seen"`
	Revoked   *time.Time `json:"revoked,omitempty"`
}

func deviceKey(id string) string { return "device/" + id }
func userDeviceKey(userID, id string) string {
	return "userdevice/" + userID + "/" + id
}

// PutDevice creates or updates a device.
func (db *DB) PutDevice(ctx context.Context, d Device) error {
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
func (db *DB) Device(ctx context.Context, id string) (Device, error) {
	var d Device
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, deviceKey(id), &d) })
	return d, err
}

// UserDevices lists a user's devices.
func (db *DB) UserDevices(ctx context.Context, userID string) ([]Device, error) {
	var out []Device
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, id := range scanKeys(txn, "userdevice/"+userID+"/", "", "") {
			var d Device
			if err := getJSON(txn, deviceKey(id), &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}
