package server

import "net/http"

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.officeScope(w, r)
	if !ok {
		return
	}
	d, err := s.desk.Dashboard(r.Context(), sc.Units, sc.Since, sc.Until)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
