package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"beredskap/internal/store"
	"beredskap/internal/store/storetest"
)

// groupQueue holds the node's write turn, which the group writer takes,
// so that PutRecords calls queue behind it.
func groupQueue(db *DB) storetest.GroupQueue {
	return storetest.GroupQueue{Hold: db.writeMu.Lock, Release: db.writeMu.Unlock, Queued: func() int {
		db.putsMu.Lock()
		defer db.putsMu.Unlock()
		return len(db.puts)
	}}
}

// TestPutRecordsGroup: see storetest.PutRecordsGroup, on one of two nodes.
func TestPutRecordsGroup(t *testing.T) {
	db := twoNodes(t)[0]
	now := time.Now().UTC()
	var groups []int
	putGroupWrites = func(n int) { groups = append(groups, n) }
	defer func() { putGroupWrites = nil }()
	storetest.PutRecordsGroup(t, db, groupQueue(db),
		func(id string) store.StoredRecord { return feedRecord(id, 1, now) },
		func() []int { return groups })
}

// TestPutRecordsGroupRaced: another node takes an id of the group after
// the group checked its ids and before it inserts them. Nothing of the
// group is written in that transaction; each call is then written alone,
// so that only the call holding the taken id is refused.
func TestPutRecordsGroupRaced(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	db, other := nodes[0], nodes[1]
	now := time.Now().UTC()
	r := func(id string) store.StoredRecord { return feedRecord(id, 1, now) }
	raced := 0
	putGroupChecked = func() {
		raced++
		if raced == 1 {
			if err := other.PutRecords(ctx, []store.StoredRecord{r("b2")}, []store.Audit{{Actor: "d", Action: store.AuditSync, Subject: "b2"}}); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { putGroupChecked = nil }()
	errs := storetest.QueueCalls(t, db, groupQueue(db), []context.Context{ctx, ctx, ctx}, [][]store.StoredRecord{{r("a1")}, {r("b1"), r("b2")}, {r("c1")}})
	if raced != 1 {
		t.Fatalf("the group checked its ids %d times, want once", raced)
	}
	for i, want := range []error{nil, store.ErrRecordExists, nil} {
		if !errors.Is(errs[i], want) || (want == nil) != (errs[i] == nil) {
			t.Errorf("call %d: %v, want %v", i, errs[i], want)
		}
	}
	storetest.StoredAndAudited(t, db, map[string]bool{"a1": true, "b1": false, "b2": true, "c1": true})
}
