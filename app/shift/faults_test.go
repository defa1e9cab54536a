package shift_test

import (
	"context"
	"errors"
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

// steps counts the writes do makes on a phone set up by setup.
func steps(t *testing.T, setup func(t *testing.T) (*ui.Shift, *vault.Faulty), do func(*ui.Shift) error) int {
	t.Helper()
	s, f := setup(t)
	f.FailAt(0)
	if err := do(s); err != nil {
		t.Fatalf("without a fault: %v", err)
	}
	n := f.Writes()
	if n == 0 {
		t.Fatal("the step writes nothing: no fault to inject")
	}
	return n
}

// note is a record about one of the shift's own patients.
func note(s *ui.Shift, text string) care.Record {
	v := s.Bundle().Visits[0]
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

// TestPINSetupSurvivesAStorageFailureAtEveryStep: a phone holding a locked
// shift with a record waiting logs in again and chooses a new PIN; the
// storage fails at each write of that. The old shift must still open with
// its PIN after a restart (a half-stored new shift, or the old one's
// sealed values cleared under its key, would strand it), a retry stores
// the new one, and the waiting record reaches the server once.
func TestPINSetupSurvivesAStorageFailureAtEveryStep(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ctx := context.Background()
	var ph *phone
	var waiting string
	setup := func(t *testing.T) (*ui.Shift, *vault.Faulty) {
		ph = newPhone(t, be)
		old := ph.shift("anna", "111111")
		r, err := old.Outbox().Write(ctx, note(old, "Written under the old PIN"))
		if err != nil {
			t.Fatal(err)
		}
		waiting = r.ID
		old.Keyring().Lock(ui.LockButton)
		f := vault.NewFaulty(ph.store)
		s := ph.openOn(f)
		if err := s.Keyring().Login(ctx, "anna", "demo", "test phone"); err != nil {
			t.Fatal(err)
		}
		return s, f
	}
	setPIN := func(s *ui.Shift) error { return s.Keyring().SetPIN(ctx, "222222", "222222") }
	n := steps(t, setup, setPIN)
	t.Logf("%d writes", n)
	for step := 1; step <= n; step++ {
		s, f := setup(t)
		before, _ := be.db.CountRecords(ctx)
		f.FailAt(step)
		if err := setPIN(s); !errors.Is(err, vault.ErrInjected) || !f.Failed() {
			t.Fatalf("step %d of %d failed: SetPIN = %v", step, n, err)
		}
		if s.Phase() == ui.PhaseUnlocked {
			t.Fatalf("step %d: a PIN that was not stored opened the shift", step)
		}
		// The old shift is whole: it opens with its PIN, its record kept.
		old := ph.restart("111111")
		if rs := old.Outbox().Records(""); len(rs) != 1 || rs[0].ID != waiting {
			t.Fatalf("step %d: the old shift's records after a restart: %+v", step, rs)
		}
		old.Keyring().Lock(ui.LockButton)
		// The retry on the same page stores the new shift.
		f.FailAt(0)
		if err := setPIN(s); err != nil {
			t.Fatalf("step %d: retry: %v", step, err)
		}
		again := ph.restart("222222")
		if err := again.Syncer().SyncNow(ctx); err != nil {
			t.Fatalf("step %d: sync: %v", step, err)
		}
		serverHasOnce(t, be, before, waiting)
	}
}

// TestRecordWriteSurvivesAStorageFailureAtEveryStep: a record whose write
// fails is not said saved, is not shown or counted, and leaves the
// sequence as it was; the retry saves it, and after a restart the phone
// holds exactly the records said saved, which the server takes once.
func TestRecordWriteSurvivesAStorageFailureAtEveryStep(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ctx := context.Background()
	var ph *phone
	var first care.Record
	setup := func(t *testing.T) (*ui.Shift, *vault.Faulty) {
		ph = newPhone(t, be)
		f := vault.NewFaulty(ph.store)
		s := ph.openOn(f)
		if err := s.Keyring().Login(ctx, "anna", "demo", "test phone"); err != nil {
			t.Fatal(err)
		}
		if err := s.Keyring().SetPIN(ctx, "123456", "123456"); err != nil {
			t.Fatal(err)
		}
		r, err := s.Outbox().Write(ctx, note(s, "Saved before the fault"))
		if err != nil {
			t.Fatal(err)
		}
		first = r
		return s, f
	}
	write := func(s *ui.Shift) error {
		_, err := s.Outbox().Write(ctx, note(s, "Saved at the second try"))
		return err
	}
	n := steps(t, setup, write)
	t.Logf("%d writes", n)
	for step := 1; step <= n; step++ {
		s, f := setup(t)
		before, _ := be.db.CountRecords(ctx)
		f.FailAt(step)
		_, err := s.Outbox().Write(ctx, note(s, "Saved at the second try"))
		if !errors.Is(err, vault.ErrInjected) || !f.Failed() {
			t.Fatalf("step %d of %d failed: Write = %v", step, n, err)
		}
		if got, want := s.Outbox().NotSaved(err), s.T("error.not_saved"); got != want {
			t.Fatalf("step %d: the user reads %q, want %q", step, got, want)
		}
		if len(s.Outbox().Records("")) != 1 || s.Outbox().Waiting() != 1 {
			t.Fatalf("step %d: after the failed write: %d records, %d waiting", step, len(s.Outbox().Records("")), s.Outbox().Waiting())
		}
		if rs := ph.restart("123456").Outbox().Records(""); len(rs) != 1 || rs[0].ID != first.ID {
			t.Fatalf("step %d: after a restart: %+v", step, rs)
		}
		f.FailAt(0)
		second, err := s.Outbox().Write(ctx, note(s, "Saved at the second try"))
		if err != nil {
			t.Fatalf("step %d: retry: %v", step, err)
		}
		if second.Seq != first.Seq+1 {
			t.Fatalf("step %d: the retry has seq %d after %d", step, second.Seq, first.Seq)
		}
		again := ph.restart("123456")
		if rs := again.Outbox().Records(""); len(rs) != 2 || rs[0].ID != first.ID || rs[1].ID != second.ID {
			t.Fatalf("step %d: after the retry and a restart: %+v", step, rs)
		}
		if err := again.Syncer().SyncNow(ctx); err != nil {
			t.Fatalf("step %d: sync: %v", step, err)
		}
		serverHasOnce(t, be, before, first.ID, second.ID)
	}
}

// TestShiftRefreshSurvivesAStorageFailureAtEveryStep: storing a fetched
// bundle in place of the old one fails at each write; the shift opens
// after a restart with its records, and the retry stores the new bundle.
func TestShiftRefreshSurvivesAStorageFailureAtEveryStep(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ctx := context.Background()
	var ph *phone
	var saved care.Record
	setup := func(t *testing.T) (*ui.Shift, *vault.Faulty) {
		ph = newPhone(t, be)
		f := vault.NewFaulty(ph.store)
		s := ph.openOn(f)
		if err := s.Keyring().Login(ctx, "anna", "demo", "test phone"); err != nil {
			t.Fatal(err)
		}
		if err := s.Keyring().SetPIN(ctx, "123456", "123456"); err != nil {
			t.Fatal(err)
		}
		r, err := s.Outbox().Write(ctx, note(s, "Saved before the refresh"))
		if err != nil {
			t.Fatal(err)
		}
		saved = r
		ph.clock.Add(time.Minute)
		return s, f
	}
	refresh := func(s *ui.Shift) error { return s.Keyring().Refresh(ctx) }
	n := steps(t, setup, refresh)
	t.Logf("%d writes", n)
	for step := 1; step <= n; step++ {
		s, f := setup(t)
		before, _ := be.db.CountRecords(ctx)
		f.FailAt(step)
		if err := refresh(s); !errors.Is(err, vault.ErrInjected) || !f.Failed() {
			t.Fatalf("step %d of %d failed: Refresh = %v", step, n, err)
		}
		if s.Phase() != ui.PhaseUnlocked || s.Bundle() == nil {
			t.Fatalf("step %d: a failed refresh closed the shift: phase %v", step, s.Phase())
		}
		if rs := ph.restart("123456").Outbox().Records(""); len(rs) != 1 || rs[0].ID != saved.ID {
			t.Fatalf("step %d: after a restart: %+v", step, rs)
		}
		f.FailAt(0)
		if err := refresh(s); err != nil {
			t.Fatalf("step %d: retry: %v", step, err)
		}
		again := ph.restart("123456")
		if again.Keyring().LastRefresh().IsZero() || again.Bundle() == nil {
			t.Fatalf("step %d: the retried refresh was not stored", step)
		}
		if err := again.Syncer().SyncNow(ctx); err != nil {
			t.Fatalf("step %d: sync: %v", step, err)
		}
		serverHasOnce(t, be, before, saved.ID)
	}
}

// TestUnlockSurvivesAStorageFailureAtEveryStep: the unlock raises the
// failed-PIN counter before it tries the PIN and resets it after; a
// failure at either write leaves the shift locked (a PIN whose attempt
// was not counted must not open it), and a restart opens it with its
// record.
func TestUnlockSurvivesAStorageFailureAtEveryStep(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ctx := context.Background()
	var ph *phone
	var saved care.Record
	setup := func(t *testing.T) (*ui.Shift, *vault.Faulty) {
		ph = newPhone(t, be)
		s := ph.shift("anna", "123456")
		r, err := s.Outbox().Write(ctx, note(s, "Saved before the lock"))
		if err != nil {
			t.Fatal(err)
		}
		saved = r
		s.Keyring().Lock(ui.LockButton)
		f := vault.NewFaulty(ph.store)
		return ph.openOn(f), f
	}
	unlock := func(s *ui.Shift) error { return s.Keyring().Unlock(ctx, "123456") }
	n := steps(t, setup, unlock)
	t.Logf("%d writes", n)
	for step := 1; step <= n; step++ {
		s, f := setup(t)
		f.FailAt(step)
		if err := unlock(s); !errors.Is(err, vault.ErrInjected) || !f.Failed() {
			t.Fatalf("step %d of %d failed: Unlock = %v", step, n, err)
		}
		if s.Phase() != ui.PhaseLocked {
			t.Fatalf("step %d: phase %v after a failed unlock, want locked", step, s.Phase())
		}
		again := ph.restart("123456")
		if rs := again.Outbox().Records(""); len(rs) != 1 || rs[0].ID != saved.ID {
			t.Fatalf("step %d: after a restart: %+v", step, rs)
		}
		if again.Keyring().FailedPINs() != 0 {
			t.Fatalf("step %d: %d failed PINs counted after a right one", step, again.Keyring().FailedPINs())
		}
	}
}

// TestSyncAcknowledgementSurvivesAStorageFailureAtEveryStep: the server
// takes a batch and the phone fails to record its answers, at each write
// (the answers, and, once no shift is on the phone, the pruning of what
// was acknowledged). The records stay waiting where the phone cannot know
// they arrived; after a restart they go again, the server takes each
// once, and nothing is left waiting.
func TestSyncAcknowledgementSurvivesAStorageFailureAtEveryStep(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ctx := context.Background()
	login := func(t *testing.T, s *ui.Shift) {
		if err := s.Keyring().Login(ctx, "anna", "demo", "test phone"); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		// logout: the worker logs out with records waiting and logs in
		// again, and the sync runs before the new PIN (no shift stored).
		logout bool
	}{
		{"with the shift open", false},
		{"after a logout, at the next login", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ph *phone
			var written []care.Record
			setup := func(t *testing.T) (*ui.Shift, *vault.Faulty) {
				ph = newPhone(t, be)
				f := vault.NewFaulty(ph.store)
				s := ph.openOn(f)
				login(t, s)
				if err := s.Keyring().SetPIN(ctx, "123456", "123456"); err != nil {
					t.Fatal(err)
				}
				written = writeShift(t, s)
				if c.logout {
					if err := s.Keyring().Logout(ctx); err != nil {
						t.Fatal(err)
					}
					login(t, s)
				}
				return s, f
			}
			// restart reloads the page and gets back to where the sync ran.
			restart := func(t *testing.T) *ui.Shift {
				if !c.logout {
					return ph.restart("123456")
				}
				s := ph.openOn(ph.store)
				login(t, s)
				return s
			}
			sync := func(s *ui.Shift) error { return s.Syncer().SyncNow(ctx) }
			n := steps(t, setup, sync)
			t.Logf("%d writes", n)
			for step := 1; step <= n; step++ {
				s, f := setup(t)
				before, _ := be.db.CountRecords(ctx)
				f.FailAt(step)
				if err := sync(s); !errors.Is(err, vault.ErrInjected) || !f.Failed() {
					t.Fatalf("step %d of %d failed: SyncNow = %v", step, n, err)
				}
				again := restart(t)
				waiting, err := again.Outbox().OutboxCount(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if want := len(written); step > 1 {
					// The answers were stored: only the pruning failed.
					want = 0
					if waiting != want {
						t.Fatalf("step %d: %d waiting after a restart, want %d", step, waiting, want)
					}
				} else if waiting != want {
					t.Fatalf("step %d: %d waiting after a lost acknowledgement and a restart, want %d", step, waiting, want)
				}
				if err := sync(again); err != nil {
					t.Fatalf("step %d: sync after the restart: %v", step, err)
				}
				if again.Outbox().Waiting() != 0 {
					t.Fatalf("step %d: %d waiting after the second sync", step, again.Outbox().Waiting())
				}
				for _, r := range again.Outbox().Records("") {
					if r.State != ui.OutboxSent {
						t.Fatalf("step %d: %s is %s, want sent", step, r.ID, r.State)
					}
				}
				ids := make([]string, len(written))
				for i, r := range written {
					ids[i] = r.ID
				}
				serverHasOnce(t, be, before, ids...)
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
