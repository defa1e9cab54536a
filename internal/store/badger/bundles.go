package badger

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

func bundleKey(id string) string { return "bundle/" + id }
func userBundleKey(b store.IssuedBundle) string {
	return "userbundle/" + b.UserID + "/" + sortableTime(b.IssuedAt) + "/" + b.ID
}

// PutIssuedBundle records a bundle given to a phone.
func (db *DB) PutIssuedBundle(ctx context.Context, b store.IssuedBundle) error {
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
func (db *DB) IssuedBundles(ctx context.Context, userID string, since time.Time) ([]store.IssuedBundle, error) {
	var out []store.IssuedBundle
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, id := range scanKeys(txn, "userbundle/"+userID+"/", sortableTime(since), "") {
			var b store.IssuedBundle
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
func (db *DB) IssuedBundle(ctx context.Context, id string) (store.IssuedBundle, error) {
	var b store.IssuedBundle
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, bundleKey(id), &b) })
	return b, err
}
