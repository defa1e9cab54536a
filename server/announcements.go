package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

func (s *Server) postAnnouncement(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	var req wire.AnnouncementRequest
	if err := decode(w, r, 16<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	req.Text = strings.TrimSpace(req.Text)
	if err := (care.Announcement{Text: req.Text, Level: req.Level}).Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req.Units) == 0 {
		req.Units = units // a coordinator's own units; nil (all) for an admin
	}
	for _, u := range req.Units {
		if !inScope(units, u) {
			s.writeError(w, r, unitNotYours(u))
			return
		}
	}
	a := care.Announcement{ID: uuid.NewString(), Units: req.Units, Level: req.Level, Text: req.Text,
		AuthorID: c.ID, Author: c.Name, Posted: s.cfg.Now().UTC()}
	if err := a.Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.db.PostAnnouncement(r.Context(), a); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) listAnnouncements(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	since, _, err := s.window(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	all, err := s.db.Announcements(r.Context(), since)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := []care.Announcement{}
	for _, a := range all {
		if units == nil || len(a.Units) == 0 || slices.ContainsFunc(a.Units, func(u string) bool { return slices.Contains(units, u) }) {
			out = append(out, a)
		}
	}
	writeJSON(w, http.StatusOK, wire.AnnouncementsResponse{Announcements: out})
}
