package app

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/i18n"
	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/seal"
	"beredskap/internal/wire"
)

// changed is the action posted whenever the shift's state changes, so that
// every mounted page renders again.
const changed = "beredskap/changed"

// Shift is the phone's state: who is logged in, the verified bundle, what
// is readable without the PIN, and whether the server answers. Pages read
// it; it tells them to render again when it changes.
type Shift struct {
	api   *API
	vault vault.Store
	now   func() time.Time

	mu            sync.Mutex
	ctx           app.Context
	hasCtx        bool
	lang          string
	token         string
	user          care.User
	signKey       []byte
	sealKey       []byte
	deviceID      string
	deviceKey     ed25519.PrivateKey
	bundle        *wire.Bundle
	routines      []care.Routine
	announcements []care.Announcement
	online        bool
	onlineKnown   bool
	lastRefresh   time.Time
	publicLoaded  bool
}

// NewShift returns the phone's state over a store and an API client.
func NewShift(api *API, v vault.Store) *Shift {
	return &Shift{api: api, vault: v, now: time.Now, lang: i18n.Default}
}

// attach remembers the latest mounted page's context for posting changes.
func (s *Shift) attach(ctx app.Context) {
	s.mu.Lock()
	s.ctx, s.hasCtx = ctx, true
	s.mu.Unlock()
}

// notify asks every mounted page to render again.
func (s *Shift) notify() {
	s.mu.Lock()
	ctx, ok := s.ctx, s.hasCtx
	s.mu.Unlock()
	if ok {
		ctx.NewAction(changed)
	}
}

// Lang is the language to show.
func (s *Shift) Lang() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lang
}

// SetLang chooses the language.
func (s *Shift) SetLang(lang string) {
	s.mu.Lock()
	s.lang = i18n.Pick(lang)
	s.mu.Unlock()
	s.notify()
}

// T translates key into the shift's language.
func (s *Shift) T(key string, args ...any) string { return i18n.T(s.Lang(), key, args...) }

// Bundle returns the verified bundle, or nil before one is loaded.
func (s *Shift) Bundle() *wire.Bundle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bundle
}

// User returns the logged-in user.
func (s *Shift) User() care.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user
}

// LoggedIn reports whether a session is open in this page.
func (s *Shift) LoggedIn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token != ""
}

// Online reports whether the last request reached the server, and whether
// any request has been made yet (known).
func (s *Shift) Online() (online, known bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.online, s.onlineKnown
}

// LastRefresh is when the bundle was last fetched from the server.
func (s *Shift) LastRefresh() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastRefresh
}

// Routines returns the emergency routines, readable without the PIN.
func (s *Shift) Routines() []care.Routine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.routines
}

// Announcements returns the coordinators' messages.
func (s *Shift) Announcements() []care.Announcement {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.announcements
}

// observe records whether a request reached the server, and reports
// whether the phone just came back online.
func (s *Shift) observe(err error) (cameBack bool) {
	online := !errors.Is(err, ErrOffline)
	s.mu.Lock()
	was, known := s.online, s.onlineKnown
	s.online, s.onlineKnown = online, true
	s.mu.Unlock()
	if was != online || !known {
		s.notify()
	}
	return online && (!was || !known)
}

// Watch probes the server until ctx ends: every interval, and at once when
// wake fires (the browser's "online" event is only a hint). When the phone
// comes back online, back is called: that is when to look for a new app
// version, refresh the shift and sync.
func (s *Shift) Watch(ctx context.Context, interval time.Duration, wake <-chan struct{}, back func()) {
	for {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := s.api.Health(c)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if s.observe(err) && back != nil {
			back()
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(interval):
		}
	}
}

// public is what the phone keeps readable without the PIN.
type public struct {
	Routines      []care.Routine      `json:"routines"`
	Announcements []care.Announcement `json:"announcements"`
	Saved         time.Time           `json:"saved"`
}

const publicKey = "public"

// LoadPublic reads the routines and announcements kept on the phone.
func (s *Shift) LoadPublic(ctx context.Context) error {
	b, err := s.vault.Get(ctx, vault.Public, publicKey)
	if errors.Is(err, vault.ErrNotFound) {
		s.mu.Lock()
		s.publicLoaded = true
		s.mu.Unlock()
		s.notify()
		return nil
	}
	if err != nil {
		return fmt.Errorf("load routines: %w", err)
	}
	var p public
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("load routines: %w", err)
	}
	s.mu.Lock()
	if s.bundle == nil {
		s.routines, s.announcements = p.Routines, p.Announcements
	}
	s.publicLoaded = true
	s.mu.Unlock()
	s.notify()
	return nil
}

// PublicLoaded reports whether LoadPublic has finished.
func (s *Shift) PublicLoaded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.publicLoaded
}

// Login starts a session, registers this phone and fetches the shift.
func (s *Shift) Login(ctx context.Context, username, password, deviceLabel string) error {
	resp, err := s.api.Login(ctx, username, password)
	s.observe(err)
	if err != nil {
		return err
	}
	pub, priv, err := seal.NewSigningKey()
	if err != nil {
		return err
	}
	deviceID, err := s.api.RegisterDevice(ctx, resp.Token, pub, deviceLabel)
	s.observe(err)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.token, s.user = resp.Token, resp.User
	s.signKey, s.sealKey = resp.SignKey, resp.SealKey
	s.deviceID, s.deviceKey = deviceID, priv
	if resp.User.Lang != "" {
		s.lang = i18n.Pick(resp.User.Lang)
	}
	s.mu.Unlock()
	if !resp.User.Role.WorksShifts() {
		s.notify()
		return nil
	}
	return s.Refresh(ctx)
}

// ErrBadSignature means the bundle did not carry a valid signature by the
// server's key: it is refused whole.
var ErrBadSignature = errors.New("the shift data is not signed by the server")

// Refresh fetches the bundle again, verifies the server's signature and
// keeps its public part readable offline.
func (s *Shift) Refresh(ctx context.Context) error {
	s.mu.Lock()
	token, signKey := s.token, s.signKey
	s.mu.Unlock()
	resp, err := s.api.Bundle(ctx, token)
	s.observe(err)
	if err != nil {
		return err
	}
	b, err := VerifyBundle(resp, signKey)
	if err != nil {
		return err
	}
	p, err := json.Marshal(public{Routines: b.Routines, Announcements: b.Announcements, Saved: s.now().UTC()})
	if err != nil {
		return err
	}
	if err := s.vault.Commit(ctx, vault.Put(vault.Public, publicKey, p)); err != nil {
		return fmt.Errorf("keep routines: %w", err)
	}
	s.mu.Lock()
	s.bundle = b
	s.routines, s.announcements = b.Routines, b.Announcements
	s.lastRefresh = s.now()
	s.mu.Unlock()
	s.notify()
	return nil
}

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
