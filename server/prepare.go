package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/plan"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// MaxPlanBytes bounds a plan upload.
const MaxPlanBytes = 32 << 20

// importPlan takes a plan as JSON or, with Content-Type text/csv, as CSV.
// With any problem nothing is stored, and the answer lists them all: 400
// for a plan that is wrong, 409 when it names another unit's source ids,
// 413 when it holds more than an import may.
func (s *Server) importPlan(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPlanBytes))
	if err != nil {
		s.writeError(w, r, decodeError(err))
		return
	}
	var pl *plan.Plan
	var problems []plan.Problem
	if strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		pl, problems = plan.ParseCSV(bytes.NewReader(body), s.cfg.Location, nil)
	} else {
		pl, problems = plan.ParseJSON(bytes.NewReader(body))
	}
	report := wire.PlanReport{}
	if len(problems) == 0 {
		if err := pl.CheckSize(); err != nil {
			s.writeError(w, r, err)
			return
		}
		dir, err := plan.LoadDirectory(r.Context(), s.db)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		// A coordinator imports for their own units only: the plan names
		// no other unit and overwrites nothing of another unit's.
		dir.Scope = units
		rep, err := plan.Apply(r.Context(), s.db, dir, pl)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		report = wire.PlanReport{Patients: rep.Patients, Visits: rep.Visits, Medications: rep.Medications, Routines: rep.Routines, Stored: rep.Stored}
		problems = rep.Problems
	}
	claim := false
	for _, p := range problems {
		report.Problems = append(report.Problems, wire.PlanProblem{Line: p.Line, Column: p.Column, Problem: p.Problem, Key: p.Key, Args: p.Args})
		claim = claim || p.Claim()
	}
	if len(report.Problems) > 0 {
		code, status, what := wire.CodeInvalidInput, http.StatusBadRequest, "problems"
		if claim {
			code, status, what = wire.CodeConflict, http.StatusConflict, "problems, among them source ids of another unit's items"
		}
		writeJSON(w, status, wire.PlanErrorBody{
			Error: wire.Error{Code: code, Message: fmt.Sprintf("the plan has %d %s; nothing was stored (first: %s)",
				len(report.Problems), what, problems[0])},
			Problems: report.Problems,
		})
		return
	}
	s.audit(r, store.Audit{Actor: c.ID, Action: store.AuditPlanImport,
		Detail: fmt.Sprintf("patients=%d visits=%d medications=%d routines=%d", report.Patients, report.Visits, report.Medications, report.Routines)})
	writeJSON(w, http.StatusOK, report)
}

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
		if !a.Posted.After(now) {
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
	all, err := s.db.Units(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.cfg.Now().In(s.cfg.Location)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.cfg.Location)
	names, _, err := s.loadNames(r, units)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var out []wire.PriorityEntry
	for _, u := range all {
		if want != nil && !slices.Contains(want, u.ID) {
			continue
		}
		pts, err := s.db.PatientsByUnit(r.Context(), u.ID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		visits, err := s.db.VisitsByUnit(r.Context(), u.ID, from, from.AddDate(0, 0, 1))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		first := map[string]care.Visit{}
		for _, v := range visits {
			if f, ok := first[v.PatientID]; !ok || v.Start.Before(f.Start) {
				first[v.PatientID] = v
			}
		}
		for _, p := range pts {
			e := wire.PriorityEntry{Patient: p}
			if v, ok := first[p.ID]; ok {
				t := v.Start
				e.FirstVisit, e.Worker = &t, names.users[v.WorkerID]
			}
			out = append(out, e)
		}
	}
	SortPriority(out)
	if out == nil {
		out = []wire.PriorityEntry{}
	}
	writeJSON(w, http.StatusOK, wire.PriorityResponse{Patients: out})
}

// SortPriority orders the priority list: priority 1 first, then the
// power-dependent, then by name.
func SortPriority(es []wire.PriorityEntry) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].Patient, es[j].Patient
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		if a.PowerDependent() != b.PowerDependent() {
			return a.PowerDependent()
		}
		return a.Name < b.Name
	})
}
