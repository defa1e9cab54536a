package ingest

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
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
