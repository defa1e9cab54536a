package server

import (
	"net/http"

	"beredskap/internal/desk"
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
			s.writeError(w, r, unitNotYours(u))
			return
		}
		want = []string{u}
	}
	names, _, err := s.loadNames(r, units)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := desk.Priority(r.Context(), s.db, want, s.cfg.Now(), s.cfg.Location, names.users)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if out == nil {
		out = []wire.PriorityEntry{}
	}
	writeJSON(w, http.StatusOK, wire.PriorityResponse{Patients: out})
}
