package shift

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"beredskap/app/vault"
	"beredskap/internal/seal"
	"beredskap/internal/wire"
)

// MaxPINAttempts wrong PINs in a row wipe the shift.
const MaxPINAttempts = 5

// Wipe reasons, kept in clear so the login page can say what happened.
const (
	WipeWrongPINs = "wrong_pins"
	WipeExpired   = "expired"
	WipeLogout    = "logout"
	WipeRevoked   = "revoked"
)

// Errors the PIN pages explain.
var (
	ErrPINMismatch  = errors.New("the two PINs differ")
	ErrNotLoggedIn  = errors.New("not logged in")
	ErrNoShift      = errors.New("no shift on this phone")
	ErrWrongBundle  = errors.New("the shift data belongs to someone else")
	ErrBadSignature = errors.New("the shift data is not signed by the server")
)

// WrongPINError says how many attempts are left before the wipe.
type WrongPINError struct{ Left int }

func (e *WrongPINError) Error() string { return fmt.Sprintf("wrong PIN, %d attempts left", e.Left) }

// Is makes errors.Is(err, seal.ErrWrongPIN) true.
func (e *WrongPINError) Is(target error) bool { return target == seal.ErrWrongPIN }

// Login starts a session with username and password. For a worker or
// nurse it also makes this phone's device key, registers it and fetches
// the signed bundle; the shift is stored once a PIN has been chosen
// (SetPIN).
func (s *Keyring) Login(ctx context.Context, username, password, deviceLabel string) error {
	return s.LoginWith(ctx, func(ctx context.Context) (wire.LoginResponse, error) {
		return s.api.Login(ctx, username, password)
	}, deviceLabel)
}

// LoginExchange finishes a login through the identity provider: the
// one-time code from the callback and the proof that started it.
func (s *Keyring) LoginExchange(ctx context.Context, code, verifier, deviceLabel string) error {
	return s.LoginWith(ctx, func(ctx context.Context) (wire.LoginResponse, error) {
		return s.api.ExchangeLogin(ctx, code, verifier)
	}, deviceLabel)
}

// LoginFallback logs in with a one-time code of the user's printed
// sheet, during a declared provider outage.
func (s *Keyring) LoginFallback(ctx context.Context, username, code, deviceLabel string) error {
	return s.LoginWith(ctx, func(ctx context.Context) (wire.LoginResponse, error) {
		return s.api.FallbackLogin(ctx, username, code)
	}, deviceLabel)
}

// LoginBreakGlass is an admin's login by password and authenticator code.
func (s *Keyring) LoginBreakGlass(ctx context.Context, username, password, totp, deviceLabel string) error {
	return s.LoginWith(ctx, func(ctx context.Context) (wire.LoginResponse, error) {
		return s.api.BreakGlassLogin(ctx, username, password, totp)
	}, deviceLabel)
}

// LoginWith is every login's one path after the server said yes: start
// asks the server for the session (by password, by a provider's code, by
// a fallback code); then the office session is kept, or the phone's
// device key made and registered and the signed bundle fetched, as for
// any login.
func (s *Keyring) LoginWith(ctx context.Context, start func(ctx context.Context) (wire.LoginResponse, error), deviceLabel string) error {
	resp, err := start(ctx)
	s.observe(err)
	if err != nil {
		return err
	}
	sess := &session{Token: resp.Token, User: resp.User, SignKey: resp.SignKey, SealKey: resp.SealKey}
	if !resp.User.Role.WorksShifts() {
		s.mu.Lock()
		s.pending = sess
		s.mu.Unlock()
		if b, err := json.Marshal(sess); err == nil {
			s.browser.SaveOfficeSession(b)
		}
		s.adoptLang(ctx, resp.User)
		s.notify()
		return nil
	}
	pub, priv, err := seal.NewSigningKey()
	if err != nil {
		return err
	}
	sess.DeviceKey = priv
	sess.DeviceID, err = s.api.RegisterDevice(ctx, resp.Token, pub, deviceLabel)
	s.observe(err)
	if err != nil {
		return err
	}
	br, err := s.bundleReporting(ctx, resp.Token)
	s.observe(err)
	if err != nil {
		return err
	}
	b, err := VerifyBundle(br, sess.SignKey)
	if err != nil {
		return err
	}
	if b.UserID != sess.User.ID || b.DeviceID != sess.DeviceID {
		return ErrWrongBundle
	}
	s.mu.Lock()
	s.pending, s.pendingBundle = sess, &br
	s.needsLogin = false
	s.clock.raise(b.IssuedAt, s.now())
	s.mu.Unlock()
	s.adoptLang(ctx, resp.User)
	s.notify()
	s.sy.WakeSync() // records an earlier shift left in the outbox
	return nil
}

// SetPIN seals the fetched shift under a fresh data key, wraps that key
// with the PIN and stores it all in one durable transaction. The clear
// data key stays in memory only.
func (s *Keyring) SetPIN(ctx context.Context, pin, confirm string) error {
	if err := seal.CheckPIN(pin); err != nil {
		return err
	}
	if pin != confirm {
		return ErrPINMismatch
	}
	s.mu.Lock()
	sess, br := s.pending, s.pendingBundle
	s.mu.Unlock()
	if sess == nil || br == nil {
		return ErrNotLoggedIn
	}
	b, err := VerifyBundle(*br, sess.SignKey)
	if err != nil {
		return err
	}
	// The authenticator first: browsers want it close to the tap on "save".
	var hwSecret []byte
	var hwRec *hardwareRecord
	if s.hw != nil {
		cred, salt, secret, err := s.hw.Enroll(ctx, []byte(sess.User.ID), sess.User.Username)
		switch {
		case err == nil:
			hwSecret, hwRec = secret, &hardwareRecord{CredID: cred, Salt: salt}
		case !errors.Is(err, ErrNoHardware):
			return fmt.Errorf("set PIN: %w", err)
		}
	}
	key, err := seal.NewKey()
	if err != nil {
		return err
	}
	wrapped, err := seal.WrapKey(key, pin, s.kdf, hwSecret, seal.AssociatedData(sess.User.ID, sess.DeviceID, "data-key"))
	releaseKDFMemory()
	if err != nil {
		return fmt.Errorf("set PIN: %w", err)
	}
	now := s.now().UTC()
	own := owner{UserID: sess.User.ID, Name: sess.User.Name, DeviceID: sess.DeviceID,
		IssuedAt: b.IssuedAt, ExpiresAt: b.ExpiresAt, Refreshed: now, IdleLockMinutes: b.IdleLockMinutes}
	writes, err := s.shiftWrites(key, sess, *br, b, own)
	if err != nil {
		return fmt.Errorf("set PIN: %w", err)
	}
	w, err := putJSON(vault.Meta, metaWrapped, wrapped)
	if err != nil {
		return err
	}
	writes = append(writes, w, vault.Put(vault.Meta, metaFailed, []byte("0")), vault.Del(vault.Meta, metaWipe))
	if hwRec != nil {
		hw, err := putJSON(vault.Meta, metaHardware, hwRec)
		if err != nil {
			return err
		}
		writes = append(writes, hw)
	} else {
		writes = append(writes, vault.Del(vault.Meta, metaHardware))
	}

	// Copies sealed under a previous shift's key can never be read again:
	// they are cleared in the same transaction that stores the new shift,
	// so that a failure leaves either the old shift or the new one whole.
	writes = append([]vault.Write{vault.ClearBucket(vault.Sealed), vault.ClearBucket(vault.Local)}, writes...)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.vault.Commit(ctx, writes...); err != nil {
		return fmt.Errorf("set PIN: store the shift: %w", err)
	}
	s.mu.Lock()
	s.key, s.sess, s.bundle = key, sess, b
	s.pending, s.pendingBundle = nil, nil
	s.owner, s.wrapped, s.failed, s.wipeReason = &own, wrapped, 0, ""
	s.records = nil
	s.routines, s.announcements = b.Routines, b.Announcements
	s.lastActive = s.now()
	s.needsLogin = false
	s.mu.Unlock()
	s.notify()
	s.sy.WakeSync()
	return nil
}

// shiftWrites seals a session and a bundle under key and returns the
// writes that store them with their owner and public part.
func (s *core) shiftWrites(key []byte, sess *session, br wire.BundleResponse, b *wire.Bundle, own owner) ([]vault.Write, error) {
	sj, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	sealedSession, err := seal.Seal(key, sj, seal.AssociatedData(sess.User.ID, sess.DeviceID, "session"))
	if err != nil {
		return nil, err
	}
	bj, err := json.Marshal(br)
	if err != nil {
		return nil, err
	}
	sealedBundle, err := seal.Seal(key, bj, seal.AssociatedData(sess.User.ID, sess.DeviceID, "bundle"))
	if err != nil {
		return nil, err
	}
	ow, err := putJSON(vault.Meta, metaOwner, own)
	if err != nil {
		return nil, err
	}
	pw, err := putJSON(vault.Public, publicKey, public{Routines: b.Routines, Announcements: b.Announcements, Saved: s.now().UTC()})
	if err != nil {
		return nil, err
	}
	return []vault.Write{
		vault.Put(vault.Sealed, sealedSess, sealedSession),
		vault.Put(vault.Sealed, sealedBndl, sealedBundle),
		ow, pw,
	}, nil
}

// Unlock opens the stored shift with the PIN. The failed-PIN counter is
// raised durably before the PIN is tried, so neither a reload nor a killed
// tab gives a free attempt; the fifth wrong PIN wipes the shift.
func (s *Keyring) Unlock(ctx context.Context, pin string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	own, wrapped := s.owner, s.wrapped
	s.mu.Unlock()
	if own == nil || wrapped == nil {
		return ErrNoShift
	}
	// The hardware secret before the counter: an absent authenticator is
	// not a wrong PIN and must not cost an attempt.
	var hwSecret []byte
	if wrapped.Hardware {
		var rec hardwareRecord
		if err := s.getJSON(ctx, vault.Meta, metaHardware, &rec); err != nil || s.hw == nil {
			return ErrHardwareMissing
		}
		secret, err := s.hw.Secret(ctx, rec.CredID, rec.Salt)
		if err != nil {
			return ErrHardwareMissing
		}
		hwSecret = secret
	}
	failed := 0
	if b, err := s.vault.Get(ctx, vault.Meta, metaFailed); err == nil {
		failed, _ = strconv.Atoi(string(b))
	}
	if failed >= MaxPINAttempts {
		return s.wipeLocked(ctx, WipeWrongPINs)
	}
	failed++
	if err := s.vault.Commit(ctx, vault.Put(vault.Meta, metaFailed, []byte(strconv.Itoa(failed)))); err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	s.mu.Lock()
	s.failed = failed
	s.mu.Unlock()

	start := time.Now()
	key, err := seal.UnwrapKey(wrapped, pin, hwSecret, seal.AssociatedData(own.UserID, own.DeviceID, "data-key"))
	releaseKDFMemory()
	if errors.Is(err, seal.ErrWrongPIN) {
		if failed >= MaxPINAttempts {
			if werr := s.wipeLocked(ctx, WipeWrongPINs); werr != nil {
				return werr
			}
			return &WrongPINError{Left: 0}
		}
		s.notify()
		return &WrongPINError{Left: MaxPINAttempts - failed}
	}
	if err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	sess, b, err := s.openShift(ctx, key, own)
	if err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	if err := s.vault.Commit(ctx, vault.Put(vault.Meta, metaFailed, []byte("0"))); err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	if !s.ck.EffectiveNow().Before(b.ExpiresAt) {
		return s.wipeLocked(ctx, WipeExpired)
	}
	records, err := s.loadRecords(ctx, key, own)
	if err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	s.mu.Lock()
	s.key, s.sess, s.bundle, s.failed = key, sess, b, 0
	s.records = records
	s.routines, s.announcements = b.Routines, b.Announcements
	s.lastActive = s.now()
	s.unlockTime = time.Since(start)
	s.clock.raise(b.IssuedAt, s.now())
	s.mu.Unlock()
	s.notify()
	s.sy.WakeSync()
	return nil
}

// openShift opens the sealed session and bundle and checks the bundle's
// signature again: what was stored must still be what the server signed.
func (s *core) openShift(ctx context.Context, key []byte, own *owner) (*session, *wire.Bundle, error) {
	raw, err := s.vault.Get(ctx, vault.Sealed, sealedSess)
	if err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	sj, err := seal.Open(key, raw, seal.AssociatedData(own.UserID, own.DeviceID, "session"))
	if err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	var sess session
	if err := json.Unmarshal(sj, &sess); err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	raw, err = s.vault.Get(ctx, vault.Sealed, sealedBndl)
	if err != nil {
		return nil, nil, fmt.Errorf("bundle: %w", err)
	}
	bj, err := seal.Open(key, raw, seal.AssociatedData(own.UserID, own.DeviceID, "bundle"))
	if err != nil {
		return nil, nil, fmt.Errorf("bundle: %w", err)
	}
	var br wire.BundleResponse
	if err := json.Unmarshal(bj, &br); err != nil {
		return nil, nil, fmt.Errorf("bundle: %w", err)
	}
	b, err := VerifyBundle(br, sess.SignKey)
	if err != nil {
		return nil, nil, err
	}
	if b.UserID != own.UserID || sess.User.ID != own.UserID {
		return nil, nil, ErrWrongBundle
	}
	return &sess, b, nil
}

// Lock forgets the data key, the session and the open bundle; the sealed
// shift stays on the phone for the PIN.
func (s *Keyring) Lock(reason string) {
	s.mu.Lock()
	if s.key == nil {
		s.mu.Unlock()
		return
	}
	clear(s.key)
	s.key, s.sess, s.bundle, s.records = nil, nil, nil, nil
	s.lockReason = reason
	s.mu.Unlock()
	s.notify()
}

// Wipe deletes the shift from the phone: first the wrapped key (after
// which nothing sealed can be opened), then the sealed values and local
// copies. The outbox and the public routines stay: nothing written is ever
// lost by a wipe, and routines are needed most when all else is gone.
func (s *Keyring) Wipe(ctx context.Context, reason string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.wipeLocked(ctx, reason)
}

func (s *core) wipeLocked(ctx context.Context, reason string) error {
	err := s.vault.Commit(ctx,
		vault.Del(vault.Meta, metaWrapped),
		vault.Del(vault.Meta, metaOwner),
		vault.Del(vault.Meta, metaFailed),
		vault.Del(vault.Meta, metaHardware),
		vault.Put(vault.Meta, metaWipe, []byte(reason)),
	)
	if err == nil {
		err = s.vault.Clear(ctx, vault.Sealed, vault.Local)
	}
	s.mu.Lock()
	if s.key != nil {
		clear(s.key)
	}
	s.key, s.sess, s.bundle, s.records = nil, nil, nil, nil
	s.pending, s.pendingBundle = nil, nil
	s.owner, s.wrapped, s.failed = nil, nil, 0
	s.wipeReason = reason
	s.mu.Unlock()
	s.notify()
	if err != nil {
		return fmt.Errorf("wipe: %w", err)
	}
	return nil
}

// wipeRevoked wipes the shift of a revoked phone, then logs its session
// out: that tells the server the wipe instruction arrived, and it ends the
// session the revoked phone kept to deliver its outbox. Until then the
// session stays, so a phone whose answer was lost can ask again; if the
// logout is lost too, the server ends the session by itself once every
// bundle the phone could hold has expired.
func (s *core) wipeRevoked(ctx context.Context, token string) error {
	err := s.kr.Wipe(ctx, WipeRevoked)
	s.observe(s.api.Logout(ctx, token))
	return err
}

// Logout ends the session on the server when it can be reached and wipes
// the shift from the phone either way. Records still in the outbox stay
// and are sent after the next login.
func (s *Keyring) Logout(ctx context.Context) error {
	s.mu.Lock()
	var token string
	switch {
	case s.sess != nil:
		token = s.sess.Token
	case s.pending != nil:
		token = s.pending.Token
	}
	s.mu.Unlock()
	if token != "" {
		s.observe(s.api.Logout(ctx, token))
	}
	s.browser.ClearOfficeSession()
	return s.Wipe(ctx, WipeLogout)
}

// Refresh fetches the bundle again while unlocked and online, and seals it
// in place of the old one. A revoked device is wiped.
func (s *Keyring) Refresh(ctx context.Context) error {
	s.mu.Lock()
	key, sess, own := s.key, s.sess, s.owner
	s.mu.Unlock()
	if key == nil || sess == nil || own == nil {
		return nil
	}
	br, err := s.bundleReporting(ctx, sess.Token)
	s.observe(err)
	if ErrorCode(err) == wire.CodeDeviceRevoked {
		return s.wipeRevoked(ctx, sess.Token)
	}
	if err != nil {
		return err
	}
	b, err := VerifyBundle(br, sess.SignKey)
	if err != nil {
		return err
	}
	if b.UserID != own.UserID {
		return ErrWrongBundle
	}
	next := *own
	next.IssuedAt, next.ExpiresAt, next.Refreshed, next.IdleLockMinutes = b.IssuedAt, b.ExpiresAt, s.now().UTC(), b.IdleLockMinutes
	writes, err := s.shiftWrites(key, sess, br, b, next)
	if err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.vault.Commit(ctx, writes...); err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	s.mu.Lock()
	if s.key != nil { // not locked meanwhile
		s.bundle = b
		s.routines, s.announcements = b.Routines, b.Announcements
	}
	s.owner = &next
	s.clock.raise(b.IssuedAt, s.now())
	s.mu.Unlock()
	s.notify()
	return nil
}

// releaseKDFMemory collects Argon2id's memory block at once. WebAssembly
// memory never shrinks; collecting now lets the next unlock reuse the same
// pages instead of growing the phone's heap by another block.
func releaseKDFMemory() { runtime.GC() }

// VerifyBundle checks the server's signature over the bundle bytes and
// decodes them. Nothing of an unsigned or altered bundle is used.
func VerifyBundle(resp wire.BundleResponse, signKey []byte) (*wire.Bundle, error) {
	if !seal.Verify(signKey, resp.Bundle, resp.Signature) {
		return nil, ErrBadSignature
	}
	var b wire.Bundle
	if err := json.Unmarshal(resp.Bundle, &b); err != nil {
		return nil, fmt.Errorf("decode bundle: %w", err)
	}
	return &b, nil
}
