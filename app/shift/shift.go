package shift

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

// Phase is where the phone stands with its shift.
type Phase int

// Phases, in the order a shift goes through them.
const (
	// PhaseLoading: the phone's store has not been read yet.
	PhaseLoading Phase = iota
	// PhaseLogin: no shift on the phone; logging in needs the network.
	PhaseLogin
	// PhasePIN: logged in and the bundle fetched; a PIN must be chosen.
	PhasePIN
	// PhaseLocked: a sealed shift is on the phone; the PIN opens it.
	PhaseLocked
	// PhaseUnlocked: the data key is in memory and the shift readable.
	PhaseUnlocked
	// PhaseOffice: a coordinator or admin is logged in (no shift bundle).
	PhaseOffice
)

// Options tune a Shift; the zero value is production.
type Options struct {
	// KDF wraps the data key; zero means seal.DefaultKDF.
	KDF seal.KDF
	// Now is the wall clock; nil means time.Now.
	Now func() time.Time
	// Hardware is the phone's authenticator for a hardware-bound unlock;
	// nil means the PIN alone.
	Hardware HardwareKey
	// Lang is the language to show until the phone's store has been read
	// (BrowserLang); empty means i18n.Default.
	Lang string
	// Volatile says the store lives in memory only (the browser refused
	// IndexedDB): nothing survives the page, and the pages say so.
	Volatile bool
}

// Shift is the phone's state: who is logged in, the sealed shift and its
// key, what is readable without the PIN, and whether the server answers.
// Pages read it; it tells them to render again when it changes.
type Shift struct {
	api   *API
	vault vault.Store
	now   func() time.Time
	kdf   seal.KDF
	hw    HardwareKey

	// writeMu serializes changes to the phone's store that read before
	// they write (the record sequence counter, the failed-PIN counter).
	writeMu sync.Mutex
	// syncMu lets one sync run at a time.
	syncMu sync.Mutex

	mu     sync.Mutex
	ctx    app.Context
	hasCtx bool
	lang   string
	// langUnsent is a language chosen here that the server has not saved.
	langUnsent *langChoice
	theme      string
	volatile   bool

	loaded     bool
	owner      *owner // the stored shift's owner; nil when none
	wrapped    *seal.WrappedKey
	failed     int
	wipeReason string
	clock      clock

	// In memory only.
	pending       *session // logged in, before the PIN is set
	pendingBundle *wire.BundleResponse
	key           []byte // the data key, only while unlocked
	sess          *session
	bundle        *wire.Bundle
	records       []LocalRecord // readable copies of this shift's records, while unlocked
	waiting       int           // records in the outbox not yet acknowledged
	needsLogin    bool          // the server ended the session: sync waits for a login
	syncWake      chan struct{}
	routines      []care.Routine
	announcements []care.Announcement
	online        bool
	onlineKnown   bool
	lastActive    time.Time
	annSeen       time.Time // announcements up to this time have been read
	storageRisk   bool
	unlockTime    time.Duration
	lockReason    string
}

// session is what a login gives the phone. It is kept sealed under the data
// key; only its owner's name and ids are stored in clear.
type session struct {
	Token     string    `json:"token"`
	User      care.User `json:"user"`
	SignKey   []byte    `json:"sign_key"`
	SealKey   []byte    `json:"seal_key"`
	DeviceID  string    `json:"device_id"`
	DeviceKey []byte    `json:"device_key"`
}

// owner is stored in clear so that the locked phone can say whose shift it
// holds, until when, and bind the sealed values to user and device.
type owner struct {
	UserID          string    `json:"user_id"`
	Name            string    `json:"name"`
	DeviceID        string    `json:"device_id"`
	IssuedAt        time.Time `json:"issued_at"`
	ExpiresAt       time.Time `json:"expires_at"`
	Refreshed       time.Time `json:"refreshed"`
	IdleLockMinutes int       `json:"idle_lock_minutes"`
}

// NewShift returns the phone's state over a store and an API client.
func NewShift(api *API, v vault.Store, o Options) *Shift {
	if o.KDF == (seal.KDF{}) {
		o.KDF = seal.DefaultKDF
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	lang := i18n.Default
	if o.Lang != "" {
		lang = i18n.Pick(o.Lang)
	}
	return &Shift{api: api, vault: v, now: o.Now, kdf: o.KDF, hw: o.Hardware, lang: lang, theme: loadTheme(), volatile: o.Volatile, syncWake: make(chan struct{}, 1)}
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

// Phase says where the phone stands.
func (s *Shift) Phase() Phase {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.loaded:
		return PhaseLoading
	case s.key != nil:
		return PhaseUnlocked
	case s.pending != nil && !s.pending.User.Role.WorksShifts():
		return PhaseOffice
	case s.pending != nil:
		return PhasePIN
	case s.owner != nil:
		return PhaseLocked
	default:
		return PhaseLogin
	}
}

// OfficeSession returns a coordinator's or admin's token and user, when one
// is logged in on this page.
func (s *Shift) OfficeSession() (string, care.User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil || !s.pending.User.Role.Reconciles() {
		return "", care.User{}, false
	}
	return s.pending.Token, s.pending.User, true
}

// API is the client the pages use for online-only work.
func (s *Shift) API() *API { return s.api }

// Lang is the language to show.
func (s *Shift) Lang() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lang
}

// SetLang chooses the language and remembers it on the phone.
func (s *Shift) SetLang(ctx context.Context, lang string) {
	lang = i18n.Pick(lang)
	s.mu.Lock()
	s.lang = lang
	s.mu.Unlock()
	showLang(lang)
	_ = s.vault.Commit(ctx, vault.Put(vault.Meta, metaLang, []byte(lang)))
	s.notify()
}

// DefaultLang takes the browser's language when the user has not chosen
// one on this phone.
func (s *Shift) DefaultLang(ctx context.Context, browser string) {
	if _, err := s.vault.Get(ctx, vault.Meta, metaLang); err == nil {
		return
	}
	s.mu.Lock()
	s.lang = i18n.Pick(browser)
	s.mu.Unlock()
	showLang(s.Lang())
	s.notify()
}

// T translates key into the shift's language.
func (s *Shift) T(key string, args ...any) string { return i18n.T(s.Lang(), key, args...) }

// Bundle returns the open bundle, or nil while locked.
func (s *Shift) Bundle() *wire.Bundle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bundle
}

// User returns the logged-in user (while unlocked or before the PIN).
func (s *Shift) User() care.User {
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
func (s *Shift) OwnerName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owner == nil {
		return ""
	}
	return s.owner.Name
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
	if s.owner == nil {
		return time.Time{}
	}
	return s.owner.Refreshed
}

// ExpiresAt is when the stored shift stops being usable.
func (s *Shift) ExpiresAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owner == nil {
		return time.Time{}
	}
	return s.owner.ExpiresAt
}

// WipeReason says why the shift was last wiped ("" when it was not).
func (s *Shift) WipeReason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wipeReason
}

// FailedPINs is how many wrong PINs in a row have been typed.
func (s *Shift) FailedPINs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// Volatile reports whether the phone's store is memory only, so that a
// record kept now is gone when the page closes.
func (s *Shift) Volatile() bool { return s.volatile }

// StorageAtRisk reports that the browser refused persistent storage: it
// may evict the phone's data under storage pressure.
func (s *Shift) StorageAtRisk() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storageRisk
}

// SetStorageAtRisk records the answer to navigator.storage.persist().
func (s *Shift) SetStorageAtRisk(risk bool) {
	s.mu.Lock()
	s.storageRisk = risk
	s.mu.Unlock()
	s.notify()
}

// HardwareBound reports whether the stored shift also needs the phone's
// secure hardware (WebAuthn PRF) to open, not the PIN alone.
func (s *Shift) HardwareBound() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wrapped != nil && s.wrapped.Hardware
}

// UnlockTime is how long the last PIN unlock took (Argon2id and opening).
func (s *Shift) UnlockTime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unlockTime
}

// WrappedKDF is the Argon2id parameters the shift's key is wrapped under:
// those of the phone's default when the shift was set up, which the
// unlock uses even after the default changed.
func (s *Shift) WrappedKDF() seal.KDF {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wrapped == nil {
		return s.kdf
	}
	return s.wrapped.KDF
}

// Routines returns the emergency routines, readable without the PIN.
func (s *Shift) Routines() []care.Routine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.routines
}

// Announcements returns the coordinators' messages, readable without the
// PIN.
func (s *Shift) Announcements() []care.Announcement {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.announcements
}

// UnseenAnnouncements returns the coordinators' messages that arrived
// since the user last marked them read, newest first.
func (s *Shift) UnseenAnnouncements() []care.Announcement {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []care.Announcement
	for i := len(s.announcements) - 1; i >= 0; i-- {
		if a := s.announcements[i]; a.Posted.After(s.annSeen) {
			out = append(out, a)
		}
	}
	return out
}

// MarkAnnouncementsSeen records that the messages so far have been read.
func (s *Shift) MarkAnnouncementsSeen(ctx context.Context) {
	s.mu.Lock()
	for _, a := range s.announcements {
		if a.Posted.After(s.annSeen) {
			s.annSeen = a.Posted
		}
	}
	seen := s.annSeen
	s.mu.Unlock()
	if w, err := putJSON(vault.Meta, metaAnnSeen, seen); err == nil {
		_ = s.vault.Commit(ctx, w)
	}
	s.notify()
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

// Keys of the Meta and Public buckets.
const (
	metaWrapped = "wrapped"
	metaFailed  = "failed"
	metaOwner   = "owner"
	metaClock   = "clock"
	metaLang    = "lang"
	metaWipe    = "wipe"
	metaSeqPre  = "seq/"
	metaAnnSeen = "annseen"
	publicKey   = "public"
	sealedSess  = "session"
	sealedBndl  = "bundle"
)

// public is what the phone keeps readable without the PIN.
type public struct {
	Routines      []care.Routine      `json:"routines"`
	Announcements []care.Announcement `json:"announcements"`
	Saved         time.Time           `json:"saved"`
}

// Load reads the phone's store at start: language, routines, and whether a
// sealed shift is waiting for its PIN. An expired shift is wiped here,
// before anyone can try a PIN on it.
func (s *Shift) Load(ctx context.Context) error {
	var lang string
	if b, err := s.vault.Get(ctx, vault.Meta, metaLang); err == nil {
		lang = string(b)
	}
	var unsent *langChoice
	var choice langChoice
	if err := s.getJSON(ctx, vault.Meta, metaLangUnsent, &choice); err == nil && choice.Lang != "" {
		unsent = &choice
	}
	var pub public
	if err := s.getJSON(ctx, vault.Public, publicKey, &pub); err != nil && !errors.Is(err, vault.ErrNotFound) {
		return fmt.Errorf("load routines: %w", err)
	}
	var own owner
	hasOwner := true
	if err := s.getJSON(ctx, vault.Meta, metaOwner, &own); errors.Is(err, vault.ErrNotFound) {
		hasOwner = false
	} else if err != nil {
		return fmt.Errorf("load shift: %w", err)
	}
	var w seal.WrappedKey
	if err := s.getJSON(ctx, vault.Meta, metaWrapped, &w); errors.Is(err, vault.ErrNotFound) {
		hasOwner = false // an owner without a key is the remains of a wipe
	} else if err != nil {
		return fmt.Errorf("load shift: %w", err)
	}
	failed := 0
	if b, err := s.vault.Get(ctx, vault.Meta, metaFailed); err == nil {
		_ = json.Unmarshal(b, &failed)
	}
	var wipe string
	if b, err := s.vault.Get(ctx, vault.Meta, metaWipe); err == nil {
		wipe = string(b)
	}
	var hw clockRecord
	_ = s.getJSON(ctx, vault.Meta, metaClock, &hw)
	var seen time.Time
	_ = s.getJSON(ctx, vault.Meta, metaAnnSeen, &seen)
	if _, err := s.outbox(ctx); err != nil {
		return fmt.Errorf("load outbox: %w", err)
	}

	var office *session
	if b := loadOfficeSession(); b != nil {
		var sess session
		if json.Unmarshal(b, &sess) == nil && sess.Token != "" && sess.User.Role.Reconciles() {
			office = &sess
		}
	}
	s.mu.Lock()
	if office != nil && s.pending == nil {
		s.pending = office
	}
	if lang != "" {
		s.lang = i18n.Pick(lang)
		showLang(s.lang)
	}
	s.langUnsent = unsent
	applyTheme(s.theme) // web/boot.js has set it before the first paint; this keeps the two in step
	if s.bundle == nil {
		s.routines, s.announcements = pub.Routines, pub.Announcements
	}
	if hasOwner {
		s.owner, s.wrapped = &own, &w
	}
	s.failed, s.wipeReason, s.annSeen = failed, wipe, seen
	s.clock.start(s.now(), hw.HighWater)
	s.loaded = true
	s.mu.Unlock()

	if hasOwner && !s.EffectiveNow().Before(own.ExpiresAt) {
		return s.Wipe(ctx, WipeExpired)
	}
	if err := s.pruneOutbox(ctx); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	s.notify()
	return nil
}

func (s *Shift) getJSON(ctx context.Context, bucket, key string, v any) error {
	b, err := s.vault.Get(ctx, bucket, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func putJSON(bucket, key string, v any) (vault.Write, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return vault.Write{}, err
	}
	return vault.Put(bucket, key, b), nil
}

// deviceKey returns the unlocked session's device signing key.
func (s *session) deviceKey() ed25519.PrivateKey { return ed25519.PrivateKey(s.DeviceKey) }
