package server

import (
	"net/http"
)

func (s *Server) directory(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	_, dir, err := s.loadNames(r, units)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dir)
}
