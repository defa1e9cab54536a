// Package shift is the phone's core, without its pages: the shift's state
// (Shift, the facade the pages read), its keys and session (Keyring), its
// records (Outbox), sending them (Syncer), the tamper-resistant clock
// (Clock), the language and theme (Prefs), and the API client. It holds no
// go-app code: what it needs of the page is behind Browser, and what it
// needs of the phone's store behind vault.Store, so that all of it runs in
// native tests over the memory store and a real server.
package shift

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/seal"
	"beredskap/internal/wire"
)

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
	// Browser is the page around the shift; nil means none (tests, the
	// server's prerender).
	Browser Browser
}

// Browser is what the shift needs of the page around it, kept behind an
// interface so that this package holds no UI code: where the language and
// the colour theme are shown, and the tab's session storage that keeps a
// coordinator logged in across a reload.
type Browser interface {
	// ShowLang marks the page's language.
	ShowLang(lang string)
	// Theme returns the colour theme kept on this phone.
	Theme() string
	// ApplyTheme sets the colour theme on the page and keeps it.
	ApplyTheme(theme string)
	// SaveOfficeSession keeps a coordinator's session for the tab's life.
	SaveOfficeSession(b []byte)
	// LoadOfficeSession returns the kept session, or nil.
	LoadOfficeSession() []byte
	// ClearOfficeSession forgets it.
	ClearOfficeSession()
}

// noBrowser is the page of native tests and the prerender: nothing to show.
type noBrowser struct{}

func (noBrowser) ShowLang(string)           {}
func (noBrowser) Theme() string             { return ThemeSystem }
func (noBrowser) ApplyTheme(string)         {}
func (noBrowser) SaveOfficeSession([]byte)  {}
func (noBrowser) LoadOfficeSession() []byte { return nil }
func (noBrowser) ClearOfficeSession()       {}

// Shift is the phone's state: who is logged in, the sealed shift and its
// key, what is readable without the PIN, and whether the server answers.
// Pages read it; it tells them to render again when it changes (OnChange).
// The facade holds what every page reads; the keyring (login, PIN, lock,
// wipe), the outbox (records), the syncer (sending them), the clock and
// the preferences are parts it hands out, all over the same state.
type Shift struct{ *core }

// Keyring is the shift's keys and session: login, the PIN, unlock, lock,
// wipe and refresh, and what the PIN pages show about them.
type Keyring struct{ *core }

// Outbox is the shift's records: written, sealed and waiting for the
// server, and their readable copies while unlocked.
type Outbox struct{ *core }

// Syncer sends the outbox and watches whether the server answers.
type Syncer struct{ *core }

// Clock is the phone's tamper-resistant time, the idle lock and the
// shift's expiry.
type Clock struct{ *core }

// Prefs is the phone's language and colour theme.
type Prefs struct{ *core }

// core is the state the parts share. Its methods are unexported; each
// part's exported methods are its API.
type core struct {
	sh *Shift
	kr *Keyring
	ob *Outbox
	sy *Syncer
	ck *Clock
	pr *Prefs

	browser Browser

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

	// mu guards everything below. The parts share one lock on purpose:
	// each reads the others' state in one step (Tick the owner's expiry,
	// the key and the last activity; Write the key, the session and the
	// bundle), and a lock per part would let those tear.
	mu       sync.Mutex
	onChange func()
	loaded   bool
	volatile bool
	// What every page reads (Shift).
	bundle        *wire.Bundle
	routines      []care.Routine
	announcements []care.Announcement
	annSeen       time.Time // announcements up to this time have been read
	storageRisk   bool
	// The keyring's: stored in the phone, then in memory only.
	owner         *owner // the stored shift's owner; nil when none
	wrapped       *seal.WrappedKey
	failed        int
	wipeReason    string
	pending       *session // logged in, before the PIN is set
	pendingBundle *wire.BundleResponse
	key           []byte // the data key, only while unlocked
	sess          *session
	unlockTime    time.Duration
	lockReason    string
	// The outbox's.
	records []LocalRecord // readable copies of this shift's records, while unlocked
	waiting int           // records in the outbox not yet acknowledged
	// reads are the read marks of announcements not yet sent (sync health).
	reads []readMark
	// The syncer's.
	needsLogin  bool // the server ended the session: sync waits for a login
	syncWake    chan struct{}
	online      bool
	onlineKnown bool
	// backWake wakes the watch when a request (a sync's, a page's) finds
	// the phone back online, and cameBack says so until the watch has
	// acted on it: whichever request sees the network return first, the
	// shift is refreshed then, not at the next timer.
	backWake chan struct{}
	cameBack bool
	// The clock's.
	clock      clock
	lastActive time.Time
	// The preferences'.
	lang string
	// langUnsent is a language chosen here that the server has not saved.
	langUnsent *langChoice
	theme      string
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
	if o.Browser == nil {
		o.Browser = noBrowser{}
	}
	c := &core{browser: o.Browser, api: api, vault: v, now: o.Now, kdf: o.KDF, hw: o.Hardware, lang: lang, theme: o.Browser.Theme(), volatile: o.Volatile, syncWake: make(chan struct{}, 1), backWake: make(chan struct{}, 1)}
	c.sh, c.kr, c.ob, c.sy, c.ck, c.pr = &Shift{c}, &Keyring{c}, &Outbox{c}, &Syncer{c}, &Clock{c}, &Prefs{c}
	return c.sh
}

// OnChange sets the one function called whenever the shift's state
// changes, from any goroutine; the pages render again. A later call
// replaces it (the latest mounted page's).
func (s *Shift) OnChange(f func()) {
	s.mu.Lock()
	s.onChange = f
	s.mu.Unlock()
}

// Keyring is the shift's keys and session.
func (s *Shift) Keyring() *Keyring { return s.kr }

// Outbox is the shift's records.
func (s *Shift) Outbox() *Outbox { return s.ob }

// Syncer sends the outbox.
func (s *Shift) Syncer() *Syncer { return s.sy }

// Clock is the phone's time, the idle lock and the expiry.
func (s *Shift) Clock() *Clock { return s.ck }

// Prefs is the phone's language and theme.
func (s *Shift) Prefs() *Prefs { return s.pr }

// notify tells the pages to render again.
func (s *core) notify() {
	s.mu.Lock()
	f := s.onChange
	s.mu.Unlock()
	if f != nil {
		f()
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

// API is the client the pages use for online-only work.
func (s *Shift) API() *API { return s.api }

// T translates key into the shift's language.
func (s *Shift) T(key string, args ...any) string { return i18n.T(s.pr.Lang(), key, args...) }

// Bundle returns the open bundle, or nil while locked.
func (s *Shift) Bundle() *wire.Bundle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bundle
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

// MarkAnnouncementsSeen records that the messages so far have been read:
// the important ones among those unseen get a read mark that goes to the
// server at the next contact.
func (s *Shift) MarkAnnouncementsSeen(ctx context.Context) {
	s.markRead(ctx, s.UnseenAnnouncements())
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
func (s *core) observe(err error) (cameBack bool) {
	online := !errors.Is(err, ErrOffline)
	s.mu.Lock()
	was, known := s.online, s.onlineKnown
	s.online, s.onlineKnown = online, true
	back := online && (!was || !known)
	if back {
		s.cameBack = true
	}
	s.mu.Unlock()
	if back {
		select {
		case s.backWake <- struct{}{}:
		default:
		}
	}
	if was != online || !known {
		s.notify()
	}
	return back
}

// takeCameBack reports whether a request found the phone back online
// since the last call, and clears it.
func (s *core) takeCameBack() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	back := s.cameBack
	s.cameBack = false
	return back
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
	reads, err := s.loadReads(ctx)
	if err != nil {
		return fmt.Errorf("load read marks: %w", err)
	}

	var office *session
	if b := s.browser.LoadOfficeSession(); b != nil {
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
		s.browser.ShowLang(s.lang)
	}
	s.langUnsent = unsent
	s.browser.ApplyTheme(s.theme) // web/boot.js has set it before the first paint; this keeps the two in step
	if s.bundle == nil {
		s.routines, s.announcements = pub.Routines, pub.Announcements
	}
	if hasOwner {
		s.owner, s.wrapped = &own, &w
	}
	s.failed, s.wipeReason, s.annSeen = failed, wipe, seen
	s.reads = reads
	s.clock.start(s.now(), hw.HighWater)
	s.loaded = true
	s.mu.Unlock()

	if hasOwner && !s.ck.EffectiveNow().Before(own.ExpiresAt) {
		return s.kr.Wipe(ctx, WipeExpired)
	}
	if err := s.pruneOutbox(ctx); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	s.notify()
	return nil
}

func (s *core) getJSON(ctx context.Context, bucket, key string, v any) error {
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
