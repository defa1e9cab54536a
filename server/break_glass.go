package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// The admins' break-glass login (issue 18): local password plus a TOTP
// code, enrolled with `beredskap user totp`. It does not depend on the
// identity provider, nor on a declared outage, so that an admin can
// always log in and declare one. Every use is audited and listed on the
// desk; every refusal is a failed login for the login limits.

// breakGlassListed is how many uses the desk lists.
const breakGlassListed = 50

// breakGlassLogin logs an admin in with password and TOTP code.
func (s *Server) breakGlassLogin(w http.ResponseWriter, r *http.Request) {
	var req wire.BreakGlassLoginRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Username == "" || req.Password == "" || req.TOTP == "" {
		s.writeError(w, r, care.Invalid("totp", "username, password and TOTP code are required", care.KeyRequired))
		return
	}
	t, ok := s.beginLogin(w, r, req.Username)
	if !ok {
		return
	}
	defer t.end()
	now, username, addrKey := t.now, t.username, t.addr
	acct, found, ok := s.tryAccount(w, r, t)
	if !ok {
		return
	}
	// Every refusal but a reused code says the same: which of the three
	// was wrong is for the audit log, not for a guesser.
	fail := func(reason, key, msg string) {
		t.wrong = true
		s.log.Info("break-glass login refused", "username", username, "reason", reason)
		s.audit(r, store.Audit{Actor: acct.ID, Action: store.AuditBreakGlassRefused, Subject: acct.ID,
			Detail: "reason=" + reason + " username=" + username + " address=" + addrKey})
		s.writeError(w, r, wire.Errorf(wire.CodeUnauthorized, "%s", msg).WithKey(key))
	}
	const wrongMsg = "wrong username, password or code"
	if !found {
		_ = s.cfg.Hasher.Check(s.dummyHash(), req.Password)
		fail("wrong_password", keyBreakGlassWrong, wrongMsg)
		return
	}
	if err := s.cfg.Hasher.Check(acct.PasswordHash, req.Password); err != nil {
		fail("wrong_password", keyBreakGlassWrong, wrongMsg)
		return
	}
	if acct.Role != care.RoleAdmin {
		fail("not_admin", keyBreakGlassWrong, wrongMsg)
		return
	}
	secret, err := s.db.TOTP(r.Context(), acct.ID)
	if errors.Is(err, store.ErrNotFound) {
		fail("not_enrolled", keyBreakGlassWrong, wrongMsg)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	step, ok := auth.CheckTOTP(secret.Secret, req.TOTP, now)
	if !ok {
		fail("wrong_totp", keyBreakGlassWrong, wrongMsg)
		return
	}
	const reusedMsg = "this code was used already: wait for the next one in the app"
	if step <= secret.LastStep {
		fail("reused_totp", keyTOTPReused, reusedMsg)
		return
	}
	if acct.Disabled {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "this account is disabled").WithKey(keyForbidden))
		return
	}
	use := store.BreakGlassUse{ID: uuid.NewString(), UserID: acct.ID, At: now.UTC(), Step: step, Address: addrKey}
	a := store.Audit{Time: now, Actor: acct.ID, Action: store.AuditBreakGlass, Subject: acct.ID,
		Detail: fmt.Sprintf("address=%s step=%d", addrKey, step)}
	// The store refuses a step at or before the last one used, on any
	// node: of two logins with one code, one gets in.
	if err := s.db.UseTOTPStep(r.Context(), use, a); err != nil {
		if errors.Is(err, store.ErrTOTPReused) {
			fail("reused_totp", keyTOTPReused, reusedMsg)
			return
		}
		s.writeError(w, r, err)
		return
	}
	s.log.Warn("break-glass login", "user", acct.ID, "address", addrKey)
	s.startSession(w, r, acct, store.Audit{Actor: acct.ID, Action: store.AuditLogin, Detail: "address=" + addrKey + " via=break_glass"})
}

// breakGlassUses lists the latest break-glass logins for the desk.
func (s *Server) breakGlassUses(w http.ResponseWriter, r *http.Request) {
	uses, err := s.db.BreakGlassUses(r.Context(), breakGlassListed)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := wire.BreakGlassUsesResponse{Uses: []wire.BreakGlassUse{}}
	names := map[string]store.Account{}
	for _, u := range uses {
		a, seen := names[u.UserID]
		if !seen {
			if acct, err := s.db.Account(r.Context(), u.UserID); err == nil {
				a = acct
			}
			names[u.UserID] = a
		}
		out.Uses = append(out.Uses, wire.BreakGlassUse{UserID: u.UserID, Username: a.Username, Name: a.Name, At: u.At.UTC(), Address: u.Address})
	}
	writeJSON(w, http.StatusOK, out)
}
