package users

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// Links between a user and the identities of the municipality's identity
// providers (issue 18): an admin links a provider's identity (the value of
// the claim the provider's configuration names: an HPR number, an e-mail
// address, a subject) to one user; the login through the provider then
// finds the user by it. The command line and the admin API both use these.

// Linker is what linking reads and writes.
type Linker interface {
	store.Accounts
	store.LoginFlows
	store.AuditTrail
}

// ErrIdentityLinked is an identity that another user has.
var ErrIdentityLinked = store.ErrIdentityLinked

// Link links provider's identity subject to the user id.
func Link(ctx context.Context, db Linker, id, provider, subject, by string, now time.Time) (store.IdentityLink, error) {
	provider, subject = strings.TrimSpace(provider), strings.TrimSpace(subject)
	if provider == "" {
		return store.IdentityLink{}, care.Invalid("provider", "a provider is required", care.KeyRequired)
	}
	if subject == "" || len(subject) > 512 {
		return store.IdentityLink{}, care.Invalid("subject", "an identity (the provider's claim value, at most 512 bytes) is required", care.KeyRequired)
	}
	if _, err := db.Account(ctx, id); err != nil {
		return store.IdentityLink{}, err
	}
	l := store.IdentityLink{Provider: provider, Subject: subject, UserID: id, By: by, Created: now.UTC()}
	if err := db.PutIdentityLink(ctx, l); err != nil {
		if errors.Is(err, store.ErrIdentityLinked) {
			return store.IdentityLink{}, fmt.Errorf("this identity at %s is linked to another user; unlink it there first: %w", provider, err)
		}
		return store.IdentityLink{}, err
	}
	// The audit names the provider, not the identity: a subject may be a
	// national identity number, and the log is read by the office.
	if err := db.Append(ctx, store.Audit{Time: now, Actor: by, Action: store.AuditIdentityLink, Subject: id, Detail: "provider=" + provider}); err != nil {
		return l, err
	}
	return l, nil
}

// Unlink removes the link of provider's identity subject from the user
// id; a link of another user's is ErrNotFound.
func Unlink(ctx context.Context, db Linker, id, provider, subject, by string, now time.Time) error {
	l, err := db.IdentityLink(ctx, provider, subject)
	if err != nil {
		return err
	}
	if l.UserID != id {
		return fmt.Errorf("identity at %s of user %s: %w", provider, id, store.ErrNotFound)
	}
	if err := db.DeleteIdentityLink(ctx, provider, subject); err != nil {
		return err
	}
	return db.Append(ctx, store.Audit{Time: now, Actor: by, Action: store.AuditIdentityUnlink, Subject: id, Detail: "provider=" + provider})
}
