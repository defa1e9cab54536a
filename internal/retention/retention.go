// Package retention deletes records some time after they were
// reconciled: health data is kept no longer than the office needs it.
package retention

import (
	"context"
	"log/slog"
	"time"

	"beredskap/internal/store"
)

// Default is how long after reconciliation records are kept when no
// period is given.
const Default = 30 * 24 * time.Hour

// Purge deletes records reconciled longer than keep before now (Default
// when keep is not positive), with an audit entry for each.
func Purge(ctx context.Context, db store.Maintenance, keep time.Duration, now time.Time) (int, error) {
	if keep <= 0 {
		keep = Default
	}
	return db.PurgeReconciled(ctx, now.Add(-keep), now)
}

// Daily runs Purge at start and then once a day until ctx ends; a purge
// that failed is tried again after an hour.
func Daily(ctx context.Context, db store.Maintenance, keep time.Duration, now func() time.Time, log *slog.Logger) {
	for {
		next := 24 * time.Hour
		if n, err := Purge(ctx, db, keep, now()); err != nil {
			log.Error("retention purge failed", "err", err)
			next = time.Hour
		} else if n > 0 {
			log.Info("retention purge", "records", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(next):
		}
	}
}
