package postgres

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
	"beredskap/internal/store"
	"beredskap/internal/store/postgres/pgtest"
)

// TestSealedAtRest: a patient's name, address and allergy, a user's
// display name, a record's signed body and an audit detail are nowhere
// in the cluster's files (its tables, its WAL, everything under the
// data directory) after a checkpoint; with sealing bypassed, the same
// test finds them, so it can fail.
func TestSealedAtRest(t *testing.T) {
	cases := []struct {
		name      string
		plaintext bool
		secret    string // distinct per case: both write to one cluster
	}{
		{"sealed", false, "Ingeborg Sealedsdottir Krokvik"},
		{"plaintext", true, "Ragnhild Plainsdottir Vesterli"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db := openTest(t, pgtest.NewDatabase(t), Options{plaintext: c.plaintext})
			secrets := map[string]string{
				"patient name": c.secret,
				"address":      "Addr " + c.secret,
				"allergy":      "Allergy " + c.secret,
				"user's name":  "User " + c.secret,
				"record body":  "Body " + c.secret,
				"audit detail": "Comment " + c.secret,
			}
			err := db.ApplyPlan(ctx, store.Plan{
				Units:    []care.Unit{{ID: "n", Name: "Nord"}},
				Patients: []care.Patient{{ID: "p1", UnitID: "n", Name: secrets["patient name"], Address: secrets["address"], Allergies: []string{secrets["allergy"]}}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.PutAccount(ctx, store.Account{User: care.User{ID: "u1", Username: "worker1", Name: secrets["user's name"], Role: care.RoleWorker}, PasswordHash: "h"}); err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			r := store.StoredRecord{ID: "r1", DeviceID: "d1", AuthorID: "u1", PatientID: "p1", UnitID: "n", Seq: 1, State: store.StateNew,
				Received: now, BodyHash: "h1", Body: []byte(`{"text":"` + secrets["record body"] + `"}`), Sig: []byte("sig")}
			if err := db.PutRecords(ctx, []store.StoredRecord{r}, []store.Audit{{Action: store.AuditSync, Subject: "r1"}}); err != nil {
				t.Fatal(err)
			}
			if err := db.ResolveFinding(ctx, "missed:v1", store.FindingResolution{By: "u1", Comment: secrets["audit detail"], At: now}); err != nil {
				t.Fatal(err)
			}
			// What was stored reads back whole.
			if p, err := db.Patient(ctx, "p1"); err != nil || p.Name != c.secret {
				t.Fatalf("patient: %+v, %v", p, err)
			}
			cl := pgtest.Shared(t)
			if err := cl.Exec(ctx, "postgres", "CHECKPOINT"); err != nil {
				t.Fatal(err)
			}
			for what, s := range secrets {
				files := filesHolding(t, cl.DataDir, []byte(s))
				switch {
				case c.plaintext && len(files) == 0:
					t.Errorf("unsealed, the %s %q is in no file: the search cannot see what it looks for", what, s)
				case !c.plaintext && len(files) > 0:
					t.Errorf("the %s %q is in clear in %v", what, s, files)
				}
			}
		})
	}
}

// filesHolding lists the files under dir that contain b.
func filesHolding(t *testing.T, dir string, b []byte) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // a file the server removed meanwhile
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil // directories, the server's socket
		}
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if bytes.Contains(data, b) {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSealBindsRow: a sealed value copied into another row, or read
// with another key, does not open.
func TestSealBindsRow(t *testing.T) {
	s, err := newSealer(testKey, false)
	if err != nil {
		t.Fatal(err)
	}
	v := s.seal(tPatients, "p1", []byte("card"))
	if got, err := s.open(tPatients, "p1", v); err != nil || string(got) != "card" {
		t.Fatalf("open its own row: %q, %v", got, err)
	}
	if _, err := s.open(tPatients, "p2", v); err == nil {
		t.Fatal("a value moved to another row opened")
	}
	if _, err := s.open(tVisits, "p1", v); err == nil {
		t.Fatal("a value moved to another table opened")
	}
	other, _ := newSealer(bytes.Repeat([]byte{8}, 32), false)
	if _, err := other.open(tPatients, "p1", v); err == nil {
		t.Fatal("a value opened with another key")
	}
	plain, _ := newSealer(testKey, true)
	if _, err := s.open(tPatients, "p1", plain.seal(tPatients, "p1", []byte("card"))); !errors.Is(err, errUnsealed) {
		t.Fatalf("an unsealed value was taken by a sealing store: %v", err)
	}
	if _, err := newSealer(make([]byte, 16), false); err == nil {
		t.Fatal("a 16-byte key was taken")
	}
}
