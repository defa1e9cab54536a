package shift_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	ui "beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/seal"
)

// Storage faults are tested like network faults: each change the phone
// makes to its store is run once to count its writes, then once more for
// every write, with that write failing (as a browser aborts an IndexedDB
// transaction: nothing of it is written). After each failure a restart (a
// fresh Shift over the same memory store, as a reload is) must find a
// consistent phone, and a retry must succeed: nothing the app said was
// saved is lost, and the server takes nothing twice.

// openOn is a page load over a given store (the phone's, or the phone's
// behind a Faulty).
func (p *phone) openOn(st vault.Store) *ui.Shift {
	p.t.Helper()
	s := ui.NewShift(ui.NewAPI(p.be.url), st, ui.Options{KDF: seal0(p), Now: p.clock.Now})
	if err := s.Load(context.Background()); err != nil {
		p.t.Fatal(err)
	}
	return s
}

// restart reloads the page over the phone's store and unlocks with pin.
func (p *phone) restart(pin string) *ui.Shift {
	p.t.Helper()
	s := p.openOn(p.store)
	if s.Phase() != ui.PhaseLocked {
		p.t.Fatalf("after a restart: phase %v, want locked", s.Phase())
	}
	if err := s.Keyring().Unlock(context.Background(), pin); err != nil {
		p.t.Fatalf("after a restart: unlock with %s: %v", pin, err)
	}
	return s
}

// faultyShift is a new phone, its store behind a Faulty, with anna's
// shift open under PIN 123456.
func faultyShift(t *testing.T, be *backend) (*phone, *ui.Shift, *vault.Faulty) {
	t.Helper()
	ctx := context.Background()
	ph := newPhone(t, be)
	f := vault.NewFaulty(ph.store)
	s := ph.openOn(f)
	if err := s.Keyring().Login(ctx, "anna", "demo", "test phone"); err != nil {
		t.Fatal(err)
	}
	if err := s.Keyring().SetPIN(ctx, "123456", "123456"); err != nil {
		t.Fatal(err)
	}
	return ph, s, f
}

// note is a record about one of the shift's own patients.
func note(s *ui.Shift, text string) care.Record {
	v := ownVisit(s)
	return care.Record{Type: care.RecordNote, PatientID: v.PatientID, VisitID: v.ID, Text: text}
}

// serverHasOnce checks that the server stores each record once.
func serverHasOnce(t *testing.T, be *backend, before int, ids ...string) {
	t.Helper()
	ctx := context.Background()
	if n, _ := be.db.CountRecords(ctx); n != before+len(ids) {
		t.Fatalf("the server holds %d new records, want %d", n-before, len(ids))
	}
	for _, id := range ids {
		if _, err := be.db.StoredRecordByID(ctx, id); err != nil {
			t.Fatalf("record %s is not on the server: %v", id, err)
		}
	}
}

// faultRun is one run of a change under test: the phone, the page the
// change runs on, its store behind a Faulty, the records said saved before
// the change, and how many records the server held before it.
type faultRun struct {
	ph      *phone
	s       *ui.Shift
	f       *vault.Faulty
	records []care.Record
	before  int
}

// ids are the records said saved.
func (r *faultRun) ids() []string {
	out := make([]string, len(r.records))
	for i, rec := range r.records {
		out[i] = rec.ID
	}
	return out
}

// keeps checks that a page holds exactly the records said saved.
func keeps(t *testing.T, step int, s *ui.Shift, want ...care.Record) {
	t.Helper()
	got := s.Outbox().Records("")
	if len(got) != len(want) {
		t.Fatalf("step %d: %d records on the phone, want %d", step, len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID {
			t.Fatalf("step %d: record %d is %s, want %s", step, i, got[i].ID, want[i].ID)
		}
	}
}

// TestStorageFaultAtEveryStep: each change is run once to count its
// writes, then again from the same start for every write n, with the nth
// write failing. After the failure the change must say so, a restart must
// find a consistent phone (failed), and a retry must succeed with every
// record said saved reaching the server once (retry).
func TestStorageFaultAtEveryStep(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ctx := context.Background()
	login := func(t *testing.T, s *ui.Shift) {
		t.Helper()
		if err := s.Keyring().Login(ctx, "anna", "demo", "test phone"); err != nil {
			t.Fatal(err)
		}
	}
	// open is anna's shift open under PIN 123456, one note said saved.
	open := func(t *testing.T) *faultRun {
		ph, s, f := faultyShift(t, be)
		rec, err := s.Outbox().Write(ctx, note(s, "Saved before the fault"))
		if err != nil {
			t.Fatal(err)
		}
		return &faultRun{ph: ph, s: s, f: f, records: []care.Record{rec}}
	}
	// sent syncs from a restarted page and checks the server.
	sent := func(t *testing.T, step int, r *faultRun, s *ui.Shift) {
		t.Helper()
		if err := s.Syncer().SyncNow(ctx); err != nil {
			t.Fatalf("step %d: sync: %v", step, err)
		}
		if n, err := s.Outbox().OutboxCount(ctx); err != nil || n != 0 {
			t.Fatalf("step %d: %d waiting after the sync (%v)", step, n, err)
		}
		serverHasOnce(t, be, r.before, r.ids()...)
	}
	cases := []struct {
		name   string
		setup  func(t *testing.T) *faultRun
		change func(r *faultRun) error
		failed func(t *testing.T, step int, r *faultRun)
		retry  func(t *testing.T, step int, r *faultRun)
	}{
		{
			// A phone holding a locked shift with a record waiting logs
			// in again and chooses a new PIN. The old shift must still
			// open with its PIN (a half-stored new shift, or the old
			// one's sealed values cleared, would strand it).
			name: "PIN setup",
			setup: func(t *testing.T) *faultRun {
				ph := newPhone(t, be)
				old := ph.shift("anna", "111111")
				rec, err := old.Outbox().Write(ctx, note(old, "Written under the old PIN"))
				if err != nil {
					t.Fatal(err)
				}
				old.Keyring().Lock(ui.LockButton)
				f := vault.NewFaulty(ph.store)
				s := ph.openOn(f)
				login(t, s)
				return &faultRun{ph: ph, s: s, f: f, records: []care.Record{rec}}
			},
			change: func(r *faultRun) error { return r.s.Keyring().SetPIN(ctx, "222222", "222222") },
			failed: func(t *testing.T, step int, r *faultRun) {
				if r.s.Phase() == ui.PhaseUnlocked {
					t.Fatalf("step %d: a PIN that was not stored opened the shift", step)
				}
				old := r.ph.restart("111111")
				keeps(t, step, old, r.records...)
				old.Keyring().Lock(ui.LockButton)
			},
			retry: func(t *testing.T, step int, r *faultRun) {
				if err := r.s.Keyring().SetPIN(ctx, "222222", "222222"); err != nil {
					t.Fatalf("step %d: retry: %v", step, err)
				}
				sent(t, step, r, r.ph.restart("222222"))
			},
		},
		{
			// A record whose write fails is not said saved, not shown,
			// not counted, and leaves the sequence as it was.
			name:  "record write",
			setup: open,
			change: func(r *faultRun) error {
				_, err := r.s.Outbox().Write(ctx, note(r.s, "Saved at the second try"))
				if err != nil {
					if got, want := r.s.Outbox().NotSaved(err), r.s.T("error.not_saved"); got != want {
						return fmt.Errorf("the user reads %q, want %q (%v)", got, want, err)
					}
				}
				return err
			},
			failed: func(t *testing.T, step int, r *faultRun) {
				if r.s.Outbox().Waiting() != 1 {
					t.Fatalf("step %d: %d waiting after the failed write", step, r.s.Outbox().Waiting())
				}
				keeps(t, step, r.s, r.records...)
				keeps(t, step, r.ph.restart("123456"), r.records...)
			},
			retry: func(t *testing.T, step int, r *faultRun) {
				rec, err := r.s.Outbox().Write(ctx, note(r.s, "Saved at the second try"))
				if err != nil {
					t.Fatalf("step %d: retry: %v", step, err)
				}
				if rec.Seq != r.records[0].Seq+1 {
					t.Fatalf("step %d: the retry has seq %d after %d", step, rec.Seq, r.records[0].Seq)
				}
				r.records = append(r.records, rec)
				again := r.ph.restart("123456")
				keeps(t, step, again, r.records...)
				sent(t, step, r, again)
			},
		},
		{
			// Storing a fetched bundle in place of the old one.
			name: "shift refresh",
			setup: func(t *testing.T) *faultRun {
				r := open(t)
				r.ph.clock.Add(time.Minute)
				return r
			},
			change: func(r *faultRun) error { return r.s.Keyring().Refresh(ctx) },
			failed: func(t *testing.T, step int, r *faultRun) {
				if r.s.Phase() != ui.PhaseUnlocked || r.s.Bundle() == nil {
					t.Fatalf("step %d: a failed refresh closed the shift: phase %v", step, r.s.Phase())
				}
				keeps(t, step, r.ph.restart("123456"), r.records...)
			},
			retry: func(t *testing.T, step int, r *faultRun) {
				if err := r.s.Keyring().Refresh(ctx); err != nil {
					t.Fatalf("step %d: retry: %v", step, err)
				}
				again := r.ph.restart("123456")
				if again.Keyring().LastRefresh().IsZero() || again.Bundle() == nil {
					t.Fatalf("step %d: the retried refresh was not stored", step)
				}
				sent(t, step, r, again)
			},
		},
		{
			// The failed-PIN counter is raised before the PIN is tried and
			// reset after: a failure at either leaves the shift locked.
			name: "unlock",
			setup: func(t *testing.T) *faultRun {
				r := open(t)
				r.s.Keyring().Lock(ui.LockButton)
				r.s = r.ph.openOn(r.f)
				return r
			},
			change: func(r *faultRun) error { return r.s.Keyring().Unlock(ctx, "123456") },
			failed: func(t *testing.T, step int, r *faultRun) {
				if r.s.Phase() != ui.PhaseLocked {
					t.Fatalf("step %d: phase %v after a failed unlock, want locked", step, r.s.Phase())
				}
			},
			retry: func(t *testing.T, step int, r *faultRun) {
				again := r.ph.restart("123456")
				keeps(t, step, again, r.records...)
				if again.Keyring().FailedPINs() != 0 {
					t.Fatalf("step %d: %d failed PINs counted after a right one", step, again.Keyring().FailedPINs())
				}
				sent(t, step, r, again)
			},
		},
		{
			// The server takes the batch and the phone fails to record
			// its answers: the records stay waiting (the phone cannot know
			// they arrived) and go again after a restart.
			name: "sync acknowledgement, shift open",
			setup: func(t *testing.T) *faultRun {
				ph, s, f := faultyShift(t, be)
				return &faultRun{ph: ph, s: s, f: f, records: writeShift(t, s)}
			},
			change: func(r *faultRun) error { return r.s.Syncer().SyncNow(ctx) },
			failed: func(t *testing.T, step int, r *faultRun) {
				if r.s.Outbox().Waiting() != len(r.records) {
					t.Fatalf("step %d: %d waiting after a lost acknowledgement, want %d", step, r.s.Outbox().Waiting(), len(r.records))
				}
			},
			retry: func(t *testing.T, step int, r *faultRun) {
				again := r.ph.restart("123456")
				if again.Outbox().Waiting() != len(r.records) {
					t.Fatalf("step %d: %d waiting after a restart, want %d", step, again.Outbox().Waiting(), len(r.records))
				}
				sent(t, step, r, again)
				for _, rec := range again.Outbox().Records("") {
					if rec.State != ui.OutboxSent {
						t.Fatalf("step %d: %s is %s, want sent", step, rec.ID, rec.State)
					}
				}
			},
		},
		{
			// After a logout with records waiting, the next login sends
			// them before its PIN; with no shift stored, what the server
			// acknowledged is also pruned (a second write).
			name: "sync acknowledgement, after a logout",
			setup: func(t *testing.T) *faultRun {
				ph, s, f := faultyShift(t, be)
				r := &faultRun{ph: ph, s: s, f: f, records: writeShift(t, s)}
				if err := s.Keyring().Logout(ctx); err != nil {
					t.Fatal(err)
				}
				login(t, s)
				return r
			},
			change: func(r *faultRun) error { return r.s.Syncer().SyncNow(ctx) },
			failed: func(t *testing.T, step int, r *faultRun) {
				// The answers were stored unless their own write failed.
				want := 0
				if step == 1 {
					want = len(r.records)
				}
				s := r.ph.openOn(r.ph.store)
				if n, err := s.Outbox().OutboxCount(ctx); err != nil || n != want {
					t.Fatalf("step %d: %d waiting after a restart (%v), want %d", step, n, err, want)
				}
			},
			retry: func(t *testing.T, step int, r *faultRun) {
				s := r.ph.openOn(r.ph.store)
				login(t, s)
				sent(t, step, r, s)
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.setup(t)
			r.f.FailAt(0)
			if err := c.change(r); err != nil {
				t.Fatalf("without a fault: %v", err)
			}
			n := r.f.Writes()
			if n == 0 {
				t.Fatal("the change writes nothing: no fault to inject")
			}
			t.Logf("%d writes", n)
			for step := 1; step <= n; step++ {
				r := c.setup(t)
				r.before, _ = be.db.CountRecords(ctx)
				r.f.FailAt(step)
				if err := c.change(r); !errors.Is(err, vault.ErrInjected) || !r.f.Failed() {
					t.Fatalf("step %d of %d failed: %v", step, n, err)
				}
				c.failed(t, step, r)
				r.f.FailAt(0)
				c.retry(t, step, r)
			}
		})
	}
}

// seal0 is the phone's KDF, kept cheap as open does.
func seal0(p *phone) seal.KDF {
	if p.kdf == (seal.KDF{}) {
		return seal.MinKDF
	}
	return p.kdf
}

// ownVisit is the first of the shift's visits that is the user's own.
// Visits starting at the same time come in the order of their ids, which
// the demo derives from the date, so the first visit of the day is on some
// days a colleague's.
func ownVisit(s *ui.Shift) care.Visit {
	b := s.Bundle()
	for _, v := range b.Visits {
		if v.WorkerID == b.UserID {
			return v
		}
	}
	panic("the shift has no visit of its own")
}
