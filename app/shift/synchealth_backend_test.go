package shift_test

import (
	"context"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// reportOf returns the server's latest outbox report of the device.
func reportOf(t *testing.T, be *backend, deviceID string) *store.OutboxReport {
	t.Helper()
	reps, err := be.db.OutboxReports(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range reps {
		if reps[i].DeviceID == deviceID {
			return &reps[i]
		}
	}
	return nil
}

// Against the real server: the bundle fetch reports the records waiting
// on the phone, with the oldest one's time, and the sync that sends them
// reports the outbox empty; an acknowledged important announcement's
// read mark reaches the server with the next sync.
func TestTheServerHearsTheOutboxAndTheReadMarks(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	dev := s.Bundle().DeviceID
	recs := writeShift(t, s)
	// An important announcement for anna's unit, which the refresh brings.
	posted := time.Now().Add(-time.Minute).UTC()
	if err := be.db.PostAnnouncement(ctx, care.Announcement{ID: "0190b6a2-0000-7000-8000-0000000000a1", Units: []string{s.Bundle().Units[0].ID}, Level: care.LevelImportant,
		Text: "Les dette", Author: "Kari Lunde", Posted: posted}); err != nil {
		t.Fatal(err)
	}

	if err := s.Keyring().Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	rep := reportOf(t, be, dev)
	if rep == nil || rep.Waiting != len(recs) || rep.OldestWaiting == nil || !rep.OldestWaiting.Equal(recs[0].CreatedAt) {
		t.Fatalf("after the bundle fetch: %+v, want %d waiting since %s", rep, len(recs), recs[0].CreatedAt)
	}

	var important care.Announcement
	for _, a := range s.UnseenAnnouncements() {
		if a.ID == "0190b6a2-0000-7000-8000-0000000000a1" {
			important = a
		}
	}
	if important.ID == "" {
		t.Fatal("the refreshed shift does not show the announcement")
	}
	s.MarkAnnouncementsSeen(ctx)
	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if rep := reportOf(t, be, dev); rep == nil || rep.Waiting != 0 || rep.OldestWaiting != nil {
		t.Fatalf("after the sync: %+v, want nothing waiting", rep)
	}
	reads, err := be.db.AnnouncementReads(ctx, []string{important.ID})
	if err != nil || len(reads) != 1 || reads[0].UserID != s.Bundle().UserID || reads[0].DeviceID != dev {
		t.Fatalf("read marks %+v, %v", reads, err)
	}
}
