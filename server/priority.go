package server

import (
	"net/http"

	"beredskap/internal/binder"
	"beredskap/internal/desk"
	"beredskap/internal/wire"
)

// priority lists a unit's patients, life-critical needs first, with the
// first visit of the day; with date, or from and to (at most
// binder.MaxDays, as the binder), the first visit of each of those days.
func (s *Server) priority(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	want := units
	if u := r.URL.Query().Get("unit"); u != "" {
		if !inScope(units, u) {
			s.writeError(w, r, unitNotYours(u))
			return
		}
		want = []string{u}
	}
	q := r.URL.Query()
	first, n, err := binder.Range(q.Get("date"), q.Get("from"), q.Get("to"), s.cfg.Now(), s.cfg.Location)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	names, _, err := s.loadNames(r, units)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := desk.PriorityDays(r.Context(), s.db, want, first, n, s.cfg.Location, names.users)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if out == nil {
		out = []wire.PriorityEntry{}
	}
	writeJSON(w, http.StatusOK, wire.PriorityResponse{Patients: out})
}
