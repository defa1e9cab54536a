package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Work that one node at a time may do (a retention purge, the desk's
// time-driven findings, loading the demo municipality into an empty
// database) runs under a session advisory lock named for it, held on a
// connection of its own for as long as the work runs. When that
// connection breaks (the database failed over, the network went), the
// lock is gone with it: the work's context is then cancelled, so that it
// does not go on believing it is alone.

// exclusiveCheck is how often the lock's connection is checked.
const exclusiveCheck = 2 * time.Second

// ErrBusy means another node holds the lock TryExclusive asked for.
var ErrBusy = errors.New("another node is doing this")

// lockKey is the advisory lock's key for a name, away from the keys of
// the store's own transaction locks and goose's.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("beredskap exclusive " + name))
	return int64(h.Sum64() &^ (1 << 63))
}

// Exclusive runs fn while this node alone holds the lock named name,
// waiting for it as long as ctx allows.
func (db *DB) Exclusive(ctx context.Context, name string, fn func(context.Context) error) error {
	return db.exclusive(ctx, name, true, fn)
}

// TryExclusive runs fn if no other node holds the lock named name;
// otherwise it returns ErrBusy at once without running fn.
func (db *DB) TryExclusive(ctx context.Context, name string, fn func(context.Context) error) error {
	return db.exclusive(ctx, name, false, fn)
}

func (db *DB) exclusive(ctx context.Context, name string, wait bool, fn func(context.Context) error) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("lock %s: %w", name, db.mapErr(err))
	}
	key := lockKey(name)
	if wait {
		_, err = conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key)
	} else {
		var got bool
		if err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err == nil && !got {
			conn.Close(context.Background())
			return fmt.Errorf("lock %s: %w", name, ErrBusy)
		}
	}
	if err != nil {
		conn.Close(context.Background())
		return fmt.Errorf("lock %s: %w", name, db.mapErr(err))
	}
	wctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		t := time.NewTicker(exclusiveCheck)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			pctx, pcancel := context.WithTimeout(context.Background(), checkTimeout)
			err := conn.Ping(pctx)
			pcancel()
			if err != nil {
				cancel(fmt.Errorf("lock %s lost with its connection: %w", name, err))
				return
			}
		}
	}()
	ferr := fn(wctx)
	close(done)
	<-watched
	cause := context.Cause(wctx)
	cancel(nil)
	release(conn, key)
	if ferr == nil && cause != nil && ctx.Err() == nil {
		return cause // fn ended as the lock went: it may not have been alone
	}
	return ferr
}

// release closes the lock's connection, which gives the lock up.
func release(conn *pgx.Conn, key int64) {
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key)
	conn.Close(ctx)
}
