package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"beredskap/internal/auth"
	"beredskap/internal/store"
)

// Store is what the demo municipality is loaded into: the plan and the
// accounts.
type Store interface {
	store.Accounts
	store.Schedule
}

// Seed loads the demo municipality for the day of now and the day
// after, so that the demo always has today's visits. Accounts are created
// once, with the password Password; later calls leave them alone.
func Seed(ctx context.Context, db Store, hasher *auth.Hasher, now time.Time, loc *time.Location) error {
	for _, day := range []time.Time{now, now.In(loc).AddDate(0, 0, 1)} {
		m := Build(day, loc)
		if err := db.ApplyPlan(ctx, store.Plan{
			Units: m.Units, Patients: m.Patients, Visits: m.Visits, Doses: m.Doses,
			Routines: m.Routines, Announcements: m.Announcements,
		}); err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
		for _, u := range m.Users {
			_, err := db.Account(ctx, u.ID)
			if err == nil {
				continue
			}
			if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("seed demo: %w", err)
			}
			hash, err := hasher.Hash(Password)
			if err != nil {
				return fmt.Errorf("seed demo: %w", err)
			}
			if err := db.PutAccount(ctx, store.Account{User: u, PasswordHash: hash}); err != nil {
				return fmt.Errorf("seed demo: %w", err)
			}
		}
	}
	return nil
}

// Logins lists the demo logins to print at start.
func Logins(now time.Time, loc *time.Location) []string {
	var out []string
	for _, u := range Build(now, loc).Users {
		out = append(out, fmt.Sprintf("%-6s %-12s %s", u.Username, u.Role, u.Name))
	}
	return out
}

// Initialize marks a new data directory, demo or not, and says whether it
// is a demo.
func Initialize(ctx context.Context, db store.Setup, demo bool) (bool, error) {
	initialized, err := db.Initialized(ctx)
	if err != nil {
		return false, err
	}
	if initialized {
		return db.DemoMode(ctx)
	}
	return demo, db.MarkInitialized(ctx, demo)
}

// RefreshDaily loads the next day's demo visits shortly after
// midnight, so that a demo server left running keeps having "today".
func RefreshDaily(ctx context.Context, db Store, hasher *auth.Hasher, loc *time.Location, log *slog.Logger) {
	for {
		now := time.Now().In(loc)
		next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 5, 0, 0, loc)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		if err := Seed(ctx, db, hasher, time.Now(), loc); err != nil {
			log.Error("refresh demo data", "err", err)
		}
	}
}
