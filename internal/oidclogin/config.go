// Package oidclogin is the login through a municipality's identity
// provider (issue 18): the providers' configuration, the OpenID Connect
// Authorization Code flow with PKCE, state and nonce, the verification
// of the ID token (go-oidc, against the provider's published keys), the
// accepted assurance levels, and the handover of a login to the app by a
// one-time code it exchanges for a session. Every step of a login in
// progress is kept in the store (store.LoginFlows), so that a step may
// land on any server of several.
package oidclogin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
)

// Config is the file --auth-config names: a JSON object. Unknown fields
// are refused, so that a misspelt field is an error at start, not a
// setting silently ignored. Example (HelseID for the phones, Entra ID for
// the office):
//
//	{
//	  "public_url": "https://beredskap.kommune.no",
//	  "providers": [
//	    {"id": "helseid", "name": {"nb": "HelseID"},
//	     "issuer": "https://helseid-sts.nhn.no",
//	     "client_id": "…", "private_key_file": "/etc/beredskap/helseid.pem", "key_id": "…",
//	     "scopes": ["openid", "profile", "helseid://scopes/hpr/hpr_number", "helseid://scopes/identity/security_level"],
//	     "user_claim": "helseid://claims/hpr/hpr_number",
//	     "acr_claim": "helseid://claims/identity/security_level", "acr_values": ["4"],
//	     "prompt": "login", "roles": ["worker", "nurse"]},
//	    {"id": "entra", "name": {"nb": "Kommunens konto", "en": "Municipal account"},
//	     "issuer": "https://login.microsoftonline.com/<tenant>/v2.0",
//	     "client_id": "…", "client_secret_file": "/etc/beredskap/entra.secret",
//	     "user_claim": "preferred_username", "roles": ["coordinator", "admin"]}
//	  ]
//	}
type Config struct {
	// PublicURL is the server's address as browsers reach it (scheme,
	// host, optional port, no path): the redirect URI registered at
	// every provider is PublicURL + CallbackPath. Required; https, or
	// http on a loopback address (tests, a developer's machine).
	PublicURL string `json:"public_url"`
	// Providers are the identity providers, each covering some roles. A
	// role is covered by at most one provider.
	Providers []Provider `json:"providers"`
	// FlowMinutes is how long a login may take between the start and
	// the provider's callback, and between the callback and the app's
	// exchange of the one-time code (each step on its own). Default 10.
	FlowMinutes int `json:"flow_minutes,omitempty"`
}

// Provider is one OpenID Connect identity provider.
type Provider struct {
	// ID names the provider in URLs, links and the audit log: lower-case
	// letters, digits and '-', at most 32. Required, unique.
	ID string `json:"id"`
	// Name is what the login button says, per language ("nb", "sv",
	// "da", "en"); a language without one falls back to "en", then to
	// the ID.
	Name map[string]string `json:"name,omitempty"`
	// Issuer is the provider's issuer URL exactly as its discovery
	// document (Issuer + "/.well-known/openid-configuration") and its ID
	// tokens say it. Required; https (http on loopback only).
	Issuer string `json:"issuer"`
	// ClientID is Beredskap's client id at the provider; ID tokens must
	// name it in their audience. Required.
	ClientID string `json:"client_id"`
	// ClientSecretFile is a file holding the client secret (trailing
	// white space ignored): client_secret_basic at the token endpoint.
	// Exactly one of ClientSecretFile and PrivateKeyFile is required.
	ClientSecretFile string `json:"client_secret_file,omitempty"`
	// PrivateKeyFile is a PEM file holding the private key (RSA, or EC
	// P-256) that signs the client assertion (private_key_jwt, RFC
	// 7523): HelseID requires it. The public half is registered at the
	// provider under KeyID.
	PrivateKeyFile string `json:"private_key_file,omitempty"`
	// KeyID is the "kid" of the client assertion's key; required with
	// PrivateKeyFile.
	KeyID string `json:"key_id,omitempty"`
	// AssertionAudience is the "aud" of the client assertion: "issuer"
	// (the default; HelseID) or "token_endpoint" (Entra ID, RFC 7523's
	// recommendation).
	AssertionAudience string `json:"assertion_audience,omitempty"`
	// Scopes are requested; "openid" is added when missing. Default
	// ["openid"].
	Scopes []string `json:"scopes,omitempty"`
	// UserClaim is the ID token claim whose value names the Beredskap
	// user it is linked to: "sub" (the default), "preferred_username",
	// "email", or any other claim name, such as HelseID's
	// "helseid://claims/hpr/hpr_number" or ID-porten's "pid". Its value
	// must be a string or a number.
	UserClaim string `json:"user_claim,omitempty"`
	// ACRValues are the accepted assurance levels: an ID token whose
	// ACRClaim is not one of them is refused. They are also sent as the
	// acr_values request parameter, in this order. Empty accepts any
	// (Entra ID sends none; then the provider's own policy is what
	// counts).
	ACRValues []string `json:"acr_values,omitempty"`
	// ACRClaim is the claim that carries the assurance level: "acr"
	// (the default, OpenID Connect's), or a provider's own (HelseID's
	// "helseid://claims/identity/assurance_level"). acr_values is sent
	// as a request parameter only with "acr".
	ACRClaim string `json:"acr_claim,omitempty"`
	// Prompt, when set, is sent as the prompt request parameter: "login"
	// makes the provider ask for the credentials again even when the
	// browser still has a session there, which a phone shared between
	// workers wants (the next one must not log in as the last);
	// "select_account" lets the user choose among accounts. Default none.
	Prompt string `json:"prompt,omitempty"`
	// Roles are the roles whose users log in through this provider:
	// "worker", "nurse", "coordinator", "admin". Required. For these
	// roles local passwords are off (see auth.Policy).
	Roles []care.Role `json:"roles"`
	// TimeoutSeconds bounds every request to the provider (discovery,
	// keys, token), so that a provider that does not answer gives a
	// clear error, not a hanging login. Default 10, at most 60.
	TimeoutSeconds int `json:"timeout_seconds,omitempty"`
}

// CallbackPath is where every provider sends the browser back.
const CallbackPath = "/api/v1/oidc/callback"

const (
	defaultFlowMinutes = 10
	defaultTimeout     = 10 * time.Second
)

var providerID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// Load reads and validates the configuration file; the error names the
// file and the field at fault.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth config: %w", err)
	}
	c, err := Parse(b, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("auth config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates a configuration; relative file names in
// it are taken from dir.
func Parse(b []byte, dir string) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decode: more than one JSON value")
	}
	if err := c.validate(dir); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Config) validate(dir string) error {
	if err := checkURL(c.PublicURL); err != nil {
		return fmt.Errorf("public_url: %w", err)
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	if u, _ := url.Parse(c.PublicURL); u.Path != "" {
		return errors.New("public_url: must have no path")
	}
	switch {
	case c.FlowMinutes == 0:
		c.FlowMinutes = defaultFlowMinutes
	case c.FlowMinutes < 1 || c.FlowMinutes > 60:
		return fmt.Errorf("flow_minutes: %d is not between 1 and 60", c.FlowMinutes)
	}
	if len(c.Providers) == 0 {
		return errors.New("providers: at least one provider is required")
	}
	ids := map[string]bool{}
	covered := map[care.Role]string{}
	for i := range c.Providers {
		p := &c.Providers[i]
		if err := p.validate(dir); err != nil {
			if providerID.MatchString(p.ID) {
				return fmt.Errorf("providers[%d] (%s).%w", i, p.ID, err)
			}
			return fmt.Errorf("providers[%d].%w", i, err)
		}
		if ids[p.ID] {
			return fmt.Errorf("providers[%d].id: %q is used twice", i, p.ID)
		}
		ids[p.ID] = true
		for _, r := range p.Roles {
			if other, ok := covered[r]; ok {
				return fmt.Errorf("providers[%d] (%s).roles: %s is covered by %s already", i, p.ID, r, other)
			}
			covered[r] = p.ID
		}
	}
	return nil
}

func (p *Provider) validate(dir string) error {
	if !providerID.MatchString(p.ID) {
		return fmt.Errorf("id: %q must be 1 to 32 lower-case letters, digits or '-'", p.ID)
	}
	for lang := range p.Name {
		if !slices.Contains(i18n.Languages(), lang) {
			return fmt.Errorf("name: language %q is not one of %s", lang, strings.Join(i18n.Languages(), ", "))
		}
	}
	if err := checkURL(p.Issuer); err != nil {
		return fmt.Errorf("issuer: %w", err)
	}
	if strings.TrimSpace(p.ClientID) == "" {
		return errors.New("client_id: required")
	}
	switch {
	case p.ClientSecretFile != "" && p.PrivateKeyFile != "":
		return errors.New("client_secret_file: give either client_secret_file or private_key_file, not both")
	case p.ClientSecretFile == "" && p.PrivateKeyFile == "":
		return errors.New("client_secret_file: one of client_secret_file and private_key_file is required")
	case p.ClientSecretFile != "":
		p.ClientSecretFile = resolve(dir, p.ClientSecretFile)
		s, err := readSecret(p.ClientSecretFile)
		if err != nil {
			return fmt.Errorf("client_secret_file: %w", err)
		}
		if s == "" {
			return fmt.Errorf("client_secret_file: %s is empty", p.ClientSecretFile)
		}
		if p.KeyID != "" || p.AssertionAudience != "" {
			return errors.New("key_id: only with private_key_file")
		}
	default:
		p.PrivateKeyFile = resolve(dir, p.PrivateKeyFile)
		if _, err := loadSigner(p.PrivateKeyFile, "check"); err != nil {
			return fmt.Errorf("private_key_file: %w", err)
		}
		if p.KeyID == "" {
			return errors.New("key_id: required with private_key_file")
		}
		switch p.AssertionAudience {
		case "":
			p.AssertionAudience = "issuer"
		case "issuer", "token_endpoint":
		default:
			return fmt.Errorf("assertion_audience: %q is not \"issuer\" or \"token_endpoint\"", p.AssertionAudience)
		}
	}
	if !slices.Contains(p.Scopes, "openid") {
		p.Scopes = append([]string{"openid"}, p.Scopes...)
	}
	for _, s := range p.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\n") {
			return fmt.Errorf("scopes: %q is not a scope", s)
		}
	}
	if p.UserClaim == "" {
		p.UserClaim = "sub"
	}
	if p.ACRClaim == "" {
		p.ACRClaim = "acr"
	}
	for _, v := range p.ACRValues {
		if v == "" || strings.ContainsAny(v, " \t\n") {
			return fmt.Errorf("acr_values: %q is not an assurance level", v)
		}
	}
	switch p.Prompt {
	case "", "login", "select_account", "consent":
	default:
		return fmt.Errorf("prompt: %q is not \"login\", \"select_account\" or \"consent\"", p.Prompt)
	}
	if len(p.Roles) == 0 {
		return errors.New("roles: at least one role is required")
	}
	for _, r := range p.Roles {
		if !r.Valid() {
			return fmt.Errorf("roles: %q is not worker, nurse, coordinator or admin", r)
		}
	}
	switch {
	case p.TimeoutSeconds == 0:
	case p.TimeoutSeconds < 1 || p.TimeoutSeconds > 60:
		return fmt.Errorf("timeout_seconds: %d is not between 1 and 60", p.TimeoutSeconds)
	}
	return nil
}

// timeout is the bound of one request to the provider.
func (p *Provider) timeout() time.Duration {
	if p.TimeoutSeconds == 0 {
		return defaultTimeout
	}
	return time.Duration(p.TimeoutSeconds) * time.Second
}

// DisplayName is the provider's name in lang.
func (p *Provider) DisplayName(lang string) string {
	if n := p.Name[lang]; n != "" {
		return n
	}
	if n := p.Name["en"]; n != "" {
		return n
	}
	return p.ID
}

// Covers reports whether the provider's users of role log in through it.
func (p *Provider) Covers(role care.Role) bool { return slices.Contains(p.Roles, role) }

// checkURL accepts an absolute https URL, or http on a loopback host.
func checkURL(s string) error {
	if s == "" {
		return errors.New("required")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q is not an absolute URL without query, fragment or user", s)
	}
	switch u.Scheme {
	case "https":
	case "http":
		h := u.Hostname()
		if h != "localhost" && h != "127.0.0.1" && h != "::1" {
			return fmt.Errorf("%q: http is allowed on loopback only; use https", s)
		}
	default:
		return fmt.Errorf("%q: the scheme must be https", s)
	}
	return nil
}

func resolve(dir, name string) string {
	if filepath.IsAbs(name) || dir == "" {
		return name
	}
	return filepath.Join(dir, name)
}

func readSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), " \t\r\n"), nil
}
