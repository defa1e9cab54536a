package store

import (
	"context"
	"errors"
	"time"
)

// Logging in when the identity provider is down (issue 18, item 4): the
// provider outages an admin declares, the printed one-time fallback
// codes, and the admins' break-glass (local password plus TOTP). A
// provider outage is the municipality's OpenID Connect provider being
// down; it is not an Outage, which is the care record system being down.

// LoginFallback is what the store keeps for logins without the identity
// provider.
type LoginFallback interface {
	ProviderOutages
	FallbackCodes
	BreakGlass
}

// ProviderOutages holds the declared outages of the identity provider.
// At most one is active at a time; each ends by itself at its Until.
type ProviderOutages interface {
	// DeclareProviderOutage stores o with its audit entry, in one
	// transaction; one still active at o.Start is ErrProviderOutageState
	// and nothing is written.
	DeclareProviderOutage(ctx context.Context, o ProviderOutage, a Audit) error
	// EndProviderOutage ends the outage active at at (End = at, EndedBy
	// = by) with its audit entry (whose Subject, when empty, becomes the
	// outage's id); none active is ErrProviderOutageState.
	EndProviderOutage(ctx context.Context, by string, at time.Time, a Audit) (ProviderOutage, error)
	// ProviderOutages lists up to limit declarations, newest first.
	ProviderOutages(ctx context.Context, limit int) ([]ProviderOutage, error)
}

// FallbackCodes holds each user's sheet of printed one-time codes, as
// hashes (FallbackCodeHash). Using a code is a compare-and-set: of two
// logins with one code, on one node or two, one succeeds.
type FallbackCodes interface {
	// PutFallbackSheet stores a user's new sheet with its audit entry,
	// in one transaction; every code of the sheet it replaces stops
	// working.
	PutFallbackSheet(ctx context.Context, s FallbackSheet, a Audit) error
	// FallbackSheet returns the user's current sheet (hashes included);
	// a user without one is ErrNotFound.
	FallbackSheet(ctx context.Context, userID string) (FallbackSheet, error)
	// UseFallbackCode marks the code of the user's current sheet whose
	// hash is hash as used at at, with the audit entry, in one
	// transaction. A code not on the sheet (another user's, an older
	// sheet's, a mistyped one) is ErrNotFound; one used before is
	// ErrFallbackCodeUsed; nothing is written then.
	UseFallbackCode(ctx context.Context, userID, hash string, at time.Time, a Audit) error
}

// BreakGlass holds the admins' TOTP secrets and the uses of the
// break-glass login.
type BreakGlass interface {
	// PutTOTP stores (or replaces) a user's TOTP secret with its audit
	// entry; a replaced secret stops working, and no step has been used
	// with the new one.
	PutTOTP(ctx context.Context, t TOTPSecret, a Audit) error
	// TOTP returns the user's secret; a user without one is ErrNotFound.
	TOTP(ctx context.Context, userID string) (TOTPSecret, error)
	// UseTOTPStep records a break-glass login whose code was right for
	// time step u.Step, with its audit entry, provided no step at or
	// after it was used before with the user's secret: otherwise
	// ErrTOTPReused and nothing is written (a code seen once, on any
	// node, is refused after).
	UseTOTPStep(ctx context.Context, u BreakGlassUse, a Audit) error
	// BreakGlassUses lists up to limit uses, newest first.
	BreakGlassUses(ctx context.Context, limit int) ([]BreakGlassUse, error)
}

// ProviderOutage is a declared outage of the identity provider: while
// it is active, users of the roles it covers log in with their local
// password or a fallback code.
type ProviderOutage struct {
	ID         string     `json:"id"`
	Reason     string     `json:"reason"`
	Start      time.Time  `json:"start"`
	Until      time.Time  `json:"until"`
	End        *time.Time `json:"end,omitempty"`
	DeclaredBy string     `json:"declared_by"`
	EndedBy    string     `json:"ended_by,omitempty"`
}

// ActiveAt says whether the outage is active at t: declared by then, and
// neither ended by an admin nor past its Until.
func (o ProviderOutage) ActiveAt(t time.Time) bool {
	return !t.Before(o.Start) && t.Before(o.Ends())
}

// Ends is when the outage ends or ended: at an admin's end, or by itself
// at Until.
func (o ProviderOutage) Ends() time.Time {
	if o.End != nil && o.End.Before(o.Until) {
		return *o.End
	}
	return o.Until
}

// FallbackSheet is one user's printed sheet of one-time codes.
type FallbackSheet struct {
	ID       string         `json:"id"`
	UserID   string         `json:"user_id"`
	Issued   time.Time      `json:"issued"`
	IssuedBy string         `json:"issued_by"`
	Codes    []FallbackCode `json:"codes"`
}

// Left counts the codes not used yet.
func (s FallbackSheet) Left() int {
	n := 0
	for _, c := range s.Codes {
		if c.Used == nil {
			n++
		}
	}
	return n
}

// FallbackCode is one code of a sheet, as its hash.
type FallbackCode struct {
	Hash string     `json:"hash"`
	Used *time.Time `json:"used,omitempty"`
}

// TOTPSecret is an admin's break-glass TOTP secret (RFC 6238), in the
// base32 form authenticator apps take. Kept as secret as the store's
// other secrets: sealed in PostgreSQL, under the store's encryption at
// rest in Badger.
type TOTPSecret struct {
	UserID   string    `json:"user_id"`
	Secret   string    `json:"secret"`
	Enrolled time.Time `json:"enrolled"`
	// LastStep is the last time step a break-glass login used.
	LastStep int64 `json:"last_step"`
}

// BreakGlassUse is one break-glass login.
type BreakGlassUse struct {
	ID      string    `json:"id"`
	UserID  string    `json:"user_id"`
	At      time.Time `json:"at"`
	Step    int64     `json:"step"`
	Address string    `json:"address,omitempty"`
}

// Audit actions of the logins without the identity provider.
const (
	AuditProviderOutageDeclare = "provider_outage.declare"
	AuditProviderOutageEnd     = "provider_outage.end"
	AuditFallbackIssue         = "fallback.issue"
	AuditFallbackUse           = "fallback.use"
	AuditFallbackRefused       = "fallback.refused"
	AuditTOTPEnrol             = "breakglass.enrol"
	AuditBreakGlass            = "breakglass.use"
	AuditBreakGlassRefused     = "breakglass.refused"
	AuditPasswordOff           = "login.password_off"
)

// Errors of the logins without the identity provider.
var (
	// ErrProviderOutageState means declaring a provider outage while one
	// is active, or ending one when none is.
	ErrProviderOutageState = errors.New("provider outage state")
	// ErrFallbackCodeUsed means a fallback code that was used before.
	ErrFallbackCodeUsed = errors.New("fallback code already used")
	// ErrTOTPReused means a TOTP code whose time step was used before.
	ErrTOTPReused = errors.New("TOTP code already used")
)
