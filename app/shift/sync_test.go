package shift_test

import (
	"context"
	"errors"
	"testing"
	"time"

	pages "beredskap/app"
	ui "beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/care"
)

// writeShift writes a note, a signed dose and a visit status for anna's
// first visit, as a worker does offline.
func writeShift(t *testing.T, s *ui.Shift) []care.Record {
	t.Helper()
	ctx := context.Background()
	b := s.Bundle()
	v := pages.OwnVisits(b)[0]
	var dose *care.ScheduledDose
	for _, d := range b.Medications {
		if b.OwnPatient(d.PatientID) {
			dd := d
			dose = &dd
			break
		}
	}
	if dose == nil {
		t.Fatal("no own dose in the bundle")
	}
	at := time.Now().UTC()
	in := []care.Record{
		{Type: care.RecordVisitStatus, PatientID: v.PatientID, VisitID: v.ID, Status: care.VisitStarted, At: &at},
		{Type: care.RecordNote, PatientID: v.PatientID, VisitID: v.ID, Text: "Ate breakfast, in good spirits."},
		{Type: care.RecordMedication, PatientID: dose.PatientID, VisitID: dose.VisitID, ScheduleID: dose.ID,
			Medication: dose.Medication, Dose: dose.Dose, Route: dose.Route, Status: care.DoseGiven,
			AdministeredAt: &at, SignatureSVG: "M10 10 L40 30 L80 12",
			CosignerName: cosigner(dose), CosignerSignatureSVG: cosignature(dose)},
	}
	var out []care.Record
	for _, r := range in {
		w, err := s.Outbox().Write(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, w)
	}
	return out
}

func cosigner(d *care.ScheduledDose) string {
	if d.DoubleCheck {
		return "Kari Lunde"
	}
	return ""
}

func cosignature(d *care.ScheduledDose) string {
	if d.DoubleCheck {
		return "M1 1 L9 9"
	}
	return ""
}

func TestRecordsSyncExactlyOnce(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	online := ph.be
	offline := *be
	offline.url = "http://127.0.0.1:1"

	// The network dies; the worker reloads and works offline.
	s.Keyring().Lock(ui.LockButton)
	ph.be = &offline
	s = ph.open()
	if err := s.Keyring().Unlock(ctx, "123456"); err != nil {
		t.Fatal(err)
	}
	written := writeShift(t, s)
	for i, r := range written {
		if r.Seq != uint64(i+1) || !care.IsUUID(r.ID) {
			t.Fatalf("record %d: seq %d id %q", i, r.Seq, r.ID)
		}
	}
	if s.Outbox().Waiting() != 3 {
		t.Fatalf("waiting %d", s.Outbox().Waiting())
	}
	if err := s.Syncer().SyncNow(ctx); !errors.Is(err, ui.ErrOffline) {
		t.Fatalf("sync offline: %v", err)
	}
	for _, r := range s.Outbox().Records("") {
		if r.State != ui.OutboxWaiting {
			t.Fatalf("state %s while offline", r.State)
		}
	}

	// The network returns: the page is reloaded and unlocked.
	ph.be = online
	s = ph.open()
	if err := s.Keyring().Unlock(ctx, "123456"); err != nil {
		t.Fatal(err)
	}
	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Outbox().Waiting() != 0 {
		t.Fatalf("waiting after sync: %d", s.Outbox().Waiting())
	}
	for _, r := range s.Outbox().Records("") {
		if r.State != ui.OutboxSent {
			t.Fatalf("%s state %s", r.Type, r.State)
		}
	}
	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := be.db.CountRecords(ctx); n != 3 {
		t.Fatalf("server holds %d records, want 3", n)
	}
	for _, r := range written {
		stored, err := be.db.StoredRecordByID(ctx, r.ID)
		if err != nil {
			t.Fatalf("record %s not on the server: %v", r.ID, err)
		}
		got, _ := stored.Record()
		if got.Type != r.Type || got.Seq != r.Seq || got.Text != r.Text {
			t.Fatalf("stored %+v, wrote %+v", got, r)
		}
	}
	// Acknowledged records keep no sealed copy for the server.
	if n, _ := s.Outbox().OutboxCount(ctx); n != 0 {
		t.Fatalf("outbox count %d", n)
	}
}

func TestOutboxSyncsAfterWipeAndLogin(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("nils", "123456")
	written := writeShift(t, s)
	s.Keyring().Lock(ui.LockButton)
	for i := 0; i < ui.MaxPINAttempts; i++ {
		_ = s.Keyring().Unlock(ctx, "000000")
	}
	if s.Phase() != ui.PhaseLogin || s.Outbox().Waiting() != 3 {
		t.Fatalf("after the wipe: phase %v, waiting %d", s.Phase(), s.Outbox().Waiting())
	}
	// Another worker logs in on the same phone: nils's records go out with
	// her session, signed by nils's device.
	if err := s.Keyring().Login(ctx, "anna", "demo", "shared phone"); err != nil {
		t.Fatal(err)
	}
	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Outbox().Waiting() != 0 {
		t.Fatalf("waiting %d", s.Outbox().Waiting())
	}
	for _, r := range written {
		stored, err := be.db.StoredRecordByID(ctx, r.ID)
		if err != nil || stored.AuthorID != r.AuthorID {
			t.Fatalf("record %s: %+v %v", r.ID, stored, err)
		}
	}
}

func TestUnitPartRecordsCarryTheEmergencyReason(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	other := pages.UnitVisits(s.Bundle())[0]
	if _, err := s.Outbox().Write(ctx, care.Record{Type: care.RecordNote, PatientID: other.PatientID, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Outbox().OpenEmergency(ctx, other.PatientID, "Ole is ill"); err != nil {
		t.Fatal(err)
	}
	r, err := s.Outbox().Write(ctx, care.Record{Type: care.RecordNote, PatientID: other.PatientID, VisitID: other.ID, Text: "Visited instead of Ole"})
	if err != nil {
		t.Fatal(err)
	}
	if r.EmergencyReason != "Ole is ill" {
		t.Fatalf("emergency reason %q", r.EmergencyReason)
	}
	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, lr := range s.Outbox().Records(other.PatientID) {
		states[lr.Text+lr.Reason] = lr.State
	}
	// The note written before the reason was refused; the others went in.
	if states["x"] != ui.OutboxRejected || states["Ole is ill"] != ui.OutboxSent || states["Visited instead of Ole"] != ui.OutboxSent {
		t.Fatalf("states %v", states)
	}
}

func TestRevokedDeviceIsQuarantinedAndWiped(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	written := writeShift(t, s)
	dev, err := be.db.Device(ctx, written[0].DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	dev.Revoked = &now
	if err := be.db.PutDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Phase() != ui.PhaseLogin || s.Keyring().WipeReason() != ui.WipeRevoked {
		t.Fatalf("phase %v reason %q", s.Phase(), s.Keyring().WipeReason())
	}
	for _, r := range written {
		stored, err := be.db.StoredRecordByID(ctx, r.ID)
		if err != nil || !stored.Quarantined {
			t.Fatalf("%s: %+v %v", r.ID, stored, err)
		}
	}
	if s.Outbox().Waiting() != 0 {
		t.Fatalf("quarantined records still waiting: %d", s.Outbox().Waiting())
	}
}

func TestAcknowledgedRecordsLeaveThePhoneWithTheShift(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	writeShift(t, s)
	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	// While the shift is on the phone, the sent records stay for display.
	if entries, _ := ph.store.List(ctx, vault.Outbox); len(entries) != 3 {
		t.Fatalf("outbox holds %d entries during the shift", len(entries))
	}
	// A record written offline, then the shift ends.
	if _, err := s.Outbox().Write(ctx, care.Record{Type: care.RecordNote, PatientID: pages.OwnVisits(s.Bundle())[0].PatientID, Text: "late"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Keyring().Wipe(ctx, ui.WipeLogout); err != nil {
		t.Fatal(err)
	}
	s = ph.open()
	entries, _ := ph.store.List(ctx, vault.Outbox)
	if len(entries) != 1 || s.Outbox().Waiting() != 1 {
		t.Fatalf("after the shift: %d entries, %d waiting; want only the unsent one", len(entries), s.Outbox().Waiting())
	}
}
