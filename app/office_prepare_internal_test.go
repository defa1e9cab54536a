package app

import (
	"testing"
	"time"

	"beredskap/internal/wire"
)

// TestOverdue: during an active outage the status page reminds when the
// last status update (or, before any, the outage's start) is more than an
// hour old; with no outage it never does.
func TestOverdue(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := now.Add(-d); return &v }
	outage := func(start time.Duration) *wire.Outage { return &wire.Outage{Start: now.Add(-start)} }
	cases := []struct {
		name string
		o    *wire.OutagesResponse
		want time.Duration
		late bool
	}{
		{"nothing loaded", nil, 0, false},
		{"no outage, old announcement", &wire.OutagesResponse{LastAnnouncement: at(5 * time.Hour)}, 0, false},
		{"outage 30 min old, no update", &wire.OutagesResponse{Current: outage(30 * time.Minute)}, 30 * time.Minute, false},
		{"outage exactly an hour old", &wire.OutagesResponse{Current: outage(time.Hour)}, time.Hour, false},
		{"outage 2 h old, no update", &wire.OutagesResponse{Current: outage(2 * time.Hour)}, 2 * time.Hour, true},
		{"outage 2 h old, update 20 min ago", &wire.OutagesResponse{Current: outage(2 * time.Hour), LastAnnouncement: at(20 * time.Minute)}, 20 * time.Minute, false},
		{"outage 2 h old, update 90 min ago", &wire.OutagesResponse{Current: outage(2 * time.Hour), LastAnnouncement: at(90 * time.Minute)}, 90 * time.Minute, true},
		{"update before the outage counts from its start", &wire.OutagesResponse{Current: outage(70 * time.Minute), LastAnnouncement: at(3 * time.Hour)}, 70 * time.Minute, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, late := overdue(c.o, now)
			if got != c.want || late != c.late {
				t.Errorf("overdue = %v, %v; want %v, %v", got, late, c.want, c.late)
			}
		})
	}
}
