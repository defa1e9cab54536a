package shift_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	ui "beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/seal"
)

// fakeAuthenticator stands in for a phone's secure hardware: an HMAC key
// that never leaves it.
type fakeAuthenticator struct {
	secret  []byte
	gone    bool
	enrolls int
}

func (f *fakeAuthenticator) Enroll(ctx context.Context, userID []byte, name string) ([]byte, []byte, []byte, error) {
	f.enrolls++
	salt := []byte("0123456789abcdef0123456789abcdef")
	s, err := f.Secret(ctx, []byte("cred-1"), salt)
	return []byte("cred-1"), salt, s, err
}

func (f *fakeAuthenticator) Secret(ctx context.Context, cred, salt []byte) ([]byte, error) {
	if f.gone {
		return nil, errors.New("no authenticator")
	}
	m := hmac.New(sha256.New, f.secret)
	m.Write(cred)
	m.Write(salt)
	return m.Sum(nil), nil
}

func TestHardwareBoundUnlock(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	hw := &fakeAuthenticator{secret: []byte("inside the secure element")}
	open := func(h ui.HardwareKey) *ui.Shift {
		s := ui.NewShift(ui.NewAPI(be.url), ph.store, ui.Options{KDF: seal.MinKDF, Now: ph.clock.Now, Hardware: h})
		if err := s.Load(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open(hw)
	if err := s.Keyring().Login(ctx, "anna", "demo", "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.Keyring().SetPIN(ctx, "123456", "123456"); err != nil {
		t.Fatal(err)
	}
	if !s.Keyring().HardwareBound() || hw.enrolls != 1 {
		t.Fatalf("hardware bound %v after %d enrolments", s.Keyring().HardwareBound(), hw.enrolls)
	}
	s.Keyring().Lock(ui.LockButton)
	if err := open(hw).Keyring().Unlock(ctx, "123456"); err != nil {
		t.Fatalf("unlock with PIN and hardware: %v", err)
	}

	// The storage copied to a machine without the phone's hardware: the
	// right PIN is not enough, and no attempt is spent.
	thief := open(nil)
	if err := thief.Keyring().Unlock(ctx, "123456"); !errors.Is(err, ui.ErrHardwareMissing) {
		t.Fatalf("unlock without the hardware: %v", err)
	}
	hw.gone = true
	if err := open(hw).Keyring().Unlock(ctx, "123456"); !errors.Is(err, ui.ErrHardwareMissing) {
		t.Fatalf("unlock with the authenticator gone: %v", err)
	}
	if f := open(nil).Keyring().FailedPINs(); f != 0 {
		t.Fatalf("a missing authenticator cost %d attempts", f)
	}
	// A wrong secret (another phone's chip) is as good as a wrong PIN.
	other := &fakeAuthenticator{secret: []byte("another phone")}
	var wrong *ui.WrongPINError
	if err := open(other).Keyring().Unlock(ctx, "123456"); !errors.As(err, &wrong) {
		t.Fatalf("unlock with another phone's chip: %v", err)
	}
	if _, err := ph.store.Get(ctx, vault.Meta, "hw"); err != nil {
		t.Fatal("the credential record is missing")
	}
}

func TestNoHardwareMeansPINAlone(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	s := ph.shift("anna", "123456")
	if s.Keyring().HardwareBound() {
		t.Fatal("bound to hardware without any")
	}
}
