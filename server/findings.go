package server

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"beredskap/internal/care"
	"beredskap/internal/kept"
	"beredskap/internal/reconcile"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

func (s *Server) scope(r *http.Request, units []string) (reconcile.Scope, error) {
	since, until, err := s.window(r)
	if err != nil {
		return reconcile.Scope{}, err
	}
	if u := r.URL.Query().Get("unit"); u != "" {
		if !inScope(units, u) {
			return reconcile.Scope{}, unitNotYours(u)
		}
		units = []string{u}
	}
	return reconcile.Scope{Units: units, Since: since, Until: until, Now: s.cfg.Now().UTC(), OfflineFor: s.cfg.OfflineFor}, nil
}

// officeScope is the caller's units and the window asked for, for the
// findings and the dashboard; false when an error has been answered.
func (s *Server) officeScope(w http.ResponseWriter, r *http.Request) (reconcile.Scope, bool) {
	_, units, ok := s.office(w, r)
	if !ok {
		return reconcile.Scope{}, false
	}
	sc, err := s.scope(r, units)
	if err != nil {
		s.writeError(w, r, err)
		return reconcile.Scope{}, false
	}
	return sc, true
}

// findingsQuery reads the findings list's filters and page.
func findingsQuery(r *http.Request, sc reconcile.Scope) (kept.Query, error) {
	v := r.URL.Query()
	q := kept.Query{Units: sc.Units, Since: sc.Since, Until: sc.Until, Kind: v.Get("kind"), Patient: v.Get("patient"),
		Status: v.Get("status"), Cursor: v.Get("cursor")}
	if q.Kind != "" && !slices.Contains(wire.FindingKinds(), q.Kind) {
		return q, care.Invalid("kind", "kind must be one of "+strings.Join(wire.FindingKinds(), ", "), care.KeyOneOf, strings.Join(wire.FindingKinds(), ", "))
	}
	if q.Status != "" && q.Status != kept.StatusOpen && q.Status != kept.StatusResolved {
		return q, care.Invalid("status", `status must be "open" or "resolved"`, care.KeyOneOf, kept.StatusOpen+", "+kept.StatusResolved)
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > kept.MaxLimit {
			return q, care.Invalid("limit", fmt.Sprintf("limit must be 1–%d", kept.MaxLimit), care.KeyRange, "1", strconv.Itoa(kept.MaxLimit))
		}
		q.Limit = n
	}
	return q, nil
}

func (s *Server) findings(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.officeScope(w, r)
	if !ok {
		return
	}
	q, err := findingsQuery(r, sc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.desk.Findings(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.FindingsResponse{Findings: page.Findings, Since: sc.Since, Until: sc.Until, Total: page.Total, Next: page.Next})
}

func (s *Server) resolveFinding(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	var req wire.ResolveRequest
	if err := decode(w, r, 16<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if strings.TrimSpace(req.Comment) == "" || len(req.Comment) > 2000 || len(id) != 16 {
		s.writeError(w, r, care.Invalid("comment", "a comment (at most 2000 bytes) is required", care.KeyRequired))
		return
	}
	unit, found, err := s.desk.FindingUnit(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if units != nil && (!found || !inScope(units, unit)) {
		// As for records: another unit's finding reads as none.
		s.writeError(w, r, fmt.Errorf("finding %s: %w", id, store.ErrNotFound))
		return
	}
	// The unit goes with the resolution, so that the audit log can show
	// the entry to that unit's coordinators without computing findings.
	res := store.FindingResolution{By: c.ID, Comment: strings.TrimSpace(req.Comment), At: s.cfg.Now().UTC(), Unit: unit}
	if err := s.db.ResolveFinding(r.Context(), id, res); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.Resolution{By: res.By, Comment: res.Comment, At: res.At})
}
