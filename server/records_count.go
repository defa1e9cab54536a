package server

import (
	"context"
	"fmt"

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

// walkCounter counts by walking the list's pages: right, but as slow as
// the walk, which grows with the records that match. A kept count
// replaces it through Config.Counter.
type walkCounter struct {
	db interface {
		ListRecords(ctx context.Context, f store.RecordFilter) ([]store.StoredRecord, string, error)
	}
}

func (c walkCounter) MatchingRecords(ctx context.Context, f store.RecordFilter) (int, error) {
	f.Cursor, f.Limit = "", 1000
	n := 0
	for {
		page, next, err := c.db.ListRecords(ctx, f)
		if err != nil {
			return 0, fmt.Errorf("count records: %w", err)
		}
		n += len(page)
		if next == "" {
			return n, nil
		}
		f.Cursor = next
	}
}
