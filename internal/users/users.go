// Package users manages accounts: creating them with their checks,
// renaming, disabling and resetting passwords, each with its audit entry,
// and the username collisions an admin settles. The admin page and the
// command line both call it.
package users

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// CollisionViews turns the store's username collisions into their wire
// form, for the admin page and the start-up warning.
func CollisionViews(cs []store.UsernameCollision) []wire.UsernameCollision {
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

// CollisionWarnings are the lines serve prints at start for
// accounts whose usernames are one name after normalisation, so that an
// admin renames them.
func CollisionWarnings(ctx context.Context, db store.Accounts) ([]string, error) {
	cs, err := db.UsernameCollisions(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range CollisionViews(cs) {
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

// Create checks and stores a new account; the command line and the
// admin page both use it.
func Create(ctx context.Context, db Users, hasher *auth.Hasher, req wire.NewUserRequest, by string, now time.Time) (care.User, error) {
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

// Rename gives an account a new username, normalised and unique
// after normalisation: how an admin settles two accounts whose names
// became one when usernames began to be normalised. Sessions go on; the
// user logs in with the new name next time.
func Rename(ctx context.Context, db Users, id, username, by string, now time.Time) (care.User, error) {
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

// SetDisabled disables (or enables) an account; disabling ends its
// sessions at once.
func SetDisabled(ctx context.Context, db Users, id string, disabled bool, by string, now time.Time) error {
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
