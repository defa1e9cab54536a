package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/users"
	"beredskap/internal/wire"
)

// userCmd is "beredskap user add|disable|reset|rename|totp|link|unlink|links": user administration on a
// stopped server's data directory (while it runs, use the admin page), or
// with --store on the PostgreSQL store, whose servers may keep running.
// Passwords are read from the terminal without echo, or one line from
// standard input; never from a flag, which would leave them in the shell
// history and the process list.
func userCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: beredskap user add|disable|reset|rename|totp|link|unlink|links --data DIR | --store URL --encryption-key-file KEY ...")
		return flag.ErrHelp
	}
	sub := args[0]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir, storeURL := addStoreFlags(fs, "./data")
	keyFile := fs.String("encryption-key-file", "", "the store's encryption key, if it is encrypted")
	username := fs.String("username", "", "username")
	name := fs.String("name", "", "full name (add)")
	role := fs.String("role", "worker", "worker, nurse, coordinator or admin (add)")
	units := fs.String("units", "", "comma-separated unit ids or names (add)")
	id := fs.String("id", "", "the user's id (rename: the account to rename, as the admin page and serve's warning name it)")
	provider := fs.String("provider", "", "the identity provider's id in --auth-config (link, unlink)")
	subject := fs.String("subject", "", "the identity at the provider: the value of the provider's user_claim, such as an HPR number or an e-mail address (link, unlink)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if (sub == "link" || sub == "unlink") && (*provider == "" || *subject == "") {
		return fmt.Errorf("%s needs --username, --provider and --subject", sub)
	}
	if *username == "" {
		return errors.New("--username is required")
	}
	if err := oneStore(fs); err != nil {
		return err
	}
	if sub == "rename" && *id == "" {
		return errors.New("rename needs --id (the account) and --username (its new name)")
	}
	db, err := openAnyStore(ctx, *dataDir, *storeURL, *keyFile, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	hasher := auth.DefaultHasher()
	now := time.Now()
	switch sub {
	case "add":
		unitIDs, err := resolveUnits(ctx, db, *units)
		if err != nil {
			return err
		}
		pw, err := readPassword(stdin, stderr, "password for "+*username+": ")
		if err != nil {
			return err
		}
		u, err := users.Create(ctx, db, hasher, wire.NewUserRequest{Username: *username, Name: *name, Role: care.Role(*role), Units: unitIDs, Password: pw}, "cli", now)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added %s (%s, %s)\n", u.Username, u.Name, u.Role)
		return nil
	case "rename":
		u, err := users.Rename(ctx, db, *id, *username, "cli", now)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no user with id %q", *id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "renamed %s to %s\n", u.ID, u.Username)
		return nil
	case "link", "unlink", "links":
		acct, err := db.AccountByUsername(ctx, *username)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no user %q", *username)
		}
		if err != nil {
			return err
		}
		switch sub {
		case "link":
			if _, err := users.Link(ctx, db, acct.ID, *provider, *subject, "cli", now); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "linked %s to their identity at %s\n", acct.Username, *provider)
		case "unlink":
			if err := users.Unlink(ctx, db, acct.ID, *provider, *subject, "cli", now); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("%s has no such identity at %s", acct.Username, *provider)
				}
				return err
			}
			fmt.Fprintf(stdout, "unlinked %s from their identity at %s\n", acct.Username, *provider)
		default:
			ls, err := db.IdentityLinks(ctx, acct.ID)
			if err != nil {
				return err
			}
			for _, l := range ls {
				fmt.Fprintf(stdout, "%s\t%s\n", l.Provider, l.Subject)
			}
		}
		return nil
	case "disable", "reset", "totp":
		acct, err := db.AccountByUsername(ctx, *username)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no user %q", *username)
		}
		if err != nil {
			return err
		}
		if sub == "totp" {
			return enrolTOTP(ctx, db, acct, stdout, now)
		}
		if sub == "disable" {
			if err := users.SetDisabled(ctx, db, acct.ID, true, "cli", now); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "disabled %s; their sessions have ended\n", acct.Username)
			return nil
		}
		pw, err := readPassword(stdin, stderr, "new password for "+acct.Username+": ")
		if err != nil {
			return err
		}
		if err := users.ResetPassword(ctx, db, hasher, acct.ID, pw, "cli", now); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new password set for %s; their sessions have ended\n", acct.Username)
		return nil
	default:
		return fmt.Errorf("unknown user command %q (add, disable, reset, rename, totp, link, unlink, links)", sub)
	}
}

// checkUsernames warns, at every start, about accounts whose usernames
// became one name when usernames began to be normalised, until an admin
// renames them. (The username index of an older store is brought up to
// date by the store's migration to schema 2, when it opens for writes.)
func checkUsernames(ctx context.Context, db interface {
	store.Accounts
	store.Capacity
}, log *slog.Logger) error {
	st := db.Storage()
	if !st.SmallWrites {
		// On a full disk the server starts to serve reads; the usernames
		// are checked at the next start with space.
		log.Warn("usernames not checked at this start: the store takes no writes", "reason", st.Reason)
		return nil
	}
	warnings, err := users.CollisionWarnings(ctx, db)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		log.Warn("username collision: " + w)
	}
	return nil
}

// resolveUnits turns "Nord,Sør" (names or ids) into unit ids.
func resolveUnits(ctx context.Context, db store.Schedule, list string) ([]string, error) {
	all, err := db.Units(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, want := range strings.Split(list, ",") {
		if want = strings.TrimSpace(want); want == "" {
			continue
		}
		found := ""
		for _, u := range all {
			if u.ID == want || strings.EqualFold(u.Name, want) {
				found = u.ID
			}
		}
		if found == "" {
			return nil, fmt.Errorf("no unit %q", want)
		}
		out = append(out, found)
	}
	return out, nil
}

// readPassword asks on the terminal without echo, or reads one line when
// standard input is not a terminal.
func readPassword(stdin io.Reader, stderr io.Writer, prompt string) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
