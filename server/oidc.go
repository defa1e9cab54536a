package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/oidclogin"
	"beredskap/internal/store"
	"beredskap/internal/users"
	"beredskap/internal/wire"
)

// Login through the municipality's identity provider (issue 18), for the
// phone and the office alike:
//
//	GET  /api/v1/oidc/providers  → the providers, for the login page's buttons
//	GET  /api/v1/oidc/start?provider=&target=phone|office&challenge=
//	     → 302 to the provider
//	GET  /api/v1/oidc/callback   (the provider's redirect)
//	     → 302 to "/" or "/office" with "#oidc_code=CODE", or "#oidc_error=KEY"
//	POST /api/v1/oidc/exchange {"code","verifier"} → what POST /api/v1/session answers
//
// Start and callback are browser navigations, so what goes wrong there is
// a redirect to the login page with the catalogue key in the fragment
// (never sent to a server, nor in a Referer), which the page shows in
// the user's language. The exchange is the API's, with DESIGN §5's
// errors.

// PasswordPolicy says whether a role may log in with a local password
// now (oidclogin.PasswordPolicy: not for a role an identity provider
// covers, unless a provider outage is declared).
type PasswordPolicy interface {
	PasswordAllowed(ctx context.Context, role care.Role, now time.Time) (bool, error)
}

func (s *Server) oidcProviders(w http.ResponseWriter, r *http.Request) {
	out := wire.ProvidersResponse{Providers: []wire.ProviderView{}}
	if s.cfg.OIDC != nil {
		for _, p := range s.cfg.OIDC.Config().Providers {
			names := map[string]string{}
			for _, lang := range i18n.Languages() {
				names[lang] = p.DisplayName(lang)
			}
			out.Providers = append(out.Providers, wire.ProviderView{ID: p.ID, Name: names, Roles: p.Roles})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// loginPage is where a login through a provider returns to.
func loginPage(target string) string {
	if target == oidclogin.TargetOffice {
		return "/office"
	}
	return "/"
}

// redirectWith sends the browser to the target's page with the fragment
// parameters.
func redirectWith(w http.ResponseWriter, r *http.Request, target string, frag url.Values) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, loginPage(target)+"#"+frag.Encode(), http.StatusFound)
}

// redirectError shows err on the target's login page: its catalogue key
// (and arguments) in the fragment.
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, target string, err error) {
	code := codeOf(err)
	if code == wire.CodeInternal {
		s.log.Error("login through a provider", "err", err)
	}
	var key string
	var args []string
	var we *wire.Error
	switch {
	case errors.As(err, &we):
		key, args = we.Key, we.Args
	case code == wire.CodeInternal:
		key = keyInternal
	default:
		key, args = keyOf(err)
	}
	if key == "" {
		key = keyInternal
	}
	frag := url.Values{"oidc_error": {key}}
	if len(args) > 0 {
		frag["oidc_error_args"] = args
	}
	redirectWith(w, r, target, frag)
}

func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	target := q.Get("target")
	if s.cfg.OIDC == nil {
		s.redirectError(w, r, target, wire.Errorf(wire.CodeNotFound, "no identity provider is configured").WithKey(oidclogin.KeyUnknownProvider))
		return
	}
	to, err := s.cfg.OIDC.Start(r.Context(), q.Get("provider"), target, q.Get("challenge"))
	if err != nil {
		s.redirectError(w, r, target, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusFound)
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if s.cfg.OIDC == nil {
		s.redirectError(w, r, "", wire.Errorf(wire.CodeNotFound, "no identity provider is configured").WithKey(oidclogin.KeyUnknownProvider))
		return
	}
	h, err := s.cfg.OIDC.Callback(r.Context(), r.URL.Query())
	var refusal *oidclogin.Refusal
	if errors.As(err, &refusal) {
		s.redirectError(w, r, refusal.Target, refusal.Err)
		return
	}
	if err != nil {
		s.redirectError(w, r, "", err)
		return
	}
	redirectWith(w, r, h.Target, url.Values{"oidc_code": {h.Code}})
}

func (s *Server) oidcExchange(w http.ResponseWriter, r *http.Request) {
	if s.cfg.OIDC == nil {
		s.writeError(w, r, wire.Errorf(wire.CodeNotFound, "no identity provider is configured").WithKey(oidclogin.KeyUnknownProvider))
		return
	}
	var req wire.ExchangeRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := s.cfg.OIDC.Exchange(r.Context(), req.Code, req.Verifier)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.startSession(w, r, x.Account, store.Audit{Actor: x.Account.ID, Action: store.AuditOIDCLogin,
		Detail: "provider=" + x.Provider + " acr=" + x.ACR + " address=" + clientAddress(r)})
}

// passwordAllowed refuses a password login for a role an identity
// provider covers (unless an outage is declared).
func (s *Server) passwordAllowed(w http.ResponseWriter, r *http.Request, acct store.Account) bool {
	if s.cfg.PasswordPolicy == nil {
		return true
	}
	ok, err := s.cfg.PasswordPolicy.PasswordAllowed(r.Context(), acct.Role, s.cfg.Now())
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	if !ok {
		s.audit(r, store.Audit{Actor: acct.ID, Action: store.AuditLoginFailed, Detail: "password login off for role " + string(acct.Role) + " address=" + clientAddress(r)})
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "users of role %s log in through the identity provider", acct.Role).WithKey(oidclogin.KeyPasswordOff))
	}
	return ok
}

func (s *Server) listIdentities(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.admin(w, r); !ok {
		return
	}
	id := r.PathValue("id")
	if _, err := s.db.Account(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	ls, err := s.db.IdentityLinks(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := wire.IdentitiesResponse{Identities: []wire.IdentityLink{}}
	for _, l := range ls {
		out.Identities = append(out.Identities, identityView(l))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) linkIdentity(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	var req wire.IdentityRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.cfg.OIDC == nil {
		s.writeError(w, r, care.Invalid("provider", "no identity provider is configured", care.KeyUnknown, req.Provider))
		return
	}
	if _, ok := s.cfg.OIDC.Config().Provider(req.Provider); !ok {
		s.writeError(w, r, care.Invalid("provider", "no identity provider "+req.Provider, care.KeyUnknown, req.Provider))
		return
	}
	l, err := users.Link(r.Context(), s.db, r.PathValue("id"), req.Provider, req.Subject, c.ID, s.cfg.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, identityView(l))
}

func identityView(l store.IdentityLink) wire.IdentityLink {
	return wire.IdentityLink{Provider: l.Provider, Subject: l.Subject, UserID: l.UserID, By: l.By, Created: l.Created}
}

func (s *Server) unlinkIdentity(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	var req wire.IdentityRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := users.Unlink(r.Context(), s.db, r.PathValue("id"), req.Provider, req.Subject, c.ID, s.cfg.Now()); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"unlinked": true})
}
