package kept_test

import (
	"context"
	"testing"
	"time"

	"beredskap/internal/kept"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres"
)

// followsMidWrite is a node's store on which the desk follows the change
// feed between a write's commit and the watch's report of it: another
// request on the same node (a desk page, Run's tick) asking at that
// moment, which a busy node does.
type followsMidWrite struct {
	*postgres.DB
	k *kept.Keeper
}

func (f *followsMidWrite) PutRecords(ctx context.Context, recs []store.StoredRecord, audit []store.Audit) error {
	err := f.DB.PutRecords(ctx, recs, audit)
	if err == nil && f.k != nil {
		if _, ferr := f.k.MatchingRecords(ctx, store.RecordFilter{}); ferr != nil {
			return ferr
		}
	}
	return err
}

var _ store.ChangeFeed = (*followsMidWrite)(nil)

// TestOwnWriteFollowedBeforeItIsReported: records a node writes, which
// its desk has already read from the feed when the watch reports them,
// are kept once. (Reported as new without a look, they were kept twice:
// a desk counting 6,040 records of the database's 6,000 after the node
// kill drill, TestNodeKilledMidSync.)
func TestOwnWriteFollowedBeforeItIsReported(t *testing.T) {
	a, _, _ := twoNodes(t)
	h := &followsMidWrite{DB: a}
	w := newWorldOn(t, 11, h)
	if _, _, err := w.k.All(ctx); err != nil { // built, following the feed
		t.Fatal(err)
	}
	h.k = w.k
	real := 0 // the dashboard counts the real records, not a drill's
	for range 3 {
		recs := []store.StoredRecord{w.record(), w.record()}
		for _, r := range recs {
			if r.DrillID == "" {
				real++
			}
		}
		if err := w.db.PutRecords(ctx, recs, nil); err != nil {
			t.Fatal(err)
		}
	}
	n, err := w.k.MatchingRecords(ctx, store.RecordFilter{})
	if err != nil || n != 6 {
		t.Fatalf("the desk counts %d records, %v; the store holds 6", n, err)
	}
	d, err := w.k.Dashboard(ctx, nil, w.now.Add(-72*time.Hour), w.now.Add(time.Hour))
	if err != nil || d.Records != real {
		t.Fatalf("the dashboard counts %d records, %v; the store holds %d real ones", d.Records, err, real)
	}
	want, _, _ := w.recomputed()
	got, _, err := w.k.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if asJSON(t, got) != asJSON(t, want) {
		t.Fatalf("findings after own writes read from the feed first:\nkept       %s\nrecomputed %s", asJSON(t, got), asJSON(t, want))
	}
}
