package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"beredskap/internal/care"
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

func (s *Server) findings(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.officeScope(w, r)
	if !ok {
		return
	}
	fs, err := reconcile.Findings(r.Context(), s.db, sc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if k := r.URL.Query().Get("kind"); k != "" {
		fs = slices.DeleteFunc(fs, func(f wire.Finding) bool { return f.Kind != k })
	}
	if fs == nil {
		fs = []wire.Finding{}
	}
	writeJSON(w, http.StatusOK, wire.FindingsResponse{Findings: fs, Since: sc.Since, Until: sc.Until})
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
	unit, found, err := s.findingUnit(r, units, id)
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

// findingUnit finds a finding's unit among the units' findings (all units
// when units is nil). Findings are computed, not stored, so the id is
// looked for first in the window this request names (the default window
// when it names none, as for the findings list), then in everything stored
// for the units, since the office lists a window of its own choosing and
// does not send it along when resolving.
func (s *Server) findingUnit(r *http.Request, units []string, id string) (unit string, found bool, err error) {
	sc, err := s.scope(r, units)
	if err != nil {
		return "", false, err
	}
	for _, sc := range []reconcile.Scope{sc, s.everything(units)} {
		fs, err := findingUnits(r, s.db, sc)
		if err != nil {
			return "", false, err
		}
		if unit, ok := fs[id]; ok {
			return unit, true, nil
		}
	}
	return "", false, nil
}

// everything is the scope of all that is stored for the units, up to now.
func (s *Server) everything(units []string) reconcile.Scope {
	now := s.cfg.Now().UTC()
	return reconcile.Scope{Units: units, Until: now, Now: now, OfflineFor: s.cfg.OfflineFor}
}

// findingUnits maps the ids of a scope's findings to their units.
func findingUnits(r *http.Request, db reconcile.Store, sc reconcile.Scope) (map[string]string, error) {
	in, err := reconcile.Load(r.Context(), db, sc)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range reconcile.Compute(in) {
		out[f.ID] = f.UnitID
	}
	return out, nil
}
