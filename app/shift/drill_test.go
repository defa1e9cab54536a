package shift_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// outboxRecords opens every record in the phone's outbox as the server
// would, by id.
func outboxRecords(t *testing.T, ph *phone, be *backend) map[string]care.Record {
	t.Helper()
	entries, err := ph.store.List(context.Background(), vault.Outbox)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]care.Record{}
	for _, e := range entries {
		var o struct {
			Sealed []byte `json:"sealed"`
		}
		if err := json.Unmarshal(e.Value, &o); err != nil {
			t.Fatal(err)
		}
		opened, err := be.keys.OpenRecord(o.Sealed)
		if err != nil {
			t.Fatal(err)
		}
		var env wire.SignedRecord
		if err := json.Unmarshal(opened, &env); err != nil {
			t.Fatal(err)
		}
		var r care.Record
		if err := json.Unmarshal(env.Body, &r); err != nil {
			t.Fatal(err)
		}
		out[r.ID] = r
	}
	return out
}

// A shift fetched while a drill of the worker's unit is under way holds
// it: the phone shows it as active, and every record written while it
// lasts carries its id, signed with the rest; a record written after it
// ended, or about a patient of a unit it does not cover, carries none.
func TestRecordsInADrillAreMarked(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ctx := context.Background()
	anna, err := be.db.AccountByUsername(ctx, "anna")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	drill := store.Drill{ID: uuid.NewString(), Units: []string{anna.Units[0]}, Title: "Strømbrudd", Start: now.Add(-time.Minute),
		End: now.Add(time.Hour), StartedBy: "k", Created: now.Add(-time.Minute)}
	later := store.Drill{ID: uuid.NewString(), Units: []string{anna.Units[0]}, Title: "Senere", Start: now.Add(3 * time.Hour),
		End: now.Add(4 * time.Hour), StartedBy: "k", Created: now}
	for _, d := range []store.Drill{drill, later} {
		if err := be.db.CreateDrill(ctx, d, store.Audit{Actor: "k", Action: store.AuditDrillStart, Subject: d.ID}); err != nil {
			t.Fatal(err)
		}
	}
	ph := newPhone(t, be)
	s := ph.shift("anna", "123456")
	b := s.Bundle()
	if len(b.Drills) != 2 {
		t.Fatalf("the bundle holds %d drills, want the active one and the later one", len(b.Drills))
	}
	if d := b.ActiveDrill(ph.clock.Now()); d == nil || d.ID != drill.ID || d.Title != "Strømbrudd" {
		t.Fatalf("active drill %+v", d)
	}
	var own string
	for _, v := range b.Visits {
		if b.Own(v) {
			own = v.PatientID
			break
		}
	}
	in, err := s.Outbox().Write(ctx, care.Record{Type: care.RecordNote, PatientID: own, Text: "Øvelse: tilsyn"})
	if err != nil {
		t.Fatal(err)
	}
	ph.clock.Add(90 * time.Minute) // the drill is over, the later one not begun
	if d := b.ActiveDrill(ph.clock.Now()); d != nil {
		t.Fatalf("a drill shown as active between drills: %+v", d)
	}
	after, err := s.Outbox().Write(ctx, care.Record{Type: care.RecordNote, PatientID: own, Text: "Ekte notat"})
	if err != nil {
		t.Fatal(err)
	}
	recs := outboxRecords(t, ph, be)
	if r := recs[in.ID]; r.DrillID != drill.ID || in.DrillID != drill.ID {
		t.Errorf("the note in the drill carries drill %q (returned %q), want %s", r.DrillID, in.DrillID, drill.ID)
	}
	if r := recs[after.ID]; r.DrillID != "" {
		t.Errorf("the note after the drill carries drill %q", r.DrillID)
	}
	if b.DrillFor("no-such-patient", now) != "" {
		t.Error("a patient outside the bundle is in a drill")
	}
}
