package users

import (
	"context"
	"errors"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// TestAccountsLifecycle: an account is created once per normalised name,
// renamed only to a free name, and disabling it or resetting its password
// ends its sessions; every change leaves an audit entry.
func TestAccountsLifecycle(t *testing.T) {
	ctx := context.Background()
	d := servertest.New(t)
	now := time.Now()
	units, err := d.DB.Units(ctx)
	if err != nil || len(units) == 0 {
		t.Fatalf("units %v %v", units, err)
	}
	req := wire.NewUserRequest{Username: "Eva.Lie", Name: "Eva Lie", Role: care.RoleNurse, Units: []string{units[0].ID}, Password: "a long enough passphrase"}
	u, err := Create(ctx, d.DB, d.Hasher, req, "admin", now)
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "eva.lie" {
		t.Fatalf("username %q, want it normalised", u.Username)
	}
	for _, name := range []string{"eva.lie", "EVA.LIE"} {
		again := req
		again.Username = name
		if _, err := Create(ctx, d.DB, d.Hasher, again, "admin", now); !errors.Is(err, ErrUsernameTaken) {
			t.Fatalf("a second %q: %v, want ErrUsernameTaken", name, err)
		}
	}
	other := req
	other.Username = "per.lie"
	p, err := Create(ctx, d.DB, d.Hasher, other, "admin", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Rename(ctx, d.DB, p.ID, "Eva.LIE", "admin", now); !errors.Is(err, ErrUsernameTaken) {
		t.Fatalf("rename onto a taken name: %v, want ErrUsernameTaken", err)
	}
	if r, err := Rename(ctx, d.DB, p.ID, "Per.Lie2", "admin", now); err != nil || r.Username != "per.lie2" {
		t.Fatalf("rename: %+v %v", r, err)
	}

	session := func() {
		t.Helper()
		if err := d.DB.PutSession(ctx, store.Session{TokenHash: "h-" + u.ID, UserID: u.ID, Created: now, Expires: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	session()
	if err := SetDisabled(ctx, d.DB, u.ID, true, "admin", now); err != nil {
		t.Fatal(err)
	}
	if a, err := d.DB.Account(ctx, u.ID); err != nil || !a.Disabled {
		t.Fatalf("not disabled: %+v %v", a, err)
	}
	if ss, err := d.DB.UserSessions(ctx, u.ID); err != nil || len(ss) != 0 {
		t.Fatalf("sessions after disable: %v %v", ss, err)
	}
	session()
	if err := ResetPassword(ctx, d.DB, d.Hasher, u.ID, "another long passphrase", "admin", now); err != nil {
		t.Fatal(err)
	}
	a, err := d.DB.Account(ctx, u.ID)
	if err != nil || d.Hasher.Check(a.PasswordHash, "another long passphrase") != nil {
		t.Fatalf("the new password does not check: %v", err)
	}
	if ss, err := d.DB.UserSessions(ctx, u.ID); err != nil || len(ss) != 0 {
		t.Fatalf("sessions after reset: %v %v", ss, err)
	}
	hist, err := d.DB.AuditFor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range hist {
		actions = append(actions, e.Action)
	}
	want := []string{store.AuditUserAdd, store.AuditUserDisable, store.AuditUserReset}
	if len(actions) != len(want) {
		t.Fatalf("audit %v, want %v", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Fatalf("audit %v, want %v", actions, want)
		}
	}
}
