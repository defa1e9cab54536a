package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Bulk jobs: "mark all that match as entered". The handlers store the
// job; internal/bulk runs it (see serve), in chunks, resumable.

// keyJobState is the message of a job filter that selects records
// other than new ones.
const keyJobState = "error.job_state" // no args

// jobFilter checks a job's filters as recordFilter checks the list's,
// and makes them a store filter over the caller's units and new records.
func jobFilter(in wire.RecordFilters, units []string) (store.RecordFilter, error) {
	f := store.RecordFilter{Units: units, Unit: in.Unit, Patient: in.Patient, Author: in.Author,
		Type: care.RecordType(in.Type), State: store.StateNew, Drill: store.DrillNone}
	switch {
	case f.Unit != "" && !inScope(units, f.Unit):
		return f, unitNotYours(f.Unit)
	case f.Type != "" && !slices.Contains(care.RecordTypes(), f.Type):
		return f, care.Invalid("type", "unknown type "+string(f.Type), care.KeyOneOf, strings.Join(recordTypeNames(), ", "))
	case in.State != "" && in.State != store.StateNew:
		return f, wire.Errorf(wire.CodeInvalidInput, "a job marks new records: the filter's state must be empty or new").WithKey(keyJobState)
	}
	if in.Since != nil {
		f.Since = in.Since.UTC()
	}
	return f, nil
}

// startReconcileJob stores a job that marks every record the filters
// select as entered, and answers 202 with it: the runner does the work.
func (s *Server) startReconcileJob(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	var req wire.ReconcileJobRequest
	if err := decode(w, r, 64<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := jobFilter(req.Filter, units)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ref := strings.TrimSpace(req.EHRRef)
	if ref == "" {
		// One reference stands for many records: it has to say where they went.
		s.writeError(w, r, care.Invalid("ehr_ref", "ehr_ref is required for a bulk job", care.KeyRequired))
		return
	}
	if err := care.CheckReconcile(store.ActionEntered, ref, ""); err != nil {
		s.writeError(w, r, err)
		return
	}
	enteredBy := c.ID
	if req.EnteredBy != "" {
		if _, err := s.db.Account(r.Context(), req.EnteredBy); err != nil {
			s.writeError(w, r, care.Invalid("entered_by", "entered_by is not a user", care.KeyUnknown, req.EnteredBy))
			return
		}
		enteredBy = req.EnteredBy
	}
	total, err := s.cfg.Counter.MatchingRecords(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := uuid.NewV7()
	if err != nil {
		s.writeError(w, r, fmt.Errorf("job id: %w", err))
		return
	}
	now := s.cfg.Now().UTC()
	j := store.ReconcileJob{ID: id.String(), By: c.ID, Filter: f, UpTo: now, EHRRef: ref, EnteredBy: enteredBy,
		Created: now, Updated: now, Total: total}
	audit := store.Audit{Time: now, Actor: c.ID, Action: store.AuditReconcileJobStart, Subject: j.ID,
		Detail: fmt.Sprintf("%s ehr_ref=%q entered_by=%s matching=%d", filterDetail(f), ref, enteredBy, total)}
	if err := s.db.CreateReconcileJob(r.Context(), j, audit); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.cfg.Jobs != nil {
		s.cfg.Jobs.Wake()
	}
	s.log.Info("reconcile job", "user", c.ID, "job", j.ID, "matching", total)
	w.Header().Set("Location", "/api/v1/records/reconcile-jobs/"+j.ID)
	j.Status = store.JobRunning
	writeJSON(w, http.StatusAccepted, s.jobView(r, j))
}

// filterDetail is a job's filter for its audit entry.
func filterDetail(f store.RecordFilter) string {
	units := "all"
	if f.Units != nil {
		units = strings.Join(f.Units, ",")
	}
	parts := []string{"units=" + units}
	for _, kv := range [][2]string{{"unit", f.Unit}, {"patient", f.Patient}, {"author", f.Author}, {"type", string(f.Type)}, {"state", f.State}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if !f.Since.IsZero() {
		parts = append(parts, "since="+f.Since.Format(time.RFC3339))
	}
	return strings.Join(parts, " ")
}

// jobVisible says whether the caller sees a job: an admin every one, a
// coordinator those that touch only their own units.
func jobVisible(j store.ReconcileJob, units []string) bool {
	switch {
	case units == nil:
		return true
	case j.Filter.Unit != "":
		return slices.Contains(units, j.Filter.Unit)
	case j.Filter.Units == nil:
		return false // every unit: an admin's
	}
	for _, u := range j.Filter.Units {
		if !slices.Contains(units, u) {
			return false
		}
	}
	return true
}

func (s *Server) getReconcileJob(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	j, err := s.db.ReconcileJob(r.Context(), id)
	if err == nil && !jobVisible(j, units) {
		err = fmt.Errorf("job %s: %w", id, store.ErrNotFound) // another unit's job reads as none
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.jobView(r, j))
}

// listReconcileJobs lists the jobs the caller sees, newest first; with
// running=1 only those still running (the office page resumes showing
// their progress).
func (s *Server) listReconcileJobs(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	running := false
	switch v := r.URL.Query().Get("running"); v {
	case "", "0":
	case "1":
		running = true
	default:
		s.writeError(w, r, care.Invalid("running", "running must be 0 or 1", care.KeyOneOf, "0, 1"))
		return
	}
	jobs, err := s.db.ReconcileJobs(r.Context(), running)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := wire.ReconcileJobsResponse{Jobs: []wire.ReconcileJob{}}
	for _, j := range jobs {
		if jobVisible(j, units) {
			out.Jobs = append(out.Jobs, s.jobView(r, j))
		}
		if len(out.Jobs) == 100 {
			break
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// jobView is a job as the office follows it.
func (s *Server) jobView(r *http.Request, j store.ReconcileJob) wire.ReconcileJob {
	v := wire.ReconcileJob{ID: j.ID, Status: j.Status, By: j.By, EHRRef: j.EHRRef, EnteredBy: j.EnteredBy, UpTo: j.UpTo,
		Created: j.Created, Total: j.Total, Done: j.Done, Skipped: j.Skipped, Held: j.Held, Failure: j.Failure, FailureKey: j.FailureKey,
		Filter: wire.RecordFilters{Unit: j.Filter.Unit, Patient: j.Filter.Patient, Author: j.Filter.Author, Type: string(j.Filter.Type), State: j.Filter.State}}
	if !j.Filter.Since.IsZero() {
		t := j.Filter.Since
		v.Filter.Since = &t
	}
	if !j.Finished.IsZero() {
		t := j.Finished
		v.Finished = &t
	}
	v.ByName, v.EnteredByName = s.userName(r, j.By), s.userName(r, j.EnteredBy)
	return v
}

// userName is a user's shown name, or "" when it cannot be read.
func (s *Server) userName(r *http.Request, id string) string {
	a, err := s.db.Account(r.Context(), id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("user name", "user", id, "err", err)
		}
		return ""
	}
	return a.Name
}
