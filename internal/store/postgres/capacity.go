package postgres

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"beredskap/internal/store"
)

// Capacity on PostgreSQL: the server cannot measure the database's disk
// (it is another machine's), so it says what the database itself says.
// A poll asks every few seconds, with a short timeout, whether the
// database takes writes: read-write on a primary, read-only on a standby
// or under default_transaction_read_only, unavailable when it does not
// answer. Mode and Storage read what the poll found and never wait on
// the database. A write the database refused because its disk is full
// (SQLSTATE 53100) stops bulk writes for fullHold, as the Badger store
// does below its reserve: a phone keeps its records for a later try.

// fullHold is how long a disk-full refusal holds bulk writes back.
const fullHold = 30 * time.Second

// checkTimeout bounds one poll; openCheckTimeout the first, at Open,
// on a database that has just answered the migration (a loaded machine
// must not open the store unavailable).
const (
	checkTimeout     = 3 * time.Second
	openCheckTimeout = 15 * time.Second
)

// unavailableEvery is how often the poll asks while the database takes
// no writes, so that a promoted standby is found within a second rather
// than a poll period; recheckGap is the least time between two checks
// that failing statements ask for.
const (
	unavailableEvery = 500 * time.Millisecond
	recheckGap       = 200 * time.Millisecond
)

type capacity struct {
	mode   atomic.Value  // store.Mode
	wake   chan struct{} // a statement found the database unreachable: check now
	fullAt atomic.Int64  // Unix nanoseconds of the last disk-full refusal
	mu     sync.Mutex
	reason string // under mu: why the last check did not find read-write
}

// check asks the database whether it takes writes and keeps the answer.
func (c *capacity) check(ctx context.Context, pool *pgxpool.Pool, timeout time.Duration) store.Mode {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var readOnly string
	var recovery bool
	err := pool.QueryRow(ctx, `SELECT current_setting('transaction_read_only'), pg_is_in_recovery()`).Scan(&readOnly, &recovery)
	mode, reason := store.ModeReadWrite, ""
	switch {
	case err != nil:
		mode, reason = store.ModeUnavailable, fmt.Sprintf("the database does not answer: %v", err)
	case recovery:
		mode, reason = store.ModeReadOnly, "the database is a standby (in recovery): it takes no writes until it is promoted"
	case readOnly == "on":
		mode, reason = store.ModeReadOnly, "the database is read-only (default_transaction_read_only)"
	}
	c.mu.Lock()
	c.reason = reason
	c.mu.Unlock()
	c.mode.Store(mode)
	return mode
}

func (c *capacity) diskFull() { c.fullAt.Store(time.Now().UnixNano()) }

// recheck asks the poll to check now, without waiting for it.
func (c *capacity) recheck() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (db *DB) poll(every time.Duration) {
	defer close(db.pollDone)
	last := db.Mode()
	for {
		wait := every
		if last != store.ModeReadWrite {
			wait = min(every, unavailableEvery)
		}
		t := time.NewTimer(wait)
		select {
		case <-db.pollStop:
			t.Stop()
			return
		case <-t.C:
		case <-db.cap.wake:
			t.Stop()
			time.Sleep(recheckGap)
		}
		m := db.cap.check(context.Background(), db.pool, checkTimeout)
		if m == store.ModeUnavailable && last != m {
			// One slow answer is not an outage: ask once more.
			m = db.cap.check(context.Background(), db.pool, checkTimeout)
		}
		if m != last {
			if m == store.ModeReadWrite {
				db.log.Info("the database takes writes again")
			} else {
				db.log.Warn("the database takes no writes", "mode", m, "reason", db.Storage().Reason)
			}
			last = m
		}
	}
}

// Mode is what the last poll found.
func (db *DB) Mode() store.Mode {
	if m, ok := db.cap.mode.Load().(store.Mode); ok {
		return m
	}
	return store.ModeUnavailable
}

// Storage says which writes the store takes now. Free space is not
// measured (Measured is false): the database's disk is not this
// machine's.
func (db *DB) Storage() store.Storage {
	st := store.Storage{Mode: db.Mode()}
	db.cap.mu.Lock()
	reason := db.cap.reason
	db.cap.mu.Unlock()
	switch {
	case st.Mode != store.ModeReadWrite:
		st.Reason = reason
	case time.Since(time.Unix(0, db.cap.fullAt.Load())) < fullHold:
		st.SmallWrites = true
		st.Reason = "the database refused a write because its disk is full: records and other changes are refused until space is freed"
	default:
		st.BulkWrites, st.SmallWrites = true, true
	}
	return st
}

// ReserveWrite admits a bulk write while the database takes them; n is
// not counted against a disk this process cannot measure.
func (db *DB) ReserveWrite(n int64) (release func(), err error) {
	if st := db.Storage(); !st.BulkWrites {
		if st.Mode != store.ModeReadWrite {
			// No primary answers, or the one reached is a standby: a
			// failover, not a full disk.
			return nil, fmt.Errorf("%w: %s", store.ErrUnavailable, st.Reason)
		}
		return nil, fmt.Errorf("%w: %s", store.ErrInsufficientStorage, st.Reason)
	}
	return func() {}, nil
}
