package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// An outage of the identity provider (issue 18): not the care record
// system's outage of outages.go. An admin declares it, with a reason;
// it ends by itself after at most ProviderOutageMax, or earlier when an
// admin ends it. While it lasts, users of the roles the provider covers
// log in with their local password or a fallback code.

// DefaultProviderOutageMax is how long a declared provider outage lasts
// unless the server is configured otherwise: a working day's shift.
const DefaultProviderOutageMax = 8 * time.Hour

// maxReasonBytes bounds an outage's reason: a sentence or two.
const maxReasonBytes = 500

// The catalogue keys of the errors of logins without the identity
// provider (internal/i18n/fallback.go).
const (
	keyPasswordOff         = "error.password_login_off"    // no args
	keyProviderOutageState = "error.provider_outage_state" // no args
	keyFallbackNoOutage    = "error.fallback_no_outage"    // no args
	keyFallbackWrong       = "error.fallback_code_wrong"   // no args
	keyFallbackUsed        = "error.fallback_code_used"    // no args
	keyBreakGlassWrong     = "error.break_glass_wrong"     // no args
	keyTOTPReused          = "error.totp_reused"           // no args
	keyProviderOutageHours = "error.provider_outage_hours" // max hours
)

// providerOutage is the declared outage as the store keeps it, on the
// server's clock.
func (s *Server) providerOutage() auth.ProviderOutage {
	return auth.DeclaredOutages{Store: s.db, Now: s.cfg.Now}
}

// providerOutageStatus answers every login page and the desk: whether
// an outage of the identity provider is declared, why, and until when.
// It needs no login (a user who cannot log in must read it).
func (s *Server) providerOutageStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.providerOutageState(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) providerOutageState(r *http.Request) (wire.ProviderOutageStatus, error) {
	o, active, err := s.providerOutage().Active(r.Context())
	if err != nil || !active {
		return wire.ProviderOutageStatus{}, err
	}
	until := o.Until.UTC()
	return wire.ProviderOutageStatus{Active: true, Reason: o.Reason, Until: &until}, nil
}

// changeProviderOutage declares or ends an outage of the identity
// provider (admins); each is audited in the store's transaction.
func (s *Server) changeProviderOutage(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	var req wire.ProviderOutageRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.cfg.Now().UTC()
	switch req.Action {
	case "declare":
		reason := strings.TrimSpace(req.Reason)
		if reason == "" {
			s.writeError(w, r, care.Invalid("reason", "a reason is required", care.KeyRequired))
			return
		}
		if err := care.CheckLength("reason", reason, maxReasonBytes); err != nil {
			s.writeError(w, r, err)
			return
		}
		max := int(s.cfg.ProviderOutageMax / time.Hour)
		last := s.cfg.ProviderOutageMax
		if req.Hours != 0 {
			if req.Hours < 0 || req.Hours > max {
				s.writeError(w, r, wire.Errorf(wire.CodeInvalidInput, "hours must be from 1 to %d", max).WithKey(keyProviderOutageHours, strconv.Itoa(max)))
				return
			}
			last = time.Duration(req.Hours) * time.Hour
		}
		o := store.ProviderOutage{ID: uuid.NewString(), Reason: reason, Start: now, Until: now.Add(last), DeclaredBy: c.ID}
		a := store.Audit{Time: now, Actor: c.ID, Action: store.AuditProviderOutageDeclare, Subject: o.ID,
			Detail: fmt.Sprintf("reason=%q until=%s", reason, o.Until.Format(time.RFC3339))}
		if err := s.db.DeclareProviderOutage(r.Context(), o, a); err != nil {
			s.writeError(w, r, providerOutageError(err))
			return
		}
		s.log.Info("provider outage declared", "by", c.ID, "until", o.Until)
	case "end":
		a := store.Audit{Time: now, Actor: c.ID, Action: store.AuditProviderOutageEnd}
		o, err := s.db.EndProviderOutage(r.Context(), c.ID, now, a)
		if err != nil {
			s.writeError(w, r, providerOutageError(err))
			return
		}
		s.log.Info("provider outage ended", "by", c.ID, "id", o.ID)
	default:
		s.writeError(w, r, care.Invalid("action", `action must be "declare" or "end"`, care.KeyOneOf, "declare, end"))
		return
	}
	st, err := s.providerOutageState(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// providerOutageError gives the store's refusal its code and key.
func providerOutageError(err error) error {
	if errors.Is(err, store.ErrProviderOutageState) {
		return wire.Errorf(wire.CodeConflict, "%s", err.Error()).WithKey(keyProviderOutageState)
	}
	return err
}

// localLoginAllowed refuses, audited, a local login of a user whose role
// the identity provider covers while no provider outage is declared. It
// is asked after the password was checked: the refusal tells only the
// password's owner (or who guessed it, which the login limits slow down
// as before) to go through the provider.
func (s *Server) localLoginAllowed(w http.ResponseWriter, r *http.Request, acct store.Account, addr string) bool {
	ok, err := s.cfg.AuthPolicy.LocalLoginAllowed(r.Context(), s.providerOutage(), acct.Role)
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	if !ok {
		s.audit(r, store.Audit{Actor: acct.ID, Action: store.AuditPasswordOff, Subject: acct.ID, Detail: "address=" + addr})
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "local passwords are off for the role %s unless an outage of the identity provider is declared: log in through the provider", acct.Role).WithKey(keyPasswordOff))
	}
	return ok
}
