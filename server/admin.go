package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

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
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "only admins manage users and devices").WithKey(keyForbidden))
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
	cs, err := s.db.UsernameCollisions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out.Collisions = collisionViews(cs)
	writeJSON(w, http.StatusOK, out)
}

// collisionViews turns the store's username collisions into their wire
// form, for the admin page and the start-up warning.
func collisionViews(cs []store.UsernameCollision) []wire.UsernameCollision {
	var out []wire.UsernameCollision
	for _, c := range cs {
		v := wire.UsernameCollision{Normalized: c.Normalized, LogsIn: c.Indexed}
		for _, a := range c.Accounts {
			v.UserIDs = append(v.UserIDs, a.ID)
			v.Usernames = append(v.Usernames, a.Username)
		}
		out = append(out, v)
	}
	return out
}

// UsernameCollisionWarnings are the lines serve prints at start for
// accounts whose usernames are one name after normalisation, so that an
// admin renames them.
func UsernameCollisionWarnings(ctx context.Context, db store.Accounts) ([]string, error) {
	cs, err := db.UsernameCollisions(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range collisionViews(cs) {
		who := "none of them"
		for i, id := range c.UserIDs {
			if id == c.LogsIn {
				who = fmt.Sprintf("only %q (id %s)", c.Usernames[i], id)
			}
		}
		out = append(out, fmt.Sprintf("accounts %s share the username %q once normalised (Unicode NFKC and case folding); %s can log in with it: an admin renames the others on the admin page",
			strings.Join(quoted(c.Usernames), ", "), c.Normalized, who))
	}
	return out, nil
}

func quoted(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// Users is what user management reads and writes: the accounts, their
// sessions (ended on disable and reset), the units a new user is given,
// and the audit log.
type Users interface {
	store.Accounts
	store.Sessions
	store.Schedule
	store.AuditTrail
}

// CreateUser checks and stores a new account; the command line and the
// admin page both use it.
func CreateUser(ctx context.Context, db Users, hasher *auth.Hasher, req wire.NewUserRequest, by string, now time.Time) (care.User, error) {
	req.Username = auth.NormalizeUsername(req.Username)
	req.Name = strings.TrimSpace(req.Name)
	nu := care.User{Username: req.Username, Name: req.Name, Role: req.Role, Units: req.Units, Lang: req.Lang}
	if err := nu.ValidateNew(i18n.Languages()); err != nil {
		return care.User{}, err
	}
	if err := checkPassword(req.Password); err != nil {
		return care.User{}, err
	}
	units, err := db.Units(ctx)
	if err != nil {
		return care.User{}, err
	}
	for _, u := range req.Units {
		if !slices.ContainsFunc(units, func(x care.Unit) bool { return x.ID == u }) {
			return care.User{}, care.Invalid("units", "no unit "+u, care.KeyUnknown, u)
		}
	}
	hash, err := hasher.Hash(req.Password)
	if err != nil {
		return care.User{}, err
	}
	u := care.User{ID: uuid.NewString(), Username: req.Username, Name: req.Name, Role: req.Role, Units: req.Units, Lang: req.Lang}
	if err := db.PutAccount(ctx, store.Account{User: u, PasswordHash: hash}); err != nil {
		if errors.Is(err, store.ErrUsernameTaken) {
			return care.User{}, usernameTaken(req.Username)
		}
		return care.User{}, err
	}
	if err := db.Append(ctx, store.Audit{Time: now, Actor: by, Action: store.AuditUserAdd, Subject: u.ID, Detail: "username=" + u.Username + " role=" + string(u.Role)}); err != nil {
		return u, err
	}
	return u, nil
}

// ErrUsernameTaken is a new or changed username that another account
// already has once both are normalised.
var ErrUsernameTaken = errors.New("username taken")

func usernameTaken(name string) error {
	return fmt.Errorf("%w: another user already has the username %q (usernames are compared after Unicode normalisation and case folding, so \"Kari\", \"KARI\" and fullwidth \"ｋａｒｉ\" are one name)", ErrUsernameTaken, name)
}

// checkPassword is auth.CheckPassword's verdict as a validation error.
func checkPassword(pw string) error {
	if err := auth.CheckPassword(pw); err != nil {
		return care.Invalid("password", err.Error(), care.KeyPassword, strconv.Itoa(auth.MinPasswordLength))
	}
	return nil
}

// RenameUser gives an account a new username, normalised and unique
// after normalisation: how an admin settles two accounts whose names
// became one when usernames began to be normalised. Sessions go on; the
// user logs in with the new name next time.
func RenameUser(ctx context.Context, db Users, id, username, by string, now time.Time) (care.User, error) {
	username = auth.NormalizeUsername(username)
	if err := care.CheckUsername(username); err != nil {
		return care.User{}, err
	}
	a, err := db.Account(ctx, id)
	if err != nil {
		return care.User{}, err
	}
	old := a.Username
	a.Username = username
	if err := db.PutAccount(ctx, a); err != nil {
		if errors.Is(err, store.ErrUsernameTaken) {
			return care.User{}, usernameTaken(username)
		}
		return care.User{}, err
	}
	if err := db.Append(ctx, store.Audit{Time: now, Actor: by, Action: store.AuditUserRename, Subject: id, Detail: fmt.Sprintf("from=%q to=%q", old, username)}); err != nil {
		return a.User, err
	}
	return a.User, nil
}

// SetUserDisabled disables (or enables) an account; disabling ends its
// sessions at once.
func SetUserDisabled(ctx context.Context, db Users, id string, disabled bool, by string, now time.Time) error {
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
func ResetPassword(ctx context.Context, db Users, hasher *auth.Hasher, id, password, by string, now time.Time) error {
	if err := checkPassword(password); err != nil {
		return err
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
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.UserView{User: u})
}

func (s *Server) renameUser(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	var req wire.RenameUserRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := RenameUser(r.Context(), s.db, r.PathValue("id"), req.Username, c.ID, s.cfg.Now())
	if err != nil {
		s.writeError(w, r, err)
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
		s.writeError(w, r, wire.Errorf(wire.CodeInvalidInput, "you cannot disable yourself").WithKey(keyDisableSelf))
		return
	}
	if err := SetUserDisabled(r.Context(), s.db, id, true, c.ID, s.cfg.Now()); err != nil {
		s.writeError(w, r, err)
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
		s.writeError(w, r, err)
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
		s.writeError(w, r, err)
		return
	}
	s.log.Info("device revoked", "device", d.ID, "user", d.UserID, "by", c.ID)
	writeJSON(w, http.StatusOK, deviceView(d))
}
