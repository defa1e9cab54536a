package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"beredskap/internal/auth"
	"beredskap/internal/demo"
	"beredskap/internal/store"
)

// DemoStore is what the demo municipality is loaded into: the plan and
// the accounts.
type DemoStore interface {
	store.Accounts
	store.Schedule
}

// SeedDemo loads the demo municipality for the day of now and the day
// after, so that the demo always has today's visits. Accounts are created
// once, with the password demo.Password; later calls leave them alone.
func SeedDemo(ctx context.Context, db DemoStore, hasher *auth.Hasher, now time.Time, loc *time.Location) error {
	for _, day := range []time.Time{now, now.In(loc).AddDate(0, 0, 1)} {
		m := demo.Build(day, loc)
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
			hash, err := hasher.Hash(demo.Password)
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

// DemoUsers lists the demo logins to print at start.
func DemoUsers(now time.Time, loc *time.Location) []string {
	var out []string
	for _, u := range demo.Build(now, loc).Users {
		out = append(out, fmt.Sprintf("%-6s %-12s %s", u.Username, u.Role, u.Name))
	}
	return out
}
