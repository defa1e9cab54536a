package store

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// PurgeReconciled deletes records that were entered or voided before the
// cutoff: their bodies and every index but the device's sequence numbers,
// which hold no health data and keep a purge from looking like a lost
// record. Each purge is an audit entry. It works in batches, so that a
// large purge never exceeds a transaction.
func (db *DB) PurgeReconciled(ctx context.Context, before, now time.Time) (int, error) {
	total := 0
	for _, state := range []string{StateEntered, StateVoid} {
		for {
			n, err := db.purgeBatch(ctx, state, before, now, 200)
			total += n
			if err != nil {
				return total, fmt.Errorf("purge: %w", err)
			}
			if n == 0 {
				break
			}
		}
	}
	return total, nil
}

func (db *DB) purgeBatch(ctx context.Context, state string, before, now time.Time, max int) (int, error) {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	n := 0
	err := db.update(ctx, func(txn *badger.Txn) error {
		n = 0
		var audit []Audit
		for _, id := range scanKeys(txn, "recstate/"+state+"/", "", "") {
			if n == max {
				break
			}
			var r StoredRecord
			if err := getJSON(txn, recordKey(id), &r); err != nil {
				return err
			}
			if r.ReconciledAt.IsZero() || !r.ReconciledAt.Before(before) {
				continue
			}
			keys := []string{recordKey(id), recordBodyKey(id)}
			for _, k := range recordIndexes(r) {
				if len(k) < 10 || k[:10] != "recdevseq/" {
					keys = append(keys, k)
				}
			}
			for _, k := range keys {
				if err := txn.Delete([]byte(k)); err != nil {
					return err
				}
			}
			audit = append(audit, Audit{Time: now, Actor: "retention", Action: AuditPurge, Subject: id,
				Detail: fmt.Sprintf("state=%s reconciled=%s", r.State, r.ReconciledAt.UTC().Format(time.RFC3339))})
			n++
		}
		return appendAudit(txn, now, audit...)
	})
	return n, err
}
