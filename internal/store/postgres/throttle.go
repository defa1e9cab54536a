package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// Login attempts are counted in the database (store.Throttle), so that
// every node behind the load balancer spends from the same buckets. A
// bucket is read and written under its row's lock, in one transaction:
// two nodes taking at once never spend more than it holds.

// bucketsForget is how long a bucket untouched stays: longer than any
// limit takes to refill, after which a missing row reads as full.
const bucketsForget = 24 * time.Hour

// TakeAttempt spends one attempt of key's bucket in the limit name.
func (db *DB) TakeAttempt(ctx context.Context, name, key string, burst int, every time.Duration, now time.Time) (ok bool, wait time.Duration, err error) {
	err = db.bucket(ctx, name, key, burst, every, now, func(tokens float64) float64 {
		if tokens < 1 {
			ok, wait = false, time.Duration((1-tokens)*float64(every))
			return tokens
		}
		ok, wait = true, 0
		return tokens - 1
	})
	if err != nil {
		return false, 0, fmt.Errorf("take a login attempt: %w", err)
	}
	if rand.IntN(500) == 0 {
		db.forgetBuckets(ctx, now)
	}
	return ok, wait, nil
}

// RefundAttempt gives back an attempt TakeAttempt spent.
func (db *DB) RefundAttempt(ctx context.Context, name, key string, burst int, every time.Duration, now time.Time) error {
	err := db.bucket(ctx, name, key, burst, every, now, func(tokens float64) float64 {
		return min(tokens+1, float64(burst))
	})
	if err != nil {
		return fmt.Errorf("give back a login attempt: %w", err)
	}
	return nil
}

// bucket brings key's bucket up to now (refilled one token per every,
// up to burst; a bucket not held is full) and stores what change makes
// of its tokens.
func (db *DB) bucket(ctx context.Context, name, key string, burst int, every time.Duration, now time.Time, change func(float64) float64) error {
	if burst < 1 || every <= 0 {
		return errors.New("a limit needs a burst and a refill interval")
	}
	k := db.seal.name(name + "\x00" + key)
	t := now.UnixNano()
	return db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO login_buckets (name, key, tokens, at, seen) VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (name, key) DO NOTHING`, name, k, float64(burst), t); err != nil {
			return err
		}
		var tokens float64
		var at int64
		if err := tx.QueryRow(ctx, `SELECT tokens, at FROM login_buckets WHERE name = $1 AND key = $2 FOR UPDATE`, name, k).Scan(&tokens, &at); err != nil {
			return err
		}
		// A node whose clock is behind the bucket's adds nothing and
		// takes nothing back.
		if t > at {
			tokens = min(tokens+float64(t-at)/float64(every), float64(burst))
			at = t
		}
		_, err := tx.Exec(ctx, `UPDATE login_buckets SET tokens = $3, at = $4, seen = greatest(seen, $5) WHERE name = $1 AND key = $2`,
			name, k, change(tokens), at, t)
		return err
	})
}

// forgetBuckets deletes the buckets untouched for bucketsForget: full by
// then, they read the same as no row.
func (db *DB) forgetBuckets(ctx context.Context, now time.Time) {
	if _, err := db.exec(ctx, `DELETE FROM login_buckets WHERE seen < $1`, now.Add(-bucketsForget).UnixNano()); err != nil && db.log != nil {
		db.log.Warn("forget old login buckets", "err", err)
	}
}
