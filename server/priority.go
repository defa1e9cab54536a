package server

import (
	"net/http"
	"slices"
	"sort"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// priority lists a unit's patients, life-critical needs first, with the
// first visit of the day.
func (s *Server) priority(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	want := units
	if u := r.URL.Query().Get("unit"); u != "" {
		if !inScope(units, u) {
			s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "that unit is not yours"))
			return
		}
		want = []string{u}
	}
	all, err := s.db.Units(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.cfg.Now().In(s.cfg.Location)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.cfg.Location)
	names, _, err := s.loadNames(r, units)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var out []wire.PriorityEntry
	for _, u := range all {
		if want != nil && !slices.Contains(want, u.ID) {
			continue
		}
		pts, err := s.db.PatientsByUnit(r.Context(), u.ID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		visits, err := s.db.VisitsByUnit(r.Context(), u.ID, from, from.AddDate(0, 0, 1))
		if err != nil {
			s.writeError(w, r, err)
			return
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
				e.FirstVisit, e.Worker = &t, names.users[v.WorkerID]
			}
			out = append(out, e)
		}
	}
	SortPriority(out)
	if out == nil {
		out = []wire.PriorityEntry{}
	}
	writeJSON(w, http.StatusOK, wire.PriorityResponse{Patients: out})
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
