package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/store"
)

// totpIssuer is the name authenticator apps show beside the code.
const totpIssuer = "Beredskap"

// enrolTOTP is "beredskap user totp --username U": it gives an admin a
// new secret for the break-glass login (password plus TOTP code) and
// prints it, this once, as an otpauth:// URI (for a QR code) and as the
// base32 secret (to type into an app). A secret given before stops
// working. Only admins get one: break-glass is for declaring a provider
// outage when nobody can log in through the provider.
func enrolTOTP(ctx context.Context, db store.Store, acct store.Account, stdout io.Writer, now time.Time) error {
	if acct.Role != care.RoleAdmin {
		return fmt.Errorf("%s is %s: only admins have a break-glass login", acct.Username, acct.Role)
	}
	if acct.Disabled {
		return fmt.Errorf("%s is disabled", acct.Username)
	}
	secret, uri, err := auth.NewTOTP(totpIssuer, acct.Username)
	if err != nil {
		return err
	}
	t := store.TOTPSecret{UserID: acct.ID, Secret: secret, Enrolled: now.UTC()}
	a := store.Audit{Time: now, Actor: "cli", Action: store.AuditTOTPEnrol, Subject: acct.ID, Detail: "username=" + acct.Username}
	if err := db.PutTOTP(ctx, t, a); err != nil {
		return fmt.Errorf("enrol %s: %w", acct.Username, err)
	}
	fmt.Fprintf(stdout, "break-glass TOTP for %s (shown once; a secret given before no longer works)\n", acct.Username)
	fmt.Fprintf(stdout, "uri:    %s\n", uri)
	fmt.Fprintf(stdout, "secret: %s\n", secret)
	fmt.Fprintln(stdout, "Add it to an authenticator app (a QR code of the uri, or the secret typed in: TOTP, SHA-1, 6 digits, 30 s).")
	return nil
}
