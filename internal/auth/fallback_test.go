package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

func TestNewFallbackCodes(t *testing.T) {
	codes, err := NewFallbackCodes(FallbackSheetSize)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		groups := strings.Split(c, "-")
		if len(groups) != 6 || len(c) != 29 {
			t.Fatalf("%q is not six groups of four", c)
		}
		n, ok := NormalizeFallbackCode(c)
		if !ok || n != strings.ReplaceAll(c, "-", "") {
			t.Fatalf("%q does not normalise to itself: %q %v", c, n, ok)
		}
		if seen[n] {
			t.Fatalf("%q twice on one sheet", c)
		}
		seen[n] = true
	}
}

func TestNormalizeFallbackCode(t *testing.T) {
	const code = "0123456789ABCDEFGHJKMNPQ"
	for _, c := range []struct {
		typed, want string
		ok          bool
	}{
		{"0123-4567-89AB-CDEF-GHJK-MNPQ", code, true},
		{"0123 4567 89ab cdef ghjk mnpq", code, true},
		{"o123-4567-89AB-CDEF-GHJK-MNPQ", code, true},                       // O reads as 0
		{"0I23-4567-89AB-CDEF-GHJK-MNPQ", "0123456789ABCDEFGHJKMNPQ", true}, // I reads as 1
		{"0123-4567-89AB-CDEF-GHJK-MNP", "", false},                         // one short
		{"0123-4567-89AB-CDEF-GHJK-MNPQR", "", false},                       // one long
		{"0123-4567-89AB-CDEF-GHJK-MNPU", "", false},                        // U is no symbol
		{"0123-4567-89AB-CDEF-GHJK-MNPÅ", "", false},
		{"", "", false},
	} {
		got, ok := NormalizeFallbackCode(c.typed)
		if got != c.want || ok != c.ok {
			t.Errorf("%q: %q %v, want %q %v", c.typed, got, ok, c.want, c.ok)
		}
	}
}

func TestFallbackCodeHashIsPerUser(t *testing.T) {
	const code = "0123456789ABCDEFGHJKMNPQ"
	if FallbackCodeHash("u1", code) == FallbackCodeHash("u2", code) {
		t.Fatal("one code hashes alike for two users")
	}
	if FallbackCodeHash("u1", code) != FallbackCodeHash("u1", code) || len(FallbackCodeHash("u1", code)) != 64 {
		t.Fatal("the hash is not a stable SHA-256")
	}
}

// TestCheckTOTPKnownAnswers: RFC 6238 appendix B's SHA-1 vectors, cut to
// six digits, at their times and within one step either side.
func TestCheckTOTPKnownAnswers(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	for _, c := range []struct {
		unix int64
		code string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"},
	} {
		at := time.Unix(c.unix, 0)
		want := c.unix / 30
		if got, err := TOTPCode(secret, at); err != nil || got != c.code {
			t.Errorf("code at %d: %q %v, want %q", c.unix, got, err, c.code)
		}
		for _, now := range []time.Time{at, at.Add(-30 * time.Second), at.Add(30 * time.Second)} {
			if step, ok := CheckTOTP(secret, c.code, now); !ok || step != want {
				t.Errorf("%s at %d: step %d %v, want %d", c.code, now.Unix(), step, ok, want)
			}
		}
		for _, far := range []time.Time{at.Add(-90 * time.Second), at.Add(90 * time.Second)} {
			if _, ok := CheckTOTP(secret, c.code, far); ok {
				t.Errorf("%s accepted at %d, three steps off", c.code, far.Unix())
			}
		}
	}
	for _, bad := range []string{"", "28708", "2870823", "abcdef", "287083"} {
		if _, ok := CheckTOTP(secret, bad, time.Unix(59, 0)); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNewTOTP(t *testing.T) {
	secret, uri, err := NewTOTP("Beredskap", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 || !strings.HasPrefix(uri, "otpauth://totp/Beredskap:admin?") || !strings.Contains(uri, "secret="+secret) {
		t.Fatalf("secret %q, uri %q", secret, uri)
	}
	now := time.Now()
	code, err := TOTPCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := CheckTOTP(secret, code, now); !ok {
		t.Fatal("a fresh secret's code is refused")
	}
}

type outages []store.ProviderOutage

func (o outages) ProviderOutages(context.Context, int) ([]store.ProviderOutage, error) { return o, nil }
func (outages) DeclareProviderOutage(context.Context, store.ProviderOutage, store.Audit) error {
	return errors.ErrUnsupported
}
func (outages) EndProviderOutage(context.Context, string, time.Time, store.Audit) (store.ProviderOutage, error) {
	return store.ProviderOutage{}, errors.ErrUnsupported
}

type brokenOutages struct{ outages }

func (brokenOutages) ProviderOutages(context.Context, int) ([]store.ProviderOutage, error) {
	return nil, errors.New("store down")
}

// TestLocalLoginAllowed: a role the provider does not cover logs in
// with its password always; a covered one only while an outage is
// active, which ends by itself at its Until or when ended.
func TestLocalLoginAllowed(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	ended := t0.Add(time.Hour)
	declared := outages{{ID: "p1", Start: t0, Until: t0.Add(8 * time.Hour)}}
	endedEarly := outages{{ID: "p1", Start: t0, Until: t0.Add(8 * time.Hour), End: &ended}}
	p := Policy{OIDCRoles: []care.Role{care.RoleWorker, care.RoleAdmin}}
	for _, c := range []struct {
		name  string
		pol   Policy
		store store.ProviderOutages
		role  care.Role
		at    time.Time
		want  bool
	}{
		{"no role covered", Policy{}, outages{}, care.RoleWorker, t0, true},
		{"uncovered role", p, outages{}, care.RoleNurse, t0, true},
		{"covered, no outage", p, outages{}, care.RoleWorker, t0, false},
		{"covered, before the outage", p, declared, care.RoleWorker, t0.Add(-time.Second), false},
		{"covered, during the outage", p, declared, care.RoleAdmin, t0.Add(time.Hour), true},
		{"covered, at its until", p, declared, care.RoleWorker, t0.Add(8 * time.Hour), false},
		{"covered, ended early", p, endedEarly, care.RoleWorker, t0.Add(2 * time.Hour), false},
		{"covered, before it was ended", p, endedEarly, care.RoleWorker, t0.Add(30 * time.Minute), true},
	} {
		at := c.at
		got, err := c.pol.LocalLoginAllowed(ctx, DeclaredOutages{Store: c.store, Now: func() time.Time { return at }}, c.role)
		if err != nil || got != c.want {
			t.Errorf("%s: %v %v, want %v", c.name, got, err, c.want)
		}
	}
	if ok, err := p.LocalLoginAllowed(ctx, DeclaredOutages{Store: brokenOutages{}}, care.RoleWorker); ok || err == nil {
		t.Fatalf("a store that cannot be asked: %v %v, want an error", ok, err)
	}
	if ok, err := p.LocalLoginAllowed(ctx, DeclaredOutages{Store: brokenOutages{}}, care.RoleNurse); !ok || err != nil {
		t.Fatalf("an uncovered role with the store down: %v %v", ok, err)
	}
}
