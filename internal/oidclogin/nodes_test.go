package oidclogin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"beredskap/internal/care"
	"beredskap/internal/oidclogin"
	"beredskap/internal/oidclogin/oidctest"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres"
	"beredskap/internal/store/postgres/pgtest"
)

// TestMain stops the PostgreSQL cluster the tests share.
func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

// node is one server's logins over its own pool of a shared database.
func node(t *testing.T, url string, cfg *oidclogin.Config) *oidclogin.Logins {
	t.Helper()
	db, err := postgres.Open(ctx, url, postgres.Options{EncryptionKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l, err := oidclogin.New(cfg, db, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// atProvider follows the authorization URL to the provider's form, logs
// username in, and returns the query the provider sends back to the
// callback.
func atProvider(t *testing.T, authURL, username string) url.Values {
	t.Helper()
	c := &http.Client{Timeout: time.Minute, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == oidclogin.CallbackPath {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="id" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no login form: %d %s", resp.StatusCode, body)
	}
	resp, err = c.PostForm(resp.Request.URL.ResolveReference(&url.URL{Path: "/login"}).String(), url.Values{"id": {string(m[1])}, "username": {username}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil || loc.Path != oidclogin.CallbackPath {
		t.Fatalf("the provider's answer: %d %v %v", resp.StatusCode, loc, err)
	}
	return loc.Query()
}

// TestLoginAcrossPostgresNodes: with two servers over one PostgreSQL
// database, a login starts on one, its callback lands on the other and
// the code is exchanged on the first; the same callback sent to both at
// once gives one login, never two.
func TestLoginAcrossPostgresNodes(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	prov := oidctest.Start(t, oidctest.Options{})
	public := "http://127.0.0.1:8080"
	prov.AddClient(oidctest.Client{ID: "beredskap", RedirectURI: public + oidclogin.CallbackPath, Secret: "s3cret"})
	prov.AddUser(oidctest.User{Username: "kari", Subject: "entra-kari", Claims: map[string]any{"email": "kari@kommune.no"}})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret"), []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := oidclogin.Parse([]byte(fmt.Sprintf(`{"public_url": %q, "providers": [{"id": "entra", "issuer": %q,
	  "client_id": "beredskap", "client_secret_file": "secret", "user_claim": "email", "roles": ["coordinator"]}]}`, public, prov.Issuer)), dir)
	if err != nil {
		t.Fatal(err)
	}
	a, b := node(t, dbURL, cfg), node(t, dbURL, cfg)
	seed, err := postgres.Open(ctx, dbURL, postgres.Options{EncryptionKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer seed.Close()
	kari := store.Account{User: care.User{ID: "u-kari", Username: "kari", Name: "Kari Lunde", Role: care.RoleCoordinator, Units: []string{"n"}}}
	if err := seed.PutAccount(ctx, kari); err != nil {
		t.Fatal(err)
	}
	if err := seed.PutIdentityLink(ctx, store.IdentityLink{Provider: "entra", Subject: "kari@kommune.no", UserID: "u-kari", By: "test"}); err != nil {
		t.Fatal(err)
	}

	proof := oauth2.GenerateVerifier()
	authURL, err := a.Start(ctx, "entra", oidclogin.TargetOffice, oauth2.S256ChallengeFromVerifier(proof))
	if err != nil {
		t.Fatal(err)
	}
	h, err := b.Callback(ctx, atProvider(t, authURL, "kari"))
	if err != nil || h.Target != oidclogin.TargetOffice {
		t.Fatalf("callback on node b: %+v %v", h, err)
	}
	x, err := a.Exchange(ctx, h.Code, proof)
	if err != nil || x.Account.ID != "u-kari" || x.Provider != "entra" {
		t.Fatalf("exchange on node a: %+v %v", x, err)
	}

	for round := range 3 {
		proof := oauth2.GenerateVerifier()
		authURL, err := b.Start(ctx, "entra", oidclogin.TargetOffice, oauth2.S256ChallengeFromVerifier(proof))
		if err != nil {
			t.Fatal(err)
		}
		q := atProvider(t, authURL, "kari")
		var wg sync.WaitGroup
		var mu sync.Mutex
		var codes, replays int
		for _, n := range []*oidclogin.Logins{a, b, a, b} {
			wg.Go(func() {
				h, err := n.Callback(ctx, q)
				mu.Lock()
				defer mu.Unlock()
				var r *oidclogin.Refusal
				switch {
				case err == nil && h.Code != "":
					codes++
				case errors.As(err, &r) && r.Err.Key == oidclogin.KeyFlowUnknown:
					replays++
				default:
					t.Errorf("callback: %+v %v", h, err)
				}
			})
		}
		wg.Wait()
		if codes != 1 || replays != 3 {
			t.Fatalf("round %d: %d logins and %d refused replays of one callback, want 1 and 3", round, codes, replays)
		}
	}
}
