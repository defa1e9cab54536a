package shift_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"beredskap/app/vault"
	"beredskap/internal/care"
)

// TestFullPhoneStorageSaysNotSaved: when the browser's storage refuses a
// commit, the record is not in the outbox, the user is told it was not
// saved (and, for a full quota, why), and the same record saves once the
// storage takes writes again.
func TestFullPhoneStorageSaysNotSaved(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	patient := ownVisit(s).PatientID
	cases := []struct {
		name string
		fail error
		want string
	}{
		{"quota used up", fmt.Errorf("vault commit: %w: QuotaExceededError", vault.ErrQuotaExceeded), "error.quota_not_saved"},
		{"other storage failure", errors.New("vault commit: UnknownError"), "error.not_saved"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			waiting, records := s.Outbox().Waiting(), len(s.Outbox().Records(patient))
			ph.store.FailCommits = c.fail
			_, err := s.Outbox().Write(ctx, care.Record{Type: care.RecordNote, PatientID: patient, Text: "Sov da jeg kom"})
			ph.store.FailCommits = nil
			if err == nil {
				t.Fatal("a refused commit was reported as saved")
			}
			if got, want := s.Outbox().NotSaved(err), s.T(c.want); got != want {
				t.Fatalf("the user reads %q, want %q", got, want)
			}
			if s.Outbox().NotSaved(err) == s.T("form.saved") {
				t.Fatal("says saved")
			}
			if s.Outbox().Waiting() != waiting || len(s.Outbox().Records(patient)) != records {
				t.Fatalf("after a refused commit: %d waiting, %d records; before %d, %d", s.Outbox().Waiting(), len(s.Outbox().Records(patient)), waiting, records)
			}
			if _, err := s.Outbox().Write(ctx, care.Record{Type: care.RecordNote, PatientID: patient, Text: "Sov da jeg kom"}); err != nil {
				t.Fatalf("with room again: %v", err)
			}
			if s.Outbox().Waiting() != waiting+1 {
				t.Fatalf("with room again: %d waiting, want %d", s.Outbox().Waiting(), waiting+1)
			}
		})
	}
}
