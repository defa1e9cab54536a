package shift

import (
	"time"

	"beredskap/internal/care"
	"beredskap/internal/seal"
)

// What the PIN, login and desk pages show about the keyring.

// LockReason says why the phone last locked ("" when it has not).
func (s *Keyring) LockReason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lockReason
}

// EndOffice forgets a coordinator session the server no longer accepts.
func (s *Keyring) EndOffice() {
	s.mu.Lock()
	if s.pending != nil && s.pending.User.Role.Reconciles() {
		s.pending = nil
	}
	s.mu.Unlock()
	s.browser.ClearOfficeSession()
	s.notify()
}

// OfficeSession returns a coordinator's or admin's token and user, when one
// is logged in on this page.
func (s *Keyring) OfficeSession() (string, care.User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil || !s.pending.User.Role.Reconciles() {
		return "", care.User{}, false
	}
	return s.pending.Token, s.pending.User, true
}

// User returns the logged-in user (while unlocked or before the PIN).
func (s *Keyring) User() care.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.sess != nil:
		return s.sess.User
	case s.pending != nil:
		return s.pending.User
	}
	return care.User{}
}

// OwnerName names whose shift the phone holds, readable while locked.
func (s *Keyring) OwnerName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owner == nil {
		return ""
	}
	return s.owner.Name
}

// LastRefresh is when the bundle was last fetched from the server.
func (s *Keyring) LastRefresh() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owner == nil {
		return time.Time{}
	}
	return s.owner.Refreshed
}

// ExpiresAt is when the stored shift stops being usable.
func (s *Keyring) ExpiresAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owner == nil {
		return time.Time{}
	}
	return s.owner.ExpiresAt
}

// WipeReason says why the shift was last wiped ("" when it was not).
func (s *Keyring) WipeReason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wipeReason
}

// FailedPINs is how many wrong PINs in a row have been typed.
func (s *Keyring) FailedPINs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// HardwareBound reports whether the stored shift also needs the phone's
// secure hardware (WebAuthn PRF) to open, not the PIN alone.
func (s *Keyring) HardwareBound() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wrapped != nil && s.wrapped.Hardware
}

// UnlockTime is how long the last PIN unlock took (Argon2id and opening).
func (s *Keyring) UnlockTime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unlockTime
}

// WrappedKDF is the Argon2id parameters the shift's key is wrapped under:
// those of the phone's default when the shift was set up, which the
// unlock uses even after the default changed.
func (s *Keyring) WrappedKDF() seal.KDF {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wrapped == nil {
		return s.kdf
	}
	return s.wrapped.KDF
}
