package oidclogin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"beredskap/internal/care"
)

// configDir holds a secret and keys for the configurations below.
func configDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("secret", []byte("s3cret\n"))
	write("empty", []byte("\n"))
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(ec)
	write("ec.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	write("small.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)}))
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der, _ = x509.MarshalECPrivateKey(p384)
	write("p384.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")}))
	return dir
}

const goodProvider = `{"id": "helseid", "issuer": "https://helseid-sts.nhn.no", "client_id": "c",
  "private_key_file": "ec.pem", "key_id": "k1", "user_claim": "helseid://claims/hpr/hpr_number",
  "acr_values": ["idporten-loa-high"], "roles": ["worker", "nurse"]}`

func TestParseConfig(t *testing.T) {
	dir := configDir(t)
	c, err := Parse([]byte(`{"public_url": "https://beredskap.kommune.no/", "providers": [`+goodProvider+`,
	  {"id": "entra", "name": {"nb": "Kommunekonto"}, "issuer": "https://login.microsoftonline.com/t/v2.0", "client_id": "o",
	   "client_secret_file": "secret", "scopes": ["profile"], "roles": ["coordinator", "admin"]}]}`), dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "https://beredskap.kommune.no" || c.FlowMinutes != 10 {
		t.Fatalf("config: %+v", c)
	}
	h, e := c.Providers[0], c.Providers[1]
	if h.AssertionAudience != "issuer" || h.Scopes[0] != "openid" || h.PrivateKeyFile != filepath.Join(dir, "ec.pem") || h.timeout() != defaultTimeout {
		t.Fatalf("helseid: %+v", h)
	}
	if e.UserClaim != "sub" || strings.Join(e.Scopes, " ") != "openid profile" || e.DisplayName("nb") != "Kommunekonto" || e.DisplayName("sv") != "entra" {
		t.Fatalf("entra: %+v", e)
	}
	if !c.Covers(care.RoleAdmin) || !c.Covers(care.RoleWorker) {
		t.Fatal("covers")
	}
	only, err := Parse([]byte(`{"public_url": "http://127.0.0.1:8080", "providers": [`+goodProvider+`]}`), dir)
	if err != nil {
		t.Fatal(err)
	}
	if only.Covers(care.RoleAdmin) {
		t.Fatal("admin is covered by no provider")
	}
}

// TestConfigErrors: every mistake is an error at start that names the
// field.
func TestConfigErrors(t *testing.T) {
	dir := configDir(t)
	with := func(change string) string {
		return `{"public_url": "https://b.kommune.no", "providers": [{` + change + `}]}`
	}
	p := func(fields string) string {
		base := map[string]string{
			"id": `"id": "p"`, "issuer": `"issuer": "https://idp.example"`, "client_id": `"client_id": "c"`,
			"secret": `"client_secret_file": "secret"`, "roles": `"roles": ["worker"]`,
		}
		var parts []string
		for _, f := range strings.Split(fields, ";") {
			if k, v, ok := strings.Cut(f, "="); ok {
				if v == "" {
					delete(base, k)
				} else {
					base[k] = v
				}
			}
		}
		for _, v := range base {
			parts = append(parts, v)
		}
		return with(strings.Join(parts, ", "))
	}
	cases := []struct {
		name, json, want string
	}{
		{"not JSON", `{`, "decode"},
		{"unknown field", `{"public_url": "https://b.kommune.no", "provider": []}`, `unknown field "provider"`},
		{"no public url", `{"providers": []}`, "public_url: required"},
		{"public url over http", `{"public_url": "http://b.kommune.no", "providers": []}`, "public_url:"},
		{"public url with a path", `{"public_url": "https://b.kommune.no/app", "providers": []}`, "public_url: must have no path"},
		{"no providers", `{"public_url": "https://b.kommune.no", "providers": []}`, "providers: at least one"},
		{"flow minutes", `{"public_url": "https://b.kommune.no", "flow_minutes": 600, "providers": []}`, "flow_minutes"},
		{"bad id", p(`id="id": "Hels ID"`), "providers[0].id"},
		{"unknown language", p(`name="name": {"de": "x"}`), "(p).name"},
		{"no issuer", p("issuer="), "(p).issuer: required"},
		{"http issuer", p(`issuer="issuer": "http://idp.example"`), "(p).issuer"},
		{"no client id", p("client_id="), "(p).client_id: required"},
		{"no client auth", p("secret="), "(p).client_secret_file: one of"},
		{"both client auths", p(`key="private_key_file": "ec.pem", "key_id": "k"`), "(p).client_secret_file: give either"},
		{"missing secret file", p(`secret="client_secret_file": "nope"`), "(p).client_secret_file"},
		{"empty secret file", p(`secret="client_secret_file": "empty"`), "is empty"},
		{"key without key id", p(`secret="private_key_file": "ec.pem"`), "(p).key_id: required"},
		{"small RSA key", p(`secret="private_key_file": "small.pem", "key_id": "k"`), "at least 2048 bits"},
		{"P-384 key", p(`secret="private_key_file": "p384.pem", "key_id": "k"`), "P-256"},
		{"not a key", p(`secret="private_key_file": "cert.pem", "key_id": "k"`), "not a private key"},
		{"assertion audience", p(`secret="private_key_file": "ec.pem", "key_id": "k", "assertion_audience": "me"`), "(p).assertion_audience"},
		{"bad scope", p(`scopes="scopes": ["openid profile"]`), "(p).scopes"},
		{"bad acr", p(`acr="acr_values": [""]`), "(p).acr_values"},
		{"no roles", p("roles="), "(p).roles: at least one"},
		{"unknown role", p(`roles="roles": ["boss"]`), `(p).roles: "boss"`},
		{"timeout", p(`timeout="timeout_seconds": 600`), "(p).timeout_seconds"},
		{"id twice", `{"public_url": "https://b.kommune.no", "providers": [` + goodProvider + `,` + goodProvider + `]}`, `providers[1].id: "helseid" is used twice`},
		{"role twice", `{"public_url": "https://b.kommune.no", "providers": [` + goodProvider + `,` +
			strings.Replace(goodProvider, `"helseid"`, `"idporten"`, 1) + `]}`, "(idporten).roles: worker is covered by helseid already"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.json), dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	if err := os.WriteFile(path, []byte(`{"public_url": ""}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "public_url") {
		t.Fatalf("error %v", err)
	}
}
