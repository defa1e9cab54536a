package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"beredskap/internal/care"
	"beredskap/internal/oidclogin"
	"beredskap/internal/oidclogin/oidctest"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/users"
	"beredskap/internal/wire"
)

// Logins through an identity provider, against a real OpenID provider on
// loopback (oidctest: zitadel's pkg/op): the phone's roles through
// "helseid" (private_key_jwt, the HPR number names the user, acr must be
// high), the office's through "entra" (client secret,
// preferred_username), two server nodes over one store.

const (
	acrHigh        = "idporten-loa-high"
	acrSubstantial = "idporten-loa-substantial"
	hprClaim       = "helseid://claims/hpr/hpr_number"
)

type oidcEnv struct {
	t      *testing.T
	d      *servertest.DataDir
	health *oidctest.Provider // helseid
	office *oidctest.Provider // entra
	nodes  []*httptest.Server
	public string
	ids    map[string]string // username → user id
	outage bool
}

// oidcOptions change the environment.
type oidcOptions struct {
	// healthIssuer, when set, is the issuer configured for helseid
	// instead of the provider's.
	healthIssuer string
	// healthTimeout is helseid's timeout_seconds (0: the default).
	healthTimeout int
	// wrongKey signs helseid's client assertions with a key the
	// provider does not know.
	wrongKey bool
}

func newOIDCEnv(t *testing.T, o oidcOptions) *oidcEnv {
	t.Helper()
	d := servertest.New(t)
	e := &oidcEnv{t: t, d: d, ids: map[string]string{}}
	ln := make([]net.Listener, 2)
	for i := range ln {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln[i] = l
	}
	// The public address is node 0's: the providers send the browser
	// back there, and a test may take the callback to node 1 instead,
	// as a load balancer would.
	e.public = "http://" + ln[0].Addr().String()
	redirect := e.public + oidclogin.CallbackPath

	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signWith := key
	if o.wrongKey {
		if signWith, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	der, err := x509.MarshalPKCS8PrivateKey(signWith)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "helseid.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	write(t, filepath.Join(dir, "entra.secret"), []byte("s3cret-of-the-office\n"))

	e.health = oidctest.Start(t, oidctest.Options{})
	e.health.AddClient(oidctest.Client{ID: "beredskap-phone", RedirectURI: redirect, Key: &key.PublicKey, KeyID: "bk1"})
	e.office = oidctest.Start(t, oidctest.Options{})
	e.office.AddClient(oidctest.Client{ID: "beredskap-office", RedirectURI: redirect, Secret: "s3cret-of-the-office"})

	issuer := e.health.Issuer
	if o.healthIssuer != "" {
		issuer = o.healthIssuer
	}
	conf := fmt.Sprintf(`{
	  "public_url": %q,
	  "providers": [
	    {"id": "helseid", "name": {"nb": "HelseID"}, "issuer": %q, "client_id": "beredskap-phone",
	     "private_key_file": "helseid.pem", "key_id": "bk1",
	     "scopes": ["openid", "profile", "helseid://scopes/identity/hpr_number"],
	     "user_claim": %q, "acr_values": [%q], "roles": ["worker", "nurse"], "timeout_seconds": %d},
	    {"id": "entra", "name": {"en": "Municipal account"}, "issuer": %q, "client_id": "beredskap-office",
	     "client_secret_file": "entra.secret", "user_claim": "preferred_username", "roles": ["coordinator", "admin"]}
	  ]
	}`, e.public, issuer, hprClaim, acrHigh, o.healthTimeout, e.office.Issuer)
	cfg, err := oidclogin.Parse([]byte(conf), dir)
	if err != nil {
		t.Fatal(err)
	}

	// Two nodes over one store, each with its own logins (nothing of a
	// login in progress is kept in a node's memory).
	for i := range ln {
		logins, err := oidclogin.New(cfg, d.DB, time.Now, nil)
		if err != nil {
			t.Fatal(err)
		}
		srv := New(Config{OfflineFor: 8 * time.Hour, Location: d.Loc, Hasher: d.Hasher, OIDC: logins,
			PasswordPolicy: oidclogin.PasswordPolicy{Config: cfg, Outage: func(context.Context, time.Time) (bool, error) { return e.outage, nil }}},
			d.DB, d.Keys, nil)
		hs := httptest.NewUnstartedServer(srv.Handler())
		hs.Listener.Close()
		hs.Listener = ln[i]
		hs.Start()
		t.Cleanup(hs.Close)
		e.nodes = append(e.nodes, hs)
	}

	// The demo's people at the providers, and linked in Beredskap.
	for _, u := range []struct {
		username, hpr string
		office        bool
	}{{"anna", "9144889", false}, {"nils", "9144890", false}, {"kari", "", true}, {"admin", "", true}} {
		acct, err := d.DB.AccountByUsername(context.Background(), u.username)
		if err != nil {
			t.Fatal(err)
		}
		e.ids[u.username] = acct.ID
		if u.office {
			e.office.AddUser(oidctest.User{Username: u.username, Subject: "entra-" + u.username,
				Claims: map[string]any{"preferred_username": u.username + "@kommune.no"}})
			e.link(u.username, "entra", u.username+"@kommune.no")
			continue
		}
		e.health.AddUser(oidctest.User{Username: u.username, Subject: "helseid-" + u.username, ACR: acrHigh,
			Claims: map[string]any{hprClaim: u.hpr}})
		e.link(u.username, "helseid", u.hpr)
	}
	return e
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (e *oidcEnv) link(username, provider, subject string) {
	e.t.Helper()
	if _, err := users.Link(context.Background(), e.d.DB, e.ids[username], provider, subject, "test", time.Now()); err != nil {
		e.t.Fatal(err)
	}
}

// browser is a user's browser: a cookie jar, following redirects until
// the provider sends it back to Beredskap (the callback), or Beredskap
// sends it to one of the app's pages.
func (e *oidcEnv) browser() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &http.Client{
		Jar: jar,
		// A bound on the test, should the server hang (it must not).
		Timeout: time.Minute,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Path == oidclogin.CallbackPath || !strings.HasPrefix(req.URL.Path, "/api/") && e.isNode(req.URL) {
				return http.ErrUseLastResponse
			}
			if len(via) > 10 {
				return fmt.Errorf("too many redirects")
			}
			return nil
		},
	}
}

func (e *oidcEnv) isNode(u *url.URL) bool {
	for _, n := range e.nodes {
		if strings.HasPrefix(u.String(), n.URL) {
			return true
		}
	}
	return false
}

// attempt is one login through a provider, step by step.
type attempt struct {
	proof    string
	callback *url.URL // where the provider sent the browser back
	page     *url.URL // the app's page Beredskap sent it to
}

// start begins a login at node and logs username in at the provider's
// form; it returns with the provider's redirect to the callback (or
// with Beredskap's redirect to a page, when the start failed).
func (e *oidcEnv) start(b *http.Client, node int, provider, target, username string) *attempt {
	e.t.Helper()
	a := &attempt{proof: oauth2.GenerateVerifier()}
	q := url.Values{"provider": {provider}, "target": {target}, "challenge": {oauth2.S256ChallengeFromVerifier(a.proof)}}
	resp, err := b.Get(e.nodes[node].URL + "/api/v1/oidc/start?" + q.Encode())
	if err != nil {
		e.t.Fatalf("start: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusFound {
		a.page = location(e.t, resp)
		return a
	}
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("the provider's login form: %d %s", resp.StatusCode, body)
	}
	m := regexp.MustCompile(`name="id" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		e.t.Fatalf("no login form: %s", body)
	}
	form := resp.Request.URL.ResolveReference(&url.URL{Path: "/login"})
	resp, err = b.PostForm(form.String(), url.Values{"id": {string(m[1])}, "username": {username}})
	if err != nil {
		e.t.Fatalf("log in at the provider: %v", err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("the provider's answer to the login: %d %s", resp.StatusCode, body)
	}
	a.callback = location(e.t, resp)
	if a.callback.Path != oidclogin.CallbackPath {
		e.t.Fatalf("the provider sent the browser to %s", a.callback)
	}
	return a
}

// land takes the provider's redirect to node (the public address is node
// 0's; a load balancer may choose another) and returns Beredskap's
// redirect to the app's page.
func (e *oidcEnv) land(b *http.Client, node int, a *attempt) *url.URL {
	e.t.Helper()
	u := e.nodes[node].URL + a.callback.RequestURI()
	resp, err := b.Get(u)
	if err != nil {
		e.t.Fatalf("callback: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("callback: %d", resp.StatusCode)
	}
	a.page = location(e.t, resp)
	return a.page
}

func location(t *testing.T, resp *http.Response) *url.URL {
	t.Helper()
	u, err := resp.Location()
	if err != nil {
		t.Fatalf("redirect without a location: %v", err)
	}
	return u
}

// fragment reads the page's fragment parameters.
func fragment(t *testing.T, u *url.URL) url.Values {
	t.Helper()
	v, err := url.ParseQuery(u.Fragment)
	if err != nil {
		t.Fatalf("fragment of %s: %v", u, err)
	}
	return v
}

// exchange posts the one-time code and the proof to node.
func (e *oidcEnv) exchange(node int, code, proof string) (int, []byte, wire.LoginResponse) {
	e.t.Helper()
	body, _ := json.Marshal(wire.ExchangeRequest{Code: code, Verifier: proof})
	resp, err := http.Post(e.nodes[node].URL+"/api/v1/oidc/exchange", "application/json", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var lr wire.LoginResponse
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &lr); err != nil {
			e.t.Fatal(err)
		}
	}
	return resp.StatusCode, raw, lr
}

// login runs a whole login through provider at node 0 and returns the
// session.
func (e *oidcEnv) login(provider, target, username string) wire.LoginResponse {
	e.t.Helper()
	b := e.browser()
	a := e.start(b, 0, provider, target, username)
	if a.page != nil {
		e.t.Fatalf("the start failed: %s", a.page)
	}
	page := e.land(b, 0, a)
	code := fragment(e.t, page).Get("oidc_code")
	if code == "" {
		e.t.Fatalf("no code: %s", page)
	}
	status, raw, lr := e.exchange(0, code, a.proof)
	if status != http.StatusOK {
		e.t.Fatalf("exchange: %d %s", status, raw)
	}
	return lr
}

// refused runs a login through provider and checks that it ends on the
// target's page with the key, with no code, and that the refusal is
// audited.
func (e *oidcEnv) refused(provider, target, username, key string) {
	e.t.Helper()
	b := e.browser()
	a := e.start(b, 0, provider, target, username)
	page := a.page
	if page == nil {
		page = e.land(b, 0, a)
	}
	e.wantRefusal(page, target, key)
}

func (e *oidcEnv) wantRefusal(page *url.URL, target, key string) {
	e.t.Helper()
	f := fragment(e.t, page)
	if f.Get("oidc_code") != "" {
		e.t.Fatalf("refused login got a code: %s", page)
	}
	if got := f.Get("oidc_error"); got != key {
		e.t.Fatalf("refusal %q (%s), want %q", got, page, key)
	}
	if want := loginPage(target); page.Path != want {
		e.t.Fatalf("refusal shown on %s, want %s", page.Path, want)
	}
}

// refusals counts the audited refusals.
func (e *oidcEnv) refusals() int {
	e.t.Helper()
	n := 0
	for _, a := range e.auditLog() {
		if a.Action == store.AuditOIDCLoginRefused {
			n++
		}
	}
	return n
}

// lastRefusal is the detail of the last audited refusal.
func (e *oidcEnv) lastRefusal() string {
	e.t.Helper()
	d := ""
	for _, a := range e.auditLog() {
		if a.Action == store.AuditOIDCLoginRefused {
			d = a.Detail
		}
	}
	return d
}

func (e *oidcEnv) auditLog() []store.AuditEntry {
	e.t.Helper()
	log, err := e.d.DB.AuditLog(context.Background(), 0, 100000)
	if err != nil {
		e.t.Fatal(err)
	}
	return log
}

// call sends an API request to node 0 with a session.
func (e *oidcEnv) call(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.nodes[0].URL+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// TestOIDCLoginEachRole: each role logs in through its provider and gets
// what a password login gets (a session that works, the server's public
// keys); the phone's roles return to the phone's page, the office's to
// the office; the login is audited with provider and acr.
func TestOIDCLoginEachRole(t *testing.T) {
	e := newOIDCEnv(t, oidcOptions{})
	cases := []struct {
		username, provider, target string
		role                       care.Role
		try                        string // an endpoint the role may use
	}{
		{"anna", "helseid", "phone", care.RoleWorker, "/api/v1/bundle"},
		{"nils", "helseid", "phone", care.RoleNurse, "/api/v1/bundle"},
		{"kari", "entra", "office", care.RoleCoordinator, "/api/v1/dashboard"},
		{"admin", "entra", "office", care.RoleAdmin, "/api/v1/users"},
	}
	for _, c := range cases {
		t.Run(c.username, func(t *testing.T) {
			b := e.browser()
			a := e.start(b, 0, c.provider, c.target, c.username)
			page := e.land(b, 0, a)
			if page.Path != loginPage(c.target) {
				t.Fatalf("returned to %s, want %s", page.Path, loginPage(c.target))
			}
			code := fragment(t, page).Get("oidc_code")
			if page.RawQuery != "" || len(code) < 40 {
				t.Fatalf("the code must be in the fragment only: %s", page)
			}
			status, raw, lr := e.exchange(0, code, a.proof)
			if status != http.StatusOK {
				t.Fatalf("exchange: %d %s", status, raw)
			}
			if lr.User.ID != e.ids[c.username] || lr.User.Role != c.role || len(lr.Token) < 40 ||
				!bytes.Equal(lr.SignKey, e.d.Keys.SignPub()) || !bytes.Equal(lr.SealKey, e.d.Keys.SealPub) || lr.KeyID == "" || lr.ExpiresAt.IsZero() {
				t.Fatalf("exchange answer: %+v", lr)
			}
			if c.role.WorksShifts() {
				id, _ := (&testEnv{t: t, http: e.nodes[0]}).device(lr.Token)
				if id == "" {
					t.Fatal("no device id")
				}
			}
			if status, raw := e.call("GET", c.try, lr.Token, nil); status != http.StatusOK {
				t.Fatalf("GET %s with the session: %d %s", c.try, status, raw)
			}
		})
	}
	var logins []string
	for _, a := range e.auditLog() {
		if a.Action == store.AuditOIDCLogin {
			logins = append(logins, a.Actor+" "+a.Detail)
		}
	}
	if len(logins) != 4 || !strings.Contains(logins[0], "provider=helseid acr="+acrHigh) || !strings.Contains(logins[3], "provider=entra") {
		t.Fatalf("audited logins: %q", logins)
	}
	if got := e.health.ACRValuesAsked(); len(got) != 1 || got[0] != acrHigh {
		t.Fatalf("acr_values asked of helseid: %q", got)
	}
}

// TestOIDCRefusals: every way a login through a provider is refused ends
// on the login page with the catalogue key, no code, and an audit entry.
func TestOIDCRefusals(t *testing.T) {
	cases := []struct {
		name     string
		setup    func(e *oidcEnv)
		provider string
		target   string
		username string
		key      string
		reason   string // in the audited refusal
	}{
		{"wrong audience", func(e *oidcEnv) { e.office.SetAudience("the-journal-app") }, "entra", "office", "kari", oidclogin.KeyTokenInvalid, "expected audience"},
		{"ID token of another issuer", func(e *oidcEnv) { e.office.SetTokenIssuer("https://evil.example") }, "entra", "office", "kari", oidclogin.KeyTokenInvalid, "issued by a different provider"},
		{"expired ID token", func(e *oidcEnv) { e.office.SetIDTokenLifetime("beredskap-office", -time.Minute) }, "entra", "office", "admin", oidclogin.KeyTokenInvalid, "token is expired"},
		{"acr below the accepted", func(e *oidcEnv) {
			e.health.AddUser(oidctest.User{Username: "anna", Subject: "helseid-anna", ACR: acrSubstantial, Claims: map[string]any{hprClaim: "9144889"}})
		}, "helseid", "phone", "anna", oidclogin.KeyACRTooLow, "acr " + acrSubstantial + " not accepted"},
		{"no acr at all", func(e *oidcEnv) {
			e.health.AddUser(oidctest.User{Username: "anna", Subject: "helseid-anna", Claims: map[string]any{hprClaim: "9144889"}})
		}, "helseid", "phone", "anna", oidclogin.KeyACRTooLow, "acr  not accepted"},
		{"unknown user", func(e *oidcEnv) {
			e.health.AddUser(oidctest.User{Username: "stranger", Subject: "helseid-x", ACR: acrHigh, Claims: map[string]any{hprClaim: "1234567"}})
		}, "helseid", "phone", "stranger", oidclogin.KeyUnknownUser, "identity linked to no user"},
		{"no user claim", func(e *oidcEnv) {
			e.health.AddUser(oidctest.User{Username: "nohpr", Subject: "helseid-y", ACR: acrHigh})
		}, "helseid", "phone", "nohpr", oidclogin.KeyUnknownUser, "lacks the claim " + hprClaim},
		{"disabled user", func(e *oidcEnv) {
			if err := users.SetDisabled(context.Background(), e.d.DB, e.ids["nils"], true, "test", time.Now()); err != nil {
				e.t.Fatal(err)
			}
		}, "helseid", "phone", "nils", oidclogin.KeyDisabled, "account disabled"},
		{"role the provider does not cover", func(e *oidcEnv) {
			// An admin linked at the phones' provider still may not log in
			// through it.
			e.health.AddUser(oidctest.User{Username: "admin", Subject: "helseid-admin", ACR: acrHigh, Claims: map[string]any{hprClaim: "7777777"}})
			e.link("admin", "helseid", "7777777")
		}, "helseid", "office", "admin", oidclogin.KeyRoleNotCovered, "role admin not covered"},
		{"unknown provider", func(*oidcEnv) {}, "bankid", "phone", "anna", oidclogin.KeyUnknownProvider, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newOIDCEnv(t, oidcOptions{})
			c.setup(e)
			before := e.refusals()
			e.refused(c.provider, c.target, c.username, c.key)
			if c.reason != "" {
				if e.refusals() != before+1 {
					t.Fatalf("refusals audited: %d, want %d", e.refusals(), before+1)
				}
				if d := e.lastRefusal(); !strings.Contains(d, c.reason) {
					t.Fatalf("audited refusal %q does not say %q", d, c.reason)
				}
			}
			for _, a := range e.auditLog() {
				if a.Action == store.AuditOIDCLogin {
					t.Fatalf("a refused login was audited as a login: %+v", a)
				}
			}
		})
	}
}

// TestOIDCWrongIssuer: a provider whose discovery names another issuer
// than the one configured is refused at the start.
func TestOIDCWrongIssuer(t *testing.T) {
	// helseid's configuration names this provider's address, but the
	// provider answering there calls itself something else.
	other := oidctest.Start(t, oidctest.Options{Issuer: "https://helseid-sts.example"})
	e := newOIDCEnv(t, oidcOptions{healthIssuer: other.URL})
	before := e.refusals()
	e.refused("helseid", "phone", "anna", oidclogin.KeyTokenInvalid)
	if e.refusals() != before {
		t.Fatal("a start that never reached the provider is not a refused login")
	}
}

// TestOIDCReplayedState: the provider's redirect replayed (the same
// state and code again, on either node) is refused: the login's state is
// taken once.
func TestOIDCReplayedState(t *testing.T) {
	e := newOIDCEnv(t, oidcOptions{})
	b := e.browser()
	a := e.start(b, 0, "entra", "office", "kari")
	first := e.land(b, 0, a)
	if fragment(t, first).Get("oidc_code") == "" {
		t.Fatalf("first callback: %s", first)
	}
	for node := range e.nodes {
		e.wantRefusal(e.land(b, node, a), "phone", oidclogin.KeyFlowUnknown)
	}
	// A callback with a state never issued.
	forged := *a
	cb := *a.callback
	q := cb.Query()
	q.Set("state", "forged-state")
	cb.RawQuery = q.Encode()
	forged.callback = &cb
	e.wantRefusal(e.land(b, 0, &forged), "phone", oidclogin.KeyFlowUnknown)
}

// TestOIDCReplayedNonce: an ID token that carries the nonce of an
// earlier login (a token of that login replayed into this one) is
// refused.
func TestOIDCReplayedNonce(t *testing.T) {
	e := newOIDCEnv(t, oidcOptions{})
	e.login("helseid", "phone", "anna")
	e.health.ReplayNonce()
	e.refused("helseid", "phone", "anna", oidclogin.KeyTokenInvalid)
	if d := e.lastRefusal(); !strings.Contains(d, "nonce is not this login's") {
		t.Fatalf("audited refusal %q", d)
	}
}

// TestOIDCProviderUnreachable: a provider that accepts connections and
// never answers gives a clear error once the timeout passes, at the
// start; one that goes away between the login form and the callback
// gives it at the callback.
func TestOIDCProviderUnreachable(t *testing.T) {
	t.Run("at the start", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			// Accept and hold: the provider's machine is up, its service
			// hangs.
			var held []net.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				held = append(held, c)
			}
		}()
		e := newOIDCEnv(t, oidcOptions{healthIssuer: "http://" + ln.Addr().String(), healthTimeout: 1})
		e.refused("helseid", "phone", "anna", oidclogin.KeyUnreachable)
	})
	t.Run("at the callback", func(t *testing.T) {
		e := newOIDCEnv(t, oidcOptions{})
		b := e.browser()
		a := e.start(b, 0, "entra", "office", "kari")
		e.office.Close()
		e.wantRefusal(e.land(b, 0, a), "office", oidclogin.KeyUnreachable)
	})
}

// TestOIDCWrongClientKey: a client assertion signed with a key the
// provider does not know is refused by the provider.
func TestOIDCWrongClientKey(t *testing.T) {
	e := newOIDCEnv(t, oidcOptions{wrongKey: true})
	e.refused("helseid", "phone", "anna", oidclogin.KeyProviderRefused)
}

// TestOIDCCallbackOnOtherNode: the login starts on one node, the
// provider's redirect lands on the other, and the code is exchanged on
// the first: every step is in the store.
func TestOIDCCallbackOnOtherNode(t *testing.T) {
	e := newOIDCEnv(t, oidcOptions{})
	b := e.browser()
	a := e.start(b, 0, "helseid", "phone", "nils")
	page := e.land(b, 1, a)
	code := fragment(t, page).Get("oidc_code")
	if code == "" {
		t.Fatalf("callback on node 1: %s", page)
	}
	status, raw, lr := e.exchange(0, code, a.proof)
	if status != http.StatusOK || lr.User.ID != e.ids["nils"] {
		t.Fatalf("exchange on node 0: %d %s", status, raw)
	}
	// And the other way round: started on node 1, exchanged on node 1
	// after the callback on node 0.
	a = e.start(b, 1, "helseid", "phone", "anna")
	code = fragment(t, e.land(b, 0, a)).Get("oidc_code")
	if status, raw, _ := e.exchange(1, code, a.proof); status != http.StatusOK {
		t.Fatalf("exchange on node 1: %d %s", status, raw)
	}
}

// TestOIDCExchange: the one-time code is useless alone (the proof is
// required), works once, and a user disabled between the callback and
// the exchange gets no session.
func TestOIDCExchange(t *testing.T) {
	e := newOIDCEnv(t, oidcOptions{})
	get := func(username string) (string, string) {
		b := e.browser()
		provider, target := "helseid", "phone"
		if username == "kari" {
			provider, target = "entra", "office"
		}
		a := e.start(b, 0, provider, target, username)
		return fragment(t, e.land(b, 0, a)).Get("oidc_code"), a.proof
	}
	wantErr := func(status int, raw []byte, wantStatus int, key string) {
		t.Helper()
		if status != wantStatus {
			t.Fatalf("status %d, want %d: %s", status, wantStatus, raw)
		}
		var eb wire.ErrorBody
		if err := json.Unmarshal(raw, &eb); err != nil || eb.Error.Key != key || eb.Error.Message == "" {
			t.Fatalf("error %s, want key %s", raw, key)
		}
	}

	code, proof := get("anna")
	status, raw, _ := e.exchange(0, code, oauth2.GenerateVerifier())
	wantErr(status, raw, http.StatusUnauthorized, oidclogin.KeyCodeInvalid)
	// The wrong proof spent the code: the right one comes too late.
	status, raw, _ = e.exchange(0, code, proof)
	wantErr(status, raw, http.StatusUnauthorized, oidclogin.KeyCodeInvalid)

	code, proof = get("anna")
	if status, raw, _ := e.exchange(0, code, proof); status != http.StatusOK {
		t.Fatalf("exchange: %d %s", status, raw)
	}
	status, raw, _ = e.exchange(1, code, proof)
	wantErr(status, raw, http.StatusUnauthorized, oidclogin.KeyCodeInvalid)

	code, proof = get("kari")
	if err := users.SetDisabled(context.Background(), e.d.DB, e.ids["kari"], true, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	status, raw, _ = e.exchange(0, code, proof)
	wantErr(status, raw, http.StatusForbidden, oidclogin.KeyDisabled)

	status, raw, _ = e.exchange(0, "", "")
	if status != http.StatusBadRequest || errorCode(t, raw) != wire.CodeInvalidInput {
		t.Fatalf("empty exchange: %d %s", status, raw)
	}
	// The start's challenge must be an S256 challenge.
	resp, err := e.browser().Get(e.nodes[0].URL + "/api/v1/oidc/start?provider=helseid&target=phone&challenge=short")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if page := location(t, resp); fragment(t, page).Get("oidc_error") == "" || page.Path != "/" {
		t.Fatalf("a start without a proper challenge: %s", page)
	}
}

// TestOIDCPasswordPolicy: with a provider covering a role, that role's
// local password is refused (with the catalogue key) unless an outage is
// declared; without --auth-config every role logs in with its password.
func TestOIDCPasswordPolicy(t *testing.T) {
	e := newOIDCEnv(t, oidcOptions{})
	for _, username := range []string{"anna", "nils", "kari", "admin"} {
		status, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: username, Password: "demo"})
		if status != http.StatusForbidden {
			t.Fatalf("%s's password with OIDC covering the role: %d %s", username, status, raw)
		}
		var eb wire.ErrorBody
		if err := json.Unmarshal(raw, &eb); err != nil || eb.Error.Key != oidclogin.KeyPasswordOff {
			t.Fatalf("%s: %s", username, raw)
		}
	}
	// A wrong password is still just wrong.
	if status, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "anna", Password: "nope"}); status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d %s", status, raw)
	}
	e.outage = true
	if status, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "anna", Password: "demo"}); status != http.StatusOK {
		t.Fatalf("password during an outage: %d %s", status, raw)
	}

	// Without a configuration: passwords for all, and no providers.
	plain := newEnv(t)
	plain.login("anna")
	plain.login("admin")
	var pr wire.ProvidersResponse
	if status, raw := plain.call("GET", "/api/v1/oidc/providers", "", nil, &pr); status != http.StatusOK || pr.Providers == nil || len(pr.Providers) != 0 {
		t.Fatalf("providers without a configuration: %d %s", status, raw)
	}
	if status, raw := plain.call("POST", "/api/v1/oidc/exchange", "", wire.ExchangeRequest{Code: "x", Verifier: "y"}, nil); status != http.StatusNotFound {
		t.Fatalf("exchange without a configuration: %d %s", status, raw)
	}
}

// TestOIDCProviders: the login page learns the providers, their names
// in every language, and the roles each covers.
func TestOIDCProviders(t *testing.T) {
	e := newOIDCEnv(t, oidcOptions{})
	status, raw := e.call("GET", "/api/v1/oidc/providers", "", nil)
	var pr wire.ProvidersResponse
	if status != http.StatusOK || json.Unmarshal(raw, &pr) != nil || len(pr.Providers) != 2 {
		t.Fatalf("providers: %d %s", status, raw)
	}
	h := pr.Providers[0]
	if h.ID != "helseid" || h.Name["nb"] != "HelseID" || h.Name["sv"] != "helseid" || len(h.Roles) != 2 {
		t.Fatalf("helseid: %+v", h)
	}
	if o := pr.Providers[1]; o.Name["da"] != "Municipal account" || o.Roles[0] != care.RoleCoordinator {
		t.Fatalf("entra: %+v", o)
	}
}

// TestOIDCLinkAPI: an admin links, lists and unlinks a user's identities;
// an identity another user has is a conflict; only admins may.
func TestOIDCLinkAPI(t *testing.T) {
	e := newOIDCEnv(t, oidcOptions{})
	var admin, kari wire.LoginResponse
	admin = e.login("entra", "office", "admin")
	kari = e.login("entra", "office", "kari")
	anna := e.ids["anna"]
	path := "/api/v1/users/" + anna + "/identities"
	if status, raw := e.call("POST", path, admin.Token, wire.IdentityRequest{Provider: "entra", Subject: "anna@kommune.no"}); status != http.StatusOK {
		t.Fatalf("link: %d %s", status, raw)
	}
	status, raw := e.call("GET", path, admin.Token, nil)
	var ir wire.IdentitiesResponse
	if status != http.StatusOK || json.Unmarshal(raw, &ir) != nil || len(ir.Identities) != 2 || ir.Identities[0].Provider != "entra" || ir.Identities[0].By != e.ids["admin"] {
		t.Fatalf("identities: %d %s", status, raw)
	}
	cases := []struct {
		name   string
		token  string
		method string
		path   string
		body   wire.IdentityRequest
		status int
	}{
		{"another user's identity", admin.Token, "POST", path, wire.IdentityRequest{Provider: "entra", Subject: "kari@kommune.no"}, http.StatusConflict},
		{"unknown provider", admin.Token, "POST", path, wire.IdentityRequest{Provider: "bankid", Subject: "x"}, http.StatusBadRequest},
		{"empty subject", admin.Token, "POST", path, wire.IdentityRequest{Provider: "entra", Subject: " "}, http.StatusBadRequest},
		{"unknown user", admin.Token, "POST", "/api/v1/users/nobody/identities", wire.IdentityRequest{Provider: "entra", Subject: "n@x"}, http.StatusNotFound},
		{"a coordinator", kari.Token, "POST", path, wire.IdentityRequest{Provider: "entra", Subject: "a@x"}, http.StatusForbidden},
		{"unlink another user's", admin.Token, "DELETE", path, wire.IdentityRequest{Provider: "entra", Subject: "kari@kommune.no"}, http.StatusNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if status, raw := e.call(c.method, c.path, c.token, c.body); status != c.status {
				t.Fatalf("%d %s, want %d", status, raw, c.status)
			}
		})
	}
	// anna is now also at the office's provider, but her role is not
	// covered there.
	e.office.AddUser(oidctest.User{Username: "anna", Subject: "entra-anna", Claims: map[string]any{"preferred_username": "anna@kommune.no"}})
	e.refused("entra", "office", "anna", oidclogin.KeyRoleNotCovered)
	if status, raw := e.call("DELETE", path, admin.Token, wire.IdentityRequest{Provider: "entra", Subject: "anna@kommune.no"}); status != http.StatusOK {
		t.Fatalf("unlink: %d %s", status, raw)
	}
	e.refused("entra", "office", "anna", oidclogin.KeyUnknownUser)
	var actions []string
	for _, a := range e.auditLog() {
		if a.Subject == anna && (a.Action == store.AuditIdentityLink || a.Action == store.AuditIdentityUnlink) {
			actions = append(actions, a.Action)
			if strings.Contains(a.Detail, "anna@kommune.no") {
				t.Fatalf("the audit names the identity: %+v", a)
			}
		}
	}
	if strings.Join(actions, ",") != "user.link,user.link,user.unlink" {
		t.Fatalf("audited: %q", actions)
	}
}
