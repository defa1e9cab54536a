package app_test

import (
	"testing"
	"time"

	ui "beredskap/app"
	"beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/care"
)

func TestNextVisit(t *testing.T) {
	at := time.Date(2026, 3, 2, 7, 30, 0, 0, time.UTC)
	visits := []care.Visit{
		{ID: "a", Start: at},
		{ID: "b", Start: at.Add(time.Hour)},
		{ID: "c", Start: at.Add(2 * time.Hour)},
	}
	cases := []struct {
		name   string
		status map[string]string
		want   string // "" when every visit is finished
	}{
		{"nothing done: the first", nil, "a"},
		{"first in progress: still the first", map[string]string{"a": care.VisitStarted}, "a"},
		{"first completed", map[string]string{"a": care.VisitCompleted}, "b"},
		{"first not home, second cancelled", map[string]string{"a": care.VisitNotHome, "b": care.VisitCancelled}, "c"},
		{"a missed earlier visit comes first", map[string]string{"b": care.VisitCompleted}, "a"},
		{"all finished", map[string]string{"a": care.VisitCompleted, "b": care.VisitNotHome, "c": care.VisitCancelled}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, ok := ui.NextVisit(visits, func(id string) string { return c.status[id] })
			switch {
			case c.want == "" && ok:
				t.Fatalf("got %s, want none", v.ID)
			case c.want != "" && (!ok || v.ID != c.want):
				t.Fatalf("got %q (%v), want %s", v.ID, ok, c.want)
			}
		})
	}
	if _, ok := ui.NextVisit(nil, func(string) string { return "" }); ok {
		t.Error("a next visit in an empty list")
	}
}

// TestVolatileStoreIsReported: when the browser refuses IndexedDB the
// phone's store is memory only, and the shift says so to every page (the
// frame shows storage.volatile), since nothing recorded outlives the page.
func TestVolatileStoreIsReported(t *testing.T) {
	for _, volatile := range []bool{false, true} {
		s := shift.NewShift(shift.NewAPI(""), vault.NewMemory(), shift.Options{Volatile: volatile})
		if got := s.Volatile(); got != volatile {
			t.Errorf("Options{Volatile: %v}: Volatile() = %v", volatile, got)
		}
	}
}
