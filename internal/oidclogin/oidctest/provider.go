// Package oidctest runs a real OpenID Connect provider on loopback for
// tests: zitadel's OpenID-certified pkg/op over a small in-memory
// storage of its own, with a login form that takes a username (no
// password: the provider's own checks are not what the tests are
// about). Knobs make it misbehave the ways a provider, or someone
// between, can: tokens for another audience, expired tokens, the nonce
// of an earlier login, an issuer other than its address.
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is someone who can log in at the provider.
type User struct {
	// Username is what the login form takes.
	Username string
	// Subject is the "sub" claim.
	Subject string
	// ACR is the assurance level of the user's logins ("acr").
	ACR string
	// Claims are added to the ID token (preferred_username, email, a
	// national claim).
	Claims map[string]any
}

// Client is a relying party registered at the provider.
type Client struct {
	ID          string
	RedirectURI string
	// Secret, for client_secret_basic; or Key, the public key of
	// private_key_jwt, registered under KeyID.
	Secret string
	Key    any
	KeyID  string
}

// Provider is the running provider.
type Provider struct {
	// URL is where it is served; Issuer what it calls itself (the same
	// unless Options.Issuer said otherwise).
	URL, Issuer string

	srv *httptest.Server
	st  *storage
}

// Options change the provider.
type Options struct {
	// Issuer, when set, is the issuer the provider names in its
	// discovery document and tokens instead of its own URL.
	Issuer string
}

// Start runs a provider until the test ends.
func Start(t testing.TB, opts Options) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	st := &storage{
		key: key, keyID: "k1",
		users: map[string]User{}, clients: map[string]*client{},
		requests: map[string]*authRequest{}, codes: map[string]string{},
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	issuer := srv.URL
	if opts.Issuer != "" {
		issuer = opts.Issuer
	}
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		t.Fatal(err)
	}
	// The token endpoint may be made to name another issuer in its ID
	// tokens than discovery names (SetTokenIssuer).
	issuerOf := func(bool) (op.IssuerFromRequest, error) {
		return func(r *http.Request) string {
			st.mu.Lock()
			defer st.mu.Unlock()
			if st.tokenIssuer != "" && r.URL.Path == "/oauth/token" {
				return st.tokenIssuer
			}
			return issuer
		}, nil
	}
	prov, err := op.NewProvider(&op.Config{
		CryptoKey:               cryptoKey,
		CodeMethodS256:          true,
		AuthMethodPrivateKeyJWT: true,
	}, st, issuerOf, op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	st.callback = func(id string) string { return "/authorize/callback?id=" + id }
	mux.HandleFunc("GET /login", st.loginForm)
	mux.HandleFunc("POST /login", st.login)
	mux.Handle("POST /oauth/token", st.rewriteTokens(prov))
	mux.Handle("/", prov)
	return &Provider{URL: srv.URL, Issuer: issuer, srv: srv, st: st}
}

// AddUser registers a user.
func (p *Provider) AddUser(u User) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.users[u.Username] = u
}

// AddClient registers a relying party.
func (p *Provider) AddClient(c Client) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.clients[c.ID] = &client{Client: c, idTokenLife: 5 * time.Minute}
}

// SetAudience makes the provider issue ID tokens that name aud as their
// audience instead of the client that asked (op always names the
// client, so the token endpoint's answer is signed again, with the
// provider's own key: a provider that issues a token meant for another
// relying party).
func (p *Provider) SetAudience(aud ...string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.audience = aud
}

// SetIDTokenLifetime sets how long the client's ID tokens are valid; a
// negative lifetime issues tokens expired already.
func (p *Provider) SetIDTokenLifetime(clientID string, d time.Duration) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.clients[clientID].idTokenLife = d
}

// SetTokenIssuer makes the ID tokens name iss as their issuer while
// discovery goes on naming the provider's own.
func (p *Provider) SetTokenIssuer(iss string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.tokenIssuer = iss
}

// Close stops the provider: what is sent to it after fails.
func (p *Provider) Close() { p.srv.CloseClientConnections(); p.srv.Close() }

// ReplayNonce makes every later ID token carry the nonce of the first
// login the provider saw, as an ID token of that login replayed would.
func (p *Provider) ReplayNonce() {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.replayNonce = true
}

// ACRValuesAsked returns the acr_values of the latest authorization
// request.
func (p *Provider) ACRValuesAsked() []string {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	return p.st.lastACRValues
}

// storage is the provider's state, in memory.
type storage struct {
	key   *rsa.PrivateKey
	keyID string

	callback func(id string) string

	mu            sync.Mutex
	users         map[string]User
	clients       map[string]*client
	requests      map[string]*authRequest
	codes         map[string]string // code → request id
	seq           int
	firstNonce    string
	replayNonce   bool
	tokenIssuer   string
	audience      []string
	lastACRValues []string
}

type client struct {
	Client
	idTokenLife time.Duration
}

// authRequest is one authorization request and, once the user logged
// in, who it is for.
type authRequest struct {
	id       string
	req      oidc.AuthRequest
	audience []string
	nonce    string
	subject  string
	acr      string
	authTime time.Time
	done     bool
}

func (a *authRequest) GetID() string          { return a.id }
func (a *authRequest) GetACR() string         { return a.acr }
func (a *authRequest) GetAMR() []string       { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string  { return a.audience }
func (a *authRequest) GetAuthTime() time.Time { return a.authTime }
func (a *authRequest) GetClientID() string    { return a.req.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.req.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.req.CodeChallenge, Method: a.req.CodeChallengeMethod}
}
func (a *authRequest) GetNonce() string                   { return a.nonce }
func (a *authRequest) GetRedirectURI() string             { return a.req.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.req.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.req.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.req.Scopes }
func (a *authRequest) GetState() string                   { return a.req.State }
func (a *authRequest) GetSubject() string                 { return a.subject }
func (a *authRequest) Done() bool                         { return a.done }

// errNotFound is what the storage says of what it does not hold.
var errNotFound = errors.New("not found")

func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[req.ClientID]
	if !ok {
		return nil, errNotFound
	}
	s.seq++
	a := &authRequest{id: fmt.Sprintf("ar%d", s.seq), req: *req, nonce: req.Nonce, audience: []string{c.ID}}
	if s.firstNonce == "" {
		s.firstNonce = req.Nonce
	}
	if s.replayNonce {
		a.nonce = s.firstNonce
	}
	s.lastACRValues = req.ACRValues
	s.requests[a.id] = a
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.requests[id]; ok {
		return a, nil
	}
	return nil, errNotFound
}

func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.requests[s.codes[code]]; ok {
		return a, nil
	}
	return nil, errNotFound
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for c, r := range s.codes {
		if r == id {
			delete(s.codes, c)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("at%d", s.seq), time.Now().Add(5 * time.Minute), nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("no refresh tokens here")
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(context.Context, string, string, string) *oidc.Error { return nil }

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// signingKey is the provider's RSA key, as op signs with it and
// publishes it.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }

type publicKey struct{ signingKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.key.PublicKey }

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{s.keyID, s.key}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{signingKey{s.keyID, s.key}}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[id]; ok {
		return opClient{c}, nil
	}
	return nil, errNotFound
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok || c.Secret == "" || c.Secret != secret {
		return errors.New("wrong client secret")
	}
	return nil
}

// SetUserinfoFromScopes fills the ID token's claims: the user's own,
// whatever the scopes (the tests configure what a real provider would
// send for them).
func (s *storage) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, subject, _ string, _ []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	info.Subject = subject
	for _, u := range s.users {
		if u.Subject != subject {
			continue
		}
		for k, v := range u.Claims {
			info.AppendClaims(k, v)
		}
	}
	return nil
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, _, subject, _ string) error {
	return s.SetUserinfoFromScopes(context.Background(), info, subject, "", nil)
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("no introspection here")
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID gives the public key of a private_key_jwt
// client, by which op checks its client assertions.
func (s *storage) GetKeyByIDAndClientID(_ context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[clientID]
	if !ok || c.Key == nil || c.KeyID != keyID {
		return nil, errNotFound
	}
	return &jose.JSONWebKey{Key: c.Key, KeyID: c.KeyID, Use: "sig"}, nil
}

func (s *storage) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

func (s *storage) Health(context.Context) error { return nil }

// opClient is a client as op asks about it.
type opClient struct{ c *client }

func (o opClient) GetID() string                    { return o.c.ID }
func (o opClient) RedirectURIs() []string           { return []string{o.c.RedirectURI} }
func (o opClient) PostLogoutRedirectURIs() []string { return nil }
func (o opClient) ApplicationType() op.ApplicationType {
	return op.ApplicationTypeWeb
}
func (o opClient) AuthMethod() oidc.AuthMethod {
	if o.c.Key != nil {
		return oidc.AuthMethodPrivateKeyJWT
	}
	return oidc.AuthMethodBasic
}
func (o opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (o opClient) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }
func (o opClient) LoginURL(id string) string    { return "/login?authRequestID=" + id }
func (o opClient) AccessTokenType() op.AccessTokenType {
	return op.AccessTokenTypeBearer
}
func (o opClient) IDTokenLifetime() time.Duration { return o.c.idTokenLife }
func (o opClient) DevMode() bool                  { return true }
func (o opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (o opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (o opClient) IsScopeAllowed(string) bool           { return true }
func (o opClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (o opClient) ClockSkew() time.Duration             { return 0 }

// loginForm is the provider's login page: a username and a button.
func (s *storage) loginForm(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><form method="post" action="/login"><input type="hidden" name="id" value="%s"><input name="username"><button>Log in</button></form>`, html.EscapeString(id))
}

// login logs the username in for the authorization request and sends
// the browser on to op's callback, which answers the relying party.
func (s *storage) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, name := r.PostForm.Get("id"), strings.TrimSpace(r.PostForm.Get("username"))
	s.mu.Lock()
	a, okReq := s.requests[id]
	u, okUser := s.users[name]
	if okReq && okUser {
		a.subject, a.acr, a.authTime, a.done = u.Subject, u.ACR, time.Now(), true
	}
	s.mu.Unlock()
	if !okReq || !okUser {
		http.Error(w, "unknown login or user", http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, s.callback(id), http.StatusFound)
}

// rewriteTokens signs the token endpoint's ID tokens again with another
// audience, while SetAudience asks for one.
func (s *storage) rewriteTokens(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		aud := s.audience
		s.mu.Unlock()
		if aud == nil {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			copyResponse(w, rec)
			return
		}
		raw, _ := body["id_token"].(string)
		parts := strings.Split(raw, ".")
		if len(parts) != 3 {
			copyResponse(w, rec)
			return
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		if err == nil {
			err = json.Unmarshal(payload, &claims)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		claims["aud"] = aud
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: s.key},
			(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), s.keyID))
		if err == nil {
			payload, err = json.Marshal(claims)
		}
		var jws *jose.JSONWebSignature
		if err == nil {
			jws, err = signer.Sign(payload)
		}
		if err == nil {
			body["id_token"], err = jws.CompactSerialize()
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	})
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}
