package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

func (s *Server) outages(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.office(w, r); !ok {
		return
	}
	resp, err := s.outageState(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) outageState(r *http.Request) (wire.OutagesResponse, error) {
	all, err := s.db.Outages(r.Context())
	if err != nil {
		return wire.OutagesResponse{}, err
	}
	resp := wire.OutagesResponse{Outages: []wire.Outage{}}
	for i, o := range all {
		if i == 20 {
			break
		}
		v := wire.Outage{ID: o.ID, Start: o.Start, End: o.End, StartedBy: o.StartedBy, Note: o.Note}
		if a, err := s.db.Account(r.Context(), o.StartedBy); err == nil {
			v.StartedName = a.Name
		}
		if o.End == nil && resp.Current == nil {
			cur := v
			resp.Current = &cur
		}
		resp.Outages = append(resp.Outages, v)
	}
	now := s.cfg.Now()
	anns, err := s.db.Announcements(r.Context(), now.Add(-7*24*time.Hour))
	if err != nil {
		return resp, err
	}
	for _, a := range anns {
		// A reminder addressed to some workers (readiness) is not the
		// status update the units are owed every hour.
		if !a.Posted.After(now) && len(a.Users) == 0 {
			t := a.Posted
			resp.LastAnnouncement = &t
		}
	}
	return resp, nil
}

// MaxOutageBackdate is how far back an outage's start or end may be
// given: far enough to declare a weekend's outage afterwards, not so far
// that a typo moves every dashboard's window.
const MaxOutageBackdate = 7 * 24 * time.Hour

func (s *Server) changeOutage(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.office(w, r)
	if !ok {
		return
	}
	var req wire.OutageRequest
	if err := decode(w, r, 16<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	at := s.cfg.Now().UTC()
	if req.At != nil {
		// A minute's grace for the office computer's clock.
		switch {
		case req.At.After(at.Add(time.Minute)):
			s.writeError(w, r, care.Invalid("at", "at cannot be in the future", care.KeyFuture))
			return
		case req.At.Before(at.Add(-MaxOutageBackdate)):
			days := strconv.Itoa(int(MaxOutageBackdate.Hours() / 24))
			s.writeError(w, r, care.Invalid("at", "at must lie within the last "+days+" days", care.KeyWithinDays, days))
			return
		}
		at = req.At.UTC()
	}
	if err := care.CheckLength("note", req.Note, care.MaxNoteBytes); err != nil {
		s.writeError(w, r, err)
		return
	}
	var err error
	switch req.Action {
	case "start":
		err = s.db.StartOutage(r.Context(), store.Outage{ID: uuid.NewString(), Start: at, StartedBy: c.ID, Note: strings.TrimSpace(req.Note)})
	case "end":
		_, err = s.db.EndOutage(r.Context(), c.ID, at)
	default:
		s.writeError(w, r, care.Invalid("action", `action must be "start" or "end"`, care.KeyOneOf, "start, end"))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.outageState(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
