package desk

import (
	"context"
	"slices"
	"sort"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Priority lists the patients of the units in want (every unit when want
// is nil), life-critical needs first (see SortPriority), each with the
// first visit of the day that holds now (in loc) and the name, from
// workers, of the worker who has it.
func Priority(ctx context.Context, db store.Schedule, want []string, now time.Time, loc *time.Location, workers map[string]string) ([]wire.PriorityEntry, error) {
	return PriorityDays(ctx, db, want, now, 1, loc, workers)
}

// PriorityDays is Priority for n days from the day that holds first: the
// entry's first visit is that of the first day, and when n > 1 Days
// gives each day's first visit, for the list printed before a weekend.
func PriorityDays(ctx context.Context, db store.Schedule, want []string, first time.Time, n int, loc *time.Location, workers map[string]string) ([]wire.PriorityEntry, error) {
	all, err := db.Units(ctx)
	if err != nil {
		return nil, err
	}
	first = first.In(loc)
	// Midnights on the calendar: a day across a change to or from summer
	// time is 23 or 25 hours long.
	starts := make([]time.Time, n+1)
	for i := range starts {
		starts[i] = time.Date(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, 0, loc)
	}
	var out []wire.PriorityEntry
	for _, u := range all {
		if want != nil && !slices.Contains(want, u.ID) {
			continue
		}
		pts, err := db.PatientsByUnit(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		visits, err := db.VisitsByUnit(ctx, u.ID, starts[0], starts[n])
		if err != nil {
			return nil, err
		}
		// firsts[d][patient] is the patient's first visit on day d.
		firsts := make([]map[string]care.Visit, n)
		for d := range firsts {
			firsts[d] = map[string]care.Visit{}
		}
		for _, v := range visits {
			d := sort.Search(n, func(i int) bool { return v.Start.Before(starts[i+1]) })
			if d >= n || v.Start.Before(starts[0]) {
				continue
			}
			if f, ok := firsts[d][v.PatientID]; !ok || v.Start.Before(f.Start) {
				firsts[d][v.PatientID] = v
			}
		}
		for _, p := range pts {
			e := wire.PriorityEntry{Patient: p}
			if v, ok := firsts[0][p.ID]; ok {
				t := v.Start
				e.FirstVisit, e.Worker = &t, workers[v.WorkerID]
			}
			if n > 1 {
				e.Days = make([]wire.PriorityDay, n)
				for d := range n {
					e.Days[d].Date = starts[d].Format(time.DateOnly)
					if v, ok := firsts[d][p.ID]; ok {
						t := v.Start
						e.Days[d].FirstVisit, e.Days[d].Worker = &t, workers[v.WorkerID]
					}
				}
			}
			out = append(out, e)
		}
	}
	SortPriority(out)
	return out, nil
}

// SortPriority orders the priority list: priority 1 first, then the
// power-dependent, then by name.
func SortPriority(es []wire.PriorityEntry) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].Patient, es[j].Patient
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		if a.PowerDependent() != b.PowerDependent() {
			return a.PowerDependent()
		}
		return a.Name < b.Name
	})
}
