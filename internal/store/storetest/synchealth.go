package storetest

import (
	"bytes"
	"testing"
	"time"

	"beredskap/internal/store"
)

// Sync health (store.SyncHealth): the phones' outbox reports and the
// announcements' read marks.

// syncHealthTests are the suite's tests of sync health's store side; Run
// runs them with the rest.
func syncHealthTests(opener Opener) []suiteTest {
	return []suiteTest{
		{"OutboxReports", testOutboxReports},
		{"AnnouncementReads", testAnnouncementReads},
		{"SyncHealthBackup", func(t *testing.T, open func() store.Store) { testSyncHealthBackup(t, open, opener) }},
	}
}

func putTestDevice(t *testing.T, db store.Store, id, user string, at time.Time) {
	t.Helper()
	if err := db.PutDevice(ctx, store.Device{ID: id, UserID: user, PublicKey: []byte("key-" + id), Label: "phone", Created: at, LastSeen: at}); err != nil {
		t.Fatal(err)
	}
}

// testOutboxReports: a report replaces the device's one before (an
// empty outbox has no oldest time), an unknown device's report is
// ErrNotFound and stores nothing, a negative count is refused, and the
// reports survive a reopen, by device id.
func testOutboxReports(t *testing.T, open func() store.Store) {
	db := open()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	putTestDevice(t, db, "d2", "u1", t0)
	putTestDevice(t, db, "d1", "u2", t0)
	if reps, err := db.OutboxReports(ctx); err != nil || len(reps) != 0 {
		t.Fatalf("no reports yet: %+v, %v", reps, err)
	}
	oldest := t0.Add(-3 * time.Hour)
	for _, r := range []store.OutboxReport{
		{DeviceID: "d1", Waiting: 4, OldestWaiting: &oldest, Reported: t0},
		{DeviceID: "d2", Waiting: 7, OldestWaiting: &oldest, Reported: t0},
		{DeviceID: "d1", Waiting: 0, Reported: t0.Add(time.Minute)},
	} {
		if err := db.ReportOutbox(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	err := db.ReportOutbox(ctx, store.OutboxReport{DeviceID: "nope", Waiting: 1, Reported: t0})
	notFound(t, "report of an unknown device", err, "nope")
	if err := db.ReportOutbox(ctx, store.OutboxReport{DeviceID: "d2", Waiting: -1, Reported: t0.Add(time.Hour)}); err == nil {
		t.Fatal("a negative count was stored")
	}
	closeStore(t, db)
	db = use(t, open)
	reps, err := db.OutboxReports(ctx)
	if err != nil || len(reps) != 2 {
		t.Fatalf("reports: %+v, %v", reps, err)
	}
	if r := reps[0]; r.DeviceID != "d1" || r.Waiting != 0 || r.OldestWaiting != nil || !r.Reported.Equal(t0.Add(time.Minute)) {
		t.Fatalf("d1's report %+v, want the later one, empty", r)
	}
	if r := reps[1]; r.DeviceID != "d2" || r.Waiting != 7 || r.OldestWaiting == nil || !r.OldestWaiting.Equal(oldest) || !r.Reported.Equal(t0) {
		t.Fatalf("d2's report %+v", r)
	}
}

// testAnnouncementReads: each user's first mark of an announcement is
// kept (a later one changes nothing), marks come back by announcement
// and then user, only those of the announcements asked for, a mark
// without its announcement or user is refused, and all of it survives
// a reopen.
func testAnnouncementReads(t *testing.T, open func() store.Store) {
	db := open()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	mark := func(ann, user string, at time.Time) store.AnnouncementRead {
		return store.AnnouncementRead{AnnouncementID: ann, UserID: user, DeviceID: "d-" + user, At: at, Reported: at.Add(time.Minute)}
	}
	if err := db.MarkAnnouncementsRead(ctx, []store.AnnouncementRead{mark("a1", "u2", t0.Add(2*time.Minute)), mark("a1", "u1", t0), mark("a2", "u1", t0.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkAnnouncementsRead(ctx, []store.AnnouncementRead{mark("a1", "u1", t0.Add(3*time.Hour)), mark("a3", "u3", t0)}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkAnnouncementsRead(ctx, []store.AnnouncementRead{{AnnouncementID: "a1", At: t0}}); err == nil {
		t.Fatal("a mark without a user was stored")
	}
	if err := db.MarkAnnouncementsRead(ctx, nil); err != nil {
		t.Fatalf("no marks: %v", err)
	}
	closeStore(t, db)
	db = use(t, open)
	reads, err := db.AnnouncementReads(ctx, []string{"a2", "a1", "none"})
	if err != nil || len(reads) != 3 {
		t.Fatalf("reads: %+v, %v", reads, err)
	}
	want := []store.AnnouncementRead{mark("a1", "u1", t0), mark("a1", "u2", t0.Add(2*time.Minute)), mark("a2", "u1", t0.Add(time.Hour))}
	for i, w := range want {
		g := reads[i]
		if g.AnnouncementID != w.AnnouncementID || g.UserID != w.UserID || g.DeviceID != w.DeviceID || !g.At.Equal(w.At) || !g.Reported.Equal(w.Reported) {
			t.Fatalf("read %d = %+v, want %+v", i, g, w)
		}
	}
	if reads, err := db.AnnouncementReads(ctx, nil); err != nil || len(reads) != 0 {
		t.Fatalf("reads of no announcement: %+v, %v", reads, err)
	}
}

// testSyncHealthBackup: reports and read marks are in a backup and come
// back from its load.
func testSyncHealthBackup(t *testing.T, open func() store.Store, opener Opener) {
	src := use(t, open)
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	putTestDevice(t, src, "d1", "u1", t0)
	if err := src.ReportOutbox(ctx, store.OutboxReport{DeviceID: "d1", Waiting: 2, OldestWaiting: &t0, Reported: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := src.MarkAnnouncementsRead(ctx, []store.AnnouncementRead{{AnnouncementID: "a1", UserID: "u1", At: t0, Reported: t0}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := src.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	dst := use(t, opener(t))
	if err := dst.Load(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if reps, err := dst.OutboxReports(ctx); err != nil || len(reps) != 1 || reps[0].Waiting != 2 {
		t.Fatalf("reports after load: %+v, %v", reps, err)
	}
	if reads, err := dst.AnnouncementReads(ctx, []string{"a1"}); err != nil || len(reads) != 1 || reads[0].UserID != "u1" {
		t.Fatalf("reads after load: %+v, %v", reads, err)
	}
}
