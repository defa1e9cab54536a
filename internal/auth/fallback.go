package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// Logging in when the identity provider is down (issue 18, item 4).
// With OpenID Connect covering a role, local passwords are off for it
// unless an admin has declared a provider outage; during one, users log
// in with their password or a printed one-time fallback code. Admins
// keep a break-glass login (password plus TOTP, totp.go) that works
// either way, so that an outage can always be declared.

// Policy says which roles log in through the identity provider. It is
// the seam the OpenID Connect login fills from its configuration; the
// zero Policy covers no role, and every password login works as it
// always has.
type Policy struct {
	// OIDCRoles are the roles whose local passwords are off unless a
	// provider outage is declared.
	OIDCRoles []care.Role
}

// Covers says whether role logs in through the identity provider.
func (p Policy) Covers(role care.Role) bool { return slices.Contains(p.OIDCRoles, role) }

// ProviderOutage says whether an outage of the identity provider is
// declared and active now.
type ProviderOutage interface {
	Active(ctx context.Context) (store.ProviderOutage, bool, error)
}

// LocalLoginAllowed says whether a user of role may log in with a
// local password now: always when the identity provider does not cover
// the role, otherwise only during a declared provider outage. An outage
// that cannot be asked about (the store is down) is an error, not a
// yes.
func (p Policy) LocalLoginAllowed(ctx context.Context, outage ProviderOutage, role care.Role) (bool, error) {
	if !p.Covers(role) {
		return true, nil
	}
	if outage == nil {
		return false, nil
	}
	_, active, err := outage.Active(ctx)
	return active, err
}

// DeclaredOutages is the ProviderOutage the store keeps: an outage is
// active from its declaration until an admin ends it or its Until
// passes, whichever comes first. Nothing has to run for it to end by
// itself: every question asks the clock.
type DeclaredOutages struct {
	Store store.ProviderOutages
	Now   func() time.Time
}

// Active returns the outage active now, if one is.
func (d DeclaredOutages) Active(ctx context.Context) (store.ProviderOutage, bool, error) {
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	// The latest few are enough: outages do not overlap, so the active
	// one, if any, is the newest that has begun.
	all, err := d.Store.ProviderOutages(ctx, 3)
	if err != nil {
		return store.ProviderOutage{}, false, fmt.Errorf("provider outage: %w", err)
	}
	for _, o := range all {
		if o.ActiveAt(now) {
			return o, true, nil
		}
	}
	return store.ProviderOutage{}, false, nil
}

// Fallback codes are printed on a sheet, one sheet per user, and each
// works once. A code is 24 symbols of Crockford's base32 (0-9 and A-Z
// without I, L, O and U), 120 bits from crypto/rand, printed in six
// groups of four. Typing is forgiving: case, spaces and dashes do not
// matter, and I, L and O read as 1, 1 and 0.
//
// A code is stored as SHA-256 over a label, the user's id and the code,
// not with the password hasher: with 120 random bits there is nothing to
// guess (NIST SP 800-63B asks a slow hash only of look-up secrets below
// 112 bits), the user's id keeps one computation from serving two
// users, and a slow hash would cost each login ten Argon2id runs, since
// a typed code cannot say which of the sheet's hashes to check. A key
// would add nothing the 120 bits do not give, and would have to be the
// same on every node and survive a restore.
const (
	FallbackSheetSize   = 10
	fallbackCodeSymbols = 24
	fallbackGroup       = 4
	crockford           = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// NewFallbackCodes returns a new sheet's codes, in their printed form.
func NewFallbackCodes(n int) ([]string, error) {
	out := make([]string, n)
	buf := make([]byte, fallbackCodeSymbols)
	for i := range out {
		if _, err := rand.Read(buf); err != nil {
			return nil, fmt.Errorf("new fallback codes: %w", err)
		}
		var b strings.Builder
		for j, x := range buf {
			if j > 0 && j%fallbackGroup == 0 {
				b.WriteByte('-')
			}
			// 256 is a multiple of 32: the low five bits are uniform.
			b.WriteByte(crockford[x&31])
		}
		out[i] = b.String()
	}
	return out, nil
}

// NormalizeFallbackCode turns what a user typed into the code's one
// form (24 symbols, no dashes), or reports that it cannot be a code.
func NormalizeFallbackCode(typed string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'I' || r == 'L':
			r = '1'
		case r == 'O':
			r = '0'
		}
		if r > 127 || !strings.ContainsRune(crockford, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != fallbackCodeSymbols {
		return "", false
	}
	return b.String(), true
}

// FallbackCodeHash is the stored form of a user's code (normalised
// first, as NormalizeFallbackCode does).
func FallbackCodeHash(userID, code string) string {
	h := sha256.New()
	h.Write([]byte("beredskap fallback code v1\x00"))
	h.Write([]byte(userID))
	h.Write([]byte{0})
	h.Write([]byte(code))
	return hex.EncodeToString(h.Sum(nil))
}
