package ingest

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/seal"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

// fixture is a store with two units, one worker's device and the bundle
// issued to that worker: pOwn on the own list, pUnit in the unit part,
// pOther in the other unit.
type fixture struct {
	db                  *badger.DB
	keys                boxKeys
	dev                 store.Device
	devKey              ed25519.PrivateKey
	pOwn, pUnit, pOther string
	now                 time.Time
	seq                 uint64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := badger.Open(t.TempDir(), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pub, priv, err := seal.NewBoxKey()
	if err != nil {
		t.Fatal(err)
	}
	devPub, devPriv, err := seal.NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, keys: boxKeys{pub, priv}, devKey: ed25519.PrivateKey(devPriv),
		pOwn: uuid.NewString(), pUnit: uuid.NewString(), pOther: uuid.NewString(), now: time.Now().UTC()}
	plan := store.Plan{
		Units: []care.Unit{{ID: "n", Name: "Nord"}, {ID: "s", Name: "Sør"}},
		Patients: []care.Patient{{ID: f.pOwn, UnitID: "n", Name: "Own"}, {ID: f.pUnit, UnitID: "n", Name: "Unit"},
			{ID: f.pOther, UnitID: "s", Name: "Other"}},
	}
	if err := db.ApplyPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	acct := store.Account{User: care.User{ID: "u1", Username: "anna", Name: "Anna", Role: care.RoleWorker, Units: []string{"n"}}}
	if err := db.PutAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	f.dev = store.Device{ID: uuid.NewString(), UserID: "u1", PublicKey: devPub, Created: f.now, LastSeen: f.now}
	if err := db.PutDevice(ctx, f.dev); err != nil {
		t.Fatal(err)
	}
	b := store.IssuedBundle{ID: uuid.NewString(), UserID: "u1", DeviceID: f.dev.ID, IssuedAt: f.now.Add(-time.Hour),
		ExpiresAt: f.now.Add(7 * time.Hour), OwnPatients: []string{f.pOwn}, UnitPatients: []string{f.pUnit}}
	if err := db.PutIssuedBundle(ctx, b); err != nil {
		t.Fatal(err)
	}
	return f
}

// note seals a note by the fixture's device for the patient, signed with
// key (the device's own when nil).
func (f *fixture) note(t *testing.T, patient, reason string, key ed25519.PrivateKey) wire.SealedRecord {
	t.Helper()
	if key == nil {
		key = f.devKey
	}
	f.seq++
	r := care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordNote, DeviceID: f.dev.ID, AuthorID: "u1",
		PatientID: patient, CreatedAt: f.now, Seq: f.seq, Text: "note", EmergencyReason: reason}
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := seal.SealRecord(body, key, f.keys.pub)
	if err != nil {
		t.Fatal(err)
	}
	return wire.SealedRecord{ID: r.ID, Sealed: sealed}
}

// Every record goes through authorisation, whatever the state of its
// device and author; that state decides only what becomes of a record
// that passes: accepted, or held for review.
func TestSyncAuthorisesHeldRecords(t *testing.T) {
	_, forger, _ := seal.NewSigningKey()
	type kind struct {
		name   string
		item   func(t *testing.T, f *fixture) wire.SealedRecord
		passes bool
		code   wire.Code
		signed bool // signed by the device's key
	}
	kinds := []kind{
		{"own patient", func(t *testing.T, f *fixture) wire.SealedRecord { return f.note(t, f.pOwn, "", nil) }, true, "", true},
		{"unit part with a reason", func(t *testing.T, f *fixture) wire.SealedRecord { return f.note(t, f.pUnit, "covering", nil) }, true, "", true},
		{"unit part without a reason", func(t *testing.T, f *fixture) wire.SealedRecord { return f.note(t, f.pUnit, "", nil) }, false, wire.CodeForbidden, true},
		{"another unit's patient", func(t *testing.T, f *fixture) wire.SealedRecord { return f.note(t, f.pOther, "covering", nil) }, false, wire.CodeForbidden, true},
		{"a patient that does not exist", func(t *testing.T, f *fixture) wire.SealedRecord { return f.note(t, uuid.NewString(), "covering", nil) }, false, wire.CodeForbidden, true},
		{"another key", func(t *testing.T, f *fixture) wire.SealedRecord {
			return f.note(t, f.pOwn, "", ed25519.PrivateKey(forger))
		}, false, wire.CodeForbidden, false},
	}
	states := []struct {
		name   string
		set    func(t *testing.T, f *fixture)
		passed string // the status of a record that passes
		held   string
		wipe   bool
	}{
		{"active", func(*testing.T, *fixture) {}, wire.SyncAccepted, "", false},
		{"revoked device", func(t *testing.T, f *fixture) {
			if _, err := f.db.RevokeDevice(context.Background(), f.dev.ID, "admin", f.now); err != nil {
				t.Fatal(err)
			}
		}, wire.SyncQuarantined, store.HeldDeviceRevoked, true},
		{"disabled author", func(t *testing.T, f *fixture) {
			a, err := f.db.Account(context.Background(), "u1")
			if err != nil {
				t.Fatal(err)
			}
			a.Disabled = true
			if err := f.db.PutAccount(context.Background(), a); err != nil {
				t.Fatal(err)
			}
		}, wire.SyncQuarantined, store.HeldAuthorDisabled, false},
	}
	for _, st := range states {
		for _, k := range kinds {
			t.Run(fmt.Sprintf("%s/%s", st.name, k.name), func(t *testing.T) {
				f := newFixture(t)
				st.set(t, f)
				item := k.item(t, f)
				out, err := Sync(context.Background(), f.db, f.keys, wire.SyncRequest{DeviceID: f.dev.ID, Records: []wire.SealedRecord{item}}, f.now)
				if err != nil {
					t.Fatal(err)
				}
				res := out.Response.Results[0]
				if out.Response.Wipe != st.wipe {
					t.Fatalf("wipe %v, want %v", out.Response.Wipe, st.wipe)
				}
				if want := map[bool]int{true: 1, false: 0}[k.signed]; out.Verified != want {
					t.Fatalf("verified %d, want %d", out.Verified, want)
				}
				stored, serr := f.db.StoredRecordByID(context.Background(), item.ID)
				if !k.passes {
					if res.Status != wire.SyncRejected || res.Code != k.code || serr == nil {
						t.Fatalf("result %+v (stored: %v), want rejected/%s", res, serr == nil, k.code)
					}
					return
				}
				if res.Status != st.passed || serr != nil || stored.Quarantined != (st.held != "") || stored.HeldFor != st.held {
					t.Fatalf("result %+v; stored quarantined=%v held_for=%q, %v; want %s", res, stored.Quarantined, stored.HeldFor, serr, st.passed)
				}
			})
		}
	}
}

// flakyStore is the fixture's store with one lookup failing the way a
// database does while it fails over: an error that is not ErrNotFound.
type flakyStore struct {
	*badger.DB
	patientErr, visitErr error
}

func (s flakyStore) Patient(ctx context.Context, id string) (care.Patient, error) {
	if s.patientErr != nil {
		return care.Patient{}, s.patientErr
	}
	return s.DB.Patient(ctx, id)
}

func (s flakyStore) Visit(ctx context.Context, id string) (care.Visit, error) {
	if s.visitErr != nil {
		return care.Visit{}, s.visitErr
	}
	return s.DB.Visit(ctx, id)
}

// A store that cannot answer whether the patient or the visit exists
// fails the request, and stores nothing: a record is rejected, which is
// final on the phone, only when the store says what it names is not there.
func TestSyncStoreFailingMidAuthorisationRejectsNothing(t *testing.T) {
	down := fmt.Errorf("patient: %w", store.ErrUnavailable)
	cases := []struct {
		name     string
		store    func(f *fixture) Store
		visit    bool
		wantErr  bool
		wantCode wire.Code // when the request is answered
	}{
		{"patient lookup fails", func(f *fixture) Store { return flakyStore{DB: f.db, patientErr: down} }, false, true, ""},
		{"visit lookup fails", func(f *fixture) Store { return flakyStore{DB: f.db, visitErr: down} }, true, true, ""},
		{"patient not there", func(f *fixture) Store {
			return flakyStore{DB: f.db, patientErr: fmt.Errorf("patient x: %w", store.ErrNotFound)}
		}, false, false, wire.CodeForbidden},
		{"visit not there", func(f *fixture) Store { return flakyStore{DB: f.db} }, true, false, wire.CodeInvalidInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			item := f.note(t, f.pOwn, "", nil)
			if c.visit {
				item = f.noteWithVisit(t, f.pOwn, uuid.NewString())
			}
			out, err := Sync(context.Background(), c.store(f), f.keys, wire.SyncRequest{DeviceID: f.dev.ID, Records: []wire.SealedRecord{item}}, f.now)
			if _, serr := f.db.StoredRecordByID(context.Background(), item.ID); serr == nil {
				t.Fatalf("the record was stored")
			}
			if c.wantErr {
				if err == nil || !errors.Is(err, store.ErrUnavailable) {
					t.Fatalf("err %v, results %+v; want the request failed as unavailable", err, out.Response.Results)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res := out.Response.Results[0]; res.Status != wire.SyncRejected || res.Code != c.wantCode {
				t.Fatalf("result %+v, want rejected/%s", res, c.wantCode)
			}
		})
	}
}

// noteWithVisit seals a note by the fixture's device that names a visit.
func (f *fixture) noteWithVisit(t *testing.T, patient, visit string) wire.SealedRecord {
	t.Helper()
	f.seq++
	r := care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordNote, DeviceID: f.dev.ID, AuthorID: "u1",
		PatientID: patient, VisitID: visit, CreatedAt: f.now, Seq: f.seq, Text: "note"}
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := seal.SealRecord(body, f.devKey, f.keys.pub)
	if err != nil {
		t.Fatal(err)
	}
	return wire.SealedRecord{ID: r.ID, Sealed: sealed}
}

// countingStore counts the calls that ask which ids are stored.
type countingStore struct {
	*badger.DB
	known int
}

func (s *countingStore) Known(ctx context.Context, hashes map[string]string) (map[string]store.RecordStatus, error) {
	s.known++
	return s.DB.Known(ctx, hashes)
}

// A batch of new records is written without asking the store first which
// ids it knows (the write refuses a taken id by itself); a batch with a
// stored record in it is decided again asking first, and answers each
// record as before: the stored one a duplicate, even when authorisation
// would now refuse it (its patient has left the author's shifts), the
// new one accepted, nothing written twice.
func TestSyncAsksForKnownIDsOnlyWhenNeeded(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	db := &countingStore{DB: f.db}
	first := []wire.SealedRecord{f.note(t, f.pOwn, "", nil), f.note(t, f.pOwn, "", nil)}
	out, err := Sync(ctx, db, f.keys, wire.SyncRequest{DeviceID: f.dev.ID, Records: first}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Response.Results {
		if r.Status != wire.SyncAccepted {
			t.Fatalf("first batch: %+v", out.Response.Results)
		}
	}
	if db.known != 0 {
		t.Fatalf("a batch of new records asked the store %d times which ids it knows, want 0", db.known)
	}

	// The patient leaves the author's shifts: a new bundle lists someone
	// else, and the old one is gone from the lookback.
	b := store.IssuedBundle{ID: uuid.NewString(), UserID: "u1", DeviceID: f.dev.ID, IssuedAt: f.now.Add(-time.Hour),
		ExpiresAt: f.now.Add(7 * time.Hour), OwnPatients: []string{f.pUnit}}
	if err := f.db.PutIssuedBundle(ctx, b); err != nil {
		t.Fatal(err)
	}
	later := f.now.Add(BundleLookback + 8*time.Hour)
	b2 := b
	b2.ID, b2.IssuedAt, b2.ExpiresAt = uuid.NewString(), later.Add(-time.Hour), later.Add(7*time.Hour)
	if err := f.db.PutIssuedBundle(ctx, b2); err != nil {
		t.Fatal(err)
	}
	// A new record for the patient is now refused, so the stored ones
	// below would be too if they were decided as new.
	gone := f.note(t, f.pOwn, "", nil)
	out, err = Sync(ctx, db, f.keys, wire.SyncRequest{DeviceID: f.dev.ID, Records: []wire.SealedRecord{gone}}, later)
	if err != nil || out.Response.Results[0].Code != wire.CodeForbidden {
		t.Fatalf("a record for a patient no longer in a shift: %+v, %v; want forbidden", out.Response.Results, err)
	}
	fresh := f.note(t, f.pUnit, "", nil)
	again := []wire.SealedRecord{first[0], fresh, first[1]}
	out, err = Sync(ctx, db, f.keys, wire.SyncRequest{DeviceID: f.dev.ID, Records: again}, later)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{wire.SyncDuplicate, wire.SyncAccepted, wire.SyncDuplicate}
	for i, r := range out.Response.Results {
		if r.Status != want[i] {
			t.Fatalf("second batch result %d: %+v, want %s", i, r, want[i])
		}
	}
	if db.known == 0 {
		t.Fatalf("a batch with stored records was decided without asking which ids are stored")
	}
	if n, err := f.db.CountRecords(ctx); err != nil || n != 3 {
		t.Fatalf("stored %d records (%v), want 3", n, err)
	}
}

// deviceKey is the fixture device's public key as open checks with it.
func (f *fixture) deviceKey(t *testing.T) DeviceKey {
	t.Helper()
	k, err := NewDeviceKey(f.dev.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
