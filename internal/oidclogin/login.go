package oidclogin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// A login, step by step:
//
//  1. Start: the app sends the browser to the start endpoint with the
//     provider, where it returns (phone or office) and the S256
//     challenge of a secret of its own (the proof). The server stores a
//     FlowStarted step under the SHA-256 of a random state, with the
//     PKCE verifier and the nonce, and sends the browser to the
//     provider.
//  2. Callback: the provider sends the browser back with its code and
//     the state. The step is taken (once, on whichever server), the code
//     exchanged with the verifier, the ID token verified (signature by
//     the provider's published keys, issuer, audience, expiry; then
//     nonce and acr here), and the identity looked up among the links.
//     A user found, enabled, of a role the provider covers, gets a
//     FlowHandover step under the SHA-256 of a random one-time code,
//     which goes to the app in the URL's fragment.
//  3. Exchange: the app POSTs the code with its proof; the step is taken,
//     the proof checked against the challenge of step 1, and the server
//     starts a session as a password login does. A code read from a URL
//     (history, a shoulder) is useless without the proof, which never
//     left the app, and is used once.

// The catalogue keys (internal/i18n/oidc.go) of what a login through a
// provider can end with; the app shows them on the login page.
const (
	KeyUnknownProvider = "oidc.unknown_provider"
	KeyUnreachable     = "oidc.provider_unreachable"
	KeyFlowUnknown     = "oidc.login_expired"
	KeyProviderRefused = "oidc.provider_refused"
	KeyTokenInvalid    = "oidc.token_invalid"
	KeyACRTooLow       = "oidc.acr_too_low"
	KeyUnknownUser     = "oidc.unknown_user"
	KeyDisabled        = "oidc.disabled"
	KeyRoleNotCovered  = "oidc.role_not_covered"
	KeyCodeInvalid     = "oidc.code_invalid"
	KeyPasswordOff     = "oidc.password_off"
)

// The places a login returns to.
const (
	TargetPhone  = "phone"
	TargetOffice = "office"
)

// Store is what logins keep and read: the steps and links, the accounts,
// and the audit log.
type Store interface {
	store.LoginFlows
	Account(ctx context.Context, id string) (store.Account, error)
	Append(ctx context.Context, entries ...store.Audit) error
}

// Logins runs logins through the configured providers.
type Logins struct {
	cfg     *Config
	db      Store
	now     func() time.Time
	log     *slog.Logger
	clients map[string]*client
}

// New makes the logins of a validated configuration; it reads the
// secrets and keys but does not reach the providers (a provider down at
// start does not keep the server from starting: its logins fail with a
// clear error until it answers).
func New(cfg *Config, db Store, now func() time.Time, log *slog.Logger) (*Logins, error) {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Logins{cfg: cfg, db: db, now: now, log: log, clients: map[string]*client{}}
	for i := range cfg.Providers {
		c, err := newClient(&cfg.Providers[i])
		if err != nil {
			return nil, err
		}
		l.clients[cfg.Providers[i].ID] = c
	}
	return l, nil
}

// Config is the configuration the logins run.
func (l *Logins) Config() *Config { return l.cfg }

func (l *Logins) redirectURL() string { return l.cfg.PublicURL + CallbackPath }

func (l *Logins) flowLife() time.Duration { return time.Duration(l.cfg.FlowMinutes) * time.Minute }

// challengeForm is an S256 challenge: base64url without padding of 32
// bytes.
var challengeForm = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// Start begins a login through provider, returning to target; challenge
// is the S256 challenge (RFC 7636 §4.2) of the app's proof. It returns
// the provider's authorization URL.
func (l *Logins) Start(ctx context.Context, provider, target, challenge string) (string, error) {
	c, ok := l.clients[provider]
	if !ok {
		return "", wire.Errorf(wire.CodeNotFound, "no identity provider %q", provider).WithKey(KeyUnknownProvider)
	}
	if target != TargetPhone && target != TargetOffice {
		return "", care.Invalid("target", "target must be phone or office", "")
	}
	if !challengeForm.MatchString(challenge) {
		return "", care.Invalid("challenge", "challenge must be the S256 challenge of the app's proof (43 characters of base64url)", "")
	}
	d, _, err := c.discover(ctx, l.now)
	if err != nil {
		return "", discoveryError(l.log, c.p, err)
	}
	state, err := secret()
	if err != nil {
		return "", err
	}
	nonce, err := secret()
	if err != nil {
		return "", err
	}
	now := l.now()
	f := store.LoginFlow{
		ID: hashOf(state), Kind: store.FlowStarted, Provider: provider, Target: target,
		Verifier: oauth2.GenerateVerifier(), Nonce: nonce, Challenge: challenge,
		Created: now, Expires: now.Add(l.flowLife()),
	}
	if err := l.db.PutLoginFlow(ctx, f); err != nil {
		return "", fmt.Errorf("start a login through %s: %w", provider, err)
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.Verifier), oidc.Nonce(nonce)}
	if len(c.p.ACRValues) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", strings.Join(c.p.ACRValues, " ")))
	}
	return c.oauth2Config(d, l.redirectURL()).AuthCodeURL(state, opts...), nil
}

// discoveryError says why a provider's metadata could not be had: an
// issuer other than the one configured (a wrong configuration, or
// someone else answering at its address) is not the provider being down.
func discoveryError(log *slog.Logger, p *Provider, err error) *wire.Error {
	var mismatch *oidc.IssuerMismatchError
	if errors.As(err, &mismatch) {
		log.Error("identity provider names another issuer", "provider", p.ID, "configured", mismatch.Provided, "discovered", mismatch.Discovered)
		return wire.Errorf(wire.CodeUnavailable, "the identity provider %s calls itself %q, not the configured %q", p.ID, mismatch.Discovered, mismatch.Provided).WithKey(KeyTokenInvalid)
	}
	log.Warn("identity provider unreachable", "provider", p.ID, "err", err)
	return wire.Errorf(wire.CodeUnavailable, "the identity provider %s does not answer: %v", p.ID, err).WithKey(KeyUnreachable, p.DisplayName("en"))
}

// Handover is a login the provider vouched for: the one-time code the
// app exchanges, and where it returns.
type Handover struct {
	Code   string
	Target string
}

// Refusal is a callback that ends without a login: Err says why (a
// *wire.Error with a catalogue key), Target where the browser returns
// to read it ("" when the login was not known: the phone's page).
type Refusal struct {
	Target string
	Err    *wire.Error
}

func (r *Refusal) Error() string { return r.Err.Error() }

// Callback finishes the provider's part of a login from the query of
// the provider's redirect. A login that cannot go on is a *Refusal,
// audited; another error is the server's own (the store).
func (l *Logins) Callback(ctx context.Context, q url.Values) (Handover, error) {
	state := q.Get("state")
	if state == "" {
		return Handover{}, l.refuse(ctx, store.LoginFlow{}, "", "no state", wire.Errorf(wire.CodeInvalidInput, "the callback has no state").WithKey(KeyFlowUnknown))
	}
	now := l.now()
	f, err := l.db.TakeLoginFlow(ctx, hashOf(state), now)
	if errors.Is(err, store.ErrNotFound) {
		// Replayed, expired, or never started here.
		return Handover{}, l.refuse(ctx, store.LoginFlow{}, "", "unknown or used state", wire.Errorf(wire.CodeUnauthorized, "this login is unknown, used or expired; start again").WithKey(KeyFlowUnknown))
	}
	if err != nil {
		return Handover{}, fmt.Errorf("login callback: %w", err)
	}
	if f.Kind != store.FlowStarted {
		return Handover{}, l.refuse(ctx, f, "", "state of another kind", wire.Errorf(wire.CodeUnauthorized, "this login is unknown, used or expired; start again").WithKey(KeyFlowUnknown))
	}
	c, ok := l.clients[f.Provider]
	if !ok {
		return Handover{}, l.refuse(ctx, f, "", "provider no longer configured", wire.Errorf(wire.CodeNotFound, "no identity provider %q", f.Provider).WithKey(KeyUnknownProvider))
	}
	if e := q.Get("error"); e != "" {
		return Handover{}, l.refuse(ctx, f, "", "provider error "+clip(e)+": "+clip(q.Get("error_description")),
			wire.Errorf(wire.CodeUnauthorized, "the identity provider refused the login (%s)", clip(e)).WithKey(KeyProviderRefused))
	}
	code := q.Get("code")
	if code == "" {
		return Handover{}, l.refuse(ctx, f, "", "no code", wire.Errorf(wire.CodeInvalidInput, "the callback has no code").WithKey(KeyProviderRefused))
	}
	d, verifier, err := c.discover(ctx, l.now)
	if err != nil {
		return Handover{}, l.refuse(ctx, f, "", "discovery: "+clip(err.Error()), discoveryError(l.log, c.p, err))
	}
	tok, err := c.exchange(ctx, d, l.redirectURL(), code, f.Verifier, now)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return Handover{}, l.refuse(ctx, f, "", "token request refused: "+clip(err.Error()), wire.Errorf(wire.CodeUnauthorized, "the identity provider refused the code").WithKey(KeyProviderRefused))
		}
		return Handover{}, l.refuse(ctx, f, "", "token request failed: "+clip(err.Error()), wire.Errorf(wire.CodeUnavailable, "the identity provider %s does not answer", f.Provider).WithKey(KeyUnreachable, c.p.DisplayName("en")))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Handover{}, l.refuse(ctx, f, "", "no id_token in the token response", wire.Errorf(wire.CodeUnauthorized, "the identity provider sent no ID token").WithKey(KeyTokenInvalid))
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return Handover{}, l.refuse(ctx, f, "", "id token: "+clip(err.Error()), wire.Errorf(wire.CodeUnauthorized, "the ID token does not verify: %v", err).WithKey(KeyTokenInvalid))
	}
	// go-oidc leaves the nonce to the caller.
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return Handover{}, l.refuse(ctx, f, "", "id token: nonce is not this login's", wire.Errorf(wire.CodeUnauthorized, "the ID token belongs to another login").WithKey(KeyTokenInvalid))
	}
	claims := map[string]json.RawMessage{}
	if err := idt.Claims(&claims); err != nil {
		return Handover{}, l.refuse(ctx, f, "", "id token claims: "+clip(err.Error()), wire.Errorf(wire.CodeUnauthorized, "the ID token's claims do not decode").WithKey(KeyTokenInvalid))
	}
	acr, _ := claimString(claims["acr"])
	if len(c.p.ACRValues) > 0 && !slices.Contains(c.p.ACRValues, acr) {
		return Handover{}, l.refuse(ctx, f, "", "acr "+clip(acr)+" not accepted",
			wire.Errorf(wire.CodeForbidden, "the login's assurance level %q is not one of %s", acr, strings.Join(c.p.ACRValues, ", ")).WithKey(KeyACRTooLow))
	}
	subject, ok := claimString(claims[c.p.UserClaim])
	if !ok || subject == "" {
		return Handover{}, l.refuse(ctx, f, "", "id token lacks the claim "+c.p.UserClaim, wire.Errorf(wire.CodeForbidden, "the ID token has no %s", c.p.UserClaim).WithKey(KeyUnknownUser))
	}
	link, err := l.db.IdentityLink(ctx, f.Provider, subject)
	if errors.Is(err, store.ErrNotFound) {
		return Handover{}, l.refuse(ctx, f, "", "identity linked to no user",
			wire.Errorf(wire.CodeForbidden, "this identity is linked to no user of Beredskap; ask an administrator").WithKey(KeyUnknownUser))
	}
	if err != nil {
		return Handover{}, fmt.Errorf("login callback: %w", err)
	}
	acct, err := l.db.Account(ctx, link.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return Handover{}, l.refuse(ctx, f, "", "linked user "+link.UserID+" does not exist",
			wire.Errorf(wire.CodeForbidden, "this identity is linked to no user of Beredskap; ask an administrator").WithKey(KeyUnknownUser))
	}
	if err != nil {
		return Handover{}, fmt.Errorf("login callback: %w", err)
	}
	if acct.Disabled {
		return Handover{}, l.refuse(ctx, f, acct.ID, "account disabled", wire.Errorf(wire.CodeForbidden, "this account is disabled").WithKey(KeyDisabled))
	}
	if !c.p.Covers(acct.Role) {
		return Handover{}, l.refuse(ctx, f, acct.ID, "role "+string(acct.Role)+" not covered by the provider",
			wire.Errorf(wire.CodeForbidden, "users of role %s do not log in through %s", acct.Role, f.Provider).WithKey(KeyRoleNotCovered))
	}
	hcode, err := secret()
	if err != nil {
		return Handover{}, err
	}
	h := store.LoginFlow{
		ID: hashOf(hcode), Kind: store.FlowHandover, Provider: f.Provider, Target: f.Target, Challenge: f.Challenge,
		UserID: acct.ID, ACR: acr, Created: now, Expires: now.Add(l.flowLife()),
	}
	if err := l.db.PutLoginFlow(ctx, h); err != nil {
		return Handover{}, fmt.Errorf("login callback: %w", err)
	}
	return Handover{Code: hcode, Target: f.Target}, nil
}

// Exchanged is a login handed over to the app.
type Exchanged struct {
	Account  store.Account
	Provider string
	ACR      string
}

// Exchange takes the one-time code of a login with the app's proof (the
// secret whose S256 challenge started it) and returns the account to
// start a session for. A code is used once, whatever the proof.
func (l *Logins) Exchange(ctx context.Context, code, proof string) (Exchanged, error) {
	bad := wire.Errorf(wire.CodeUnauthorized, "this login code is unknown, used or expired; log in again").WithKey(KeyCodeInvalid)
	if code == "" || proof == "" {
		return Exchanged{}, care.Invalid("code", "code and verifier are required", care.KeyRequired)
	}
	f, err := l.db.TakeLoginFlow(ctx, hashOf(code), l.now())
	if errors.Is(err, store.ErrNotFound) {
		return Exchanged{}, bad
	}
	if err != nil {
		return Exchanged{}, fmt.Errorf("exchange a login code: %w", err)
	}
	if f.Kind != store.FlowHandover {
		return Exchanged{}, bad
	}
	if subtle.ConstantTimeCompare([]byte(oauth2.S256ChallengeFromVerifier(proof)), []byte(f.Challenge)) != 1 {
		l.audit(ctx, store.Audit{Actor: f.UserID, Action: store.AuditOIDCLoginRefused, Detail: "provider=" + f.Provider + " reason=wrong proof at the exchange"})
		return Exchanged{}, bad
	}
	acct, err := l.db.Account(ctx, f.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return Exchanged{}, bad
	}
	if err != nil {
		return Exchanged{}, fmt.Errorf("exchange a login code: %w", err)
	}
	if acct.Disabled {
		// Disabled between the callback and the exchange.
		return Exchanged{}, wire.Errorf(wire.CodeForbidden, "this account is disabled").WithKey(KeyDisabled)
	}
	return Exchanged{Account: acct, Provider: f.Provider, ACR: f.ACR}, nil
}

// refuse audits a login that ends at the callback and returns it as a
// *Refusal.
func (l *Logins) refuse(ctx context.Context, f store.LoginFlow, userID, reason string, e *wire.Error) error {
	l.log.Info("login through a provider refused", "provider", f.Provider, "user", userID, "reason", reason)
	l.audit(ctx, store.Audit{Actor: userID, Action: store.AuditOIDCLoginRefused, Detail: "provider=" + f.Provider + " reason=" + reason})
	return &Refusal{Target: f.Target, Err: e}
}

func (l *Logins) audit(ctx context.Context, a store.Audit) {
	if err := l.db.Append(ctx, a); err != nil {
		l.log.Error("audit append failed", "err", err)
	}
}

// Covers reports whether a provider covers role.
func (c *Config) Covers(role care.Role) bool {
	for i := range c.Providers {
		if c.Providers[i].Covers(role) {
			return true
		}
	}
	return false
}

// Provider returns the provider with id.
func (c *Config) Provider(id string) (*Provider, bool) {
	for i := range c.Providers {
		if c.Providers[i].ID == id {
			return &c.Providers[i], true
		}
	}
	return nil, false
}

// secret is 32 random bytes, base64url.
func secret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashOf is the id a secret's step is stored under.
func hashOf(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// claimString reads a claim that is a string or a number (an HPR number
// may come as either).
func claimString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), true
	}
	return "", false
}

// clip keeps what a provider or an error says short in the audit log.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
