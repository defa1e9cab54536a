// Package storetest is the conformance suite of the store contract: every
// implementation of store.Store (Badger today, PostgreSQL next) runs it
// from its own tests, on a real database, and must pass it unchanged.
// It is written against the interfaces only.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// Opener makes a new, empty store for one test and returns the function
// that opens it. Called again after the store was closed, that function
// opens the same store, with everything written to it before.
type Opener func(t *testing.T) (open func() store.Store)

// suiteTest is one test of the suite, run on a store that open opens.
type suiteTest struct {
	name string
	fn   func(t *testing.T, open func() store.Store)
}

// Run runs the whole suite against the implementation open makes.
func Run(t *testing.T, opener Opener) {
	tests := []suiteTest{
		{"AccountsSurviveReopen", testAccountsSurviveReopen},
		{"AccountUsernames", testAccountUsernames},
		{"UsernamesAreNormalised", testUsernamesAreNormalised},
		{"SetAccountLang", testSetAccountLang},
		{"Sessions", testSessions},
		{"SessionsExpire", testSessionsExpire},
		{"Devices", testDevices},
		{"DevicesAndBundles", testDevicesAndBundles},
		{"PlanIndexes", testPlanIndexes},
		{"ApplyPlanIsAllOrNothing", testApplyPlanIsAllOrNothing},
		{"ApplyPlanScope", testApplyPlanScope},
		{"Routines", testRoutines},
		{"Announcements", testAnnouncements},
		{"Outages", testOutages},
		{"RecordsAreStoredOnce", testRecordsAreStoredOnce},
		{"LargeBatch", testLargeBatch},
		{"DeviceSeqIndex", testDeviceSeqIndex},
		{"ListRecords", testListRecords},
		{"WalkRecords", testWalkRecords},
		{"ScanRecords", testScanRecords},
		{"ScanPlan", testScanPlan},
		{"WalkRecordsWhileWritten", testWalkRecordsWhileWritten},
		{"WalkOrderAndLargeBodies", testWalkOrderAndLargeBodies},
		{"Reconcile", testReconcile},
		// The office's bulk jobs (jobs.go).
		{"ReconcileJobs", testReconcileJobs},
		{"ReconcileJobLease", testReconcileJobLease},
		{"ReconcileJobClaimRace", testReconcileJobClaimRace},
		// Logins through an identity provider (loginflows.go).
		{"LoginFlows", testLoginFlows},
		{"LoginFlowTakeRace", testLoginFlowTakeRace},
		{"IdentityLinks", testIdentityLinks},
		{"Findings", testFindings},
		{"AuditChain", testAuditChain},
		{"AuditConcurrentAppends", testAuditConcurrentAppends},
		{"Setup", testSetup},
		{"PurgeReconciled", testPurgeReconciled},
		{"Capacity", testCapacity},
		{"BackupAndLoad", func(t *testing.T, open func() store.Store) { testBackupAndLoad(t, open, opener) }},
	}
	tests = append(tests, loginFallbackTests(opener)...)
	tests = append(tests, exposureTests(opener)...)
	tests = append(tests, syncHealthTests(opener)...)
	tests = append(tests, prnTests()...)
	tests = append(tests, cosignTests()...)
	tests = append(tests, drillTests(opener)...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, opener(t)) })
	}
}

var ctx = context.Background()

// use opens the store and closes it when the test ends, unless the test
// closed it first (closeStore).
func use(t *testing.T, open func() store.Store) store.Store {
	t.Helper()
	db := open()
	t.Cleanup(func() { db.Close() })
	return db
}

func closeStore(t *testing.T, db store.Store) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// notFound checks that err is store.ErrNotFound and names what was asked.
func notFound(t *testing.T, what string, err error, id string) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("%s: %v, want ErrNotFound", what, err)
	}
	if id != "" && !strings.Contains(err.Error(), id) {
		t.Fatalf("%s: %q does not name %q", what, err, id)
	}
}

func account(id, username string) store.Account {
	return store.Account{User: care.User{ID: id, Username: username, Name: username, Role: care.RoleCoordinator, Units: []string{"n"}}, PasswordHash: "h"}
}

func testAccountsSurviveReopen(t *testing.T, open func() store.Store) {
	db := open()
	a := store.Account{User: care.User{ID: "u1", Username: "Anna", Name: "Anna Berg", Role: care.RoleWorker, Units: []string{"n"}}, PasswordHash: "h"}
	if err := db.PutAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	closeStore(t, db)
	db = use(t, open)
	got, err := db.AccountByUsername(ctx, "anna")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Anna Berg" || got.PasswordHash != "h" || got.Role != care.RoleWorker {
		t.Fatalf("after reopen: %+v", got)
	}
	if got, err := db.Account(ctx, "u1"); err != nil || got.Username != "anna" {
		t.Fatalf("by id: %+v, %v", got, err)
	}
	if all, err := db.Accounts(ctx); err != nil || len(all) != 1 || all[0].ID != "u1" {
		t.Fatalf("accounts: %+v, %v", all, err)
	}
	_, err = db.Account(ctx, "nobody")
	notFound(t, "unknown account", err, "nobody")
	_, err = db.AccountByUsername(ctx, "nobody")
	notFound(t, "unknown username", err, "nobody")
}

func testAccountUsernames(t *testing.T, open func() store.Store) {
	db := use(t, open)
	cases := []struct {
		name string
		acc  store.Account
		want error
	}{
		{"first", store.Account{User: care.User{ID: "1", Username: "kari", Role: care.RoleCoordinator}}, nil},
		{"same user again", store.Account{User: care.User{ID: "1", Username: "kari", Role: care.RoleCoordinator}}, nil},
		{"other user, same name in other case", store.Account{User: care.User{ID: "2", Username: "KARI", Role: care.RoleWorker}}, store.ErrUsernameTaken},
		{"rename frees the old name", store.Account{User: care.User{ID: "1", Username: "kari2", Role: care.RoleCoordinator}}, nil},
		{"old name is free", store.Account{User: care.User{ID: "2", Username: "kari", Role: care.RoleWorker}}, nil},
	}
	for _, c := range cases {
		if err := db.PutAccount(ctx, c.acc); !errors.Is(err, c.want) {
			t.Fatalf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
	if a, err := db.AccountByUsername(ctx, "kari"); err != nil || a.ID != "2" {
		t.Fatalf("kari = %+v, %v", a, err)
	}
	if err := db.PutAccount(ctx, store.Account{User: care.User{ID: "3", Username: "x", Role: "boss"}}); err == nil {
		t.Fatal("invalid role accepted")
	}
	if cs, err := db.UsernameCollisions(ctx); err != nil || len(cs) != 0 {
		t.Fatalf("collisions in a store that refuses them: %+v, %v", cs, err)
	}
}

// testUsernamesAreNormalised: a username is stored and found after NFKC
// and case folding, and a new name that is another's after normalisation
// is refused, naming the name.
func testUsernamesAreNormalised(t *testing.T, open func() store.Store) {
	db := use(t, open)
	if err := db.PutAccount(ctx, account("u1", " Kari ")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kari", "Kari", "KARI", "ｋａｒｉ", "ＫＡＲＩ", " kari"} {
		a, err := db.AccountByUsername(ctx, name)
		if err != nil || a.ID != "u1" || a.Username != "kari" {
			t.Fatalf("%q: %+v %v", name, a, err)
		}
	}
	for _, name := range []string{"KARI", "ｋａｒｉ", "Kari"} {
		err := db.PutAccount(ctx, account("u2", name))
		if !errors.Is(err, store.ErrUsernameTaken) || !strings.Contains(err.Error(), "kari") {
			t.Fatalf("a second %q: %v, want ErrUsernameTaken naming kari", name, err)
		}
	}
}

// testSetAccountLang changes only the language, survives a reopen, and
// refuses an unknown account without creating one.
func testSetAccountLang(t *testing.T, open func() store.Store) {
	db := open()
	a := store.Account{User: care.User{ID: "u1", Username: "anna", Name: "Anna Berg", Role: care.RoleWorker, Units: []string{"n"}, Lang: "nb"}, PasswordHash: "h"}
	if err := db.PutAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.SetAccountLang(ctx, "u1", "sv"); err != nil {
		t.Fatal(err)
	}
	notFound(t, "unknown account", db.SetAccountLang(ctx, "nobody", "sv"), "nobody")
	closeStore(t, db)
	db = use(t, open)
	got, err := db.AccountByUsername(ctx, "anna")
	if err != nil {
		t.Fatal(err)
	}
	want := a
	want.Lang = "sv"
	if got.Lang != "sv" || got.Name != want.Name || got.PasswordHash != want.PasswordHash || got.Role != want.Role {
		t.Fatalf("after SetAccountLang: %+v, want %+v", got, want)
	}
	if _, err := db.Account(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetAccountLang created an account: %v", err)
	}
}

func testSessions(t *testing.T, open func() store.Store) {
	db := use(t, open)
	live := store.Session{TokenHash: "aa", UserID: "u1", Created: time.Now(), Expires: time.Now().Add(time.Hour)}
	other := store.Session{TokenHash: "bb", UserID: "u1", DeviceID: "d1", Created: time.Now(), Expires: time.Now().Add(time.Hour)}
	someoneElse := store.Session{TokenHash: "dd", UserID: "u2", Created: time.Now(), Expires: time.Now().Add(time.Hour)}
	for _, s := range []store.Session{live, other, someoneElse} {
		if err := db.PutSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutSession(ctx, store.Session{TokenHash: "cc", UserID: "u1", Expires: time.Now().Add(-time.Second)}); err == nil {
		t.Fatal("expired session stored")
	}
	if s, err := db.Session(ctx, "aa"); err != nil || s.UserID != "u1" || s.TokenHash != "aa" {
		t.Fatalf("session = %+v, %v", s, err)
	}
	if ss, err := db.UserSessions(ctx, "u1"); err != nil || len(ss) != 2 {
		t.Fatalf("user sessions = %+v, %v", ss, err)
	}
	if err := db.DeleteSession(ctx, live); err != nil {
		t.Fatal(err)
	}
	_, err := db.Session(ctx, "aa")
	notFound(t, "deleted session", err, "")
	if ss, _ := db.UserSessions(ctx, "u1"); len(ss) != 1 || ss[0].TokenHash != "bb" || ss[0].DeviceID != "d1" {
		t.Fatalf("user sessions after a delete = %+v", ss)
	}
	if err := db.DeleteUserSessions(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, "bb"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session after DeleteUserSessions: %v", err)
	}
	if _, err := db.Session(ctx, "dd"); err != nil {
		t.Fatalf("another user's session ended too: %v", err)
	}
}

// testSessionsExpire: once its expiry has passed a session is not found
// and not listed, whether or not anything removed it.
func testSessionsExpire(t *testing.T, open func() store.Store) {
	db := use(t, open)
	exp := time.Now().Add(1100 * time.Millisecond)
	if err := db.PutSession(ctx, store.Session{TokenHash: "ee", UserID: "u1", Created: time.Now(), Expires: exp}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, "ee"); err != nil {
		t.Fatalf("live session: %v", err)
	}
	time.Sleep(time.Until(exp) + 50*time.Millisecond)
	_, err := db.Session(ctx, "ee")
	notFound(t, "expired session", err, "")
	if ss, err := db.UserSessions(ctx, "u1"); err != nil || len(ss) != 0 {
		t.Fatalf("expired session listed: %+v, %v", ss, err)
	}
}

// testDevices: revocation is kept with its first time and audited, and
// contact is recorded at most once a minute.
func testDevices(t *testing.T, open func() store.Store) {
	db := use(t, open)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	if err := db.PutDevice(ctx, store.Device{ID: "d1", UserID: "u1", Label: "phone", Created: now}); err == nil {
		t.Fatal("a device without a public key was stored")
	}
	for _, d := range []store.Device{
		{ID: "d1", UserID: "u1", PublicKey: []byte{1}, Label: "phone", Created: now},
		{ID: "d2", UserID: "u2", PublicKey: []byte{2}, Label: "other", Created: now},
	} {
		if err := db.PutDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if all, err := db.Devices(ctx); err != nil || len(all) != 2 {
		t.Fatalf("devices = %+v, %v", all, err)
	}
	_, err := db.Device(ctx, "nope")
	notFound(t, "unknown device", err, "nope")
	_, err = db.RevokeDevice(ctx, "nope", "admin", now)
	notFound(t, "revoke an unknown device", err, "nope")

	if err := db.TouchDevice(ctx, "d1", now); err != nil {
		t.Fatal(err)
	}
	if err := db.TouchDevice(ctx, "d1", now.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if d, _ := db.Device(ctx, "d1"); !d.LastSeen.Equal(now) {
		t.Fatalf("last seen %v, want %v (at most once a minute)", d.LastSeen, now)
	}
	if err := db.TouchDevice(ctx, "d1", now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if d, _ := db.Device(ctx, "d1"); !d.LastSeen.Equal(now.Add(2 * time.Minute)) {
		t.Fatalf("last seen %v after two minutes", d.LastSeen)
	}
	notFound(t, "touch an unknown device", db.TouchDevice(ctx, "nope", now), "nope")

	d, err := db.RevokeDevice(ctx, "d1", "admin", now)
	if err != nil || d.Revoked == nil || !d.Revoked.Equal(now) {
		t.Fatalf("revoke: %+v, %v", d, err)
	}
	if d, err := db.RevokeDevice(ctx, "d1", "admin", now.Add(time.Hour)); err != nil || !d.Revoked.Equal(now) {
		t.Fatalf("revoke again: %+v, %v (the first time stays)", d, err)
	}
	if d, _ := db.Device(ctx, "d1"); d.Revoked == nil {
		t.Fatal("revocation not stored")
	}
	if d, _ := db.Device(ctx, "d2"); d.Revoked != nil {
		t.Fatal("another device revoked")
	}
	entries, err := db.AuditFor(ctx, "d1")
	if err != nil || len(entries) != 2 || entries[0].Action != store.AuditDeviceRevoke || entries[0].Actor != "admin" {
		t.Fatalf("audit of the revocation: %+v, %v", entries, err)
	}
}

func testDevicesAndBundles(t *testing.T, open func() store.Store) {
	db := open()
	d := store.Device{ID: "d1", UserID: "u1", PublicKey: []byte{1, 2, 3}, Label: "phone", Created: time.Now().UTC()}
	if err := db.PutDevice(ctx, d); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, id := range []string{"b1", "b2"} {
		b := store.IssuedBundle{ID: id, UserID: "u1", DeviceID: "d1", IssuedAt: now.Add(time.Duration(i) * time.Minute), ExpiresAt: now.Add(8 * time.Hour), OwnPatients: []string{"p1"}}
		if err := db.PutIssuedBundle(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	closeStore(t, db)
	db = use(t, open)
	devs, err := db.UserDevices(ctx, "u1")
	if err != nil || len(devs) != 1 || string(devs[0].PublicKey) != "\x01\x02\x03" {
		t.Fatalf("devices = %+v, %v", devs, err)
	}
	bs, err := db.IssuedBundles(ctx, "u1", now.Add(-time.Hour))
	if err != nil || len(bs) != 2 || bs[0].ID != "b1" {
		t.Fatalf("bundles = %+v, %v", bs, err)
	}
	if bs, _ := db.IssuedBundles(ctx, "u1", now.Add(30*time.Second)); len(bs) != 1 {
		t.Fatalf("bundles since = %d", len(bs))
	}
	if b, err := db.IssuedBundle(ctx, "b2"); err != nil || b.DeviceID != "d1" || !slices.Equal(b.OwnPatients, []string{"p1"}) {
		t.Fatalf("bundle b2 = %+v, %v", b, err)
	}
	_, err = db.IssuedBundle(ctx, "b9")
	notFound(t, "unknown bundle", err, "b9")
	if bs, err := db.IssuedBundles(ctx, "u2", time.Time{}); err != nil || len(bs) != 0 {
		t.Fatalf("another user's bundles: %+v, %v", bs, err)
	}
	if err := db.PutIssuedBundle(ctx, store.IssuedBundle{ID: "b3"}); err == nil {
		t.Fatal("a bundle without a user was stored")
	}
}

func testPlanIndexes(t *testing.T, open func() store.Store) {
	db := open()
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	v1 := care.Visit{ID: "v1", PatientID: "p1", WorkerID: "w", UnitID: "n", Start: day.Add(9 * time.Hour), DurationMinutes: 30}
	v2 := care.Visit{ID: "v2", PatientID: "p2", WorkerID: "w", UnitID: "n", Start: day.Add(8 * time.Hour), DurationMinutes: 30}
	tomorrow := care.Visit{ID: "v3", PatientID: "p1", WorkerID: "w", UnitID: "n", Start: day.Add(33 * time.Hour)}
	plan := store.Plan{
		Units:    []care.Unit{{ID: "n", Name: "Nord"}, {ID: "s", Name: "Sør"}},
		Patients: []care.Patient{{ID: "p1", UnitID: "n", Name: "A"}, {ID: "p2", UnitID: "n", Name: "B"}, {ID: "p3", UnitID: "s", Name: "C"}},
		Visits:   []care.Visit{v1, v2, tomorrow},
		Doses: []care.ScheduledDose{
			{ID: "d1", PatientID: "p1", Medication: "Paracet", Due: day.Add(9 * time.Hour)},
			{ID: "d2", PatientID: "p1", Medication: "Paracet", Due: day.Add(30 * time.Hour)},
		},
		Routines: []care.Routine{{ID: "r1", Title: "EPJ nede", Scenario: care.ScenarioEHRDown}},
	}
	if err := db.ApplyPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	// Moving a visit must move its index entry, not leave a ghost.
	v1.Start = day.Add(7 * time.Hour)
	if err := db.ApplyPlan(ctx, store.Plan{Visits: []care.Visit{v1}}); err != nil {
		t.Fatal(err)
	}
	closeStore(t, db)
	db = use(t, open)

	visits, err := db.VisitsByUnit(ctx, "n", day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(visits) != 2 || visits[0].ID != "v1" || visits[1].ID != "v2" {
		t.Fatalf("visits = %+v", visits)
	}
	pts, _ := db.PatientsByUnit(ctx, "n")
	if len(pts) != 2 {
		t.Fatalf("patients in n = %d", len(pts))
	}
	doses, _ := db.DosesByPatient(ctx, "p1", day, day.Add(24*time.Hour))
	if len(doses) != 1 || doses[0].ID != "d1" {
		t.Fatalf("doses = %+v", doses)
	}
	units, _ := db.Units(ctx)
	routines, _ := db.Routines(ctx)
	if len(units) != 2 || len(routines) != 1 {
		t.Fatalf("units %d routines %d", len(units), len(routines))
	}
	if p, err := db.Patient(ctx, "p3"); err != nil || p.Name != "C" || p.UnitID != "s" {
		t.Fatalf("patient p3 = %+v, %v", p, err)
	}
	if v, err := db.Visit(ctx, "v1"); err != nil || !v.Start.Equal(day.Add(7*time.Hour)) {
		t.Fatalf("visit v1 = %+v, %v", v, err)
	}
	if d, err := db.Dose(ctx, "d2"); err != nil || d.Medication != "Paracet" {
		t.Fatalf("dose d2 = %+v, %v", d, err)
	}
	_, err = db.Patient(ctx, "p9")
	notFound(t, "unknown patient", err, "p9")
	_, err = db.Visit(ctx, "v9")
	notFound(t, "unknown visit", err, "v9")
	_, err = db.Dose(ctx, "d9")
	notFound(t, "unknown dose", err, "d9")
}

func testApplyPlanIsAllOrNothing(t *testing.T, open func() store.Store) {
	db := use(t, open)
	bad := store.Plan{
		Patients: []care.Patient{{ID: "p1", UnitID: "n", Name: "A"}},
		Visits:   []care.Visit{{ID: "v1", PatientID: "p1"}}, // no unit
	}
	if err := db.ApplyPlan(ctx, bad); err == nil {
		t.Fatal("bad plan accepted")
	}
	if _, err := db.Patient(ctx, "p1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("patient of a failed plan was stored: %v", err)
	}
}

// testApplyPlanScope: a scoped plan that overwrites another unit's
// patient is ErrOutOfScope and stores nothing of itself.
func testApplyPlanScope(t *testing.T, open func() store.Store) {
	db := use(t, open)
	base := store.Plan{
		Units:    []care.Unit{{ID: "n", Name: "Nord"}, {ID: "s", Name: "Sør"}},
		Patients: []care.Patient{{ID: "ps", UnitID: "s", Name: "Sørs"}},
	}
	if err := db.ApplyPlan(ctx, base); err != nil {
		t.Fatal(err)
	}
	scoped := store.Plan{
		Scope:    []string{"n"},
		Patients: []care.Patient{{ID: "pn", UnitID: "n", Name: "Ny"}, {ID: "ps", UnitID: "n", Name: "Stolen"}},
	}
	if err := db.ApplyPlan(ctx, scoped); !errors.Is(err, store.ErrOutOfScope) {
		t.Fatalf("scoped plan over another unit's patient: %v, want ErrOutOfScope", err)
	}
	if p, _ := db.Patient(ctx, "ps"); p.UnitID != "s" || p.Name != "Sørs" {
		t.Fatalf("the other unit's patient changed: %+v", p)
	}
	if _, err := db.Patient(ctx, "pn"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("part of a refused plan was stored: %v", err)
	}
	if err := db.ApplyPlan(ctx, store.Plan{Scope: []string{"n"}, Patients: []care.Patient{{ID: "pn", UnitID: "n", Name: "Ny"}}}); err != nil {
		t.Fatalf("a plan inside its scope: %v", err)
	}
}

// testRoutines: each save is a new version, the old ones are kept, and
// each is audited.
func testRoutines(t *testing.T, open func() store.Store) {
	db := use(t, open)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	r := care.Routine{ID: "r1", Title: "EPJ nede", Scenario: care.ScenarioEHRDown}
	saved, err := db.SaveRoutine(ctx, r, "kari", now)
	if err != nil || saved.Version != 1 {
		t.Fatalf("first save: %+v, %v", saved, err)
	}
	r.Title = "EPJ er nede"
	if saved, err = db.SaveRoutine(ctx, r, "kari", now.Add(time.Minute)); err != nil || saved.Version != 2 {
		t.Fatalf("second save: %+v, %v", saved, err)
	}
	if got, err := db.Routine(ctx, "r1"); err != nil || got.Version != 2 || got.Title != "EPJ er nede" {
		t.Fatalf("routine = %+v, %v", got, err)
	}
	vs, err := db.RoutineVersions(ctx, "r1")
	if err != nil || len(vs) != 2 || vs[0].Version != 1 || vs[0].Title != "EPJ nede" || vs[1].Version != 2 {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	if all, _ := db.Routines(ctx); len(all) != 1 {
		t.Fatalf("routines = %+v", all)
	}
	_, err = db.Routine(ctx, "r9")
	notFound(t, "unknown routine", err, "r9")
	if entries, _ := db.AuditFor(ctx, "r1"); len(entries) != 2 || entries[1].Action != store.AuditRoutine {
		t.Fatalf("audit = %+v", entries)
	}
}

func testAnnouncements(t *testing.T, open func() store.Store) {
	db := use(t, open)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for i, id := range []string{"a1", "a2", "a3"} {
		a := care.Announcement{ID: id, Posted: now.Add(time.Duration(i) * time.Hour), AuthorID: "kari", Text: "t" + id, Units: []string{"n"}}
		if err := db.PostAnnouncement(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.Announcements(ctx, now.Add(time.Hour))
	if err != nil || len(all) != 2 {
		t.Fatalf("since the second = %+v, %v", all, err)
	}
	ids := []string{all[0].ID, all[1].ID}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"a2", "a3"}) {
		t.Fatalf("since the second: %v", ids)
	}
	if entries, _ := db.AuditFor(ctx, "a1"); len(entries) != 1 || entries[0].Action != store.AuditAnnouncement {
		t.Fatalf("audit = %+v", entries)
	}
	// An announcement addressed to users (the readiness reminder) keeps
	// them: without them it would reach the whole unit.
	to := care.Announcement{ID: "a4", Posted: now.Add(3 * time.Hour), AuthorID: "kari", Text: "hent vakten", Level: care.LevelImportant,
		Units: []string{"n"}, Users: []string{"anna", "ole"}}
	if err := db.PostAnnouncement(ctx, to); err != nil {
		t.Fatal(err)
	}
	all, err = db.Announcements(ctx, now.Add(3*time.Hour))
	if err != nil || len(all) != 1 || !slices.Equal(all[0].Users, []string{"anna", "ole"}) {
		t.Fatalf("addressed announcement = %+v, %v", all, err)
	}
}

// testOutages: one outage at a time; the list is newest first.
func testOutages(t *testing.T, open func() store.Store) {
	db := use(t, open)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	if _, err := db.EndOutage(ctx, "kari", now); !errors.Is(err, store.ErrOutageState) {
		t.Fatalf("end with none active: %v", err)
	}
	if err := db.StartOutage(ctx, store.Outage{ID: "o1", Start: now, StartedBy: "kari", Note: "EPJ"}); err != nil {
		t.Fatal(err)
	}
	if err := db.StartOutage(ctx, store.Outage{ID: "o2", Start: now.Add(time.Minute), StartedBy: "kari"}); !errors.Is(err, store.ErrOutageState) {
		t.Fatalf("a second active outage: %v", err)
	}
	o, err := db.EndOutage(ctx, "ola", now.Add(time.Hour))
	if err != nil || o.ID != "o1" || o.End == nil || !o.End.Equal(now.Add(time.Hour)) || o.EndedBy != "ola" {
		t.Fatalf("end: %+v, %v", o, err)
	}
	if err := db.StartOutage(ctx, store.Outage{ID: "o2", Start: now.Add(2 * time.Hour), StartedBy: "kari"}); err != nil {
		t.Fatal(err)
	}
	all, err := db.Outages(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "o2" || all[1].ID != "o1" || all[1].End == nil || all[0].End != nil {
		t.Fatalf("outages = %+v, %v", all, err)
	}
	if entries, _ := db.AuditFor(ctx, "o1"); len(entries) != 2 {
		t.Fatalf("audit of o1 = %+v", entries)
	}
}

func record(id, device string, seq uint64, received time.Time) store.StoredRecord {
	return store.StoredRecord{ID: id, Type: care.RecordNote, DeviceID: device, AuthorID: "u1", PatientID: "p1", UnitID: "n",
		Seq: seq, CreatedAt: received, Received: received, State: store.StateNew, BodyHash: "h" + id, Body: []byte(`{"id":"` + id + `"}`), Sig: []byte("s")}
}

func testRecordsAreStoredOnce(t *testing.T, open func() store.Store) {
	db := use(t, open)
	r := store.StoredRecord{ID: "r1", DeviceID: "d1", AuthorID: "u1", PatientID: "p1", UnitID: "n", Seq: 1, Body: []byte(`{}`), Sig: []byte("sig"), BodyHash: "h1", State: store.StateNew}
	if err := db.PutRecords(ctx, []store.StoredRecord{r}, []store.Audit{{Action: store.AuditSync, Subject: "r1"}}); err != nil {
		t.Fatal(err)
	}
	err := db.PutRecords(ctx, []store.StoredRecord{r}, nil)
	if !errors.Is(err, store.ErrRecordExists) || !strings.Contains(err.Error(), "r1") {
		t.Fatalf("second put: %v", err)
	}
	known, err := db.Known(ctx, map[string]string{"r1": "h1", "r2": "h2"})
	if err != nil || known["r1"] != store.RecordSame || known["r2"] != store.RecordUnknown {
		t.Fatalf("known %v %v", known, err)
	}
	if k, _ := db.Known(ctx, map[string]string{"r1": "other"}); k["r1"] != store.RecordDifferent {
		t.Fatalf("different hash: %v", k)
	}
	// A failed batch writes nothing, not even its first record.
	r2 := r
	r2.ID, r2.Seq = "r2", 2
	if err := db.PutRecords(ctx, []store.StoredRecord{r2, r}, nil); !errors.Is(err, store.ErrRecordExists) {
		t.Fatalf("batch with a taken id: %v", err)
	}
	_, err = db.StoredRecordByID(ctx, "r2")
	notFound(t, "part of a failed batch", err, "r2")
	if seqs, _ := db.DeviceSeqs(ctx, "d1"); len(seqs) != 1 || seqs[0] != 1 {
		t.Fatalf("seqs %v", seqs)
	}
	if n, _ := db.VerifyAudit(ctx); n != 1 {
		t.Fatalf("audit entries %d", n)
	}
	got, err := db.StoredRecordByID(ctx, "r1")
	if err != nil || string(got.Body) != `{}` || string(got.Sig) != "sig" || got.BodyHash != "h1" {
		t.Fatalf("stored record = %+v, %v", got, err)
	}
	if n, err := db.CountRecords(ctx); err != nil || n != 1 {
		t.Fatalf("count %d, %v", n, err)
	}
}

func testLargeBatch(t *testing.T, open func() store.Store) {
	db := use(t, open)
	body := make([]byte, 60<<10) // a record with a large signature
	var recs []store.StoredRecord
	var audit []store.Audit
	for i := 0; i < 400; i++ { // about 30 MiB with the JSON: beyond one Badger transaction
		id := "r" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		recs = append(recs, store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: uint64(i + 1), Body: body, BodyHash: id})
		audit = append(audit, store.Audit{Action: store.AuditSync, Subject: id})
	}
	if err := db.PutRecords(ctx, recs, audit); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountRecords(ctx); n != 400 {
		t.Fatalf("%d stored", n)
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != 400 {
		t.Fatalf("audit %d %v", n, err)
	}
}

func testDeviceSeqIndex(t *testing.T, open func() store.Store) {
	db := use(t, open)
	now := time.Now().UTC()
	put := func(id, device string, seq uint64) {
		t.Helper()
		if err := db.PutRecords(ctx, []store.StoredRecord{record(id, device, seq, now)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// dev1 sent 1, 2, 3, 3, 3, 10 and 1<<40 twice; dev2 sent 3 once.
	put("a", "dev1", 1)
	put("b", "dev1", 2)
	put("c3", "dev1", 3)
	put("a3", "dev1", 3)
	put("b3", "dev1", 3)
	put("x", "dev1", 10)
	put("big1", "dev1", 1<<40)
	put("big2", "dev1", 1<<40)
	put("other", "dev2", 3)

	seqs, shared, err := db.DeviceSeqIndex(ctx, "dev1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{1, 2, 3, 3, 3, 10, 1 << 40, 1 << 40}; !slices.Equal(seqs, want) {
		t.Fatalf("seqs %v, want %v", seqs, want)
	}
	if got := fmt.Sprint(shared); got != fmt.Sprintf("map[3:[a3 b3 c3] %d:[big1 big2]]", uint64(1)<<40) {
		t.Fatalf("shared %s", got)
	}
	if old, err := db.DeviceSeqs(ctx, "dev1"); err != nil || !slices.Equal(old, seqs) {
		t.Fatalf("DeviceSeqs %v, %v", old, err)
	}
	if seqs, shared, err := db.DeviceSeqIndex(ctx, "dev2"); err != nil || !slices.Equal(seqs, []uint64{3}) || len(shared) != 0 {
		t.Fatalf("dev2: %v %v %v", seqs, shared, err)
	}
	if seqs, shared, err := db.DeviceSeqIndex(ctx, "nobody"); err != nil || len(seqs) != 0 || len(shared) != 0 {
		t.Fatalf("unknown device: %v %v %v", seqs, shared, err)
	}
}

// testListRecords: filters, newest first, pages that neither skip nor
// repeat, and a cursor that did not come from a page is ErrBadCursor.
func testListRecords(t *testing.T, open func() store.Store) {
	db := use(t, open)
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	var recs []store.StoredRecord
	for i := 0; i < 25; i++ {
		r := record(fmt.Sprintf("r%02d", i), "d1", uint64(i+1), t0.Add(time.Duration(i)*time.Minute))
		if i%5 == 0 {
			r.UnitID, r.PatientID = "s", "p2"
		}
		if i == 7 {
			r.Quarantined, r.HeldFor = true, store.HeldDeviceRevoked
		}
		if i%2 == 1 {
			r.Type = care.RecordMedication
		}
		recs = append(recs, r)
	}
	if err := db.PutRecords(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		page, next, err := db.ListRecords(ctx, store.RecordFilter{Cursor: cursor, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			if len(r.Body) != 0 {
				t.Fatalf("a listed record carries its body: %s", r.ID)
			}
			all = append(all, r.ID)
		}
		if next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("the pages do not end")
		}
		cursor = next
	}
	if len(all) != 25 || all[0] != "r24" || all[24] != "r00" {
		t.Fatalf("all pages: %v", all)
	}
	cases := []struct {
		name string
		f    store.RecordFilter
		want int
	}{
		{"unit", store.RecordFilter{Unit: "s"}, 5},
		{"units", store.RecordFilter{Units: []string{"n"}}, 20},
		{"patient", store.RecordFilter{Patient: "p2"}, 5},
		{"author", store.RecordFilter{Author: "u1"}, 25},
		{"type", store.RecordFilter{Type: care.RecordMedication}, 12},
		{"quarantined", store.RecordFilter{State: store.StateQuarantined}, 1},
		{"state", store.RecordFilter{State: store.StateNew}, 25},
		{"since", store.RecordFilter{Since: t0.Add(20 * time.Minute)}, 5},
		{"unit and type", store.RecordFilter{Unit: "n", Type: care.RecordMedication}, 12 - 2},
	}
	for _, c := range cases {
		page, _, err := db.ListRecords(ctx, c.f)
		if err != nil || len(page) != c.want {
			t.Errorf("%s: %d records, %v; want %d", c.name, len(page), err, c.want)
		}
	}
	if _, _, err := db.ListRecords(ctx, store.RecordFilter{Cursor: "not a cursor"}); !errors.Is(err, store.ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
}

// walkRecordsFixture stores n records a second apart, a fifth of them in
// unit s for patient p2, every other one a medication, each with a body
// of its own.
func walkRecordsFixture(t *testing.T, db store.Store, n int) {
	t.Helper()
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	var recs []store.StoredRecord
	for i := 0; i < n; i++ {
		r := record(fmt.Sprintf("w%05d", i), "d1", uint64(i+1), t0.Add(time.Duration(i)*time.Second))
		if i%5 == 0 {
			r.UnitID, r.PatientID = "s", "p2"
		}
		if i%2 == 1 {
			r.Type = care.RecordMedication
		}
		recs = append(recs, r)
	}
	for len(recs) > 0 {
		k := min(len(recs), 500)
		if err := db.PutRecords(ctx, recs[:k], nil); err != nil {
			t.Fatal(err)
		}
		recs = recs[k:]
	}
}

// listAll is every record ListRecords gives for f, page after page.
func listAll(t *testing.T, db store.Store, f store.RecordFilter) []string {
	t.Helper()
	var ids []string
	f.Limit = 1000
	for {
		page, next, err := db.ListRecords(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			ids = append(ids, r.ID)
		}
		if next == "" {
			return ids
		}
		f.Cursor = next
	}
}

// testWalkRecords: every record a filter selects, once, in ListRecords'
// order, with its body; more records than any page; fn's error ends the
// walk and comes back; an ended context ends it.
func testWalkRecords(t *testing.T, open func() store.Store) {
	db := use(t, open)
	const n = 1234
	walkRecordsFixture(t, db, n)
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		f    store.RecordFilter
		want int
	}{
		{"all", store.RecordFilter{}, n},
		{"unit", store.RecordFilter{Unit: "s"}, (n + 4) / 5},
		{"units", store.RecordFilter{Units: []string{"n"}}, n - (n+4)/5},
		{"patient", store.RecordFilter{Patient: "p2"}, (n + 4) / 5},
		{"type", store.RecordFilter{Type: care.RecordMedication}, n / 2},
		{"unit and type", store.RecordFilter{Unit: "n", Type: care.RecordMedication}, n/2 - 123}, // odd, not a multiple of 5
		{"state", store.RecordFilter{State: store.StateNew}, n},
		{"since", store.RecordFilter{Since: t0.Add(1000 * time.Second)}, n - 1000},
		// A cursor and a limit belong to pages: the walk ignores them.
		{"limit", store.RecordFilter{Limit: 7, Cursor: "not a cursor"}, n},
		{"none", store.RecordFilter{Author: "nobody"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			err := db.WalkRecords(ctx, c.f, func(r store.StoredRecord) error {
				if want := `{"id":"` + r.ID + `"}`; string(r.Body) != want || string(r.Sig) != "s" {
					return fmt.Errorf("record %s has body %q sig %q", r.ID, r.Body, r.Sig)
				}
				if _, err := r.Record(); err != nil {
					return err
				}
				got = append(got, r.ID)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			lf := c.f
			lf.Cursor = ""
			// Each record the list gives, once; in any order.
			want := listAll(t, db, lf)
			slices.Sort(got)
			slices.Sort(want)
			if len(got) != c.want || !slices.Equal(got, want) {
				t.Fatalf("walked %d records, want the %d the list gives (%d listed)", len(got), c.want, len(want))
			}
		})
	}
	stop := errors.New("enough")
	calls := 0
	err := db.WalkRecords(ctx, store.RecordFilter{}, func(store.StoredRecord) error {
		if calls++; calls == 600 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 600 {
		t.Fatalf("fn's error: %v after %d calls", err, calls)
	}
	cctx, cancel := context.WithCancel(ctx)
	calls = 0
	err = db.WalkRecords(cctx, store.RecordFilter{}, func(store.StoredRecord) error {
		if calls++; calls == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls >= n {
		t.Fatalf("ended context: %v after %d calls", err, calls)
	}
}

// testWalkOrderAndLargeBodies: ids in no relation to the time received
// (a phone that synced late), and bodies larger than a page may hold:
// the walk still gives every record once, whole.
func testWalkOrderAndLargeBodies(t *testing.T, open func() store.Store) {
	db := use(t, open)
	rnd := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	const n = 1300
	bodies := map[string][]byte{}
	var batch []store.StoredRecord
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("%016x", rnd.Uint64())
		body := []byte(`{"id":"` + id + `"}`)
		if i%4 == 0 {
			body = bytes.Repeat([]byte{byte('a' + i%26)}, 60<<10) // a large signature
		}
		bodies[id] = body
		batch = append(batch, store.StoredRecord{ID: id, Type: care.RecordNote, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n",
			Seq: uint64(i + 1), Received: t0.Add(time.Duration(i) * time.Second), BodyHash: id, State: store.StateNew, Body: body, Sig: []byte(id)})
		if len(batch) == 100 {
			if err := db.PutRecords(ctx, batch, nil); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	if err := db.PutRecords(ctx, batch, nil); err != nil {
		t.Fatal(err)
	}
	want := listAll(t, db, store.RecordFilter{})
	var got []string
	err := db.WalkRecords(ctx, store.RecordFilter{}, func(r store.StoredRecord) error {
		if !bytes.Equal(r.Body, bodies[r.ID]) || string(r.Sig) != r.ID {
			return fmt.Errorf("record %s: body of %d bytes, sig %q", r.ID, len(r.Body), r.Sig)
		}
		got = append(got, r.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(got) != n || !slices.Equal(got, want) {
		t.Fatalf("walked %d records, want each of the %d once", len(got), n)
	}
}

// testWalkRecordsWhileWritten: records reconciled and stored while a walk
// runs (an export to a slow client) are given at most once, and the walk
// still ends; every record that kept its state for the whole walk is
// given.
func testWalkRecordsWhileWritten(t *testing.T, open func() store.Store) {
	db := use(t, open)
	const n = 1200
	walkRecordsFixture(t, db, n)
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	seen := map[string]int{}
	reconciled := map[string]bool{}
	calls := 0
	err := db.WalkRecords(ctx, store.RecordFilter{State: store.StateNew}, func(r store.StoredRecord) error {
		seen[r.ID]++
		if calls++; calls%100 != 1 {
			return nil
		}
		// Enter the record just given and one not walked yet (the walk
		// goes newest first), and store a new one.
		ids := []string{r.ID}
		if i := n - calls - 300; i >= 0 {
			ids = append(ids, fmt.Sprintf("w%05d", i))
		}
		for _, id := range ids {
			if _, err := db.Reconcile(ctx, []string{id}, store.Reconciliation{Action: store.ActionEntered, EHRRef: "E", By: "kari", At: now}); err != nil && !errors.Is(err, store.ErrAlreadyReconciled) {
				return err
			}
			reconciled[id] = true
		}
		return db.PutRecords(ctx, []store.StoredRecord{record(fmt.Sprintf("x%05d", calls), "d2", uint64(calls), now)}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, k := range seen {
		if k > 1 {
			t.Errorf("record %s given %d times", id, k)
		}
	}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("w%05d", i)
		if !reconciled[id] && seen[id] != 1 {
			t.Errorf("record %s, new all along, was not given", id)
		}
	}
}

// testReconcile: entered and void, all of a batch or none, and a record
// reconciled twice is ErrAlreadyReconciled naming it.
func testReconcile(t *testing.T, open func() store.Store) {
	db := use(t, open)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	if err := db.PutRecords(ctx, []store.StoredRecord{record("a", "d", 1, now), record("b", "d", 2, now), record("c", "d", 3, now)}, nil); err != nil {
		t.Fatal(err)
	}
	out, err := db.Reconcile(ctx, []string{"a"}, store.Reconciliation{Action: store.ActionEntered, EHRRef: "EPJ-1", By: "kari", EnteredBy: "ola", At: now})
	if err != nil || len(out) != 1 || out[0].State != store.StateEntered || out[0].EHRRef != "EPJ-1" || out[0].EnteredBy != "ola" {
		t.Fatalf("entered: %+v, %v", out, err)
	}
	_, err = db.Reconcile(ctx, []string{"b", "a"}, store.Reconciliation{Action: store.ActionVoid, Reason: "dup", By: "kari", At: now})
	if !errors.Is(err, store.ErrAlreadyReconciled) || !strings.Contains(err.Error(), "a") {
		t.Fatalf("reconcile again: %v", err)
	}
	if r, _ := db.StoredRecordByID(ctx, "b"); r.State != store.StateNew {
		t.Fatalf("part of a refused batch was reconciled: %+v", r)
	}
	_, err = db.Reconcile(ctx, []string{"b", "zz"}, store.Reconciliation{Action: store.ActionVoid, Reason: "dup", By: "kari", At: now})
	notFound(t, "reconcile an unknown record", err, "zz")
	if _, err := db.Reconcile(ctx, []string{"b"}, store.Reconciliation{Action: "shred", By: "kari", At: now}); err == nil {
		t.Fatal("an unknown action was accepted")
	}
	if out, err := db.Reconcile(ctx, []string{"b", "c"}, store.Reconciliation{Action: store.ActionVoid, Reason: "dup", By: "kari", At: now}); err != nil || len(out) != 2 {
		t.Fatalf("void two: %+v, %v", out, err)
	}
	if page, _, _ := db.ListRecords(ctx, store.RecordFilter{State: store.StateVoid}); len(page) != 2 {
		t.Fatalf("void records listed: %d", len(page))
	}
	if page, _, _ := db.ListRecords(ctx, store.RecordFilter{State: store.StateNew}); len(page) != 0 {
		t.Fatalf("new records listed: %d", len(page))
	}
	if entries, _ := db.AuditFor(ctx, "b"); len(entries) != 1 || entries[0].Action != store.AuditReconcile {
		t.Fatalf("audit of b: %+v", entries)
	}
}

func testFindings(t *testing.T, open func() store.Store) {
	db := use(t, open)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	if m, err := db.FindingResolutions(ctx); err != nil || len(m) != 0 {
		t.Fatalf("empty: %v, %v", m, err)
	}
	if err := db.ResolveFinding(ctx, "missed:v1", store.FindingResolution{By: "kari", Comment: "called", At: now, Unit: "n"}); err != nil {
		t.Fatal(err)
	}
	m, err := db.FindingResolutions(ctx)
	if err != nil || len(m) != 1 || m["missed:v1"].Comment != "called" || m["missed:v1"].Unit != "n" {
		t.Fatalf("resolutions: %+v, %v", m, err)
	}
	if entries, _ := db.AuditFor(ctx, "missed:v1"); len(entries) != 1 || entries[0].Action != store.AuditFindingResolve {
		t.Fatalf("audit: %+v", entries)
	}
}

func testAuditChain(t *testing.T, open func() store.Store) {
	db := open()
	if n, err := db.AuditHead(ctx); err != nil || n != 0 {
		t.Fatalf("head of an empty log: %d, %v", n, err)
	}
	for i := 0; i < 5; i++ {
		if err := db.Append(ctx, store.Audit{Actor: "u1", Action: store.AuditLogin, Subject: fmt.Sprintf("s%d", i%2), Detail: "attempt"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != 5 {
		t.Fatalf("verify: %d, %v", n, err)
	}
	closeStore(t, db)
	db = use(t, open)
	if n, err := db.VerifyAudit(ctx); err != nil || n != 5 {
		t.Fatalf("verify after reopen: %d, %v", n, err)
	}
	entries, _ := db.AuditLog(ctx, 1, 10)
	if len(entries) != 5 || entries[0].Prev != "" || entries[1].Prev != entries[0].Hash {
		t.Fatalf("entries %+v", entries)
	}
	if entries[0].Seq != 1 || entries[4].Seq != 5 || entries[0].Time.IsZero() {
		t.Fatalf("sequence numbers and times: %+v", entries)
	}
	if page, _ := db.AuditLog(ctx, 3, 2); len(page) != 2 || page[0].Seq != 3 || page[1].Seq != 4 {
		t.Fatalf("page from 3: %+v", page)
	}
	if n, err := db.AuditHead(ctx); err != nil || n != 5 {
		t.Fatalf("head: %d, %v", n, err)
	}
	if s1, _ := db.AuditFor(ctx, "s1"); len(s1) != 2 || s1[0].Seq != 2 || s1[1].Seq != 4 {
		t.Fatalf("entries about s1: %+v", s1)
	}
}

// testAuditConcurrentAppends: writers appending at once form one chain.
func testAuditConcurrentAppends(t *testing.T, open func() store.Store) {
	db := use(t, open)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if err := db.Append(ctx, store.Audit{Actor: "u", Action: store.AuditSync, Subject: "x"}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != 80 {
		t.Fatalf("verify: %d, %v", n, err)
	}
}

func testSetup(t *testing.T, open func() store.Store) {
	db := open()
	if ok, err := db.Initialized(ctx); err != nil || ok {
		t.Fatalf("a new store is initialised: %v, %v", ok, err)
	}
	if demo, err := db.DemoMode(ctx); err != nil || demo {
		t.Fatalf("a new store is a demo: %v, %v", demo, err)
	}
	if err := db.MarkInitialized(ctx, true); err != nil {
		t.Fatal(err)
	}
	closeStore(t, db)
	db = use(t, open)
	if ok, _ := db.Initialized(ctx); !ok {
		t.Fatal("not initialised after MarkInitialized")
	}
	if demo, _ := db.DemoMode(ctx); !demo {
		t.Fatal("not a demo after MarkInitialized(true)")
	}
}

func testPurgeReconciled(t *testing.T, open func() store.Store) {
	db := use(t, open)
	now := time.Now()
	var recs []store.StoredRecord
	for i, id := range []string{"old-entered", "old-void", "new-entered", "waiting"} {
		recs = append(recs, store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: uint64(i + 1),
			Body: []byte(`{}`), BodyHash: id, State: store.StateNew, Received: now.Add(-40 * 24 * time.Hour)})
	}
	if err := db.PutRecords(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	old := now.Add(-31 * 24 * time.Hour)
	if _, err := db.Reconcile(ctx, []string{"old-entered"}, store.Reconciliation{Action: store.ActionEntered, By: "k", At: old}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Reconcile(ctx, []string{"old-void"}, store.Reconciliation{Action: store.ActionVoid, Reason: "dup", By: "k", At: old}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Reconcile(ctx, []string{"new-entered"}, store.Reconciliation{Action: store.ActionEntered, By: "k", At: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	n, err := db.PurgeReconciled(ctx, now.Add(-30*24*time.Hour), now)
	if err != nil || n != 2 {
		t.Fatalf("purged %d, %v", n, err)
	}
	cases := map[string]bool{"old-entered": false, "old-void": false, "new-entered": true, "waiting": true}
	for id, kept := range cases {
		_, err := db.StoredRecordByID(ctx, id)
		if kept != (err == nil) || (!kept && !errors.Is(err, store.ErrNotFound)) {
			t.Errorf("%s: kept=%v err=%v", id, kept, err)
		}
	}
	page, _, _ := db.ListRecords(ctx, store.RecordFilter{})
	if len(page) != 2 {
		t.Fatalf("the list shows %d records after the purge", len(page))
	}
	if n, _ := db.CountRecords(ctx); n != 2 {
		t.Fatalf("%d records counted after the purge", n)
	}
	if seqs, _ := db.DeviceSeqs(ctx, "d"); len(seqs) != 4 {
		t.Fatalf("sequence numbers %v: a purge must not look like a lost record", seqs)
	}
	// A purged record is still known by its hash (a phone sending it again
	// is told it is a duplicate), and its id stays taken.
	if k, _ := db.Known(ctx, map[string]string{"old-entered": "old-entered", "old-void": "other"}); k["old-entered"] != store.RecordSame || k["old-void"] != store.RecordDifferent {
		t.Fatalf("known after the purge: %v", k)
	}
	again := recs[0]
	again.State = store.StateNew
	if err := db.PutRecords(ctx, []store.StoredRecord{again}, nil); !errors.Is(err, store.ErrRecordExists) {
		t.Fatalf("a purged record stored again: %v", err)
	}
	entries, _ := db.AuditLog(ctx, 1, 100)
	purges := 0
	for _, e := range entries {
		if e.Action == store.AuditPurge {
			purges++
		}
	}
	if purges != 2 {
		t.Fatalf("%d purge entries", purges)
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.PurgeReconciled(ctx, now.Add(-30*24*time.Hour), now); n != 0 {
		t.Fatalf("a second purge removed %d", n)
	}
}

// testBackupAndLoad: what Backup wrote, Load reads into a new store of the
// same implementation whole: accounts, plan, records with their bodies,
// the audit chain.
func testBackupAndLoad(t *testing.T, open func() store.Store, opener Opener) {
	src := use(t, open)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	if err := src.PutAccount(ctx, account("u1", "kari")); err != nil {
		t.Fatal(err)
	}
	if err := src.ApplyPlan(ctx, store.Plan{Units: []care.Unit{{ID: "n", Name: "Nord"}}, Patients: []care.Patient{{ID: "p1", UnitID: "n", Name: "Anna"}}}); err != nil {
		t.Fatal(err)
	}
	if err := src.PutRecords(ctx, []store.StoredRecord{record("r1", "d1", 1, now)}, []store.Audit{{Action: store.AuditSync, Subject: "r1"}}); err != nil {
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
	if a, err := dst.AccountByUsername(ctx, "kari"); err != nil || a.ID != "u1" {
		t.Fatalf("account after load: %+v, %v", a, err)
	}
	if p, err := dst.Patient(ctx, "p1"); err != nil || p.Name != "Anna" {
		t.Fatalf("patient after load: %+v, %v", p, err)
	}
	if r, err := dst.StoredRecordByID(ctx, "r1"); err != nil || string(r.Body) != `{"id":"r1"}` {
		t.Fatalf("record after load: %+v, %v", r, err)
	}
	if n, err := dst.VerifyAudit(ctx); err != nil || n != 1 {
		t.Fatalf("audit after load: %d, %v", n, err)
	}
}

// testCapacity: a store that opened normally takes writes, and what it
// says about its space agrees with what it admits (the disk the test runs
// on decides which).
func testCapacity(t *testing.T, open func() store.Store) {
	db := use(t, open)
	if m := db.Mode(); m != store.ModeReadWrite {
		t.Fatalf("mode %s", m)
	}
	st := db.Storage()
	if st.Mode != store.ModeReadWrite {
		t.Fatalf("storage mode %s", st.Mode)
	}
	release, err := db.ReserveWrite(1 << 10)
	switch {
	case st.BulkWrites && err != nil:
		t.Fatalf("bulk writes taken, yet a 1 KiB write was refused: %v", err)
	case !st.BulkWrites && !errors.Is(err, store.ErrInsufficientStorage):
		t.Fatalf("bulk writes refused (%s), yet ReserveWrite said %v", st.Reason, err)
	case err == nil:
		release()
		release() // release is idempotent
	}
}

// testScanRecords: the desk's start reads every record held once,
// without bodies, reconciled ones as they now are and purged ones not at
// all; an error of fn ends the scan.
func testScanRecords(t *testing.T, open func() store.Store) {
	db := use(t, open)
	const n = 1234
	walkRecordsFixture(t, db, n)
	listed := map[string]store.StoredRecord{}
	for _, r := range listAllRecords(t, db) {
		listed[r.ID] = r
	}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	var some []string
	for id := range listed {
		if some = append(some, id); len(some) == 10 {
			break
		}
	}
	if _, err := db.Reconcile(ctx, some[:5], store.Reconciliation{Action: store.ActionEntered, By: "k", At: now.Add(-48 * time.Hour), EHRRef: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Reconcile(ctx, some[5:], store.Reconciliation{Action: store.ActionVoid, By: "k", At: now, Reason: "y"}); err != nil {
		t.Fatal(err)
	}
	if purged, err := db.PurgeReconciled(ctx, now.Add(-24*time.Hour), now); err != nil || purged != 5 {
		t.Fatalf("purged %d, %v", purged, err)
	}
	seen := map[string]bool{}
	err := db.ScanRecords(ctx, func(r store.StoredRecord) error {
		if seen[r.ID] {
			return fmt.Errorf("record %s given twice", r.ID)
		}
		seen[r.ID] = true
		if len(r.Body) != 0 || len(r.Sig) != 0 {
			return fmt.Errorf("record %s given with its body", r.ID)
		}
		want, ok := listed[r.ID]
		switch {
		case !ok:
			return fmt.Errorf("record %s scanned but never stored", r.ID)
		case slices.Contains(some[:5], r.ID):
			return fmt.Errorf("purged record %s scanned", r.ID)
		case slices.Contains(some[5:], r.ID):
			if r.State != store.StateVoid {
				return fmt.Errorf("voided record %s scanned as %s", r.ID, r.State)
			}
		case r.State != want.State || !r.Received.Equal(want.Received) || r.PatientID != want.PatientID || r.Seq != want.Seq:
			return fmt.Errorf("record %s scanned as %+v, listed as %+v", r.ID, r, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n-5 {
		t.Fatalf("scanned %d records, want %d", len(seen), n-5)
	}
	stop := errors.New("enough")
	calls := 0
	err = db.ScanRecords(ctx, func(store.StoredRecord) error {
		if calls++; calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Fatalf("scan went on after an error: %d calls, %v", calls, err)
	}
}

// listAllRecords reads every record through ListRecords' pages.
func listAllRecords(t *testing.T, db store.Store) []store.StoredRecord {
	t.Helper()
	var out []store.StoredRecord
	cursor := ""
	for {
		page, next, err := db.ListRecords(ctx, store.RecordFilter{Cursor: cursor, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if cursor = next; cursor == "" {
			return out
		}
	}
}

// testScanPlan: the desk's start reads every patient, visit and dose
// once, each kind in id order, as the store now holds them.
func testScanPlan(t *testing.T, open func() store.Store) {
	db := use(t, open)
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	v1 := care.Visit{ID: "v1", PatientID: "p1", WorkerID: "w", UnitID: "n", Start: day.Add(9 * time.Hour), DurationMinutes: 30}
	plan := store.Plan{
		Units:    []care.Unit{{ID: "n", Name: "Nord"}, {ID: "s", Name: "Sør"}},
		Patients: []care.Patient{{ID: "p2", UnitID: "n", Name: "B"}, {ID: "p1", UnitID: "n", Name: "A"}, {ID: "p3", UnitID: "s", Name: "C"}},
		Visits:   []care.Visit{{ID: "v2", PatientID: "p2", WorkerID: "w", UnitID: "n", Start: day.Add(8 * time.Hour)}, v1},
		Doses: []care.ScheduledDose{
			{ID: "d2", PatientID: "p1", Medication: "Paracet", Due: day.Add(30 * time.Hour)},
			{ID: "d1", PatientID: "p3", Medication: "Marevan", Due: day.Add(9 * time.Hour), DoubleCheck: true},
		},
	}
	if err := db.ApplyPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	v1.Start = day.Add(7 * time.Hour)
	if err := db.ApplyPlan(ctx, store.Plan{Visits: []care.Visit{v1}}); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := db.ScanPlan(ctx, store.PlanScan{
		Patient: func(p care.Patient) error { got = append(got, "patient "+p.ID+" "+p.UnitID); return nil },
		Visit:   func(v care.Visit) error { got = append(got, "visit "+v.ID+" "+v.Start.Format("15:04")); return nil },
		Dose: func(d care.ScheduledDose) error {
			got = append(got, fmt.Sprintf("dose %s %s %v", d.ID, d.PatientID, d.DoubleCheck))
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"patient p1 n", "patient p2 n", "patient p3 s", "visit v1 07:00", "visit v2 08:00", "dose d1 p3 true", "dose d2 p1 false"}
	if !slices.Equal(got, want) {
		t.Fatalf("scanned %q, want %q", got, want)
	}
	stop := errors.New("enough")
	if err := db.ScanPlan(ctx, store.PlanScan{Visit: func(care.Visit) error { return stop }}); !errors.Is(err, stop) {
		t.Fatalf("scan after an error: %v", err)
	}
}
