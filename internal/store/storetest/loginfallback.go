package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"beredskap/internal/store"
)

// Logging in without the identity provider (store.LoginFallback).

// loginFallbackTests are the suite's tests of store.LoginFallback; Run
// runs them with the rest.
func loginFallbackTests(opener Opener) []suiteTest {
	return []suiteTest{
		{"ProviderOutages", testProviderOutages},
		{"FallbackCodes", testFallbackCodes},
		{"FallbackCodeUsedOnce", testFallbackCodeUsedOnce},
		{"BreakGlassSteps", testBreakGlassSteps},
		{"LoginFallbackBackup", func(t *testing.T, open func() store.Store) { testLoginFallbackBackup(t, open, opener) }},
	}
}

// testProviderOutages: one active at a time, ended by an admin or by
// itself at its Until, each declaration and end audited with it, newest
// first, kept across a reopen.
func testProviderOutages(t *testing.T, open func() store.Store) {
	db := open()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	audit := func(action, id string) store.Audit { return store.Audit{Actor: "admin", Action: action, Subject: id} }
	if _, err := db.EndProviderOutage(ctx, "admin", t0, audit(store.AuditProviderOutageEnd, "x")); !errors.Is(err, store.ErrProviderOutageState) {
		t.Fatalf("end with none active: %v", err)
	}
	p1 := store.ProviderOutage{ID: "p1", Reason: "HelseID svarer ikke", Start: t0, Until: t0.Add(8 * time.Hour), DeclaredBy: "admin"}
	if err := db.DeclareProviderOutage(ctx, p1, audit(store.AuditProviderOutageDeclare, "p1")); err != nil {
		t.Fatal(err)
	}
	p2 := store.ProviderOutage{ID: "p2", Reason: "again", Start: t0.Add(time.Hour), Until: t0.Add(9 * time.Hour), DeclaredBy: "admin"}
	if err := db.DeclareProviderOutage(ctx, p2, audit(store.AuditProviderOutageDeclare, "p2")); !errors.Is(err, store.ErrProviderOutageState) {
		t.Fatalf("a second while one is active: %v", err)
	}
	// Past its Until it is over by itself: a new one may be declared,
	// and there is none to end.
	after := t0.Add(8*time.Hour + time.Minute)
	if _, err := db.EndProviderOutage(ctx, "admin", after, audit(store.AuditProviderOutageEnd, "p1")); !errors.Is(err, store.ErrProviderOutageState) {
		t.Fatalf("end after it expired: %v", err)
	}
	p3 := store.ProviderOutage{ID: "p3", Reason: "Entra ID nede", Start: after, Until: after.Add(2 * time.Hour), DeclaredBy: "admin"}
	if err := db.DeclareProviderOutage(ctx, p3, audit(store.AuditProviderOutageDeclare, "p3")); err != nil {
		t.Fatalf("declare after the last expired: %v", err)
	}
	// The end's audit entry names the outage it ended.
	ended, err := db.EndProviderOutage(ctx, "ola", after.Add(30*time.Minute), audit(store.AuditProviderOutageEnd, ""))
	if err != nil || ended.ID != "p3" || ended.End == nil || !ended.End.Equal(after.Add(30*time.Minute)) || ended.EndedBy != "ola" {
		t.Fatalf("end: %+v, %v", ended, err)
	}
	if ended.ActiveAt(after.Add(31*time.Minute)) || !ended.Ends().Equal(after.Add(30*time.Minute)) {
		t.Fatalf("an ended outage is still active: %+v", ended)
	}
	closeStore(t, db)
	db = use(t, open)
	all, err := db.ProviderOutages(ctx, 10)
	if err != nil || len(all) != 2 || all[0].ID != "p3" || all[1].ID != "p1" || all[0].End == nil || all[1].End != nil || all[1].Reason != p1.Reason || !all[1].Until.Equal(p1.Until) {
		t.Fatalf("outages = %+v, %v", all, err)
	}
	if one, err := db.ProviderOutages(ctx, 1); err != nil || len(one) != 1 || one[0].ID != "p3" {
		t.Fatalf("limit 1: %+v, %v", one, err)
	}
	for id, n := range map[string]int{"p1": 1, "p2": 0, "p3": 2} {
		if entries, err := db.AuditFor(ctx, id); err != nil || len(entries) != n {
			t.Errorf("audit of %s: %d entries, want %d (%v)", id, len(entries), n, err)
		}
	}
}

func sheet(user, id string, issued time.Time, n int) store.FallbackSheet {
	s := store.FallbackSheet{ID: id, UserID: user, Issued: issued, IssuedBy: "admin"}
	for i := range n {
		s.Codes = append(s.Codes, store.FallbackCode{Hash: fmt.Sprintf("%s-%s-%02d", user, id, i)})
	}
	return s
}

// testFallbackCodes: a code works once, only for its user and only from
// the current sheet; a new sheet replaces the old; uses are audited with
// the use and kept across a reopen.
func testFallbackCodes(t *testing.T, open func() store.Store) {
	db := open()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if _, err := db.FallbackSheet(ctx, "u1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no sheet yet: %v", err)
	}
	for _, s := range []store.FallbackSheet{sheet("u1", "s1", t0, 10), sheet("u2", "s1", t0, 10)} {
		if err := db.PutFallbackSheet(ctx, s, store.Audit{Actor: "admin", Action: store.AuditFallbackIssue, Subject: s.UserID}); err != nil {
			t.Fatal(err)
		}
	}
	use := func(user, hash string) error {
		return db.UseFallbackCode(ctx, user, hash, t0.Add(time.Hour), store.Audit{Actor: user, Action: store.AuditFallbackUse, Subject: user})
	}
	if err := use("u1", "u1-s1-03"); err != nil {
		t.Fatal(err)
	}
	if err := use("u1", "u1-s1-03"); !errors.Is(err, store.ErrFallbackCodeUsed) {
		t.Fatalf("the same code again: %v", err)
	}
	if err := use("u1", "u2-s1-04"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another user's code: %v", err)
	}
	if err := use("u1", "nonsense"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a code on no sheet: %v", err)
	}
	s, err := db.FallbackSheet(ctx, "u1")
	if err != nil || len(s.Codes) != 10 || s.Left() != 9 || s.Codes[3].Used == nil || !s.Codes[3].Used.Equal(t0.Add(time.Hour)) || s.ID != "s1" || !s.Issued.Equal(t0) || s.IssuedBy != "admin" {
		t.Fatalf("sheet after one use: %+v, %v", s, err)
	}
	if s.Codes[0].Hash != "u1-s1-00" || s.Codes[9].Hash != "u1-s1-09" {
		t.Fatalf("codes out of order: %+v", s.Codes)
	}
	// A new sheet: the old one's unused codes stop working.
	if err := db.PutFallbackSheet(ctx, sheet("u1", "s2", t0.Add(2*time.Hour), 10), store.Audit{Actor: "admin", Action: store.AuditFallbackIssue, Subject: "u1"}); err != nil {
		t.Fatal(err)
	}
	if err := use("u1", "u1-s1-05"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a code of the replaced sheet: %v", err)
	}
	if err := use("u1", "u1-s2-05"); err != nil {
		t.Fatalf("a code of the new sheet: %v", err)
	}
	if err := use("u2", "u2-s1-04"); err != nil {
		t.Fatalf("the other user's sheet was touched: %v", err)
	}
	closeStore(t, db)
	db = open()
	defer db.Close()
	s, err = db.FallbackSheet(ctx, "u1")
	if err != nil || s.ID != "s2" || s.Left() != 9 || s.Codes[5].Used == nil {
		t.Fatalf("new sheet after reopen: %+v, %v", s, err)
	}
	if entries, err := db.AuditFor(ctx, "u1"); err != nil || len(entries) != 4 {
		t.Fatalf("audit of u1: %d entries (two issues, two uses), %v", len(entries), err)
	}
}

// testFallbackCodeUsedOnce: many logins with one code at once, one
// succeeds.
func testFallbackCodeUsedOnce(t *testing.T, open func() store.Store) {
	db := use(t, open)
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if err := db.PutFallbackSheet(ctx, sheet("u1", "s1", t0, 10), store.Audit{Action: store.AuditFallbackIssue, Subject: "u1"}); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = db.UseFallbackCode(ctx, "u1", "u1-s1-07", t0.Add(time.Minute), store.Audit{Action: store.AuditFallbackUse, Subject: "u1"})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrFallbackCodeUsed):
			t.Errorf("a refused use: %v, want ErrFallbackCodeUsed", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d uses of one code succeeded", ok, n)
	}
	if entries, _ := db.AuditFor(ctx, "u1"); len(entries) != 2 {
		t.Fatalf("audit: %d entries, want the issue and one use", len(entries))
	}
}

// testBreakGlassSteps: the secret is kept, a step works once and no
// earlier step after it, a new secret starts afresh, uses are listed
// newest first and audited.
func testBreakGlassSteps(t *testing.T, open func() store.Store) {
	db := open()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if _, err := db.TOTP(ctx, "admin1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no secret yet: %v", err)
	}
	bg := func(id string, step int64, at time.Time) error {
		return db.UseTOTPStep(ctx, store.BreakGlassUse{ID: id, UserID: "admin1", At: at, Step: step, Address: "10.0.0.1"},
			store.Audit{Actor: "admin1", Action: store.AuditBreakGlass, Subject: "admin1"})
	}
	if err := bg("b0", 5, t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a step without a secret: %v", err)
	}
	if err := db.PutTOTP(ctx, store.TOTPSecret{UserID: "admin1", Secret: "JBSWY3DPEHPK3PXP", Enrolled: t0}, store.Audit{Actor: "cli", Action: store.AuditTOTPEnrol, Subject: "admin1"}); err != nil {
		t.Fatal(err)
	}
	if err := bg("b1", 100, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() { errs[i] = bg(fmt.Sprintf("r%d", i), 101, t0.Add(2*time.Minute)) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, store.ErrTOTPReused) {
			t.Errorf("a refused step: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d logins with one step succeeded", ok)
	}
	for _, step := range []int64{101, 100, 99} {
		if err := bg("late", step, t0.Add(3*time.Minute)); !errors.Is(err, store.ErrTOTPReused) {
			t.Fatalf("step %d after 101: %v", step, err)
		}
	}
	closeStore(t, db)
	db = use(t, open)
	sec, err := db.TOTP(ctx, "admin1")
	if err != nil || sec.Secret != "JBSWY3DPEHPK3PXP" || sec.LastStep != 101 || !sec.Enrolled.Equal(t0) {
		t.Fatalf("secret after reopen: %+v, %v", sec, err)
	}
	uses, err := db.BreakGlassUses(ctx, 10)
	if err != nil || len(uses) != 2 || uses[0].Step != 101 || uses[1].ID != "b1" || uses[1].Address != "10.0.0.1" {
		t.Fatalf("uses: %+v, %v", uses, err)
	}
	// A new secret: its steps start afresh.
	if err := db.PutTOTP(ctx, store.TOTPSecret{UserID: "admin1", Secret: "GEZDGNBVGY3TQOJQ", Enrolled: t0.Add(time.Hour)}, store.Audit{Actor: "cli", Action: store.AuditTOTPEnrol, Subject: "admin1"}); err != nil {
		t.Fatal(err)
	}
	if sec, err := db.TOTP(ctx, "admin1"); err != nil || sec.LastStep != 0 || sec.Secret != "GEZDGNBVGY3TQOJQ" {
		t.Fatalf("new secret: %+v, %v", sec, err)
	}
	if err := bg("b3", 50, t0.Add(time.Hour)); err != nil {
		t.Fatalf("a step with the new secret: %v", err)
	}
	if entries, _ := db.AuditFor(ctx, "admin1"); len(entries) != 5 {
		t.Fatalf("audit of admin1: %d entries, want two enrolments and three uses", len(entries))
	}
}

// testLoginFallbackBackup: a backup carries the outages, the sheets with
// their used codes, the secrets with their last steps, and the uses.
func testLoginFallbackBackup(t *testing.T, open func() store.Store, opener Opener) {
	src := use(t, open)
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if err := src.DeclareProviderOutage(ctx, store.ProviderOutage{ID: "p1", Reason: "r", Start: t0, Until: t0.Add(time.Hour), DeclaredBy: "a"}, store.Audit{Action: store.AuditProviderOutageDeclare}); err != nil {
		t.Fatal(err)
	}
	if err := src.PutFallbackSheet(ctx, sheet("u1", "s1", t0, 3), store.Audit{Action: store.AuditFallbackIssue}); err != nil {
		t.Fatal(err)
	}
	if err := src.UseFallbackCode(ctx, "u1", "u1-s1-01", t0, store.Audit{Action: store.AuditFallbackUse}); err != nil {
		t.Fatal(err)
	}
	if err := src.PutTOTP(ctx, store.TOTPSecret{UserID: "a", Secret: "JBSWY3DPEHPK3PXP", Enrolled: t0}, store.Audit{Action: store.AuditTOTPEnrol}); err != nil {
		t.Fatal(err)
	}
	if err := src.UseTOTPStep(ctx, store.BreakGlassUse{ID: "b1", UserID: "a", At: t0, Step: 7}, store.Audit{Action: store.AuditBreakGlass}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := src.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	dst := use(t, opener(t))
	if err := dst.Load(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if all, err := dst.ProviderOutages(ctx, 0); err != nil || len(all) != 1 || all[0].Reason != "r" {
		t.Fatalf("outages after load: %+v, %v", all, err)
	}
	if err := dst.UseFallbackCode(ctx, "u1", "u1-s1-01", t0, store.Audit{Action: store.AuditFallbackUse}); !errors.Is(err, store.ErrFallbackCodeUsed) {
		t.Fatalf("a used code after load: %v", err)
	}
	if err := dst.UseTOTPStep(ctx, store.BreakGlassUse{ID: "b2", UserID: "a", At: t0, Step: 7}, store.Audit{Action: store.AuditBreakGlass}); !errors.Is(err, store.ErrTOTPReused) {
		t.Fatalf("a used step after load: %v", err)
	}
	if uses, err := dst.BreakGlassUses(ctx, 0); err != nil || len(uses) != 1 {
		t.Fatalf("uses after load: %+v, %v", uses, err)
	}
}
