package badger

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// TestOpenOutageCanAlwaysBeEnded: an open outage that sorts before an
// ended one (a start given days back, as the server allowed before) is
// still found and ended, and an end before its start ends it at its start;
// such an outage can no longer be started.
func TestOpenOutageCanAlwaysBeEnded(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	if err := db.StartOutage(ctx, store.Outage{ID: "o1", Start: now.Add(-2 * time.Hour), StartedBy: "kari"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EndOutage(ctx, "kari", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Started before the last one ended: refused now.
	if err := db.StartOutage(ctx, store.Outage{ID: "o2", Start: now.Add(-3 * time.Hour), StartedBy: "kari"}); !errors.Is(err, store.ErrOutageState) {
		t.Fatalf("an overlapping outage: %v", err)
	}
	// As an older server stored it.
	legacy := store.Outage{ID: "o2", Start: now.Add(-3 * time.Hour), StartedBy: "kari"}
	if err := db.update(ctx, func(txn *badger.Txn) error { return putJSON(txn, outageKey(legacy), legacy) }); err != nil {
		t.Fatal(err)
	}
	if err := db.StartOutage(ctx, store.Outage{ID: "o3", Start: now, StartedBy: "kari"}); !errors.Is(err, store.ErrOutageState) {
		t.Fatalf("a second open outage: %v", err)
	}
	o, err := db.EndOutage(ctx, "kari", now.Add(-4*time.Hour))
	if err != nil || o.ID != "o2" || o.End == nil || !o.End.Equal(legacy.Start) {
		t.Fatalf("EndOutage = %+v %v, want o2 ended at its start", o, err)
	}
	all, _ := db.Outages(ctx)
	for _, o := range all {
		if o.End == nil {
			t.Fatalf("outage %s is still open", o.ID)
		}
	}
}
