package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"beredskap/internal/servertest"
	"beredskap/internal/wire"
)

// writeAuthConfig writes an --auth-config file with one provider for
// the office's roles, and its secret.
func writeAuthConfig(t *testing.T, provider string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "entra.secret"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "auth.json")
	conf := `{"public_url": "http://127.0.0.1:8080", "providers": [` + provider + `]}`
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const entraProvider = `{"id": "entra", "issuer": "https://login.microsoftonline.com/t/v2.0", "client_id": "c",
  "client_secret_file": "entra.secret", "user_claim": "preferred_username", "roles": ["coordinator", "admin"]}`

// TestServeAuthConfigIsCheckedAtStart: a configuration mistake stops the
// start with an error naming the file's field.
func TestServeAuthConfigIsCheckedAtStart(t *testing.T) {
	path := writeAuthConfig(t, strings.Replace(entraProvider, `"client_id": "c",`, ``, 1))
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--auth-config", path}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--auth-config") || !strings.Contains(err.Error(), "providers[0] (entra).client_id: required") {
		t.Fatalf("serve with a bad --auth-config: %v", err)
	}
}

// TestServeWithAuthConfig: a server with a provider starts even though
// the provider is not reachable (it is reached at the first login), and
// lists it for the login page.
func TestServeWithAuthConfig(t *testing.T) {
	base := startServe(t, "--auth-config", writeAuthConfig(t, entraProvider), "--no-demo=false")
	resp, err := http.Get(base + "/api/v1/oidc/providers")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pr wire.ProvidersResponse
	if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil || len(pr.Providers) != 1 || pr.Providers[0].ID != "entra" {
		t.Fatalf("providers: %+v %v", pr, err)
	}
	// The roles the provider covers have no local password; the others
	// keep theirs.
	for _, c := range []struct {
		username string
		status   int
		key      string
	}{
		{"kari", http.StatusForbidden, "error.password_login_off"},
		{"admin", http.StatusForbidden, "error.password_login_off"},
		{"anna", http.StatusOK, ""},
	} {
		body, _ := json.Marshal(wire.LoginRequest{Username: c.username, Password: "demo"})
		resp, err := http.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var eb wire.ErrorBody
		_ = json.NewDecoder(resp.Body).Decode(&eb)
		resp.Body.Close()
		if resp.StatusCode != c.status || eb.Error.Key != c.key {
			t.Fatalf("%s's password with entra covering coordinators and admins: %d %q, want %d %q", c.username, resp.StatusCode, eb.Error.Key, c.status, c.key)
		}
	}
}

// TestUserLinkCommands: beredskap user link, links and unlink.
func TestUserLinkCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openStore(dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	servertest.Seed(t, db)
	db.Close()
	var out, errOut bytes.Buffer
	link := []string{"link", "--data", dir, "--username", "kari", "--provider", "entra", "--subject", "kari@kommune.no"}
	if err := userCmd(ctx, link, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	taken := []string{"link", "--data", dir, "--username", "admin", "--provider", "entra", "--subject", "kari@kommune.no"}
	if err := userCmd(ctx, taken, strings.NewReader(""), &out, &errOut); err == nil || !strings.Contains(err.Error(), "linked to another user") {
		t.Fatalf("linking kari's identity to admin: %v", err)
	}
	if err := userCmd(ctx, []string{"link", "--data", dir, "--username", "kari"}, strings.NewReader(""), &out, &errOut); err == nil {
		t.Fatal("link without --provider and --subject")
	}
	out.Reset()
	if err := userCmd(ctx, []string{"links", "--data", dir, "--username", "kari"}, strings.NewReader(""), &out, &errOut); err != nil || out.String() != "entra\tkari@kommune.no\n" {
		t.Fatalf("links: %q %v", out.String(), err)
	}
	unlink := append([]string{"unlink"}, link[1:]...)
	if err := userCmd(ctx, unlink, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if err := userCmd(ctx, unlink, strings.NewReader(""), &out, &errOut); err == nil {
		t.Fatal("unlinked twice")
	}
}
