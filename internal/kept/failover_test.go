package kept_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/kept"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres"
	"beredskap/internal/store/postgres/pgtest"
)

// TestDesksRebuildAfterAnAsyncFailover: a primary with an asynchronous
// standby, two nodes on both hosts (target_session_attrs=read-write),
// node A writing (its desk hears its writes and the feed), node B's desk
// following the feed. The standby stops receiving; A writes records the
// standby never gets (held for review, so that each is a finding), both
// desks show them; the primary dies and the standby is promoted: those
// commits are lost, and the feed's ids after what the standby had are
// drawn again for new writes. New writes through both nodes, before
// either desk reads the feed again; then both desks must hold what a
// full recomputation from the store gives: not the lost records'
// findings, and every new write's. Without the failover's detection,
// both kept the lost findings, and a desk whose position was past the
// reissued ids skipped new changes.
func TestDesksRebuildAfterAnAsyncFailover(t *testing.T) {
	primary, err := pgtest.Start(pgtest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Stop() })
	standby, err := primary.StartStandby("standby", pgtest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { standby.Stop() })
	if err := primary.Exec(ctx, "postgres", "CREATE DATABASE beredskap"); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/beredskap?sslmode=disable&target_session_attrs=read-write",
		primary.Port, standby.Port)
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, url, postgres.Options{EncryptionKey: pgKey, PollEvery: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	w := newWorldOn(t, 11, a)
	kb := kept.New(b, kept.Options{OfflineFor: offlineFor, Now: func() time.Time { return w.now }})
	for range 20 {
		w.step()
	}
	check := func(when string) {
		t.Helper()
		want, _, _ := w.recomputed()
		for node, k := range map[string]*kept.Keeper{"A": w.k, "B": kb} {
			got, _, err := k.All(ctx)
			if err != nil {
				t.Fatalf("%s, node %s: %v", when, node, err)
			}
			if asJSON(t, got) != asJSON(t, want) {
				t.Fatalf("%s, node %s:\nkept       %s\nrecomputed %s", when, node, asJSON(t, got), asJSON(t, want))
			}
		}
	}
	check("before the failover")
	waitReplayed(t, primary)

	// The standby stops receiving: what follows is committed on the
	// primary alone, as an asynchronous standby's last commits may be.
	standby.Kill()
	var lost []string
	for range 4 {
		var recs []store.StoredRecord
		for range 2 {
			r := w.record()
			r.Quarantined, r.HeldFor = true, store.HeldDeviceRevoked
			recs = append(recs, r)
			lost = append(lost, r.ID)
		}
		if err := w.db.PutRecords(ctx, recs, nil); err != nil {
			t.Fatal(err)
		}
	}
	check("the primary alone")

	primary.Kill()
	if err := standby.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := standby.Promote(); err != nil {
		t.Fatal(err)
	}
	for _, db := range []*postgres.DB{a, b} {
		waitWritable(t, db)
	}
	for _, id := range lost {
		if _, err := a.StoredRecordByID(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("record %s after the failover: %v; the test lost no commit", id, err)
		}
	}
	// New writes through both nodes, more than were lost, before either
	// desk reads the feed.
	for i := range 12 {
		recs := []store.StoredRecord{w.record(), w.record()}
		recs[0].Quarantined, recs[0].HeldFor = true, store.HeldAuthorDisabled
		db := w.db
		if i%3 == 2 {
			db = b // node B's own write: its desk hears of it only through the feed
		}
		if err := db.PutRecords(ctx, recs, nil); err != nil {
			t.Fatal(err)
		}
	}
	check("after the failover")
	for range 10 {
		w.step()
	}
	check("after more writes")
}

// waitReplayed waits until the primary's standby has replayed every
// change the primary has.
func waitReplayed(t *testing.T, primary *pgtest.Cluster) {
	t.Helper()
	conn, err := pgx.Connect(ctx, primary.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	deadline := time.Now().Add(time.Minute)
	for {
		var done bool
		if err := conn.QueryRow(ctx, `SELECT coalesce((SELECT replay_lsn >= pg_current_wal_lsn() FROM pg_stat_replication LIMIT 1), false)`).Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the standby did not catch up within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitWritable waits until db has a connection to a primary taking
// writes again, and its pool has dropped the connections to the dead one.
func waitWritable(t *testing.T, db *postgres.DB) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var readOnly bool
		err := db.Pool().QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&readOnly)
		if err == nil && !readOnly && db.Mode() == store.ModeReadWrite {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no writable database within a minute: %v, mode %s", err, db.Mode())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
