package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"beredskap/internal/store"
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
