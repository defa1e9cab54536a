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
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"beredskap/app/i18n"
	"beredskap/internal/auth"
	"beredskap/internal/care"
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

// ErrInput is a problem with a new user's details.
var ErrInput = errors.New("invalid user")

// Create checks and stores a new account; the command line and the
// admin page both use it.
func Create(ctx context.Context, db Users, hasher *auth.Hasher, req wire.NewUserRequest, by string, now time.Time) (care.User, error) {
	req.Username = auth.NormalizeUsername(req.Username)
	req.Name = strings.TrimSpace(req.Name)
	bad := func(msg string) (care.User, error) { return care.User{}, fmt.Errorf("%w: %s", ErrInput, msg) }
	if err := checkUsername(req.Username); err != nil {
		return care.User{}, err
	}
	switch {
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

// checkUsername checks a normalised username.
func checkUsername(name string) error {
	if n := utf8.RuneCountInString(name); n < 2 || n > 64 || strings.ContainsAny(name, " /\\:@") || strings.ContainsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return fmt.Errorf("%w: a username has 2–64 characters without spaces, slashes, colons or @", ErrInput)
	}
	return nil
}

// Rename gives an account a new username, normalised and unique
// after normalisation: how an admin settles two accounts whose names
// became one when usernames began to be normalised. Sessions go on; the
// user logs in with the new name next time.
func Rename(ctx context.Context, db Users, id, username, by string, now time.Time) (care.User, error) {
	username = auth.NormalizeUsername(username)
	if err := checkUsername(username); err != nil {
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
	if err := auth.CheckPassword(password); err != nil {
		return fmt.Errorf("%w: %s", ErrInput, err)
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
