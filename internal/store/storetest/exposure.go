package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"beredskap/internal/store"
)

// The lost-phone exposure report (store.Exposures and the patients an
// issued bundle records).

// exposureTests are the suite's tests of the exposure report's store
// side; Run runs them with the rest.
func exposureTests(opener Opener) []suiteTest {
	return []suiteTest{
		{"BundleAccessPatients", testBundleAccessPatients},
		{"ExposureTicks", testExposureTicks},
		{"ExposureTicksBackup", func(t *testing.T, open func() store.Store) { testExposureTicksBackup(t, open, opener) }},
	}
}

// testBundleAccessPatients: the patients whose card held access
// information are kept with the bundle across a reopen, and a bundle
// recorded without them (one issued before they were recorded) reads
// back with none.
func testBundleAccessPatients(t *testing.T, open func() store.Store) {
	db := open()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for _, b := range []store.IssuedBundle{
		{ID: "old", UserID: "u1", DeviceID: "d1", IssuedAt: t0, ExpiresAt: t0.Add(8 * time.Hour), OwnPatients: []string{"p1"}},
		{ID: "new", UserID: "u1", DeviceID: "d1", IssuedAt: t0.Add(time.Hour), ExpiresAt: t0.Add(9 * time.Hour),
			OwnPatients: []string{"p1", "p2"}, UnitPatients: []string{"p3"}, AccessPatients: []string{"p2", "p3"}},
	} {
		if err := db.PutIssuedBundle(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	closeStore(t, db)
	db = use(t, open)
	old, err := db.IssuedBundle(ctx, "old")
	if err != nil || len(old.AccessPatients) != 0 || !slices.Equal(old.OwnPatients, []string{"p1"}) {
		t.Fatalf("old bundle: %+v, %v", old, err)
	}
	bs, err := db.IssuedBundles(ctx, "u1", t0)
	if err != nil || len(bs) != 2 || bs[1].ID != "new" || !slices.Equal(bs[1].AccessPatients, []string{"p2", "p3"}) || !slices.Equal(bs[1].UnitPatients, []string{"p3"}) {
		t.Fatalf("bundles: %+v, %v", bs, err)
	}
}

// testExposureTicks: a tick replaces the item's earlier state (an untick
// is kept with who and when), each is audited in the same write, items
// come back in item order, one device's items are not another's, and
// all of it survives a reopen.
func testExposureTicks(t *testing.T, open func() store.Store) {
	db := open()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	tick := func(dev, item string, on bool, by string, at time.Time) {
		t.Helper()
		a := store.Audit{Actor: by, Action: store.AuditExposureTick, Subject: dev, Detail: item}
		if err := db.SetExposureTick(ctx, store.ExposureTick{DeviceID: dev, Item: item, Ticked: on, By: by, At: at}, a); err != nil {
			t.Fatal(err)
		}
	}
	if ticks, err := db.ExposureTicks(ctx, "d1"); err != nil || len(ticks) != 0 {
		t.Fatalf("no ticks yet: %+v, %v", ticks, err)
	}
	tick("d1", "keybox:p2", true, "kari", t0)
	tick("d1", "inform:p1", true, "kari", t0.Add(time.Minute))
	tick("d1", "keybox:p2", false, "ola", t0.Add(2*time.Minute))
	tick("d10", "breach", true, "ola", t0)
	if err := db.SetExposureTick(ctx, store.ExposureTick{DeviceID: "d1", By: "x", At: t0}, store.Audit{Actor: "x", Action: store.AuditExposureTick}); err == nil {
		t.Fatal("a tick without an item was stored")
	}
	closeStore(t, db)
	db = use(t, open)
	ticks, err := db.ExposureTicks(ctx, "d1")
	if err != nil || len(ticks) != 2 {
		t.Fatalf("ticks of d1: %+v, %v", ticks, err)
	}
	want := []store.ExposureTick{
		{DeviceID: "d1", Item: "inform:p1", Ticked: true, By: "kari", At: t0.Add(time.Minute)},
		{DeviceID: "d1", Item: "keybox:p2", Ticked: false, By: "ola", At: t0.Add(2 * time.Minute)},
	}
	for i := range want {
		if ticks[i].DeviceID != want[i].DeviceID || ticks[i].Item != want[i].Item || ticks[i].Ticked != want[i].Ticked ||
			ticks[i].By != want[i].By || !ticks[i].At.Equal(want[i].At) {
			t.Fatalf("tick %d = %+v, want %+v", i, ticks[i], want[i])
		}
	}
	if ticks, err := db.ExposureTicks(ctx, "d10"); err != nil || len(ticks) != 1 || ticks[0].Item != "breach" {
		t.Fatalf("ticks of d10: %+v, %v", ticks, err)
	}
	entries, err := db.AuditFor(ctx, "d1")
	if err != nil || len(entries) != 3 {
		t.Fatalf("audit of d1: %+v, %v", entries, err)
	}
	details := map[string]int{}
	for _, e := range entries {
		if e.Action != store.AuditExposureTick {
			t.Fatalf("audit entry %+v", e)
		}
		details[e.Detail]++
	}
	if details["keybox:p2"] != 2 || details["inform:p1"] != 1 {
		t.Fatalf("audited items %v", details)
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain after ticks: %v", err)
	}
}

// testExposureTicksBackup: the ticks are in a backup and come back from
// its load.
func testExposureTicksBackup(t *testing.T, open func() store.Store, opener Opener) {
	src := use(t, open)
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if err := src.SetExposureTick(ctx, store.ExposureTick{DeviceID: "d1", Item: "breach", Ticked: true, By: "kari", At: t0},
		store.Audit{Actor: "kari", Action: store.AuditExposureTick, Subject: "d1", Detail: "breach"}); err != nil {
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
	if ticks, err := dst.ExposureTicks(ctx, "d1"); err != nil || len(ticks) != 1 || !ticks[0].Ticked || ticks[0].By != "kari" {
		t.Fatalf("ticks after load: %+v, %v", ticks, err)
	}
}
