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
	all, err := db.Units(ctx)
	if err != nil {
		return nil, err
	}
	now = now.In(loc)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	var out []wire.PriorityEntry
	for _, u := range all {
		if want != nil && !slices.Contains(want, u.ID) {
			continue
		}
		pts, err := db.PatientsByUnit(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		visits, err := db.VisitsByUnit(ctx, u.ID, from, from.AddDate(0, 0, 1))
		if err != nil {
			return nil, err
		}
		first := map[string]care.Visit{}
		for _, v := range visits {
			if f, ok := first[v.PatientID]; !ok || v.Start.Before(f.Start) {
				first[v.PatientID] = v
			}
		}
		for _, p := range pts {
			e := wire.PriorityEntry{Patient: p}
			if v, ok := first[p.ID]; ok {
				t := v.Start
				e.FirstVisit, e.Worker = &t, workers[v.WorkerID]
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
