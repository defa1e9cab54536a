package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/store"
)

// The change feed (store.ChangeFeed): every write that changes what the
// desk keeps adds a row to changes in its own transaction, so that the
// row commits if and only if the write does.
//
// Ordering. A bigserial is drawn at insert time, not at commit time: two
// transactions could draw 5 and 6 and commit 6 first, and a reader that
// saw 6 and then reads "after 6" would never see 5. So the row is
// inserted under a transaction-scoped advisory lock (lockChanges), which
// PostgreSQL releases only after the transaction's commit is visible to
// every new snapshot: the transaction drawing seq n+1 waits for the one
// that drew n to be committed (or rolled back). Hence, in any snapshot,
// the rows visible are exactly those with seq up to some value, less the
// seqs of transactions that rolled back and will never come: a reader may
// take "everything after the last seq it saw". The lock is taken at the
// end of each write, just before the audit head (always the last lock),
// and is held to the commit as the audit head already is, so writes that
// were serialized by the chain before are serialized no more than that.

// A failover. With an asynchronous standby, a failover can lose the last
// commits: their change rows are gone, and the bigserial, as the standby
// had it, hands some of their seqs out again to new writes. A reader
// that had read up to seq X on the old primary would then skip the new
// changes at or below X, and keep what the lost ones told it (records
// that no longer exist, its own writes' included, which its desk heard
// of directly). Comparing seqs cannot tell; the database's history can:
// every change of position is answered together with the identity of
// the database's history, its system identifier (pg_control_system():
// made by initdb, the same on a primary and the standbys cloned from it,
// another on a cluster restored from a dump) and the timeline it writes
// on now (the first eight hex digits of pg_walfile_name of the current
// WAL position: PostgreSQL starts a new timeline at every promotion and
// every point-in-time recovery). A node's store remembers the identity
// it handed positions out under; when the answer comes from another, it
// starts a new generation, which the position's top bits carry, and a
// position of an older generation is ErrChangesLost: the desk builds
// again from the store, which is what the new primary holds. Not
// pg_control_checkpoint()'s timeline_id: it moves only at the first
// checkpoint after the promotion, which PostgreSQL 15 runs in the
// background, while writes are taken already. Not a row written at
// start: it is replicated to the standby and survives the failover
// unchanged, so it cannot tell one. A failover to a synchronous standby
// loses nothing, but the desks build again all the same: a rare event, a
// build of seconds.

// posGenShift is where a position's generation begins: below it, the
// change's seq (a bigserial that reaches 2^48 after 10,000 changes a
// second for 890 years).
const posGenShift = 48

const posSeqMask = 1<<posGenShift - 1

// epochSQL reads the identity of the database's history: its system
// identifier and the timeline it writes on (0 on a server in recovery,
// which is no primary's history).
const epochSQL = `(SELECT system_identifier FROM pg_control_system()),
	CASE WHEN pg_is_in_recovery() THEN 0
		ELSE ('x' || lpad(substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8), 16, '0'))::bit(64)::bigint END`

// dbHistory identifies a database's history.
type dbHistory struct{ system, timeline int64 }

// lockChanges orders the change rows' inserts by commit.
const lockChanges int64 = 0x42524544_00000003

const (
	// changesKept is how long change rows are kept: a node further
	// behind than that builds its desk again from the store.
	changesKept = 24 * time.Hour
	// pruneEvery is how often a reader of the feed prunes it.
	pruneEvery = 10 * time.Minute
	// pruneBatch is how many rows one pruning transaction deletes.
	pruneBatch = 10000
)

// changeLog is a node's state of the feed.
type changeLog struct {
	lastPrune atomic.Int64 // Unix nanoseconds

	mu      sync.Mutex
	seen    bool
	history dbHistory // the history positions of generation gen are of
	gen     uint64
}

// generation notes the history an answer came from and returns the
// generation of positions of that history: a new one when it is not the
// history positions were handed out under before.
func (db *DB) generation(h dbHistory) uint64 {
	l := &db.changes
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case h.timeline == 0:
		// A server in recovery: no answer about a primary's history.
	case !l.seen:
		l.history, l.seen = h, true
	case h != l.history:
		db.log.Warn("the database's history changed (a failover, or a restore): the change feed's positions handed out before are void, and the desk builds again",
			"system", h.system, "timeline", h.timeline, "was_system", l.history.system, "was_timeline", l.history.timeline)
		l.history = h
		l.gen = (l.gen + 1) & (1<<(64-posGenShift) - 1)
	}
	return l.gen
}

// position is the feed position of seq in generation gen.
func position(gen uint64, seq int64) (uint64, error) {
	if seq < 0 || seq > posSeqMask {
		return 0, fmt.Errorf("change feed: seq %d beyond what a position holds", seq)
	}
	return gen<<posGenShift | uint64(seq), nil
}

// noteChange adds a change to the feed inside tx: the last step of a
// write before its audit entries.
func (db *DB) noteChange(ctx context.Context, tx pgx.Tx, kind store.ChangeKind, ids []string) error {
	if ids == nil {
		ids = []string{}
	}
	if err := advisoryLock(ctx, tx, lockChanges); err != nil {
		return fmt.Errorf("change feed: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO changes (kind, ids) VALUES ($1, $2)`, string(kind), ids); err != nil {
		return fmt.Errorf("change feed: %w", err)
	}
	return nil
}

// ChangeHead returns the position of the last change committed (or
// pruned).
func (db *DB) ChangeHead(ctx context.Context) (uint64, error) {
	var head int64
	var h dbHistory
	if err := db.queryRow(ctx, `SELECT greatest((SELECT coalesce(max(seq), 0) FROM changes), (SELECT upto FROM changes_pruned)), `+epochSQL,
		nil, &head, &h.system, &h.timeline); err != nil {
		return 0, fmt.Errorf("change feed head: %w", err)
	}
	return position(db.generation(h), head)
}

// Changes returns up to limit changes after position after. The rows,
// how far pruning went, the head and the database's history are read by
// one statement, in one snapshot, from one server.
func (db *DB) Changes(ctx context.Context, after uint64, limit int) ([]store.Change, uint64, error) {
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	db.maybePrune()
	afterGen, afterSeq := after>>posGenShift, after&posSeqMask
	rows, err := db.pool.Query(ctx, `SELECT p.upto, (SELECT coalesce(max(seq), 0) FROM changes), e.sys, e.tl, c.seq, c.kind, c.ids
		FROM changes_pruned p CROSS JOIN (SELECT `+epochSQL+`) e (sys, tl) LEFT JOIN LATERAL
			(SELECT seq, kind, ids FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2) c ON true`, int64(afterSeq), limit)
	if err != nil {
		return nil, after, fmt.Errorf("change feed: %w", db.mapErr(err))
	}
	defer rows.Close()
	var seqs []int64
	var out []store.Change
	var upto, newest int64
	var h dbHistory
	for rows.Next() {
		var seq *int64
		var kind *string
		var ids []string
		if err := rows.Scan(&upto, &newest, &h.system, &h.timeline, &seq, &kind, &ids); err != nil {
			return nil, after, fmt.Errorf("change feed: %w", err)
		}
		if seq != nil {
			seqs = append(seqs, *seq)
			out = append(out, store.Change{Kind: store.ChangeKind(*kind), IDs: ids})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, after, fmt.Errorf("change feed: %w", db.mapErr(err))
	}
	gen := db.generation(h)
	switch {
	case afterGen != gen:
		return nil, after, fmt.Errorf("change feed: the database's history changed since this position (a failover, or a restore): %w", store.ErrChangesLost)
	case uint64(upto) > afterSeq:
		return nil, after, fmt.Errorf("change feed: pruned up to %d, asked after %d: %w", upto, afterSeq, store.ErrChangesLost)
	case uint64(max(upto, newest)) < afterSeq:
		// The database is behind what this reader saw: restored, or
		// failed over to a standby that lacked the last commits.
		return nil, after, fmt.Errorf("change feed: the head is %d, asked after %d: %w", max(upto, newest), afterSeq, store.ErrChangesLost)
	}
	var errs []error
	for i, seq := range seqs {
		var err error
		out[i].Seq, err = position(gen, seq)
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, after, err
	}
	next := after
	if len(out) > 0 {
		next = out[len(out)-1].Seq
	}
	return out, next, nil
}

// maybePrune prunes the feed in the background when this node has not
// for pruneEvery, so that no reader waits for it. A failure is logged:
// the feed only grows until the next try.
func (db *DB) maybePrune() {
	last := db.changes.lastPrune.Load()
	now := time.Now()
	if now.UnixNano()-last < int64(pruneEvery) || !db.changes.lastPrune.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), pruneEvery)
		defer cancel()
		if _, err := db.pruneChanges(ctx, changesKept); err != nil {
			db.log.Warn("prune the change feed", "err", err)
		}
	}()
}

// pruneChanges deletes the change rows older than age by the database's
// clock, but never the newest, a batch per transaction, and notes how
// far it went.
func (db *DB) pruneChanges(ctx context.Context, age time.Duration) (int, error) {
	total := 0
	for {
		var n int64
		err := db.tx(ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `WITH d AS (
					DELETE FROM changes WHERE seq IN (SELECT seq FROM changes
						WHERE at < now() - $1::interval AND seq < (SELECT max(seq) FROM changes) ORDER BY seq LIMIT $2)
					RETURNING seq),
				u AS (UPDATE changes_pruned SET upto = greatest(upto, (SELECT max(seq) FROM d))
					WHERE (SELECT max(seq) FROM d) IS NOT NULL RETURNING 1)
				SELECT count(*) FROM d`, age, pruneBatch).Scan(&n)
		})
		total += int(n)
		if err != nil {
			return total, fmt.Errorf("prune the change feed: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

// RecordsByID returns the records held among ids, without bodies.
func (db *DB) RecordsByID(ctx context.Context, ids []string) ([]store.StoredRecord, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id, data FROM records WHERE id = ANY($1) AND NOT purged ORDER BY id`, ids)
	if err != nil {
		return nil, fmt.Errorf("records by id: %w", db.mapErr(err))
	}
	out, err := collect[store.StoredRecord](db, tRecords, rows)
	if err != nil {
		return nil, fmt.Errorf("records by id: %w", db.mapErr(err))
	}
	return out, nil
}

// ResolutionsByID returns the resolutions held among the finding ids.
func (db *DB) ResolutionsByID(ctx context.Context, ids []string) (map[string]store.FindingResolution, error) {
	out := map[string]store.FindingResolution{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id, data FROM finding_resolutions WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("resolutions by id: %w", db.mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return nil, fmt.Errorf("resolutions by id: %w", err)
		}
		var r store.FindingResolution
		if err := db.seal.openJSON(tFindings, id, data, &r); err != nil {
			return nil, fmt.Errorf("resolutions by id: %w", err)
		}
		out[id] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("resolutions by id: %w", db.mapErr(err))
	}
	return out, nil
}

var _ store.ChangeFeed = (*DB)(nil)
