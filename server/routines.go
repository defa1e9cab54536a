package server

import (
	"net/http"
	"slices"
	"sort"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

func (s *Server) listRoutines(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	all, err := s.db.Routines(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := []care.Routine{}
	for _, rt := range all {
		if units == nil || rt.AppliesTo(units) {
			out = append(out, rt)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	writeJSON(w, http.StatusOK, wire.RoutinesResponse{Routines: out})
}

// routineVersions lists a routine's versions, to a coordinator only when
// the routine is for one of their units, as the other routine routes.
func (s *Server) routineVersions(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	rt, err := s.db.Routine(r.Context(), id)
	switch {
	case err != nil:
		s.writeError(w, r, err) // the store names the routine
		return
	case units != nil && !rt.AppliesTo(units):
		s.writeError(w, r, errRoutineNotYours)
		return
	}
	vs, err := s.db.RoutineVersions(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if vs == nil {
		vs = []care.Routine{}
	}
	writeJSON(w, http.StatusOK, wire.RoutinesResponse{Routines: vs})
}

// saveRoutine creates (POST /routines) or updates (PUT /routines/{id}) a
// routine as a new version.
func (s *Server) saveRoutine(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	var rt care.Routine
	if err := decode(w, r, 256<<10, &rt); err != nil {
		s.writeError(w, r, err)
		return
	}
	var old *care.Routine
	if id := r.PathValue("id"); id != "" {
		prev, err := s.db.Routine(r.Context(), id)
		old = &prev
		if err != nil {
			s.writeError(w, r, err) // the store names the routine
			return
		}
		if units != nil && !old.AppliesTo(units) {
			s.writeError(w, r, errRoutineNotYours)
			return
		}
		rt.ID = id
	} else {
		rt.ID = uuid.NewString()
	}
	if err := checkRoutine(&rt, units); err != nil {
		s.writeError(w, r, err)
		return
	}
	if units != nil && old != nil {
		rt.Units = keepOtherUnits(old.Units, rt.Units, units)
	}
	now := s.cfg.Now()
	rt.Revised = now.In(s.cfg.Location).Format("2006-01-02")
	saved, err := s.db.SaveRoutine(r.Context(), rt, c.ID, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}

// keepOtherUnits is what an edited routine applies to when a coordinator
// saves it: the units they chose among their own, and every unit it had
// that is not theirs. A routine for every unit stays for every unit. No
// coordinator can take a routine away from a unit that is not theirs.
func keepOtherUnits(old, chosen, mine []string) []string {
	if len(old) == 0 {
		return nil
	}
	var out []string
	for _, u := range chosen {
		if slices.Contains(mine, u) && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	for _, u := range old {
		if !slices.Contains(mine, u) && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// errRoutineNotYours answers a coordinator who names a routine of no unit
// of theirs.
var errRoutineNotYours = wire.Errorf(wire.CodeForbidden, "that routine is not for your units").WithKey(keyForbidden)

// unitNotYours answers a coordinator who names a unit that is not theirs.
func unitNotYours(unit string) error {
	return wire.Errorf(wire.CodeForbidden, "unit %s is not yours", unit).WithKey(keyUnitNotYours, unit)
}

// checkRoutine tidies and validates an edited routine by the rules the
// plan import applies too (care.Routine.Validate), and keeps a
// coordinator's routine to their units.
func checkRoutine(rt *care.Routine, units []string) error {
	rt.Tidy()
	if err := rt.Validate(); err != nil {
		return err
	}
	for _, u := range rt.Units {
		if units != nil && !slices.Contains(units, u) {
			return unitNotYours(u)
		}
	}
	if units != nil && len(rt.Units) == 0 {
		rt.Units = append([]string{}, units...) // a coordinator's routine is for their units
	}
	return nil
}
