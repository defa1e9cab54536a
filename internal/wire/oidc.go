package wire

import (
	"time"

	"beredskap/internal/care"
)

// Login through the municipality's identity provider (issue 18); the
// endpoints are under /api/v1/oidc/ (see server/oidc.go).

// ProviderView is one identity provider as the login page shows it.
type ProviderView struct {
	ID string `json:"id"`
	// Name is the button's label per language (nb, sv, da, en).
	Name  map[string]string `json:"name"`
	Roles []care.Role       `json:"roles"`
}

// ProvidersResponse answers GET /api/v1/oidc/providers; no provider means
// password login only.
type ProvidersResponse struct {
	Providers []ProviderView `json:"providers"`
}

// ExchangeRequest is the body of POST /api/v1/oidc/exchange: the one-time
// code from the callback's fragment and the proof whose S256 challenge
// started the login.
type ExchangeRequest struct {
	Code     string `json:"code"`
	Verifier string `json:"verifier"`
}

// IdentityRequest links or unlinks a provider's identity (POST and DELETE
// /api/v1/users/{id}/identities).
type IdentityRequest struct {
	Provider string `json:"provider"`
	Subject  string `json:"subject"`
}

// IdentitiesResponse lists a user's linked identities.
type IdentitiesResponse struct {
	Identities []IdentityLink `json:"identities"`
}

// IdentityLink is a provider's identity linked to a user.
type IdentityLink struct {
	Provider string    `json:"provider"`
	Subject  string    `json:"subject"`
	UserID   string    `json:"user_id"`
	By       string    `json:"by"`
	Created  time.Time `json:"created"`
}
