package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"beredskap/app/i18n"
	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// admin lets only admins through.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) (caller, bool) {
	c := callerFrom(r.Context())
	if c.Role != care.RoleAdmin {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "only admins manage users and devices"))
		return c, false
	}
	return c, true
}

func deviceView(d store.Device) wire.DeviceView {
	return wire.DeviceView{ID: d.ID, UserID: d.UserID, Label: d.Label, Created: d.Created, LastSeen: d.LastSeen, Revoked: d.Revoked}
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.admin(w, r); !ok {
		return
	}
	accts, err := s.db.Accounts(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	devs, err := s.db.Devices(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	byUser := map[string][]wire.DeviceView{}
	for _, d := range devs {
		byUser[d.UserID] = append(byUser[d.UserID], deviceView(d))
	}
	out := wire.UsersResponse{Users: []wire.UserView{}}
	for _, a := range accts {
		ds := byUser[a.ID]
		sort.Slice(ds, func(i, j int) bool { return ds[i].LastSeen.After(ds[j].LastSeen) })
		out.Users = append(out.Users, wire.UserView{User: a.User, Devices: ds})
	}
	sort.Slice(out.Users, func(i, j int) bool { return out.Users[i].Username < out.Users[j].Username })
	writeJSON(w, http.StatusOK, out)
}

// ErrUserInput is a problem with a new user's details.
var ErrUserInput = errors.New("invalid user")

// CreateUser checks and stores a new account; the command line and the
// admin page both use it.
func CreateUser(ctx context.Context, db *store.DB, hasher *auth.Hasher, req wire.NewUserRequest, by string, now time.Time) (care.User, error) {
	req.Username = strings.ToLower(strings.TrimSpace(req.Username))
	req.Name = strings.TrimSpace(req.Name)
	bad := func(msg string) (care.User, error) { return care.User{}, fmt.Errorf("%w: %s", ErrUserInput, msg) }
	switch {
	case len(req.Username) < 2 || len(req.Username) > 64 || strings.ContainsAny(req.Username, " /\\:@"):
		return bad("a username has 2–64 characters without spaces, slashes, colons or @")
	case req.Name == "" || utf8.RuneCountInString(req.Name) > 100:
		return bad("a name is required (at most 100 characters)")
	case !req.Role.Valid():
		return bad("role must be worker, nurse, coordinator or admin")
	case req.Lang != "" && !slices.Contains(i18n.Languages(), req.Lang):
		return bad("lang must be one of " + strings.Join(i18n.Languages(), ", "))
	}
	if err := auth.CheckPassword(req.Password); err != nil {
		return bad(err.Error())
	}
	if err := (care.User{Username: req.Username, Name: req.Name, Units: req.Units, Lang: req.Lang}).CheckLimits(); err != nil {
		return bad(err.Error())
	}
	units, err := db.Units(ctx)
	if err != nil {
		return care.User{}, err
	}
	for _, u := range req.Units {
		if !slices.ContainsFunc(units, func(x care.Unit) bool { return x.ID == u }) {
			return bad("no unit " + u)
		}
	}
	if len(req.Units) == 0 && req.Role != care.RoleAdmin {
		return bad("a worker, nurse or coordinator needs at least one unit")
	}
	hash, err := hasher.Hash(req.Password)
	if err != nil {
		return care.User{}, err
	}
	u := care.User{ID: uuid.NewString(), Username: req.Username, Name: req.Name, Role: req.Role, Units: req.Units, Lang: req.Lang}
	if err := db.PutAccount(ctx, store.Account{User: u, PasswordHash: hash}); err != nil {
		if errors.Is(err, store.ErrUsernameTaken) {
			return bad("the username is taken")
		}
		return care.User{}, err
	}
	if err := db.Append(ctx, store.Audit{Time: now, Actor: by, Action: store.AuditUserAdd, Subject: u.ID, Detail: "username=" + u.Username + " role=" + string(u.Role)}); err != nil {
		return u, err
	}
	return u, nil
}

// SetUserDisabled disables (or enables) an account; disabling ends its
// sessions at once.
func SetUserDisabled(ctx context.Context, db *store.DB, id string, disabled bool, by string, now time.Time) error {
	a, err := db.Account(ctx, id)
	if err != nil {
		return err
	}
	a.Disabled = disabled
	if err := db.PutAccount(ctx, a); err != nil {
		return err
	}
	if disabled {
		if err := db.DeleteUserSessions(ctx, id); err != nil {
			return err
		}
	}
	return db.Append(ctx, store.Audit{Time: now, Actor: by, Action: store.AuditUserDisable, Subject: id, Detail: fmt.Sprintf("disabled=%v", disabled)})
}

// ResetPassword sets a new password and ends the user's sessions.
func ResetPassword(ctx context.Context, db *store.DB, hasher *auth.Hasher, id, password, by string, now time.Time) error {
	if err := auth.CheckPassword(password); err != nil {
		return fmt.Errorf("%w: %s", ErrUserInput, err)
	}
	a, err := db.Account(ctx, id)
	if err != nil {
		return err
	}
	if a.PasswordHash, err = hasher.Hash(password); err != nil {
		return err
	}
	if err := db.PutAccount(ctx, a); err != nil {
		return err
	}
	if err := db.DeleteUserSessions(ctx, id); err != nil {
		return err
	}
	return db.Append(ctx, store.Audit{Time: now, Actor: by, Action: store.AuditUserReset, Subject: id})
}

func (s *Server) userError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrUserInput):
		s.writeError(w, r, wire.Errorf(wire.CodeInvalidInput, strings.TrimPrefix(err.Error(), ErrUserInput.Error()+": ")))
	case errors.Is(err, store.ErrNotFound):
		s.writeError(w, r, wire.Errorf(wire.CodeNotFound, "no such user or device"))
	default:
		s.writeError(w, r, err)
	}
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	var req wire.NewUserRequest
	if err := decode(w, r, 8<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := CreateUser(r.Context(), s.db, s.cfg.Hasher, req, c.ID, s.cfg.Now())
	if err != nil {
		s.userError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.UserView{User: u})
}

func (s *Server) disableUser(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if id == c.ID {
		s.writeError(w, r, wire.Errorf(wire.CodeInvalidInput, "you cannot disable yourself"))
		return
	}
	if err := SetUserDisabled(r.Context(), s.db, id, true, c.ID, s.cfg.Now()); err != nil {
		s.userError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"disabled": true})
}

func (s *Server) resetUser(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	var req wire.PasswordRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := ResetPassword(r.Context(), s.db, s.cfg.Hasher, r.PathValue("id"), req.Password, c.ID, s.cfg.Now()); err != nil {
		s.userError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
}

func (s *Server) revokeDevice(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	d, err := s.db.RevokeDevice(r.Context(), r.PathValue("id"), c.ID, s.cfg.Now())
	if err != nil {
		s.userError(w, r, err)
		return
	}
	s.log.Info("device revoked", "device", d.ID, "user", d.UserID, "by", c.ID)
	writeJSON(w, http.StatusOK, deviceView(d))
}
