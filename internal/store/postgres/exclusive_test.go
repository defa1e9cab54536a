package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestExclusiveAcrossNodes: work under one lock name runs on one node
// at a time, whichever node asks; TryExclusive skips work another node
// is doing; other names do not wait.
func TestExclusiveAcrossNodes(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	var inside, most atomic.Int32
	var runs atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := nodes[i%2].Exclusive(ctx, "purge", func(ctx context.Context) error {
				n := inside.Add(1)
				defer inside.Add(-1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				// Work that takes a while: a few queries.
				for range 5 {
					if _, err := nodes[i%2].CountRecords(ctx); err != nil {
						return err
					}
				}
				runs.Add(1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if most.Load() != 1 || runs.Load() != 8 {
		t.Fatalf("%d runs, at most %d at once: want 8, one at a time", runs.Load(), most.Load())
	}

	held := make(chan struct{})
	free := make(chan struct{})
	go func() {
		nodes[0].Exclusive(ctx, "findings", func(context.Context) error {
			close(held)
			<-free
			return nil
		})
	}()
	<-held
	ran := false
	if err := nodes[1].TryExclusive(ctx, "findings", func(context.Context) error { ran = true; return nil }); !errors.Is(err, ErrBusy) || ran {
		t.Fatalf("TryExclusive while the other node works: ran %v, %v", ran, err)
	}
	if err := nodes[1].TryExclusive(ctx, "demo", func(context.Context) error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("another name: ran %v, %v", ran, err)
	}
	close(free)
	if err := nodes[0].Exclusive(ctx, "findings", func(context.Context) error { return nil }); err != nil {
		t.Fatalf("the lock after its holder finished: %v", err)
	}

	// The lock's connection is cut (a failover): the work is told, and
	// Exclusive says the work may not have been alone.
	err := nodes[0].Exclusive(ctx, "cut", func(wctx context.Context) error {
		tag, err := nodes[1].Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
			WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1`, lockKey("cut"))
		if err != nil || tag.RowsAffected() != 1 {
			return fmt.Errorf("cut the lock's connection: %v, %d rows", err, tag.RowsAffected())
		}
		<-wctx.Done()
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "lost") {
		t.Fatalf("work whose lock was lost: %v", err)
	}
}
