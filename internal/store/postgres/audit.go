package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/store"
)

// The audit chain: each entry's row holds its sequence number, its
// subject (the index of AuditFor), the chain's hashes in clear and the
// whole entry sealed (details can name what a coordinator wrote).

const tAudit = "audit"

func auditID(seq uint64) string { return strconv.FormatUint(seq, 10) }

// appendAudit adds entries to the chain inside tx. It locks the chain's
// head row, which every append on every node does, so the chain stays
// linear; the lock is held to the commit of what the entries audit.
// It must be the last lock a transaction takes, so that whoever holds
// the head waits for nothing else (no deadlock can include it).
func (db *DB) appendAudit(ctx context.Context, tx pgx.Tx, now time.Time, entries ...store.Audit) error {
	if len(entries) == 0 {
		return nil
	}
	var seq uint64
	var prev string
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`).Scan(&seq, &prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	seqs := make([]int64, len(entries))
	subjects := make([]*string, len(entries))
	prevs := make([]string, len(entries))
	hashes := make([]string, len(entries))
	datas := make([][]byte, len(entries))
	for i, a := range entries {
		t := a.Time
		if t.IsZero() {
			t = now
		}
		seq++
		e := store.AuditEntry{Seq: seq, Time: t.UTC(), Actor: a.Actor, Action: a.Action, Subject: a.Subject, Detail: a.Detail, Prev: prev}
		e.Hash = store.HashAuditEntry(e)
		data, err := db.seal.sealJSON(tAudit, auditID(seq), e)
		if err != nil {
			return err
		}
		seqs[i], prevs[i], hashes[i], datas[i] = int64(seq), prev, e.Hash, data
		if a.Subject != "" {
			subjects[i] = &entries[i].Subject
		}
		prev = e.Hash
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit (seq, subject, prev, hash, data)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bytea[])`,
		seqs, subjects, prevs, hashes, datas); err != nil {
		return fmt.Errorf("audit entries: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, int64(seq), prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

// Append writes audit entries durably on their own.
func (db *DB) Append(ctx context.Context, entries ...store.Audit) error {
	err := db.tx(ctx, func(tx pgx.Tx) error { return db.appendAudit(ctx, tx, time.Now(), entries...) })
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// auditRows decodes rows of (seq, data).
func (db *DB) auditRows(rows pgx.Rows) ([]store.AuditEntry, error) {
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var seq int64
		var data []byte
		if err := rows.Scan(&seq, &data); err != nil {
			return nil, err
		}
		var e store.AuditEntry
		if err := db.seal.openJSON(tAudit, auditID(uint64(seq)), data, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditLog returns entries with sequence numbers in [from, from+limit).
func (db *DB) AuditLog(ctx context.Context, from uint64, limit int) ([]store.AuditEntry, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT seq, data FROM audit WHERE seq >= $1 ORDER BY seq LIMIT $2`, int64(min(from, 1<<62)), limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", db.mapErr(err))
	}
	out, err := db.auditRows(rows)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}

// AuditFor returns the entries about one subject, in order.
func (db *DB) AuditFor(ctx context.Context, subject string) ([]store.AuditEntry, error) {
	rows, err := db.pool.Query(ctx, `SELECT seq, data FROM audit WHERE subject = $1 ORDER BY seq`, subject)
	if err != nil {
		return nil, fmt.Errorf("audit of %s: %w", subject, db.mapErr(err))
	}
	out, err := db.auditRows(rows)
	if err != nil {
		return nil, fmt.Errorf("audit of %s: %w", subject, err)
	}
	return out, nil
}

// AuditHead returns the number of entries in the log.
func (db *DB) AuditHead(ctx context.Context) (uint64, error) {
	var seq int64
	if err := db.queryRow(ctx, `SELECT seq FROM audit_head WHERE id = 1`, nil, &seq); err != nil {
		return 0, fmt.Errorf("audit head: %w", err)
	}
	return uint64(seq), nil
}

// VerifyAudit walks the whole chain in one snapshot (a repeatable-read,
// read-only transaction: appends meanwhile are not seen, neither in the
// entries nor in the head) and returns the number of entries, or a
// *ChainError naming the first broken entry. The clear columns are held
// to the sealed entry too: a hash or a sequence number changed in clear
// breaks the chain as a changed entry does.
func (db *DB) VerifyAudit(ctx context.Context) (uint64, error) {
	var n uint64
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		n = 0
		rows, err := tx.Query(ctx, `SELECT seq, prev, hash, data FROM audit ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		prev := ""
		want := uint64(1)
		for rows.Next() {
			var seq int64
			var cprev, chash string
			var data []byte
			if err := rows.Scan(&seq, &cprev, &chash, &data); err != nil {
				return err
			}
			if uint64(seq) != want {
				return &store.ChainError{Seq: want, Reason: fmt.Sprintf("missing (next entry is %d)", seq)}
			}
			var e store.AuditEntry
			if err := db.seal.openJSON(tAudit, auditID(want), data, &e); err != nil {
				return &store.ChainError{Seq: want, Reason: "unreadable: " + err.Error()}
			}
			switch {
			case e.Seq != want:
				return &store.ChainError{Seq: want, Reason: fmt.Sprintf("holds entry %d", e.Seq)}
			case e.Prev != prev || cprev != prev:
				return &store.ChainError{Seq: e.Seq, Reason: "does not carry the previous entry's hash"}
			case store.HashAuditEntry(e) != e.Hash || chash != e.Hash:
				return &store.ChainError{Seq: e.Seq, Reason: "was changed after it was written"}
			}
			prev = e.Hash
			want++
			n++
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var head int64
		var hash string
		if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head, &hash); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
		if uint64(head) != n || hash != prev {
			return &store.ChainError{Seq: n + 1, Reason: fmt.Sprintf("the log ends at %d but its head says %d", n, head)}
		}
		return nil
	})
	if err != nil {
		var ce *store.ChainError
		if errors.As(err, &ce) {
			return n, ce
		}
		return n, fmt.Errorf("verify audit: %w", db.mapErr(err))
	}
	return n, nil
}
