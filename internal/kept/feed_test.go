package kept_test

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"beredskap/internal/kept"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres"
	"beredskap/internal/store/postgres/pgtest"
)

// TestMain stops the PostgreSQL cluster the two-node tests share.
func TestMain(m *testing.M) { pgtest.Main(m) }

var pgKey = bytes.Repeat([]byte{7}, 32)

// twoNodes opens two stores on one new database: two servers, each with
// its own pool, as two processes would have.
func twoNodes(t *testing.T) (a, b *postgres.DB, url string) {
	t.Helper()
	url = pgtest.NewDatabase(t)
	return openNode(t, url), openNode(t, url), url
}

func openNode(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(ctx, url, postgres.Options{EncryptionKey: pgKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// runKeeper runs k in the background, following the feed often, until
// the test ends.
func runKeeper(t *testing.T, k *kept.Keeper) {
	c, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		k.Run(c, time.Minute)
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
}

// TestTwoNodesDeskMatchesRecomputation: random events written through
// node A (records, reconciliations, voids, purges, plans, resolutions,
// time passing) and, after each, node B's desk, which heard of none of
// them but through the store's change feed, holds the findings, pages
// and dashboards of a full recomputation, and so does A's, which hears of
// its writes twice (its watch and the feed). B's keeper runs as the
// server runs it, following the feed in the background while the test's
// requests follow it too.
func TestTwoNodesDeskMatchesRecomputation(t *testing.T) {
	seeds, steps := 6, 40
	if testing.Short() {
		seeds = 2
	}
	for seed := range seeds {
		a, b, _ := twoNodes(t)
		w := newWorldOn(t, uint64(seed)+1, a)
		kb := kept.New(b, kept.Options{OfflineFor: offlineFor, Now: func() time.Time { return w.now }, FollowEvery: 5 * time.Millisecond})
		runKeeper(t, kb)
		onB := *w
		onB.k = kb
		var history []string
		for range steps {
			history = append(history, w.step())
			want, last, in := w.recomputed()
			for node, k := range map[string]*kept.Keeper{"A": w.k, "B": kb} {
				got, _, err := k.All(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if asJSON(t, got) != asJSON(t, want) {
					t.Fatalf("seed %d, node %s, after %v:\nkept       %s\nrecomputed %s", seed, node, history, asJSON(t, got), asJSON(t, want))
				}
			}
			onB.checkQueries(want, last, in)
		}
	}
}

// hooked is node B's store with a hook run after the build's scan of the
// records, and a feed that can be made to say its changes were lost.
type hooked struct {
	*postgres.DB
	afterScan func()
	lose      atomic.Bool
}

func (h *hooked) ScanRecords(ctx context.Context, fn func(store.StoredRecord) error) error {
	err := h.DB.ScanRecords(ctx, fn)
	if h.afterScan != nil {
		h.afterScan()
	}
	return err
}

func (h *hooked) Changes(ctx context.Context, after uint64, limit int) ([]store.Change, uint64, error) {
	if h.lose.CompareAndSwap(true, false) {
		return nil, after, store.ErrChangesLost
	}
	return h.DB.Changes(ctx, after, limit)
}

var _ store.ChangeFeed = (*hooked)(nil)

// TestBuildStartsFromTheHeadBeforeItsScan: records node A writes while
// node B builds its desk, after B's scan passed them, reach B's desk:
// the build's position in the feed was read before the scan. (Read after
// the build, it would be past those records' change, and B would never
// hold them.)
func TestBuildStartsFromTheHeadBeforeItsScan(t *testing.T) {
	a, b, _ := twoNodes(t)
	w := newWorldOn(t, 7, a)
	if err := w.db.PutRecords(ctx, []store.StoredRecord{w.record(), w.record()}, nil); err != nil {
		t.Fatal(err)
	}
	h := &hooked{DB: b}
	var once sync.Once
	h.afterScan = func() {
		once.Do(func() {
			var recs []store.StoredRecord
			for range 5 {
				recs = append(recs, w.record())
			}
			if err := w.db.PutRecords(ctx, recs, nil); err != nil {
				t.Error(err)
			}
		})
	}
	kb := kept.New(h, kept.Options{OfflineFor: offlineFor, Now: func() time.Time { return w.now }})
	if _, _, err := kb.All(ctx); err != nil { // builds; A writes in the middle
		t.Fatal(err)
	}
	want, _, in := w.recomputed()
	if len(in.Records) != 7 {
		t.Fatalf("%d records in the store, want 7", len(in.Records))
	}
	// The build's own answer may lack what came during it; the next one
	// follows the feed.
	got, _, err := kb.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if asJSON(t, got) != asJSON(t, want) {
		t.Fatalf("node B after a write during its build:\nkept       %s\nrecomputed %s", asJSON(t, got), asJSON(t, want))
	}
	n, err := kb.MatchingRecords(ctx, store.RecordFilter{})
	if err != nil || n != 7 {
		t.Fatalf("node B counts %d records, %v; want 7", n, err)
	}
}

// TestDeskBuildsAgainWhenTheFeedLostChanges: a feed that no longer holds
// the changes after B's position (pruned while B was behind) makes B
// build again from the store, and B ends up matching it.
func TestDeskBuildsAgainWhenTheFeedLostChanges(t *testing.T) {
	a, b, _ := twoNodes(t)
	w := newWorldOn(t, 8, a)
	h := &hooked{DB: b}
	kb := kept.New(h, kept.Options{OfflineFor: offlineFor, Now: func() time.Time { return w.now }})
	if _, _, err := kb.All(ctx); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		w.step()
	}
	h.lose.Store(true)
	got, _, err := kb.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.lose.Load() {
		t.Fatal("node B did not read the feed")
	}
	want, _, _ := w.recomputed()
	if asJSON(t, got) != asJSON(t, want) {
		t.Fatalf("node B after lost changes:\nkept       %s\nrecomputed %s", asJSON(t, got), asJSON(t, want))
	}
}

// TestBackupLoadedOnOneNodeReachesTheOther: node B's desk, built over an
// empty store, holds what a backup loaded through node A holds.
func TestBackupLoadedOnOneNodeReachesTheOther(t *testing.T) {
	src, _, _ := twoNodes(t)
	w := newWorldOn(t, 9, src)
	for range 25 {
		w.step()
	}
	var backup bytes.Buffer
	if err := src.Backup(ctx, &backup); err != nil {
		t.Fatal(err)
	}
	a, b, _ := twoNodes(t)
	ka := kept.New(a, kept.Options{OfflineFor: offlineFor, Now: func() time.Time { return w.now }})
	kb := kept.New(b, kept.Options{OfflineFor: offlineFor, Now: func() time.Time { return w.now }})
	if got, _, err := kb.All(ctx); err != nil || len(got) != 0 {
		t.Fatalf("an empty store's desk: %v, %v", got, err)
	}
	if err := ka.Watch(a).Load(ctx, &backup); err != nil {
		t.Fatal(err)
	}
	want, _, _ := w.recomputed()
	if len(want) == 0 {
		t.Fatal("the backup holds no findings: the test proves nothing")
	}
	got, _, err := kb.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if asJSON(t, got) != asJSON(t, want) {
		t.Fatalf("node B after a load on A:\nkept       %s\nrecomputed %s", asJSON(t, got), asJSON(t, want))
	}
}
