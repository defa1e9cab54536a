package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"beredskap/internal/store"
	"beredskap/internal/store/postgres/pgtest"
)

// TestTwoNodesUseACodeOnce: two nodes log in with the same fallback
// code, and with the same TOTP step, many times at once: each is taken
// once, and one provider outage is active however many declare it.
func TestTwoNodesUseACodeOnce(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	s := store.FallbackSheet{ID: "s1", UserID: "u1", Issued: t0, IssuedBy: "admin"}
	for i := range 10 {
		s.Codes = append(s.Codes, store.FallbackCode{Hash: fmt.Sprintf("h%02d", i)})
	}
	if err := nodes[0].PutFallbackSheet(ctx, s, store.Audit{Action: store.AuditFallbackIssue, Subject: "u1"}); err != nil {
		t.Fatal(err)
	}
	if err := nodes[1].PutTOTP(ctx, store.TOTPSecret{UserID: "a1", Secret: "JBSWY3DPEHPK3PXP", Enrolled: t0}, store.Audit{Action: store.AuditTOTPEnrol, Subject: "a1"}); err != nil {
		t.Fatal(err)
	}
	count := func(what string, errs [2][]error, refused error) {
		t.Helper()
		ok := 0
		for _, node := range errs {
			for _, err := range node {
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, refused):
					t.Errorf("%s: %v, want %v", what, err, refused)
				}
			}
		}
		if ok != 1 {
			t.Errorf("%s: %d succeeded, want 1", what, ok)
		}
	}
	count("one code", together(10, nodes, func(_ int, db *DB, _ int) error {
		return db.UseFallbackCode(ctx, "u1", "h04", t0.Add(time.Minute), store.Audit{Action: store.AuditFallbackUse, Subject: "u1"})
	}), store.ErrFallbackCodeUsed)
	count("one step", together(10, nodes, func(node int, db *DB, i int) error {
		return db.UseTOTPStep(ctx, store.BreakGlassUse{ID: fmt.Sprintf("b%d-%d", node, i), UserID: "a1", At: t0, Step: 42}, store.Audit{Action: store.AuditBreakGlass, Subject: "a1"})
	}), store.ErrTOTPReused)
	count("one declaration", together(5, nodes, func(node int, db *DB, i int) error {
		o := store.ProviderOutage{ID: fmt.Sprintf("p%d-%d", node, i), Reason: "r", Start: t0, Until: t0.Add(time.Hour), DeclaredBy: "a1"}
		return db.DeclareProviderOutage(ctx, o, store.Audit{Action: store.AuditProviderOutageDeclare, Subject: o.ID})
	}), store.ErrProviderOutageState)
	if n, err := nodes[0].VerifyAudit(ctx); err != nil || n != 5 {
		t.Fatalf("audit chain: %d entries, %v (want issue, enrol, one use, one step, one declaration)", n, err)
	}
}

// TestLoginFallbackSealedAtRest: a TOTP secret and an outage's reason
// are in no file of the cluster after a checkpoint; with sealing
// bypassed, the same search finds them, so it can fail.
func TestLoginFallbackSealedAtRest(t *testing.T) {
	for _, c := range []struct {
		name      string
		plaintext bool
		secret    string // distinct per case: both write to one cluster
	}{
		{"sealed", false, "MFRGGZDFMZTWQ2LKNNWG23TPOBYXEXXA"},
		{"plaintext", true, "ONUGK3DMEBZWK4TWMVZCA53IN5XXXXXB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db := openTest(t, pgtest.NewDatabase(t), Options{plaintext: c.plaintext})
			now := time.Now()
			reason := "Reason " + c.secret
			if err := db.PutTOTP(ctx, store.TOTPSecret{UserID: "a1", Secret: c.secret, Enrolled: now}, store.Audit{Action: store.AuditTOTPEnrol, Subject: "a1"}); err != nil {
				t.Fatal(err)
			}
			o := store.ProviderOutage{ID: "p1", Reason: reason, Start: now, Until: now.Add(time.Hour), DeclaredBy: "a1"}
			if err := db.DeclareProviderOutage(ctx, o, store.Audit{Action: store.AuditProviderOutageDeclare, Subject: "p1", Detail: "reason=" + reason}); err != nil {
				t.Fatal(err)
			}
			if got, err := db.TOTP(ctx, "a1"); err != nil || got.Secret != c.secret {
				t.Fatalf("secret: %+v, %v", got, err)
			}
			cl := pgtest.Shared(t)
			if err := cl.Exec(ctx, "postgres", "CHECKPOINT"); err != nil {
				t.Fatal(err)
			}
			for what, s := range map[string]string{"TOTP secret": c.secret, "reason": reason} {
				files := filesHolding(t, cl.DataDir, []byte(s))
				switch {
				case c.plaintext && len(files) == 0:
					t.Errorf("unsealed, the %s is in no file: the search cannot see what it looks for", what)
				case !c.plaintext && len(files) > 0:
					t.Errorf("the %s is in clear in %v", what, files)
				}
			}
		})
	}
}
