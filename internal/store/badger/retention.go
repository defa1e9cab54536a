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
// A purged record leaves Badger's files too, not only its view (see
// dropPurged); a purge that was interrupted is finished first.
func (db *DB) PurgeReconciled(ctx context.Context, before, now time.Time) (int, error) {
	if err := db.dropPurged(ctx); err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	total := 0
	for _, state := range []string{store.StateEntered, store.StateVoid} {
		for {
			n, err := db.purgeBatch(ctx, state, before, now, purgeBatchSize)
			total += n
			if err != nil {
				return total, fmt.Errorf("purge: %w", err)
			}
			if n == 0 {
				break
			}
			if err := db.dropPurged(ctx); err != nil {
				return total, fmt.Errorf("purge: %w", err)
			}
		}
	}
	return total, nil
}

// purgeBatchSize is how many records one purge transaction, and one drop
// from the files, takes.
const purgeBatchSize = 200

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

// purgeBatch takes up to max records out of every list, empties their
// values, marks each for dropPurged and writes its audit entry, in one
// transaction: from its commit on, nothing reads a purged record. The
// record's own keys stay, empty, until dropPurged removes them with their
// old versions; deleted here, they would be hidden from the drop as well.
func (db *DB) purgeBatch(ctx context.Context, state string, before, now time.Time, max int) (int, error) {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	n := 0
	err := db.update(ctx, func(txn *badger.Txn) error {
		n = 0
		var audit []store.Audit
		for _, id := range scanKeys(txn, "recstate/"+state+"/", "", "") {
			if n == max {
				break
			}
			var r store.StoredRecord
			if err := getJSON(txn, recordKey(id), &r); err != nil {
				return err
			}
			if r.ReconciledAt.IsZero() || !r.ReconciledAt.Before(before) {
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
				Detail: fmt.Sprintf("state=%s reconciled=%s", r.State, r.ReconciledAt.UTC().Format(time.RFC3339))})
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
