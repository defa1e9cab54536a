package postgres

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// TestThrottleAcrossNodes: login attempts counted on one node are
// counted on the other; attempts taken from both at once never spend more
// than the bucket holds; a refund on one node is one more attempt on the
// other; the bucket refills with time; the table names no account.
func TestThrottleAcrossNodes(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	const burst, every = 5, time.Hour
	const account = "kari.nordmann"
	take := func(db *DB, at time.Time) bool {
		t.Helper()
		ok, wait, err := db.TakeAttempt(ctx, "account", account, burst, every, at)
		if err != nil {
			t.Fatal(err)
		}
		if !ok && wait <= 0 {
			t.Fatalf("refused without a wait")
		}
		return ok
	}
	// Twenty guesses at once, half on each node: five get through.
	taken := together(10, nodes, func(node int, db *DB, i int) error {
		ok, _, err := db.TakeAttempt(ctx, "account", account, burst, every, now)
		if err == nil && !ok {
			return errRefused
		}
		return err
	})
	got := 0
	for _, errs := range taken {
		for _, err := range errs {
			switch {
			case err == nil:
				got++
			case errors.Is(err, errRefused):
			default:
				t.Fatal(err)
			}
		}
	}
	if got != burst {
		t.Fatalf("%d attempts got through of a bucket of %d", got, burst)
	}
	if take(nodes[1], now) {
		t.Fatal("a sixth attempt got through on the other node")
	}
	// Given back on node 0: one more on node 1.
	if err := nodes[0].RefundAttempt(ctx, "account", account, burst, every, now); err != nil {
		t.Fatal(err)
	}
	if !take(nodes[1], now) || take(nodes[1], now) {
		t.Fatal("the refund was not one more attempt on the other node")
	}
	// An hour later one more; another limit and another account are apart.
	if !take(nodes[0], now.Add(every)) || take(nodes[1], now.Add(every)) {
		t.Fatal("the bucket did not refill by one in an hour")
	}
	if ok, _, err := nodes[1].TakeAttempt(ctx, "pair", account, burst, every, now); err != nil || !ok {
		t.Fatalf("another limit: %v %v", ok, err)
	}
	if ok, _, err := nodes[1].TakeAttempt(ctx, "account", "anna", burst, every, now); err != nil || !ok {
		t.Fatalf("another account: %v %v", ok, err)
	}
	rows, err := nodes[0].Pool().Query(ctx, `SELECT key FROM login_buckets`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k []byte
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(k, []byte("kari")) || bytes.Contains(k, []byte("anna")) {
			t.Fatalf("a bucket's key names its account: %q", k)
		}
	}
}

var errRefused = errors.New("refused")
