package badger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// PurgeReconciled deletes records that were entered or voided before the
// cutoff: their bodies and every index but the device's sequence numbers,
// which hold no health data and keep a purge from looking like a lost
// record. Each purge is an audit entry. It works in batches, so that a
// large purge never exceeds a transaction.
//
// The records due are found by reading the records in id order, a page
// at a time in read transactions of their own (purgeCandidates), and
// only each batch found is written, under the audit chain's lock: a
// store of a million reconciled records, none of them due, is read once
// without holding back a single sync, in the memory of one page. (Each
// batch used to collect every reconciled record's id and read each of
// them again inside the write transaction that holds the chain, which at
// a million records held syncs back for as long and took a hundred
// megabytes.)
//
// A purged record leaves Badger's files too, not only its view (see
// dropPurged); a purge that was interrupted is finished first.
func (db *DB) PurgeReconciled(ctx context.Context, before, now time.Time) (int, error) {
	if err := db.dropPurged(ctx); err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	total, after := 0, ""
	for {
		ids, last, more, err := db.purgeCandidates(ctx, after, before, purgeBatchSize)
		if err != nil {
			return total, fmt.Errorf("purge: %w", err)
		}

		if len(ids) > 0 {
			n, err := db.purgeBatch(ctx, ids, before, now)
			total += n
			if err != nil {
				return total, fmt.Errorf("purge: %w", err)
			}
			if err := db.dropPurged(ctx); err != nil {
				return total, fmt.Errorf("purge: %w", err)
			}
		}
		if !more {
			return total, nil
		}
		after = last
	}
}

// purgeBatchSize is how many records one purge transaction, and one drop
// from the files, takes; purgeScanPage is how many records one read
// transaction of the search for them looks at.
const purgeBatchSize = 200

var (
	purgeScanPage = 10000
	// purgePageRead, when set (by tests), is called as each page of the
	// search for due records ends, inside its read transaction.
	purgePageRead func()
)

// purgeDue says whether a record is one the purge takes: reconciled
// before before, or a drill record received before before (a drill's
// records are never reconciled, and they name real patients).
func purgeDue(r store.StoredRecord, before time.Time) bool {
	if r.DrillID != "" {
		return r.Received.Before(before)
	}
	return (r.State == store.StateEntered || r.State == store.StateVoid) &&
		!r.ReconciledAt.IsZero() && r.ReconciledAt.Before(before)
}

// purgeDetail is the audit entry's detail for a record purged.
func purgeDetail(r store.StoredRecord) string {
	if r.DrillID != "" {
		return fmt.Sprintf("drill=%s received=%s", r.DrillID, r.Received.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("state=%s reconciled=%s", r.State, r.ReconciledAt.UTC().Format(time.RFC3339))
}

// purgeCandidates reads the records after the id after, in id order, until
// it has found max that are due or looked at purgeScanPage; last is the
// last id it looked at and more whether records may follow it.
func (db *DB) purgeCandidates(ctx context.Context, after string, before time.Time, max int) (ids []string, last string, more bool, err error) {
	last = after
	err = db.view(ctx, func(txn *badger.Txn) error {
		if purgePageRead != nil {
			defer purgePageRead()
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("rec/"), PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		seen := 0
		for it.Seek([]byte(recordKey(after) + "\x00")); it.Valid(); it.Next() {
			if len(ids) == max || seen == purgeScanPage {
				more = true
				return nil
			}
			seen++
			item := it.Item()
			id := string(item.Key()[len("rec/"):])
			last = id
			if item.ValueSize() == 0 {
				continue // purged already, until its keys are dropped
			}
			var r store.StoredRecord
			if err := item.Value(func(v []byte) error { return store.DecodeStoredRecord(v, &r) }); err != nil {
				return fmt.Errorf("decode record %s: %w", id, err)
			}
			if purgeDue(r, before) {
				ids = append(ids, id)
			}
		}
		return ctx.Err()
	})
	return ids, last, more, err
}

func purgeKey(id string) string { return "recpurge/" + id }

// goneKey keeps a purged record's body hash (SHA-256, nothing of the
// record itself) for good, so that the record sent again is answered as a
// duplicate rather than taken in a second time.
func goneKey(id string) string { return "recgone/" + id }

// purgedHash returns the body hash of a purged record, or ErrNotFound.
func purgedHash(txn *badger.Txn, id string) (string, error) {
	item, err := txn.Get([]byte(goneKey(id)))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return "", store.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("get purged record: %w", err)
	}
	b, err := item.ValueCopy(nil)
	return string(b), err
}

// recordTaken says whether a record id is stored, or was and is purged.
func recordTaken(txn *badger.Txn, id string) (bool, error) {
	item, err := txn.Get([]byte(recordKey(id)))
	switch {
	case err == nil && item.ValueSize() > 0:
		return true, nil
	case err != nil && !errors.Is(err, badger.ErrKeyNotFound):
		return false, fmt.Errorf("get record: %w", err)
	}
	return exists(txn, goneKey(id))
}

// purgeBatch purges the records ids that are still due (each is read
// again: it may have changed since it was found), empties their values,
// marks each for dropPurged and writes its audit entry, in one
// transaction: from its commit on, nothing reads a purged record. The
// record's own keys stay, empty, until dropPurged removes them with their
// old versions; deleted here, they would be hidden from the drop as well.
func (db *DB) purgeBatch(ctx context.Context, ids []string, before, now time.Time) (int, error) {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	n := 0
	err := db.update(ctx, func(txn *badger.Txn) error {
		n = 0
		var audit []store.Audit
		for _, id := range ids {
			var r store.StoredRecord
			switch err := getJSON(txn, recordKey(id), &r); {
			case errors.Is(err, store.ErrNotFound):
				continue // purged meanwhile
			case err != nil:
				return err
			}
			if !purgeDue(r, before) {
				continue
			}
			for _, k := range recordIndexes(r) {
				if strings.HasPrefix(k, "recdevseq/") {
					continue
				}
				if err := txn.Delete([]byte(k)); err != nil {
					return err
				}
			}
			for k, v := range map[string][]byte{recordKey(id): nil, recordBodyKey(id): nil,
				goneKey(id): []byte(r.BodyHash), purgeKey(id): nil} {
				if err := txn.Set([]byte(k), v); err != nil {
					return err
				}
			}
			audit = append(audit, store.Audit{Time: now, Actor: "retention", Action: store.AuditPurge, Subject: id,
				Detail: purgeDetail(r)})
			n++
		}
		return appendAudit(txn, now, audit...)
	})
	return n, err
}

// dropPurged removes the marked records' bodies from Badger's files. A
// deleted key is only hidden: its value stays in the write-ahead log and
// the tables until a compaction happens to rewrite them, which on a quiet
// store can take weeks. DropPrefix flushes the memtables without those
// keys and rewrites every table that holds one, all versions. Writes wait
// meanwhile (dropMu) instead of failing. Record ids are UUIDs (ingest
// takes no other), so each prefix is exactly one key.
var errClosed = errors.New("the store is closed")

func (db *DB) dropPurged(ctx context.Context) error {
	var ids []string
	if err := db.view(ctx, func(txn *badger.Txn) error {
		ids = scanKeys(txn, "recpurge/", "", "")
		return nil
	}); err != nil {
		return fmt.Errorf("drop purged records: %w", err)
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), purgeBatchSize)]
		ids = ids[len(batch):]
		prefixes := make([][]byte, 0, 2*len(batch))
		for _, id := range batch {
			prefixes = append(prefixes, []byte(recordKey(id)), []byte(recordBodyKey(id)))
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		db.openMu.RLock()
		err := db.writable()
		if err == nil {
			db.dropMu.Lock()
			err = errClosed
			if !db.closed {
				err = db.bdb.DropPrefix(prefixes...)
			}
			db.dropMu.Unlock()
		}
		db.openMu.RUnlock()
		if err != nil {
			return fmt.Errorf("drop purged records: %w", err)
		}
		if err := db.update(ctx, func(txn *badger.Txn) error {
			for _, id := range batch {
				if err := txn.Delete([]byte(purgeKey(id))); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("drop purged records: %w", err)
		}
	}
	return nil
}
