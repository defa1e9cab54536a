package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

type ctxKey int

const (
	ctxAccount ctxKey = iota
	ctxSession
)

// caller is who made an authenticated request.
type caller struct {
	store.Account
	Session store.Session
	// DeviceRevoked is set when the session's phone has been revoked.
	DeviceRevoked bool
}

func callerFrom(ctx context.Context) caller {
	c, _ := ctx.Value(ctxAccount).(caller)
	return c
}

// login checks a username and password and starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req wire.LoginRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Username == "" || req.Password == "" {
		s.writeError(w, r, care.Invalid("username", "username and password are required", care.KeyRequired))
		return
	}
	t, ok := s.beginLogin(w, r, req.Username)
	if !ok {
		return
	}
	defer t.end()
	acct, found, ok := s.tryAccount(w, r, t)
	if !ok {
		return
	}
	fail := func() {
		t.wrong = true
		s.log.Info("login failed", "username", t.username)
		s.audit(r, store.Audit{Actor: acct.ID, Action: store.AuditLoginFailed, Detail: "username=" + t.username + " address=" + t.addr})
		s.writeError(w, r, wire.Errorf(wire.CodeUnauthorized, "wrong username or password"))
	}
	if !found {
		// Spend the same time as a real check, so that response time does
		// not tell which usernames exist.
		_ = s.cfg.Hasher.Check(s.dummyHash(), req.Password)
		fail()
		return
	}
	if err := s.cfg.Hasher.Check(acct.PasswordHash, req.Password); err != nil {
		fail()
		return
	}
	if acct.Disabled {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "this account is disabled").WithKey(keyForbidden))
		return
	}
	if !s.localLoginAllowed(w, r, acct, t.addr) {
		return
	}
	s.startSession(w, r, acct, store.Audit{Actor: acct.ID, Action: store.AuditLogin, Detail: "address=" + t.addr})
}

// startSession starts a session for acct and answers with it and the
// server's public keys: the end of a password login and of a login
// through an identity provider alike.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, acct store.Account, audit store.Audit) {
	now := s.cfg.Now()
	token, hash, err := auth.NewToken()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sess := store.Session{TokenHash: hash, UserID: acct.ID, Created: now, Expires: now.Add(s.cfg.SessionTTL)}
	if err := s.db.PutSession(r.Context(), sess); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("login", "user", acct.ID, "role", acct.Role, "how", audit.Action)
	s.audit(r, audit)
	writeJSON(w, http.StatusOK, wire.LoginResponse{
		Token: token, User: acct.User, ServerTime: now.UTC(), ExpiresAt: sess.Expires.UTC(),
		SignKey: s.keys.SignPub(), SealKey: s.keys.SealPub, KeyID: s.keys.KeyID(),
	})
}

// loginTry is one try at a login with a typed secret (a password, a
// fallback code, a break-glass code). It holds an attempt from the login
// limits (see auth.LoginLimits), taken before the secret is checked:
// taking first, in one step with the check, is what keeps many guesses
// sent at once from all passing while the first are still being hashed.
// The attempt stays spent only when the secret was wrong (Wrong); end
// gives it back otherwise, as if it had never been counted.
type loginTry struct {
	now      time.Time
	username string // normalised
	addr     string // the client's address, as the limits and the audit log name it
	attempt  *auth.Attempt
	wrong    bool
}

// beginLogin starts a try for username from the request's address; it
// answers the request itself (429 with Retry-After) when a limit has no
// attempt left. The caller defers end.
func (s *Server) beginLogin(w http.ResponseWriter, r *http.Request, username string) (*loginTry, bool) {
	t := &loginTry{now: s.cfg.Now(), username: auth.NormalizeUsername(username), addr: clientAddress(r)}
	a, wait := s.loginLimits.Take(t.username, t.addr, t.now)
	if a == nil {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.writeError(w, r, wire.Errorf(wire.CodeRateLimited, "too many failed logins; try again in %s", wait.Round(time.Second)).WithKey(keyRateLimited, strconv.Itoa(int((wait+time.Minute-1)/time.Minute))))
		return nil, false
	}
	t.attempt = a
	return t, true
}

// end gives the attempt back unless the secret was wrong.
func (t *loginTry) end() { t.attempt.Done(t.wrong) }

// account looks up the try's account. found is false when no account has
// the username (acct is then the zero account); ok is false when the
// store could not be asked, and the request is answered.
func (s *Server) tryAccount(w http.ResponseWriter, r *http.Request, t *loginTry) (acct store.Account, found, ok bool) {
	acct, err := s.db.AccountByUsername(r.Context(), t.username)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Account{}, false, true
	case err != nil:
		s.writeError(w, r, err)
		return store.Account{}, false, false
	}
	return acct, true, true
}

// dummyHash is a valid hash of nothing anyone knows, made with the
// server's own cost.
func (s *Server) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = s.cfg.Hasher.Hash("no such user") })
	return s.dummy
}

// logout ends the caller's session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	c := callerFrom(r.Context())
	if err := s.db.DeleteSession(r.Context(), c.Session); err != nil {
		s.writeError(w, r, err)
		return
	}
	// "cache" only: "storage" would also delete the phone's IndexedDB,
	// whose outbox may hold signed records not yet synced, and the
	// service worker that runs the app offline. The app wipes its own
	// sealed data and keys itself and keeps the outbox.
	w.Header().Set("Clear-Site-Data", `"cache"`)
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// authed lets a request through only with a live session of an enabled
// account.
func (s *Server) authed(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			s.writeError(w, r, wire.Errorf(wire.CodeUnauthorized, "log in first"))
			return
		}
		sess, err := s.db.Session(r.Context(), auth.TokenHash(token))
		if errors.Is(err, store.ErrNotFound) {
			s.writeError(w, r, wire.Errorf(wire.CodeUnauthorized, "the session has ended; log in again"))
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		acct, err := s.db.Account(r.Context(), sess.UserID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && acct.Disabled) {
			s.writeError(w, r, wire.Errorf(wire.CodeUnauthorized, "the session has ended; log in again"))
			return
		}
		if err != nil {
			// The store did not answer (a failover): the session may well
			// be live, and a 401 would stop the phone's sync until its
			// user logs in again.
			s.writeError(w, r, err)
			return
		}
		c := caller{Account: acct, Session: sess}
		if sess.DeviceID != "" {
			if d, err := s.db.Device(r.Context(), sess.DeviceID); err == nil && d.Revoked != nil {
				// A revoked phone keeps its session only to deliver its
				// outbox and learn that it must wipe; the phone ends it
				// itself once it has wiped (it logs out). Should it never
				// come back, the session ends when every bundle it can
				// hold has expired, the offline validity after the
				// revocation: there is nothing left to wipe then.
				if !s.cfg.Now().Before(d.Revoked.Add(s.cfg.OfflineFor)) {
					if err := s.db.DeleteSession(r.Context(), sess); err != nil {
						s.log.Warn("ending a revoked device's session", "device", d.ID, "err", err)
					}
					s.writeError(w, r, wire.Errorf(wire.CodeUnauthorized, "the session has ended; log in again"))
					return
				}
				c.DeviceRevoked = true
			}
		}
		ctx := context.WithValue(r.Context(), ctxAccount, c)
		next(w, r.WithContext(ctx))
	})
}

// clientAddress is the peer's IP address. Headers like X-Forwarded-For
// are not trusted: anyone can send them.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// audit appends to the audit log; a failure is logged, not shown to the
// caller, whose request already succeeded or failed on its own terms.
func (s *Server) audit(r *http.Request, entries ...store.Audit) {
	if err := s.db.Append(r.Context(), entries...); err != nil {
		s.log.Error("audit append failed", "err", err)
	}
}
