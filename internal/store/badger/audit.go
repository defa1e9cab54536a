package badger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

type auditHead struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

func auditKey(seq uint64) string { return string(appendPadded([]byte("audit/"), seq)) }

// auditSubjectKey is fmt.Sprintf("auditsubj/%s/%020d", subject, seq).
func auditSubjectKey(subject string, seq uint64) string {
	b := make([]byte, 0, len("auditsubj//")+len(subject)+20)
	b = append(b, "auditsubj/"...)
	b = append(b, subject...)
	b = append(b, '/')
	return string(appendPadded(b, seq))
}

// hashEntry is the chain's hash of an entry (store.HashAuditEntry, one
// definition for every store); it is what Verify recomputes.
func hashEntry(e store.AuditEntry) string { return store.HashAuditEntry(e) }

// appendAudit adds entries to the chain inside txn. Callers hold
// db.auditMu, so that the head is never read by two writers at once.
func appendAudit(txn *badger.Txn, now time.Time, entries ...store.Audit) error {
	if len(entries) == 0 {
		return nil
	}
	var head auditHead
	if err := getJSON(txn, "auditmeta/head", &head); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	for _, a := range entries {
		t := a.Time
		if t.IsZero() {
			t = now
		}
		e := store.AuditEntry{Seq: head.Seq + 1, Time: t.UTC(), Actor: a.Actor, Action: a.Action, Subject: a.Subject, Detail: a.Detail, Prev: head.Hash}
		e.Hash = hashEntry(e)
		enc, err := encodeAuditEntry(e)
		if err != nil {
			return fmt.Errorf("encode audit entry: %w", err)
		}
		if err := txn.Set([]byte(auditKey(e.Seq)), enc); err != nil {
			return err
		}
		if e.Subject != "" {
			if err := setIndex(txn, auditSubjectKey(e.Subject, e.Seq)); err != nil {
				return err
			}
		}
		head = auditHead{Seq: e.Seq, Hash: e.Hash}
	}
	return putJSON(txn, "auditmeta/head", head)
}

// Append writes audit entries durably on their own.
func (db *DB) Append(ctx context.Context, entries ...store.Audit) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	return db.update(ctx, func(txn *badger.Txn) error { return appendAudit(txn, time.Now(), entries...) })
}

// AuditLog returns entries with sequence numbers in [from, from+limit).
func (db *DB) AuditLog(ctx context.Context, from uint64, limit int) ([]store.AuditEntry, error) {
	var out []store.AuditEntry
	err := db.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 100, Prefix: []byte("audit/")})
		defer it.Close()
		for it.Seek([]byte(auditKey(from))); it.Valid() && len(out) < limit; it.Next() {
			var e store.AuditEntry
			if err := it.Item().Value(func(b []byte) error { return store.DecodeJSON(b, &e) }); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// AuditFor returns the entries about one subject (a record, a device), in
// order: a record's sync history.
func (db *DB) AuditFor(ctx context.Context, subject string) ([]store.AuditEntry, error) {
	var out []store.AuditEntry
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, k := range scanKeys(txn, "auditsubj/"+subject+"/", "", "") {
			var seq uint64
			if _, err := fmt.Sscanf(k, "%d", &seq); err != nil {
				continue
			}
			var e store.AuditEntry
			if err := getJSON(txn, auditKey(seq), &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// AuditHead returns the number of entries in the log.
func (db *DB) AuditHead(ctx context.Context) (uint64, error) {
	var head auditHead
	err := db.view(ctx, func(txn *badger.Txn) error {
		err := getJSON(txn, "auditmeta/head", &head)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	return head.Seq, err
}

// VerifyAudit walks the whole chain and returns the number of entries, or
// a *ChainError naming the first broken entry.
func (db *DB) VerifyAudit(ctx context.Context) (uint64, error) {
	var n uint64
	err := db.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 256, Prefix: []byte("audit/")})
		defer it.Close()
		prev := ""
		want := uint64(1)
		for it.Rewind(); it.Valid(); it.Next() {
			var e store.AuditEntry
			if err := it.Item().Value(func(b []byte) error { return store.DecodeJSON(b, &e) }); err != nil {
				return &store.ChainError{Seq: want, Reason: "unreadable: " + err.Error()}
			}
			switch {
			case e.Seq != want:
				return &store.ChainError{Seq: want, Reason: fmt.Sprintf("missing (next entry is %d)", e.Seq)}
			case e.Prev != prev:
				return &store.ChainError{Seq: e.Seq, Reason: "does not carry the previous entry's hash"}
			case hashEntry(e) != e.Hash:
				return &store.ChainError{Seq: e.Seq, Reason: "was changed after it was written"}
			}
			prev = e.Hash
			want++
			n++
		}
		var head auditHead
		if err := getJSON(txn, "auditmeta/head", &head); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if head.Seq != n || head.Hash != prev {
			return &store.ChainError{Seq: n + 1, Reason: fmt.Sprintf("the log ends at %d but its head says %d", n, head.Seq)}
		}
		return nil
	})
	return n, err
}
