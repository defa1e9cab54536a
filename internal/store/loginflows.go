package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// Logins through an identity provider (issue 18): the steps of a login
// in progress, kept in the store so that each step may land on another
// server, and the links from a provider's identity to a Beredskap user.

// LoginFlows holds the logins through an identity provider in progress
// and the identities linked to users.
type LoginFlows interface {
	// PutLoginFlow stores a step of a login until its Expires; an id
	// held already is ErrLoginFlowExists and nothing changes.
	PutLoginFlow(ctx context.Context, f LoginFlow) error
	// TakeLoginFlow returns the step with id and deletes it, in one
	// step: of several servers taking the same id at once, one gets it
	// and the others ErrNotFound, as does anyone once it expired.
	TakeLoginFlow(ctx context.Context, id string, now time.Time) (LoginFlow, error)

	// PutIdentityLink links a provider's identity to a user; an identity
	// linked to another user already is ErrIdentityLinked (it is
	// unlinked first), one linked to the same user is replaced.
	PutIdentityLink(ctx context.Context, l IdentityLink) error
	// IdentityLink returns the link of a provider's identity, or
	// ErrNotFound.
	IdentityLink(ctx context.Context, provider, subject string) (IdentityLink, error)
	// IdentityLinks returns a user's links, by provider then subject.
	IdentityLinks(ctx context.Context, userID string) ([]IdentityLink, error)
	// DeleteIdentityLink removes a link; an unknown one is ErrNotFound.
	DeleteIdentityLink(ctx context.Context, provider, subject string) error
}

// The kinds of a login's steps.
const (
	// FlowStarted is a login sent to the provider: it is taken by the
	// provider's callback, with the state as its id.
	FlowStarted = "started"
	// FlowHandover is a login the provider vouched for, waiting for the
	// app to exchange its one-time code for a session.
	FlowHandover = "handover"
)

// LoginFlow is one step of a login through an identity provider. Its id
// is the SHA-256 of its kind and the secret that names it (the state, the one-time
// code), so that what the store holds cannot be replayed.
type LoginFlow struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Provider string `json:"provider"`
	// Target is where the login returns: "phone" or "office".
	Target string `json:"target"`
	// Verifier is the PKCE code verifier sent with the code to the
	// provider; Nonce the ID token must carry (FlowStarted).
	Verifier string `json:"verifier,omitempty"`
	Nonce    string `json:"nonce,omitempty"`
	// Challenge is the S256 challenge of the app's own proof, which the
	// exchange of the one-time code must show: a code seen in a URL is
	// useless without it.
	Challenge string `json:"challenge"`
	// UserID is who the provider vouched for (FlowHandover), and
	// Subject the identity it named.
	UserID  string    `json:"user_id,omitempty"`
	Subject string    `json:"subject,omitempty"`
	ACR     string    `json:"acr,omitempty"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// IdentityLink says that a provider's identity (the value of the claim
// the provider's configuration names) is a Beredskap user.
type IdentityLink struct {
	Provider string    `json:"provider"`
	Subject  string    `json:"subject"`
	UserID   string    `json:"user_id"`
	By       string    `json:"by"`
	Created  time.Time `json:"created"`
}

// ErrLoginFlowExists is a login step stored under an id held already.
var ErrLoginFlowExists = errors.New("login flow exists")

// ErrIdentityLinked is an identity linked to another user already.
var ErrIdentityLinked = errors.New("identity linked to another user")

// Audit actions of logins through a provider.
const (
	AuditOIDCLogin        = "login.oidc"
	AuditOIDCLoginRefused = "login.oidc_refused"
	AuditIdentityLink     = "user.link"
	AuditIdentityUnlink   = "user.unlink"
)

// SortIdentityLinks puts links in the order IdentityLinks gives them: by
// provider, then subject.
func SortIdentityLinks(ls []IdentityLink) {
	slices.SortFunc(ls, func(a, b IdentityLink) int {
		if c := strings.Compare(a.Provider, b.Provider); c != 0 {
			return c
		}
		return strings.Compare(a.Subject, b.Subject)
	})
}
