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

// Printed one-time fallback codes (issue 18): an admin issues a sheet per
// user ahead of time; during a declared provider outage the user logs in
// with one code of it instead of the identity provider. Each code works
// once; a new sheet replaces the old. The codes are shown once, to the
// admin who issued them, and stored only as hashes (auth.FallbackCodeHash).

// issueFallbackSheet makes a new sheet for the user and answers with
// its codes, this once.
func (s *Server) issueFallbackSheet(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	acct, err := s.db.Account(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	codes, err := auth.NewFallbackCodes(auth.FallbackSheetSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.cfg.Now().UTC()
	sheet := store.FallbackSheet{ID: uuid.NewString(), UserID: acct.ID, Issued: now, IssuedBy: c.ID}
	for _, code := range codes {
		n, _ := auth.NormalizeFallbackCode(code)
		sheet.Codes = append(sheet.Codes, store.FallbackCode{Hash: auth.FallbackCodeHash(acct.ID, n)})
	}
	a := store.Audit{Time: now, Actor: c.ID, Action: store.AuditFallbackIssue, Subject: acct.ID,
		Detail: fmt.Sprintf("sheet=%s codes=%d", sheet.ID, len(codes))}
	if err := s.db.PutFallbackSheet(r.Context(), sheet, a); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.FallbackSheetResponse{UserID: acct.ID, Username: acct.Username, Name: acct.Name, IssuedAt: now, Codes: codes})
}

// fallbackSheetStatus says whether the user has a sheet, and how many of
// its codes are left; never the codes.
func (s *Server) fallbackSheetStatus(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.admin(w, r); !ok {
		return
	}
	acct, err := s.db.Account(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := wire.FallbackSheetStatus{UserID: acct.ID}
	sheet, err := s.db.FallbackSheet(r.Context(), acct.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		s.writeError(w, r, err)
		return
	default:
		issued := sheet.Issued.UTC()
		st.Issued, st.IssuedAt, st.IssuedBy, st.Total, st.Left = true, &issued, sheet.IssuedBy, len(sheet.Codes), sheet.Left()
	}
	writeJSON(w, http.StatusOK, st)
}

// fallbackLogin logs a user in with one of their fallback codes, during
// a provider outage only. It spends from the same login limits as a
// password: a wrong or used code is a failed login.
func (s *Server) fallbackLogin(w http.ResponseWriter, r *http.Request) {
	var req wire.FallbackLoginRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Username == "" || req.Code == "" {
		s.writeError(w, r, care.Invalid("code", "username and code are required", care.KeyRequired))
		return
	}
	t, ok := s.beginLogin(w, r, req.Username)
	if !ok {
		return
	}
	defer t.end()
	now, username, addrKey := t.now, t.username, t.addr
	refused := func(actor, reason string) {
		s.log.Info("fallback login refused", "username", username, "reason", reason)
		s.audit(r, store.Audit{Actor: actor, Action: store.AuditFallbackRefused, Subject: actor,
			Detail: "reason=" + reason + " username=" + username + " address=" + addrKey})
	}
	// Outside an outage the code is not looked at. The attempt still
	// counts as failed: that bounds what anyone can add to the audit
	// log this way by the login limits, and a code cannot work then.
	if _, active, err := s.providerOutage().Active(r.Context()); err != nil || !active {
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		t.wrong = true
		refused("", "no_outage")
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "fallback codes work only while an outage of the identity provider is declared").WithKey(keyFallbackNoOutage))
		return
	}
	acct, found, ok := s.tryAccount(w, r, t)
	if !ok {
		return
	}
	fail := func(reason, key, msg string) {
		t.wrong = true
		refused(acct.ID, reason)
		s.writeError(w, r, wire.Errorf(wire.CodeUnauthorized, "%s", msg).WithKey(key))
	}
	code, wellFormed := auth.NormalizeFallbackCode(req.Code)
	if !found || !wellFormed {
		fail("wrong", keyFallbackWrong, "wrong username or code")
		return
	}
	hash := auth.FallbackCodeHash(acct.ID, code)
	sheet, err := s.db.FallbackSheet(r.Context(), acct.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.writeError(w, r, err)
		return
	}
	index := -1
	for i, c := range sheet.Codes {
		if c.Hash == hash {
			index = i
		}
	}
	switch {
	case index < 0:
		fail("wrong", keyFallbackWrong, "wrong username or code")
		return
	case sheet.Codes[index].Used != nil:
		fail("used", keyFallbackUsed, "this code was used before: each code works once")
		return
	case acct.Disabled:
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "this account is disabled").WithKey(keyForbidden))
		return
	}
	use := store.Audit{Time: now, Actor: acct.ID, Action: store.AuditFallbackUse, Subject: acct.ID,
		Detail: fmt.Sprintf("sheet=%s code=%d address=%s", sheet.ID, index+1, addrKey)}
	// The store's compare-and-set decides between two logins with one
	// code (on this node or another): the one that loses is refused.
	if err := s.db.UseFallbackCode(r.Context(), acct.ID, hash, now, use); err != nil {
		switch {
		case errors.Is(err, store.ErrFallbackCodeUsed):
			fail("used", keyFallbackUsed, "this code was used before: each code works once")
		case errors.Is(err, store.ErrNotFound): // a new sheet came in between
			fail("wrong", keyFallbackWrong, "wrong username or code")
		default:
			s.writeError(w, r, err)
		}
		return
	}
	s.startSession(w, r, acct, store.Audit{Actor: acct.ID, Action: store.AuditLogin, Detail: "address=" + addrKey + " via=fallback_code"})
}
