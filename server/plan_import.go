package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"

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
