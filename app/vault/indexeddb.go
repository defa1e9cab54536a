//go:build js && wasm

package vault

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"

	"github.com/hack-pad/go-indexeddb/idb"
)

// dbName and dbVersion name the phone's IndexedDB database; a new bucket
// means a new version and an upgrade step.
const (
	dbName    = "beredskap"
	dbVersion = 1
)

// IndexedDB is the Store in the browser.
type IndexedDB struct {
	db *idb.Database
}

// OpenIndexedDB opens (or creates) the phone's database.
func OpenIndexedDB(ctx context.Context) (*IndexedDB, error) {
	req, err := idb.Global().Open(ctx, dbName, dbVersion, func(db *idb.Database, oldVersion, newVersion uint) error {
		for _, b := range Buckets() {
			if _, err := db.CreateObjectStore(b, idb.ObjectStoreOptions{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open vault: %w", err)
	}
	db, err := req.Await(ctx)
	if err != nil {
		return nil, fmt.Errorf("open vault: %w", err)
	}
	return &IndexedDB{db: db}, nil
}

func toJS(b []byte) js.Value {
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	return u8
}

func fromJS(v js.Value) ([]byte, error) {
	if !v.InstanceOf(js.Global().Get("Uint8Array")) {
		return nil, fmt.Errorf("vault: stored value is not bytes")
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b, nil
}

// Get implements Store.
func (s *IndexedDB) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	txn, err := s.db.Transaction(idb.TransactionReadOnly, bucket)
	if err != nil {
		return nil, fmt.Errorf("vault get: %w", err)
	}
	st, err := txn.ObjectStore(bucket)
	if err != nil {
		return nil, fmt.Errorf("vault get: %w", err)
	}
	req, err := st.Get(js.ValueOf(key))
	if err != nil {
		return nil, fmt.Errorf("vault get: %w", err)
	}
	v, err := req.Await(ctx)
	if err != nil {
		return nil, fmt.Errorf("vault get: %w", err)
	}
	if v.IsUndefined() || v.IsNull() {
		return nil, ErrNotFound
	}
	return fromJS(v)
}

// Commit implements Store. The transaction asks for strict durability:
// Chrome defaults to relaxed since version 121, which may report success
// before the data is on disk.
func (s *IndexedDB) Commit(ctx context.Context, writes ...Write) error {
	if len(writes) == 0 {
		return nil
	}
	names := uniqueBuckets(writes)
	txn, err := s.db.TransactionWithOptions(idb.TransactionOptions{Mode: idb.TransactionReadWrite, Durability: idb.DurabilityStrict}, names[0], names[1:]...)
	if err != nil {
		return fmt.Errorf("vault commit: %w", err)
	}
	for _, w := range writes {
		st, err := txn.ObjectStore(w.Bucket)
		if err != nil {
			_ = txn.Abort()
			return fmt.Errorf("vault commit: %w", err)
		}
		switch {
		case w.Clear:
			_, err = st.Clear()
		case w.Delete:
			_, err = st.Delete(js.ValueOf(w.Key))
		default:
			_, err = st.PutKey(js.ValueOf(w.Key), toJS(w.Value))
		}
		if err != nil {
			_ = txn.Abort()
			return commitError(err)
		}
	}
	if err := txn.Await(ctx); err != nil {
		return commitError(err)
	}
	return nil
}

// quotaExceeded is the DOMException a browser aborts a transaction with
// when the site's storage quota is used up.
var quotaExceeded = idb.NewDOMException("QuotaExceededError")

// commitError names a full quota as ErrQuotaExceeded, so that the app can
// say why nothing was saved.
func commitError(err error) error {
	if errors.Is(err, quotaExceeded) {
		return fmt.Errorf("vault commit: %w: %w", ErrQuotaExceeded, err)
	}
	return fmt.Errorf("vault commit: %w", err)
}

// List implements Store.
func (s *IndexedDB) List(ctx context.Context, bucket string) ([]Entry, error) {
	txn, err := s.db.Transaction(idb.TransactionReadOnly, bucket)
	if err != nil {
		return nil, fmt.Errorf("vault list: %w", err)
	}
	st, err := txn.ObjectStore(bucket)
	if err != nil {
		return nil, fmt.Errorf("vault list: %w", err)
	}
	req, err := st.OpenCursor(idb.CursorNext)
	if err != nil {
		return nil, fmt.Errorf("vault list: %w", err)
	}
	var out []Entry
	err = req.Iter(ctx, func(c *idb.CursorWithValue) error {
		k, err := c.Key()
		if err != nil {
			return err
		}
		v, err := c.Value()
		if err != nil {
			return err
		}
		b, err := fromJS(v)
		if err != nil {
			return err
		}
		out = append(out, Entry{Key: k.String(), Value: b})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("vault list: %w", err)
	}
	return out, nil
}

// Clear implements Store.
func (s *IndexedDB) Clear(ctx context.Context, buckets ...string) error {
	if len(buckets) == 0 {
		return nil
	}
	txn, err := s.db.TransactionWithOptions(idb.TransactionOptions{Mode: idb.TransactionReadWrite, Durability: idb.DurabilityStrict}, buckets[0], buckets[1:]...)
	if err != nil {
		return fmt.Errorf("vault clear: %w", err)
	}
	for _, b := range buckets {
		st, err := txn.ObjectStore(b)
		if err != nil {
			_ = txn.Abort()
			return fmt.Errorf("vault clear: %w", err)
		}
		if _, err := st.Clear(); err != nil {
			_ = txn.Abort()
			return fmt.Errorf("vault clear: %w", err)
		}
	}
	if err := txn.Await(ctx); err != nil {
		return fmt.Errorf("vault clear: %w", err)
	}
	return nil
}
