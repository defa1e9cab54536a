package badger

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// ListRecords returns one page of records (without bodies) and the cursor
// of the next page ("" at the end). It walks the most selective index
// newest first and stops once it has a page, so a page costs about the
// same at 100 records or 100,000.
func (db *DB) ListRecords(ctx context.Context, f store.RecordFilter) ([]store.StoredRecord, string, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	prefix := recordIndexFor(f)
	start := prefix + "\xff"
	if f.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || !strings.HasPrefix(string(b), prefix) {
			return nil, "", store.ErrBadCursor
		}
		start = string(b)
	}
	sinceKey := ""
	if !f.Since.IsZero() {
		sinceKey = prefix + sortableTime(f.Since)
	}
	var out []store.StoredRecord
	next, last := "", "" // last is the index key of the page's last record
	err := db.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: []byte(prefix)})
		defer it.Close()
		for it.Seek([]byte(start)); it.Valid(); it.Next() {
			key := string(it.Item().Key())
			if key == start && f.Cursor != "" {
				continue // the last record of the previous page
			}
			if sinceKey != "" && key < sinceKey {
				break
			}
			if len(out) == f.Limit {
				next = base64.RawURLEncoding.EncodeToString([]byte(last))
				break
			}
			var r store.StoredRecord
			if err := getJSON(txn, recordKey(key[strings.LastIndexByte(key, '/')+1:]), &r); err != nil {
				return err
			}
			if !matches(f, r) {
				continue
			}
			last = key
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("list records: %w", err)
	}
	return out, next, nil
}

// recordIndexFor is the prefix of the most selective index for f. Every
// index orders its keys by received time, then id, so the walk's order
// does not depend on which one is chosen.
func recordIndexFor(f store.RecordFilter) string {
	switch {
	case f.Patient != "":
		return "recpatient/" + f.Patient + "/"
	case f.Author != "":
		return "recauthor/" + f.Author + "/"
	case f.State == store.StateQuarantined:
		return "recquar/"
	case f.State != "":
		return "recstate/" + f.State + "/"
	case f.Type != "":
		return "rectype/" + string(f.Type) + "/"
	case f.Unit != "":
		return "recunit/" + f.Unit + "/"
	}
	return "recrecv/"
}

// matches reports whether r passes every condition of f.
func matches(f store.RecordFilter, r store.StoredRecord) bool {
	switch {
	case f.Units != nil && !slices.Contains(f.Units, r.UnitID):
	case f.Unit != "" && r.UnitID != f.Unit:
	case f.Patient != "" && r.PatientID != f.Patient:
	case f.Author != "" && r.AuthorID != f.Author:
	case f.Type != "" && r.Type != f.Type:
	case f.State == store.StateQuarantined && !r.Quarantined:
	case f.State != "" && f.State != store.StateQuarantined && r.State != f.State:
	case !f.Since.IsZero() && r.Received.Before(f.Since):
	case !store.MatchesDrill(f.Drill, r.DrillID):
	default:
		return true
	}
	return false
}

// Reconcile marks records entered into the record system or void, with
// an audit entry each, in one durable transaction: all of them or none.
// A record already entered or voided is ErrAlreadyReconciled.
func (db *DB) Reconcile(ctx context.Context, ids []string, rc store.Reconciliation) ([]store.StoredRecord, error) {
	if rc.Action != store.ActionEntered && rc.Action != store.ActionVoid {
		return nil, fmt.Errorf("reconcile: unknown action %q", rc.Action)
	}
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	var out []store.StoredRecord
	err := db.update(ctx, func(txn *badger.Txn) error {
		out = out[:0]
		var audit []store.Audit
		for _, id := range ids {
			var r store.StoredRecord
			if err := getJSON(txn, recordKey(id), &r); err != nil {
				return err // names the record
			}
			if r.State != store.StateNew {
				return fmt.Errorf("record %s is %s: %w", id, r.State, store.ErrAlreadyReconciled)
			}
			if err := txn.Delete([]byte(stateIndex(r))); err != nil {
				return err
			}
			r, detail := store.Reconciled(r, rc)
			if err := putJSON(txn, recordKey(id), r); err != nil {
				return err
			}
			if err := setIndex(txn, stateIndex(r)); err != nil {
				return err
			}
			audit = append(audit, store.Audit{Time: rc.At, Actor: rc.By, Action: store.AuditReconcile, Subject: id, Detail: detail})
			out = append(out, r)
		}
		return appendAudit(txn, rc.At, audit...)
	})
	if err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	return out, nil
}

// ResolveFinding records that a finding was handled, with an audit entry.
func (db *DB) ResolveFinding(ctx context.Context, id string, res store.FindingResolution) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	return db.update(ctx, func(txn *badger.Txn) error {
		if err := putJSON(txn, "findres/"+id, res); err != nil {
			return err
		}
		return appendAudit(txn, res.At, store.Audit{Time: res.At, Actor: res.By, Action: store.AuditFindingResolve, Subject: id, Detail: fmt.Sprintf("comment=%q", res.Comment)})
	})
}

// FindingResolutions returns every recorded resolution by finding id.
func (db *DB) FindingResolutions(ctx context.Context) (map[string]store.FindingResolution, error) {
	out := map[string]store.FindingResolution{}
	err := db.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: []byte("findres/")})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var r store.FindingResolution
			if err := it.Item().Value(func(b []byte) error { return store.DecodeJSON(b, &r) }); err != nil {
				return err
			}
			out[strings.TrimPrefix(string(it.Item().Key()), "findres/")] = r
		}
		return nil
	})
	return out, err
}
