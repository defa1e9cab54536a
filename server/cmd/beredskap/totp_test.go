package main

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"beredskap/internal/auth"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
)

// TestUserTOTP: an admin gets a secret, printed once as URI and secret,
// stored, audited; enrolling again replaces it; a non-admin gets none.
func TestUserTOTP(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openStore(dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	servertest.Seed(t, db)
	db.Close()
	enrol := func(username string) (string, error) {
		var out, errOut bytes.Buffer
		err := userCmd(ctx, []string{"totp", "--data", dir, "--username", username}, strings.NewReader(""), &out, &errOut)
		return out.String(), err
	}
	if _, err := enrol("kari"); err == nil || !strings.Contains(err.Error(), "only admins") {
		t.Fatalf("a coordinator enrolled: %v", err)
	}
	if _, err := enrol("nobody"); err == nil {
		t.Fatal("enrolled a user who does not exist")
	}
	first, err := enrol("admin")
	if err != nil {
		t.Fatal(err)
	}
	secretOf := func(out string) string {
		for _, line := range strings.Split(out, "\n") {
			if rest, ok := strings.CutPrefix(line, "uri:    "); ok {
				u, err := url.Parse(rest)
				if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("issuer") != "Beredskap" {
					t.Fatalf("not an otpauth URI: %q", rest)
				}
				if !strings.Contains(out, "secret: "+u.Query().Get("secret")) {
					t.Fatalf("the secret printed is not the URI's: %s", out)
				}
				return u.Query().Get("secret")
			}
		}
		t.Fatalf("no uri in %q", out)
		return ""
	}
	s1 := secretOf(first)
	second, err := enrol("admin")
	if err != nil {
		t.Fatal(err)
	}
	s2 := secretOf(second)
	if s1 == s2 {
		t.Fatal("enrolling again gave the same secret")
	}
	db, err = openStore(dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, _ := db.AccountByUsername(ctx, "admin")
	got, err := db.TOTP(ctx, a.ID)
	if err != nil || got.Secret != s2 {
		t.Fatalf("stored secret %+v, %v; want the second", got, err)
	}
	code, _ := auth.TOTPCode(s2, time.Now())
	if _, ok := auth.CheckTOTP(got.Secret, code, time.Now()); !ok {
		t.Fatal("the printed secret's code does not check against the stored one")
	}
	entries, _ := db.AuditFor(ctx, a.ID)
	n := 0
	for _, e := range entries {
		if e.Action == store.AuditTOTPEnrol && e.Actor == "cli" {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d enrolments audited, want 2", n)
	}
}
