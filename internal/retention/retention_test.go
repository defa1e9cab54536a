package retention

import (
	"context"
	"testing"
	"time"

	"beredskap/internal/servertest"
	"beredskap/internal/store"
)

func TestPurgeKeepsRecordsForTheRetentionPeriod(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		keep   time.Duration
		now    time.Time
		purged int
	}{
		{"inside the period", 7 * 24 * time.Hour, at.Add(6 * 24 * time.Hour), 0},
		{"past the period", 7 * 24 * time.Hour, at.Add(8 * 24 * time.Hour), 1},
		{"no period is the default, inside it", 0, at.Add(Default - time.Hour), 0},
		{"no period is the default, past it", 0, at.Add(Default + time.Hour), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := servertest.New(t, servertest.Options{NoDemo: true})
			rec := store.StoredRecord{ID: "r1", DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: 1,
				Body: []byte(`{"text":"x"}`), BodyHash: "r1", State: store.StateNew, Received: at}
			if err := d.DB.PutRecords(ctx, []store.StoredRecord{rec}, []store.Audit{{Actor: "u", Action: store.AuditSync, Subject: "r1"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := d.DB.Reconcile(ctx, []string{"r1"}, store.Reconciliation{Action: store.ActionEntered, By: "k", EnteredBy: "k", At: at}); err != nil {
				t.Fatal(err)
			}
			n, err := Purge(ctx, d.DB, tc.keep, tc.now)
			if err != nil || n != tc.purged {
				t.Fatalf("purged %d, %v; want %d", n, err, tc.purged)
			}
		})
	}
}
