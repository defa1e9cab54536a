package store

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// IssuedBundle remembers what a shift bundle gave a phone, so that sync can
// decide whether a record's patient was on the author's own list or in the
// unit part, and whether it was made inside the bundle's validity.
type IssuedBundle struct {
	ID           string    `json:"id"`
	UserID       string    `json:"user_id"`
	DeviceID     string    `json:"device_id,omitempty"`
	IssuedAt     time.Time `json:"issued_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	OwnPatients  []string  `json:"own_patients"`
	UnitPatients []string  `json:"unit_patients"`
	Bytes        int       `json:"bytes"`
}

func bundleKey(id string) string { return "bundle/" + id }
func userBundleKey(b IssuedBundle) string {
	return "userbundle/" + b.UserID + "/" + sortableTime(b.IssuedAt) + "/" + b.ID
}

// PutIssuedBundle records a bundle given to a phone.
func (db *DB) PutIssuedBundle(ctx context.Context, b IssuedBundle) error {
	if b.ID == "" || b.UserID == "" {
		return fmt.Errorf("put bundle: id and user are required")
	}
	return db.update(ctx, func(txn *badger.Txn) error {
		if err := putJSON(txn, bundleKey(b.ID), b); err != nil {
			return err
		}
		return setIndex(txn, userBundleKey(b))
	})
}

// IssuedBundles lists the bundles issued to a user at or after since,
// oldest first.
func (db *DB) IssuedBundles(ctx context.Context, userID string, since time.Time) ([]IssuedBundle, error) {
	var out []IssuedBundle
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, id := range scanKeys(txn, "userbundle/"+userID+"/", sortableTime(since), "") {
			var b IssuedBundle
			if err := getJSON(txn, bundleKey(id), &b); err != nil {
				return err
			}
			out = append(out, b)
		}
		return nil
	})
	return out, err
}

// IssuedBundle returns the bundle with the id.
func (db *DB) IssuedBundle(ctx context.Context, id string) (IssuedBundle, error) {
	var b IssuedBundle
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, bundleKey(id), &b) })
	return b, err
}
