package oidclogin

import (
	"context"
	"time"

	"beredskap/internal/care"
)

// OutageDeclared says whether a provider outage is declared at now, the
// time during which local passwords work again for the roles a provider
// covers (issue 18's fallback declares and ends it). Nil means never.
type OutageDeclared func(ctx context.Context, now time.Time) (bool, error)

// PasswordPolicy says whether a role may log in with a local password:
// always when no provider covers it; for a role a provider covers, only
// while an outage is declared.
type PasswordPolicy struct {
	Config *Config
	// Outage is asked for a covered role; nil is no outage.
	Outage OutageDeclared
}

// PasswordAllowed reports whether users of role may log in with their
// local password at now.
func (p PasswordPolicy) PasswordAllowed(ctx context.Context, role care.Role, now time.Time) (bool, error) {
	if p.Config == nil || !p.Config.Covers(role) {
		return true, nil
	}
	if p.Outage == nil {
		return false, nil
	}
	return p.Outage(ctx, now)
}
