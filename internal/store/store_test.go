package store

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"beredskap/internal/care"
)

func openTest(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestAccountsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir)
	a := Account{User: care.User{ID: "u1", Username: "Anna", Name: "Anna Berg", Role: care.RoleWorker, Units: []string{"n"}}, PasswordHash: "h"}
	if err := db.PutAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, dir)
	defer db.Close()
	got, err := db.AccountByUsername(ctx, "anna")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Anna Berg" || got.PasswordHash != "h" || got.Role != care.RoleWorker {
		t.Fatalf("after reopen: %+v", got)
	}
}

func TestAccountUsernames(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	cases := []struct {
		name string
		acc  Account
		want error
	}{
		{"first", Account{User: care.User{ID: "1", Username: "kari", Role: care.RoleCoordinator}}, nil},
		{"same user again", Account{User: care.User{ID: "1", Username: "kari", Role: care.RoleCoordinator}}, nil},
		{"other user, same name in other case", Account{User: care.User{ID: "2", Username: "KARI", Role: care.RoleWorker}}, ErrUsernameTaken},
		{"rename frees the old name", Account{User: care.User{ID: "1", Username: "kari2", Role: care.RoleCoordinator}}, nil},
		{"old name is free", Account{User: care.User{ID: "2", Username: "kari", Role: care.RoleWorker}}, nil},
	}
	for _, c := range cases {
		if err := db.PutAccount(ctx, c.acc); !errors.Is(err, c.want) {
			t.Fatalf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
	if a, err := db.AccountByUsername(ctx, "kari"); err != nil || a.ID != "2" {
		t.Fatalf("kari = %+v, %v", a, err)
	}
	if err := db.PutAccount(ctx, Account{User: care.User{ID: "3", Username: "x", Role: "boss"}}); err == nil {
		t.Fatal("invalid role accepted")
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	live := Session{TokenHash: "aa", UserID: "u1", Created: time.Now(), Expires: time.Now().Add(time.Hour)}
	other := Session{TokenHash: "bb", UserID: "u1", Created: time.Now(), Expires: time.Now().Add(time.Hour)}
	for _, s := range []Session{live, other} {
		if err := db.PutSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutSession(ctx, Session{TokenHash: "cc", UserID: "u1", Expires: time.Now().Add(-time.Second)}); err == nil {
		t.Fatal("expired session stored")
	}
	if s, err := db.Session(ctx, "aa"); err != nil || s.UserID != "u1" {
		t.Fatalf("session = %+v, %v", s, err)
	}
	if err := db.DeleteSession(ctx, live); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, "aa"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted session: %v", err)
	}
	if err := db.DeleteUserSessions(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, "bb"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("session after DeleteUserSessions: %v", err)
	}
}

func TestPlanIndexes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir)
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	v1 := care.Visit{ID: "v1", PatientID: "p1", WorkerID: "w", UnitID: "n", Start: day.Add(9 * time.Hour), DurationMinutes: 30}
	v2 := care.Visit{ID: "v2", PatientID: "p2", WorkerID: "w", UnitID: "n", Start: day.Add(8 * time.Hour), DurationMinutes: 30}
	tomorrow := care.Visit{ID: "v3", PatientID: "p1", WorkerID: "w", UnitID: "n", Start: day.Add(33 * time.Hour)}
	plan := Plan{
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
	if err := db.ApplyPlan(ctx, Plan{Visits: []care.Visit{v1}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openTest(t, dir)
	defer db.Close()

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
}

func TestApplyPlanIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	bad := Plan{
		Patients: []care.Patient{{ID: "p1", UnitID: "n", Name: "A"}},
		Visits:   []care.Visit{{ID: "v1", PatientID: "p1"}}, // no unit
	}
	if err := db.ApplyPlan(ctx, bad); err == nil {
		t.Fatal("bad plan accepted")
	}
	if _, err := db.Patient(ctx, "p1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("patient of a failed plan was stored: %v", err)
	}
}

func TestDevicesAndBundles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir)
	d := Device{ID: "d1", UserID: "u1", PublicKey: []byte{1, 2, 3}, Label: "phone", Created: time.Now().UTC()}
	if err := db.PutDevice(ctx, d); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, id := range []string{"b1", "b2"} {
		b := IssuedBundle{ID: id, UserID: "u1", DeviceID: "d1", IssuedAt: now.Add(time.Duration(i) * time.Minute), ExpiresAt: now.Add(8 * time.Hour), OwnPatients: []string{"p1"}}
		if err := db.PutIssuedBundle(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db = openTest(t, dir)
	defer db.Close()
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
}

func TestEncryptedStoreReopens(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := make([]byte, 32)
	db, err := Open(dir, Options{EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyPlan(ctx, Plan{Units: []care.Unit{{ID: "n", Name: "Nord"}}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(dir, Options{}); err == nil {
		t.Fatal("encrypted store opened without its key")
	}
	db, err = Open(dir, Options{EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if u, _ := db.Units(ctx); len(u) != 1 {
		t.Fatalf("units = %v", u)
	}
}

// TestEncryptionAtRestHidesData: a patient's name written to an encrypted
// store is nowhere in the directory's files (write-ahead log, tables,
// value log), while the same name in a plain store is found there, which
// shows the search would find it.
func TestEncryptionAtRestHidesData(t *testing.T) {
	const secret = "Kjellaug Brønnøysund-Tveit"
	for _, c := range []struct {
		name  string
		key   []byte
		found bool
	}{
		{"plain store", nil, true},
		{"encrypted store", bytes.Repeat([]byte{7}, 32), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			db, err := Open(dir, Options{EncryptionKey: c.key})
			if err != nil {
				t.Fatal(err)
			}
			plan := Plan{
				Units:    []care.Unit{{ID: "n", Name: "Nord"}},
				Patients: []care.Patient{{ID: "p", UnitID: "n", Name: secret, Priority: care.PriorityNormal}},
			}
			if err := db.ApplyPlan(ctx, plan); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			found := fileWith(t, dir, secret)
			if (found != "") != c.found {
				t.Fatalf("patient's name found in %q; want found=%v", found, c.found)
			}
		})
	}
}

// fileWith returns the path of a file under dir that holds text, or "".
func fileWith(t *testing.T, dir, text string) string {
	t.Helper()
	found := ""
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(text)) {
			found = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
