package shift

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"

	"beredskap/internal/wire"
)

// The logins of issue 18: through the municipality's identity provider
// (OpenID Connect), with a printed one-time fallback code while the
// provider is declared down, and the admins' break-glass login; and the
// desk's side of them.

// Providers lists the identity providers the login page offers; none
// means password login only.
func (a *API) Providers(ctx context.Context) (wire.ProvidersResponse, error) {
	var out wire.ProvidersResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/oidc/providers", "", nil, &out)
	return out, err
}

// ProviderOutage says whether an outage of the identity provider is
// declared (no login needed).
func (a *API) ProviderOutage(ctx context.Context) (wire.ProviderOutageStatus, error) {
	var out wire.ProviderOutageStatus
	err := a.do(ctx, http.MethodGet, "/api/v1/provider-outage", "", nil, &out)
	return out, err
}

// ExchangeLogin trades the one-time code of a login through a provider,
// with the proof that started it, for a session.
func (a *API) ExchangeLogin(ctx context.Context, code, verifier string) (wire.LoginResponse, error) {
	var out wire.LoginResponse
	err := a.do(ctx, http.MethodPost, "/api/v1/oidc/exchange", "", wire.ExchangeRequest{Code: code, Verifier: verifier}, &out)
	return out, err
}

// FallbackLogin logs in with a one-time code of the user's printed sheet
// (during a declared provider outage only).
func (a *API) FallbackLogin(ctx context.Context, username, code string) (wire.LoginResponse, error) {
	var out wire.LoginResponse
	err := a.do(ctx, http.MethodPost, "/api/v1/session/fallback", "", wire.FallbackLoginRequest{Username: username, Code: code}, &out)
	return out, err
}

// BreakGlassLogin is an admin's login by password and authenticator code.
func (a *API) BreakGlassLogin(ctx context.Context, username, password, totp string) (wire.LoginResponse, error) {
	var out wire.LoginResponse
	err := a.do(ctx, http.MethodPost, "/api/v1/session/break-glass", "", wire.BreakGlassLoginRequest{Username: username, Password: password, TOTP: totp}, &out)
	return out, err
}

// ChangeProviderOutage declares or ends a provider outage (admins).
func (a *API) ChangeProviderOutage(ctx context.Context, token string, req wire.ProviderOutageRequest) (wire.ProviderOutageStatus, error) {
	var out wire.ProviderOutageStatus
	err := a.do(ctx, http.MethodPost, "/api/v1/provider-outage", token, req, &out)
	return out, err
}

// IssueFallbackSheet makes a new sheet of one-time codes for a user
// (admins); the codes are in this answer only.
func (a *API) IssueFallbackSheet(ctx context.Context, token, userID string) (wire.FallbackSheetResponse, error) {
	var out wire.FallbackSheetResponse
	err := a.do(ctx, http.MethodPost, "/api/v1/users/"+url.PathEscape(userID)+"/fallback-codes", token, nil, &out)
	return out, err
}

// FallbackSheet says whether a user has a sheet and how many codes are
// left (admins).
func (a *API) FallbackSheet(ctx context.Context, token, userID string) (wire.FallbackSheetStatus, error) {
	var out wire.FallbackSheetStatus
	err := a.do(ctx, http.MethodGet, "/api/v1/users/"+url.PathEscape(userID)+"/fallback-codes", token, nil, &out)
	return out, err
}

// Identities lists the provider identities linked to a user (admins).
func (a *API) Identities(ctx context.Context, token, userID string) (wire.IdentitiesResponse, error) {
	var out wire.IdentitiesResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/users/"+url.PathEscape(userID)+"/identities", token, nil, &out)
	return out, err
}

// LinkIdentity links a provider's identity to a user (admins).
func (a *API) LinkIdentity(ctx context.Context, token, userID string, req wire.IdentityRequest) error {
	return a.do(ctx, http.MethodPost, "/api/v1/users/"+url.PathEscape(userID)+"/identities", token, req, nil)
}

// UnlinkIdentity removes a link (admins).
func (a *API) UnlinkIdentity(ctx context.Context, token, userID string, req wire.IdentityRequest) error {
	return a.do(ctx, http.MethodDelete, "/api/v1/users/"+url.PathEscape(userID)+"/identities", token, req, nil)
}

// BreakGlassUses lists the latest break-glass logins, newest first.
func (a *API) BreakGlassUses(ctx context.Context, token string) (wire.BreakGlassUsesResponse, error) {
	var out wire.BreakGlassUsesResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/break-glass", token, nil, &out)
	return out, err
}

// NewLoginProof makes the secret a login through a provider is finished
// with (the app keeps it; it never goes in a URL) and its challenge as
// the server expects it: base64url without padding of the SHA-256 of the
// proof (RFC 7636's S256), 43 characters. The proof is 32 random bytes,
// base64url (crypto/rand is the browser's crypto.getRandomValues in
// WebAssembly).
func NewLoginProof() (verifier, challenge string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("login proof: %w", err)
	}
	verifier = base64.RawURLEncoding.EncodeToString(b)
	return verifier, LoginChallenge(verifier), nil
}

// LoginChallenge is the S256 challenge of a proof.
func LoginChallenge(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// StartURL is where the browser goes to log in through provider,
// returning to target ("phone" or "office").
func StartURL(provider, target, challenge string) string {
	q := url.Values{"provider": {provider}, "target": {target}, "challenge": {challenge}}
	return "/api/v1/oidc/start?" + q.Encode()
}
