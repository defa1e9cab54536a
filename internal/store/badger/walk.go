package badger

import (
	"context"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// A walk's page: at most walkPage records or walkPageBytes of bodies
// (a medication record carries up to two signatures of 64 KiB each), so
// that what a walk holds stays the same at a hundred records or a million.
const (
	walkPage      = 500
	walkPageBytes = 4 << 20
)

// WalkRecords calls fn with every record f selects, with its body, newest
// received first as ListRecords lists them. Each page is read in a read
// transaction of its own and handed to fn after that transaction ended:
// an export to a slow client then holds neither a Badger snapshot nor
// openMu (which the swap from read-only to writable waits for) for the
// whole download. The next page starts after the last index key the
// previous one looked at, and a record's keys never move to a place not
// yet walked except by a change of state, which is one-way, so no record
// is given twice.
func (db *DB) WalkRecords(ctx context.Context, f store.RecordFilter, fn func(store.StoredRecord) error) error {
	prefix := recordIndexFor(f)
	sinceKey := ""
	if !f.Since.IsZero() {
		sinceKey = prefix + sortableTime(f.Since)
	}
	start, resumed := prefix+"\xff", false
	page := make([]store.StoredRecord, 0, walkPage)
	for {
		page = page[:0]
		more := false
		err := db.view(ctx, func(txn *badger.Txn) error {
			// Keys only: the index keys carry no value; the record and its
			// body are read by key, the record's own keys being next to
			// each other in id (UUIDv7, time) order.
			it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: []byte(prefix)})
			defer it.Close()
			size := 0
			for it.Seek([]byte(start)); it.Valid(); it.Next() {
				key := string(it.Item().Key())
				if resumed && key == start {
					continue
				}
				if sinceKey != "" && key < sinceKey {
					return nil
				}
				if len(page) == walkPage || size >= walkPageBytes {
					more = true
					return nil
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				start, resumed = key, true
				id := key[strings.LastIndexByte(key, '/')+1:]
				var r store.StoredRecord
				if err := getJSON(txn, recordKey(id), &r); err != nil {
					return err
				}
				if !matches(f, r) {
					continue
				}
				var b recordBody
				if err := getJSON(txn, recordBodyKey(id), &b); err != nil {
					return err
				}
				r.Body, r.Sig = b.Body, b.Sig
				size += len(b.Body) + len(b.Sig)
				page = append(page, r)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("walk records: %w", err)
		}
		for i := range page {
			if err := fn(page[i]); err != nil {
				return err
			}
			page[i] = store.StoredRecord{} // its body is fn's now, or garbage
		}
		if !more {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("walk records: %w", err)
		}
	}
}
