package badger

import (
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// ScanRecords walks the records' own keys (rec/<id>) in one read
// transaction with an iterator, which reads the tables in order instead
// of looking each record up through every level as ListRecords' index
// walk does.
func (db *DB) ScanRecords(ctx context.Context, fn func(store.StoredRecord) error) error {
	err := db.view(ctx, func(txn *badger.Txn) error {
		prefix := []byte("rec/")
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			item := it.Item()
			if item.ValueSize() == 0 {
				continue // purged, until its keys are dropped
			}
			var r store.StoredRecord
			if err := item.Value(func(v []byte) error { return store.DecodeStoredRecord(v, &r) }); err != nil {
				return fmt.Errorf("decode record %s: %w", item.Key(), err)
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan records: %w", err)
	}
	return nil
}

// ScanPlan walks the plan's own keys (patient/, visit/, dose/) with an
// iterator each, in one read transaction.
func (db *DB) ScanPlan(ctx context.Context, scan store.PlanScan) error {
	err := db.view(ctx, func(txn *badger.Txn) error {
		if scan.Patient != nil {
			if err := eachJSON(ctx, txn, "patient/", scan.Patient); err != nil {
				return err
			}
		}
		if scan.Visit != nil {
			if err := eachJSON(ctx, txn, "visit/", scan.Visit); err != nil {
				return err
			}
		}
		if scan.Dose != nil {
			if err := eachJSON(ctx, txn, "dose/", scan.Dose); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan plan: %w", err)
	}
	return nil
}

// eachJSON decodes every value under prefix into a T and gives it to fn.
func eachJSON[T any](ctx context.Context, txn *badger.Txn, prefix string, fn func(T) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix), PrefetchValues: true, PrefetchSize: 256})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		item := it.Item()
		if item.ValueSize() == 0 {
			continue
		}
		var v T
		if err := item.Value(func(b []byte) error { return store.DecodeJSON(b, &v) }); err != nil {
			return fmt.Errorf("decode %s: %w", item.Key(), err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}
