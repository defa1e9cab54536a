package shift_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	pages "beredskap/app"
	ui "beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/keys"
	"beredskap/internal/seal"
	"beredskap/internal/servertest"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
	"beredskap/server"
)

// backend is a real server over a real Badger store with the demo data.
type backend struct {
	db   *badger.DB
	keys *keys.Keys
	url  string
}

func newBackend(t *testing.T, offline time.Duration) *backend {
	t.Helper()
	d := servertest.New(t)
	srv := server.New(server.Config{OfflineFor: offline, Location: d.Loc, Hasher: d.Hasher}, d.DB, d.Keys, nil)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &backend{db: d.DB, keys: d.Keys, url: hs.URL}
}

// fakeClock is a wall clock the test moves; it has no monotonic reading,
// like a phone whose clock the user sets.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// phone is one phone: a store that outlives page loads, and the clock.
type phone struct {
	t     *testing.T
	be    *backend
	store *vault.Memory
	clock *fakeClock
	kdf   seal.KDF // the app's default; zero is seal.MinKDF, kept cheap
}

func newPhone(t *testing.T, be *backend) *phone {
	return &phone{t: t, be: be, store: vault.NewMemory(), clock: &fakeClock{t: time.Now().Round(0)}}
}

// open is a page load: a fresh Shift over the phone's store.
func (p *phone) open() *ui.Shift {
	p.t.Helper()
	kdf := p.kdf
	if kdf == (seal.KDF{}) {
		kdf = seal.MinKDF
	}
	s := ui.NewShift(ui.NewAPI(p.be.url), p.store, ui.Options{KDF: kdf, Now: p.clock.Now})
	if err := s.Load(context.Background()); err != nil {
		p.t.Fatal(err)
	}
	return s
}

// shift logs in and sets a PIN.
func (p *phone) shift(username, pin string) *ui.Shift {
	p.t.Helper()
	s := p.open()
	ctx := context.Background()
	if err := s.Keyring().Login(ctx, username, "demo", "test phone"); err != nil {
		p.t.Fatal(err)
	}
	if s.Phase() != ui.PhasePIN {
		p.t.Fatalf("after login: phase %v", s.Phase())
	}
	if err := s.Keyring().SetPIN(ctx, pin, pin); err != nil {
		p.t.Fatal(err)
	}
	return s
}

func TestLoginPINLockUnlock(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.open()
	if s.Phase() != ui.PhaseLogin {
		t.Fatalf("fresh phone: phase %v", s.Phase())
	}
	if err := s.Keyring().Login(ctx, "anna", "wrong", "x"); ui.ErrorCode(err) != wire.CodeUnauthorized {
		t.Fatalf("wrong password: %v", err)
	}
	if err := s.Keyring().Login(ctx, "anna", "demo", "x"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		pin, confirm string
		want         error
	}{
		{"12345", "12345", nil}, // too short: any error
		{"123456", "654321", ui.ErrPINMismatch},
	}
	for _, c := range cases {
		err := s.Keyring().SetPIN(ctx, c.pin, c.confirm)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Fatalf("SetPIN(%q,%q) = %v", c.pin, c.confirm, err)
		}
	}
	if err := s.Keyring().SetPIN(ctx, "246810", "246810"); err != nil {
		t.Fatal(err)
	}
	if s.Phase() != ui.PhaseUnlocked {
		t.Fatalf("after PIN: %v", s.Phase())
	}
	visits := len(pages.OwnVisits(s.Bundle()))
	doses := len(s.Bundle().Medications)
	if visits < 6 || doses == 0 {
		t.Fatalf("%d own visits, %d doses", visits, doses)
	}

	s.Keyring().Lock(ui.LockButton)
	if s.Phase() != ui.PhaseLocked || s.Bundle() != nil {
		t.Fatal("lock left the bundle open")
	}

	// A reload: a new page over the same store, and no network needed.
	be2 := *be
	be2.url = "http://127.0.0.1:1" // nothing listens: offline
	ph.be = &be2
	s = ph.open()
	if s.Phase() != ui.PhaseLocked || s.Keyring().OwnerName() != "Anna Berg" {
		t.Fatalf("after reload: phase %v owner %q", s.Phase(), s.Keyring().OwnerName())
	}
	if len(s.Routines()) != 6 {
		t.Fatalf("routines readable while locked: %d", len(s.Routines()))
	}
	var wrong *ui.WrongPINError
	if err := s.Keyring().Unlock(ctx, "000000"); !errors.As(err, &wrong) || wrong.Left != 4 {
		t.Fatalf("wrong PIN: %v", err)
	}
	if err := s.Keyring().Unlock(ctx, "246810"); err != nil {
		t.Fatal(err)
	}
	if got := len(pages.OwnVisits(s.Bundle())); got != visits || len(s.Bundle().Medications) != doses {
		t.Fatalf("offline unlock shows %d visits, want %d", got, visits)
	}
	if s.Keyring().FailedPINs() != 0 {
		t.Fatal("a right PIN did not reset the counter")
	}
}

// TestShiftOutlivesANewDefaultKDF: a shift wrapped under the Argon2id
// parameters of the app that set the PIN still opens after an update
// changed the default, with the parameters it was wrapped under.
func TestShiftOutlivesANewDefaultKDF(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	before := seal.KDF{Time: 3, MemoryKiB: 24 << 10, Threads: 1}
	ph.kdf = before
	ph.shift("anna", "246810").Keyring().Lock(ui.LockButton)
	ph.kdf = seal.MinKDF // the updated app
	s := ph.open()
	if s.Phase() != ui.PhaseLocked {
		t.Fatalf("after the update: phase %v", s.Phase())
	}
	if err := s.Keyring().Unlock(context.Background(), "246810"); err != nil {
		t.Fatal(err)
	}
	if got := s.Keyring().WrappedKDF(); got != before {
		t.Fatalf("unlocked under %+v, the shift was wrapped under %+v", got, before)
	}
	if s.Phase() != ui.PhaseUnlocked {
		t.Fatalf("after unlocking: phase %v", s.Phase())
	}
}

func TestFiveWrongPINsWipeButKeepOutboxAndRoutines(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("nils", "135790")
	other := pages.UnitVisits(s.Bundle())[0]
	if err := s.Outbox().OpenEmergency(ctx, other.PatientID, "Covering for a colleague"); err != nil {
		t.Fatal(err)
	}
	s.Keyring().Lock(ui.LockButton)

	for attempt := 1; attempt <= ui.MaxPINAttempts; attempt++ {
		s = ph.open() // a reload between attempts must not reset the count
		if s.Phase() != ui.PhaseLocked {
			t.Fatalf("attempt %d: phase %v", attempt, s.Phase())
		}
		err := s.Keyring().Unlock(ctx, "111111")
		var wrong *ui.WrongPINError
		if !errors.As(err, &wrong) || wrong.Left != ui.MaxPINAttempts-attempt {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
	}
	s = ph.open()
	if s.Phase() != ui.PhaseLogin || s.Keyring().WipeReason() != ui.WipeWrongPINs {
		t.Fatalf("after 5 wrong PINs: phase %v, reason %q", s.Phase(), s.Keyring().WipeReason())
	}
	for _, b := range []string{vault.Sealed, vault.Local} {
		if entries, _ := ph.store.List(ctx, b); len(entries) != 0 {
			t.Fatalf("%s still holds %d entries", b, len(entries))
		}
	}
	if _, err := ph.store.Get(ctx, vault.Meta, "wrapped"); !errors.Is(err, vault.ErrNotFound) {
		t.Fatal("the wrapped key survived the wipe")
	}
	if n, _ := s.Outbox().OutboxCount(ctx); n != 1 {
		t.Fatalf("outbox after wipe holds %d records, want 1", n)
	}
	if len(s.Routines()) != 6 {
		t.Fatal("routines gone after the wipe")
	}
	if err := s.Keyring().Unlock(ctx, "135790"); !errors.Is(err, ui.ErrNoShift) {
		t.Fatalf("the right PIN after a wipe: %v", err)
	}
}

func TestExpiredShiftIsWipedOnOpen(t *testing.T) {
	be := newBackend(t, time.Hour)
	ph := newPhone(t, be)
	s := ph.shift("anna", "123456")
	s.Keyring().Lock(ui.LockButton)
	ph.clock.Add(59 * time.Minute)
	if s = ph.open(); s.Phase() != ui.PhaseLocked {
		t.Fatalf("before expiry: %v", s.Phase())
	}
	ph.clock.Add(2 * time.Minute)
	s = ph.open()
	if s.Phase() != ui.PhaseLogin || s.Keyring().WipeReason() != ui.WipeExpired {
		t.Fatalf("after expiry: phase %v reason %q", s.Phase(), s.Keyring().WipeReason())
	}
}

func TestClockTurnedBackNeitherExtendsNorGoesUnnoticed(t *testing.T) {
	be := newBackend(t, time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	ph.clock.Add(40 * time.Minute)
	s.Clock().Touch()
	if err := s.Clock().Tick(ctx); err != nil {
		t.Fatal(err)
	}
	// The user sets the clock back a day while the app is open.
	ph.clock.Add(-24 * time.Hour)
	s.Clock().Touch()
	if err := s.Clock().Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Phase() != ui.PhaseLocked || s.Keyring().LockReason() != ui.LockClock {
		t.Fatalf("clock set back: phase %v reason %q", s.Phase(), s.Keyring().LockReason())
	}
	if left := s.Clock().TimeLeft(); left > 21*time.Minute {
		t.Fatalf("time left grew to %v by turning the clock back", left)
	}
	// Reloaded with the clock still back: the high-water mark holds.
	s = ph.open()
	if left := s.Clock().TimeLeft(); left > 21*time.Minute {
		t.Fatalf("after reload, time left %v", left)
	}
	ph.clock.Add(24*time.Hour + 25*time.Minute) // an hour and five minutes after issue
	s = ph.open()
	if s.Phase() != ui.PhaseLogin || s.Keyring().WipeReason() != ui.WipeExpired {
		t.Fatalf("phase %v reason %q", s.Phase(), s.Keyring().WipeReason())
	}
}

func TestIdleLock(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	ph.clock.Add(4 * time.Minute)
	s.Clock().Touch()
	ph.clock.Add(4 * time.Minute)
	if err := s.Clock().Tick(ctx); err != nil || s.Phase() != ui.PhaseUnlocked {
		t.Fatalf("locked before 5 idle minutes: %v %v", s.Phase(), err)
	}
	ph.clock.Add(90 * time.Second)
	if err := s.Clock().Tick(ctx); err != nil || s.Phase() != ui.PhaseLocked || s.Keyring().LockReason() != ui.LockIdle {
		t.Fatalf("after 5 idle minutes: %v %q %v", s.Phase(), s.Keyring().LockReason(), err)
	}
}

// TestNothingReadableOnThePhone dumps every bucket after login, PIN and an
// emergency access, and looks for patient names, addresses and access
// codes, and for the PIN itself.
func TestNothingReadableOnThePhone(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "918273")
	b := s.Bundle()
	other := pages.UnitVisits(b)[0]
	if err := s.Outbox().OpenEmergency(ctx, other.PatientID, "Moved to me by phone"); err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, p := range b.Patients {
		secrets = append(secrets, p.Name, p.Address, p.AccessInfo)
		for _, r := range p.Relatives {
			secrets = append(secrets, r.Phone)
		}
	}
	secrets = append(secrets, "918273", "Moved to me by phone")
	var dump bytes.Buffer
	for _, bucket := range vault.Buckets() {
		entries, err := ph.store.List(ctx, bucket)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			dump.WriteString(e.Key)
			dump.Write(e.Value)
		}
	}
	if dump.Len() < 1000 {
		t.Fatalf("the store holds only %d bytes: nothing to check", dump.Len())
	}
	for _, sec := range secrets {
		if sec != "" && bytes.Contains(dump.Bytes(), []byte(sec)) {
			t.Errorf("%q is readable in the phone's store", sec)
		}
	}
}

func TestEmergencyAccessRecordIsSignedAndSealed(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	b := s.Bundle()
	other := pages.UnitVisits(b)[0]
	if b.OwnPatient(other.PatientID) {
		t.Fatal("test setup: the unit-part patient is anna's own")
	}
	if err := s.Outbox().OpenEmergency(ctx, other.PatientID, "  "); err == nil {
		t.Fatal("emergency access without a reason")
	}
	if s.Outbox().Granted(other.PatientID) {
		t.Fatal("granted without a reason")
	}
	if err := s.Outbox().OpenEmergency(ctx, other.PatientID, "Ole is ill; visit moved to me"); err != nil {
		t.Fatal(err)
	}
	if !s.Outbox().Granted(other.PatientID) {
		t.Fatal("not granted after a reason")
	}
	entries, err := ph.store.List(ctx, vault.Outbox)
	if err != nil || len(entries) != 1 {
		t.Fatalf("outbox: %d entries, %v", len(entries), err)
	}
	var o struct {
		Sealed []byte `json:"sealed"`
		Seq    uint64 `json:"seq"`
	}
	if err := json.Unmarshal(entries[0].Value, &o); err != nil {
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
	if r.Type != care.RecordAccess || r.PatientID != other.PatientID || !strings.Contains(r.Reason, "Ole is ill") || r.Seq != 1 || o.Seq != 1 {
		t.Fatalf("record %+v", r)
	}
	dev, err := be.db.Device(ctx, r.DeviceID)
	if err != nil || !seal.Verify(dev.PublicKey, env.Body, env.Sig) {
		t.Fatalf("the record's signature does not verify with the registered device key: %v", err)
	}
	// Granted survives a lock and an unlock.
	s.Keyring().Lock(ui.LockButton)
	if err := s.Keyring().Unlock(ctx, "123456"); err != nil {
		t.Fatal(err)
	}
	if !s.Outbox().Granted(other.PatientID) {
		t.Fatal("emergency access forgotten after unlock")
	}
}

func TestRefreshAndRevocation(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	first := s.Keyring().ExpiresAt()
	ph.clock.Add(time.Minute)
	time.Sleep(10 * time.Millisecond)
	if err := s.Keyring().Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if !s.Keyring().ExpiresAt().After(first) {
		t.Fatal("a refresh did not renew the shift")
	}
	dev, err := be.db.Device(ctx, s.Bundle().DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	dev.Revoked = &now
	if err := be.db.PutDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	if err := s.Keyring().Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Phase() != ui.PhaseLogin || s.Keyring().WipeReason() != ui.WipeRevoked {
		t.Fatalf("revoked device: phase %v reason %q", s.Phase(), s.Keyring().WipeReason())
	}
}

func TestTamperedBundleOnThePhoneIsRefused(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	s.Keyring().Lock(ui.LockButton)
	raw, err := ph.store.Get(ctx, vault.Sealed, "bundle")
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-3] ^= 0x40
	if err := ph.store.Commit(ctx, vault.Put(vault.Sealed, "bundle", raw)); err != nil {
		t.Fatal(err)
	}
	if err := s.Keyring().Unlock(ctx, "123456"); err == nil || s.Phase() == ui.PhaseUnlocked {
		t.Fatalf("a tampered bundle opened: %v", err)
	}
}

func TestCoordinatorGetsNoShift(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	s := ph.open()
	if err := s.Keyring().Login(context.Background(), "kari", "demo", "desk"); err != nil {
		t.Fatal(err)
	}
	if s.Phase() != ui.PhaseOffice {
		t.Fatalf("coordinator phase %v", s.Phase())
	}
}

// TestEditedExpiryDoesNotStretchAnOpenShift: someone with the phone edits
// the stored (unsigned) expiry of the shift to tomorrow and unlocks it with
// the PIN; the open shift still ends when the signed bundle says.
func TestEditedExpiryDoesNotStretchAnOpenShift(t *testing.T) {
	be := newBackend(t, time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	s.Keyring().Lock(ui.LockButton)

	raw, err := ph.store.Get(ctx, vault.Meta, "owner")
	if err != nil {
		t.Fatal(err)
	}
	var own map[string]any
	if err := json.Unmarshal(raw, &own); err != nil {
		t.Fatal(err)
	}
	own["expires_at"] = ph.clock.Now().Add(24 * time.Hour)
	edited, _ := json.Marshal(own)
	if err := ph.store.Commit(ctx, vault.Put(vault.Meta, "owner", edited)); err != nil {
		t.Fatal(err)
	}

	s = ph.open()
	if err := s.Keyring().Unlock(ctx, "123456"); err != nil {
		t.Fatal(err)
	}
	ph.clock.Add(61 * time.Minute)
	s.Clock().Touch()
	if err := s.Clock().Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Phase() != ui.PhaseLogin || s.Keyring().WipeReason() != ui.WipeExpired {
		t.Fatalf("an hour after issue with the stored expiry edited: phase %v, wipe %q", s.Phase(), s.Keyring().WipeReason())
	}
}
