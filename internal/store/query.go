package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/care"
)

// StateQuarantined selects quarantined records in a RecordFilter; stored
// records keep State "new" with the Quarantined flag.
const StateQuarantined = "quarantined"

// RecordFilter selects records for the coordinators' views, newest first.
type RecordFilter struct {
	// Units limits the records to these units (a coordinator's own); nil
	// means every unit.
	Units   []string
	Unit    string
	Patient string
	Author  string
	Type    care.RecordType
	State   string
	// Since keeps records received at or after it.
	Since time.Time
	// Cursor continues a previous page.
	Cursor string
	Limit  int
}

// ErrBadCursor means the cursor did not come from a previous page.
var ErrBadCursor = errors.New("bad cursor")

// ListRecords returns one page of records (without bodies) and the cursor
// of the next page ("" at the end). It walks the most selective index
// newest first and stops once it has a page, so a page costs about the
// same at 100 records or 100,000.
func (db *DB) ListRecords(ctx context.Context, f RecordFilter) ([]StoredRecord, string, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	prefix := "recrecv/"
	switch {
	case f.Patient != "":
		prefix = "recpatient/" + f.Patient + "/"
	case f.Author != "":
		prefix = "recauthor/" + f.Author + "/"
	case f.State == StateQuarantined:
		prefix = "recquar/"
	case f.State != "":
		prefix = "recstate/" + f.State + "/"
	case f.Type != "":
		prefix = "rectype/" + string(f.Type) + "/"
	case f.Unit != "":
		prefix = "recunit/" + f.Unit + "/"
	}
	start := prefix + "\xff"
	if f.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || !strings.HasPrefix(string(b), prefix) {
			return nil, "", ErrBadCursor
		}
		start = string(b)
	}
	sinceKey := ""
	if !f.Since.IsZero() {
		sinceKey = prefix + sortableTime(f.Since)
	}
	var out []StoredRecord
	next := ""
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
				next = base64.RawURLEncoding.EncodeToString([]byte(out[len(out)-1].cursorKey))
				break
			}
			var r StoredRecord
			if err := getJSON(txn, recordKey(key[strings.LastIndexByte(key, '/')+1:]), &r); err != nil {
				return err
			}
			if !f.matches(r) {
				continue
			}
			r.cursorKey = key
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("list records: %w", err)
	}
	return out, next, nil
}

func (f RecordFilter) matches(r StoredRecord) bool {
	switch {
	case f.Units != nil && !slices.Contains(f.Units, r.UnitID):
	case f.Unit != "" && r.UnitID != f.Unit:
	case f.Patient != "" && r.PatientID != f.Patient:
	case f.Author != "" && r.AuthorID != f.Author:
	case f.Type != "" && r.Type != f.Type:
	case f.State == StateQuarantined && !r.Quarantined:
	case f.State != "" && f.State != StateQuarantined && r.State != f.State:
	case !f.Since.IsZero() && r.Received.Before(f.Since):
	default:
		return true
	}
	return false
}

// Reconciliation actions.
const (
	ActionEntered = "entered"
	ActionVoid    = "void"
)

// ErrAlreadyReconciled means the record was entered or voided before.
var ErrAlreadyReconciled = errors.New("already reconciled")

// Reconciliation is a coordinator's decision about one record.
type Reconciliation struct {
	Action string
	EHRRef string
	Reason string
	// By is who marked it; EnteredBy who typed it into the record system
	// (the author, where possible).
	By        string
	EnteredBy string
	At        time.Time
}

// Reconcile marks records entered into the record system or void, with
// an audit entry each, in one durable transaction: all of them or none.
// A record already entered or voided is ErrAlreadyReconciled.
func (db *DB) Reconcile(ctx context.Context, ids []string, rc Reconciliation) ([]StoredRecord, error) {
	if rc.Action != ActionEntered && rc.Action != ActionVoid {
		return nil, fmt.Errorf("reconcile: unknown action %q", rc.Action)
	}
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	var out []StoredRecord
	err := db.update(ctx, func(txn *badger.Txn) error {
		out = out[:0]
		var audit []Audit
		for _, id := range ids {
			var r StoredRecord
			if err := getJSON(txn, recordKey(id), &r); err != nil {
				return err // names the record
			}
			if r.State != StateNew {
				return fmt.Errorf("record %s is %s: %w", id, r.State, ErrAlreadyReconciled)
			}
			if err := txn.Delete([]byte(stateIndex(r))); err != nil {
				return err
			}
			r.State, r.ReconciledBy, r.ReconciledAt = rc.Action, rc.By, rc.At.UTC()
			detail := "action=" + rc.Action
			if rc.Action == ActionEntered {
				r.EHRRef, r.EnteredBy = rc.EHRRef, rc.EnteredBy
				detail += fmt.Sprintf(" ehr_ref=%q entered_by=%s", rc.EHRRef, rc.EnteredBy)
			} else {
				r.VoidReason = rc.Reason
				detail += fmt.Sprintf(" reason=%q", rc.Reason)
			}
			if err := putJSON(txn, recordKey(id), r); err != nil {
				return err
			}
			if err := setIndex(txn, stateIndex(r)); err != nil {
				return err
			}
			audit = append(audit, Audit{Time: rc.At, Actor: rc.By, Action: AuditReconcile, Subject: id, Detail: detail})
			out = append(out, r)
		}
		return appendAudit(txn, rc.At, audit...)
	})
	if err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	return out, nil
}

// FindingResolution is a coordinator's note that a finding was handled.
type FindingResolution struct {
	By      string    `json:"by"`
	Comment string    `json:"comment"`
	At      time.Time `json:"at"`
	// Unit is the finding's unit when it was resolved; empty for
	// resolutions stored before units were kept.
	Unit string `json:"unit,omitempty"`
}

// ResolveFinding records that a finding was handled, with an audit entry.
func (db *DB) ResolveFinding(ctx context.Context, id string, res FindingResolution) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	return db.update(ctx, func(txn *badger.Txn) error {
		if err := putJSON(txn, "findres/"+id, res); err != nil {
			return err
		}
		return appendAudit(txn, res.At, Audit{Time: res.At, Actor: res.By, Action: AuditFindingResolve, Subject: id, Detail: fmt.Sprintf("comment=%q", res.Comment)})
	})
}

// FindingResolutions returns every recorded resolution by finding id.
func (db *DB) FindingResolutions(ctx context.Context) (map[string]FindingResolution, error) {
	out := map[string]FindingResolution{}
	err := db.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: []byte("findres/")})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var r FindingResolution
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &r) }); err != nil {
				return err
			}
			out[strings.TrimPrefix(string(it.Item().Key()), "findres/")] = r
		}
		return nil
	})
	return out, err
}
