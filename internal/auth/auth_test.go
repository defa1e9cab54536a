package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	h := NewHasher(1, 8<<10, 1, 2)
	enc, err := h.Hash("demo")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=8192,t=1,p=1$") || strings.Contains(enc, "demo") {
		t.Fatalf("hash %q", enc)
	}
	other, _ := h.Hash("demo")
	if other == enc {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	cases := []struct {
		name     string
		enc, pwd string
		want     error
		anyErr   bool
	}{
		{"right", enc, "demo", nil, false},
		{"wrong", enc, "Demo", ErrMismatch, true},
		{"empty password", enc, "", ErrMismatch, true},
		{"not phc", "plain", "demo", nil, true},
		{"bcrypt", "$2a$10$abc", "demo", nil, true},
		{"bad params", "$argon2id$v=19$m=x,t=1,p=1$AAAA$AAAA", "demo", nil, true},
		{"huge memory", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "demo", nil, true},
		{"bad salt", "$argon2id$v=19$m=8192,t=1,p=1$!!$AAAA", "demo", nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := h.Check(c.enc, c.pwd)
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if c.anyErr != (err != nil) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestToken(t *testing.T) {
	tok, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	tok2, _, _ := NewToken()
	if len(tok) != 43 || tok == tok2 || hash != TokenHash(tok) || strings.Contains(hash, tok) {
		t.Fatalf("token %q hash %q", tok, hash)
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	now := time.Unix(1_000_000, 0)
	for i := 0; i < 3; i++ {
		if b, _ := l.Blocked("anna", now); b {
			t.Fatalf("blocked after %d failures", i)
		}
		l.Fail("anna", now)
	}
	blocked, wait := l.Blocked("anna", now)
	if !blocked || wait <= 0 || wait > time.Minute {
		t.Fatalf("after 3 failures: blocked=%v wait=%v", blocked, wait)
	}
	if b, _ := l.Blocked("nils", now); b {
		t.Fatal("another key is blocked")
	}
	if b, _ := l.Blocked("anna", now.Add(61*time.Second)); b {
		t.Fatal("still blocked after the refill interval")
	}
	// Checking must not spend: many checks leave the count alone.
	for i := 0; i < 10; i++ {
		l.Blocked("ole", now)
	}
	l.Fail("ole", now)
	if b, _ := l.Blocked("ole", now); b {
		t.Fatal("checks spent failures")
	}
}
