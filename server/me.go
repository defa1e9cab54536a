package server

import (
	"net/http"
	"slices"
	"strings"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// setLang saves the language the caller chose in the app, so that the next
// login, on any phone or desk, shows the pages in it.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	var req wire.LangRequest
	if err := decode(w, r, 1<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !slices.Contains(i18n.Languages(), req.Lang) {
		s.writeError(w, r, care.Invalid("lang", "lang must be one of "+strings.Join(i18n.Languages(), ", "), care.KeyOneOf, strings.Join(i18n.Languages(), ", ")))
		return
	}
	c := callerFrom(r.Context())
	if err := s.db.SetAccountLang(r.Context(), c.ID, req.Lang); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.LangRequest{Lang: req.Lang})
}
