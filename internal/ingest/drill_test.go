package ingest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/seal"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// drillNote seals a note for the patient made at created, naming drill.
func (f *fixture) drillNote(t *testing.T, patient, reason, drill string, created time.Time) wire.SealedRecord {
	t.Helper()
	f.seq++
	r := care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordNote, DeviceID: f.dev.ID, AuthorID: "u1",
		PatientID: patient, CreatedAt: created, Seq: f.seq, Text: "drill note", EmergencyReason: reason, DrillID: drill}
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

// A record is a drill record when a drill covers its unit and time,
// whether the phone marked it or not; a drill id the drill does not
// cover (another unit, another time, no such drill) is not believed: the
// record is stored all the same, marked by the server's rule, with an
// audit entry that says so.
func TestSyncMarksDrillRecords(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := f.now.Add(-30 * time.Minute)
	drill := store.Drill{ID: uuid.NewString(), Units: []string{"n"}, Title: "Øvelse", Start: start, End: start.Add(2 * time.Hour), StartedBy: "k", Created: start}
	south := store.Drill{ID: uuid.NewString(), Units: []string{"s"}, Title: "Sør", Start: start, End: start.Add(2 * time.Hour), StartedBy: "k", Created: start}
	for _, d := range []store.Drill{drill, south} {
		if err := f.db.CreateDrill(ctx, d, store.Audit{Actor: "k", Action: store.AuditDrillStart, Subject: d.ID}); err != nil {
			t.Fatal(err)
		}
	}
	before := start.Add(-time.Minute)
	cases := []struct {
		name     string
		item     wire.SealedRecord
		want     string
		mismatch bool
	}{
		{"marked by the phone", f.drillNote(t, f.pOwn, "", drill.ID, f.now), drill.ID, false},
		{"not marked, inside the drill", f.drillNote(t, f.pOwn, "", "", f.now), drill.ID, false},
		{"not marked, before the drill", f.drillNote(t, f.pOwn, "", "", before), "", false},
		{"marked, before the drill", f.drillNote(t, f.pOwn, "", drill.ID, before), "", true},
		{"another unit's drill", f.drillNote(t, f.pOwn, "", south.ID, f.now), drill.ID, true},
		{"no such drill, before any", f.drillNote(t, f.pOwn, "", uuid.NewString(), before), "", true},
		{"unit part, covered", f.drillNote(t, f.pUnit, "covering", "", f.now), drill.ID, false},
	}
	for _, c := range cases {
		out, err := Sync(ctx, f.db, f.keys, wire.SyncRequest{DeviceID: f.dev.ID, Records: []wire.SealedRecord{c.item}}, f.now)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res := out.Response.Results[0]; res.Status != wire.SyncAccepted {
			t.Fatalf("%s: %+v, want accepted", c.name, res)
		}
		sr, err := f.db.StoredRecordByID(ctx, c.item.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sr.DrillID != c.want {
			t.Errorf("%s: stored with drill %q, want %q", c.name, sr.DrillID, c.want)
		}
		entries, err := f.db.AuditFor(ctx, c.item.ID)
		if err != nil {
			t.Fatal(err)
		}
		mismatch := false
		for _, e := range entries {
			mismatch = mismatch || e.Action == store.AuditDrillMismatch
		}
		if mismatch != c.mismatch {
			t.Errorf("%s: a mismatch audited %v, want %v (%+v)", c.name, mismatch, c.mismatch, entries)
		}
	}
}
