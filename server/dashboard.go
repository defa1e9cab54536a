package server

import (
	"net/http"

	"beredskap/internal/desk"
)

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.officeScope(w, r)
	if !ok {
		return
	}
	d, err := desk.Dashboard(r.Context(), s.db, sc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
