package server

import (
	"context"

	"beredskap/internal/store"
)

// RecordCounter counts the records a filter selects (its Cursor and
// Limit aside): the total the records list shows beside its page, and
// the measure of a bulk job's progress.
type RecordCounter interface {
	MatchingRecords(ctx context.Context, f store.RecordFilter) (int, error)
}

// JobWaker is told that a bulk job was started (bulk.Runner).
type JobWaker interface{ Wake() }
