package server

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/reconcile"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// office checks that the caller reconciles (coordinator or admin) and
// returns the units they see: a coordinator their own, an admin all (nil).
func (s *Server) office(w http.ResponseWriter, r *http.Request) (caller, []string, bool) {
	c := callerFrom(r.Context())
	if !c.Role.Reconciles() {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "only coordinators and admins see records").WithKey(keyForbidden))
		return c, nil, false
	}
	if c.Role == care.RoleAdmin {
		return c, nil, true
	}
	return c, append([]string{}, c.Units...), true
}

// inScope reports whether a unit is one the caller sees.
func inScope(units []string, unit string) bool { return units == nil || slices.Contains(units, unit) }

// window reads since and until (RFC 3339). Without them it is the active
// outage (start to now), or the last one if it ended in the past two days,
// or the last 24 hours.
func (s *Server) window(r *http.Request) (since, until time.Time, err error) {
	now := s.cfg.Now().UTC()
	since, until = now.Add(-24*time.Hour), now
	if outages, err := s.db.Outages(r.Context()); err == nil && len(outages) > 0 {
		o := outages[0]
		switch {
		case o.End == nil:
			since = o.Start
		case now.Sub(*o.End) < 48*time.Hour:
			since, until = o.Start, *o.End
		}
	}
	if v := r.URL.Query().Get("since"); v != "" {
		if since, err = time.Parse(time.RFC3339, v); err != nil {
			return since, until, care.Invalid("since", "since must be an RFC 3339 time", care.KeyDate)
		}
	}
	if v := r.URL.Query().Get("until"); v != "" {
		if until, err = time.Parse(time.RFC3339, v); err != nil {
			return since, until, care.Invalid("until", "until must be an RFC 3339 time", care.KeyDate)
		}
	}
	if !since.Before(until) {
		return since, until, care.Invalid("until", "since must be before until", "")
	}
	return since.UTC(), until.UTC(), nil
}

// names resolves patient and user ids for the caller's units.
type names struct {
	patients map[string]string
	users    map[string]string
}

func (s *Server) loadNames(r *http.Request, units []string) (names, wire.Directory, error) {
	ctx := r.Context()
	n := names{patients: map[string]string{}, users: map[string]string{}}
	dir := wire.Directory{Units: []care.Unit{}, Users: []wire.Person{}, Patients: []wire.Person{}}
	all, err := s.db.Units(ctx)
	if err != nil {
		return n, dir, err
	}
	for _, u := range all {
		if !inScope(units, u.ID) {
			continue
		}
		dir.Units = append(dir.Units, u)
		ps, err := s.db.PatientsByUnit(ctx, u.ID)
		if err != nil {
			return n, dir, err
		}
		for _, p := range ps {
			n.patients[p.ID] = p.Name
			dir.Patients = append(dir.Patients, wire.Person{ID: p.ID, Name: p.Name, Unit: p.UnitID})
		}
	}
	accounts, err := s.db.Accounts(ctx)
	if err != nil {
		return n, dir, err
	}
	for _, a := range accounts {
		n.users[a.ID] = a.Name // names of every user: reconcilers may be from elsewhere
		if units == nil || slices.ContainsFunc(a.Units, func(u string) bool { return slices.Contains(units, u) }) {
			dir.Users = append(dir.Users, wire.Person{ID: a.ID, Name: a.Name, Role: a.Role})
		}
	}
	return n, dir, nil
}

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

// maxReconcile is how many records one reconcile request may mark.
const maxReconcile = 1000

func recordTypeNames() []string {
	var out []string
	for _, t := range care.RecordTypes() {
		out = append(out, string(t))
	}
	return out
}

// recordFilter reads the list filters of a request.
func recordFilter(r *http.Request, units []string) (store.RecordFilter, error) {
	q := r.URL.Query()
	f := store.RecordFilter{Units: units, Unit: q.Get("unit"), Patient: q.Get("patient"), Author: q.Get("author"),
		Type: care.RecordType(q.Get("type")), State: q.Get("state"), Cursor: q.Get("cursor")}
	if f.Unit != "" && !inScope(units, f.Unit) {
		return f, unitNotYours(f.Unit)
	}
	if f.Type != "" && !slices.Contains(care.RecordTypes(), f.Type) {
		return f, care.Invalid("type", "unknown type "+string(f.Type), care.KeyOneOf, strings.Join(recordTypeNames(), ", "))
	}
	if f.State != "" && !slices.Contains([]string{store.StateNew, store.StateEntered, store.StateVoid, store.StateQuarantined}, f.State) {
		return f, care.Invalid("state", "state must be new, entered, void or quarantined", care.KeyOneOf, "new, entered, void, quarantined")
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return f, care.Invalid("since", "since must be an RFC 3339 time", care.KeyDate)
		}
		f.Since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return f, care.Invalid("limit", "limit must be 1–1000", care.KeyRange, "1", "1000")
		}
		f.Limit = n
	}
	return f, nil
}

// view turns a stored record into what coordinators read. Signatures are
// left out of lists (they can be 64 KiB each) and kept in the detail.
func (s *Server) view(r *http.Request, sr store.StoredRecord, n names, detail bool) (wire.RecordView, error) {
	v := wire.RecordView{ID: sr.ID, Type: string(sr.Type), State: sr.State, UnitID: sr.UnitID,
		PatientID: sr.PatientID, PatientName: n.patients[sr.PatientID], AuthorID: sr.AuthorID, AuthorName: n.users[sr.AuthorID],
		DeviceID: sr.DeviceID, Seq: sr.Seq, CreatedAt: sr.CreatedAt, Received: sr.Received,
		Quarantined: sr.Quarantined, Emergency: sr.Emergency, EHRRef: sr.EHRRef, VoidReason: sr.VoidReason,
		ReconciledBy: sr.ReconciledBy, ReconciledByName: n.users[sr.ReconciledBy], EnteredBy: sr.EnteredBy, EnteredByName: n.users[sr.EnteredBy]}
	if !sr.ReconciledAt.IsZero() {
		t := sr.ReconciledAt
		v.ReconciledAt = &t
	}
	full, err := s.db.StoredRecordByID(r.Context(), sr.ID)
	if err != nil {
		return v, err
	}
	rec, err := full.Record()
	if err != nil {
		return v, err
	}
	if !detail {
		rec.SignatureSVG, rec.CosignerSignatureSVG = signedMark(rec.SignatureSVG), signedMark(rec.CosignerSignatureSVG)
	}
	v.Record = &rec
	if detail {
		if dev, err := s.db.Device(r.Context(), sr.DeviceID); err == nil {
			v.DeviceLabel = dev.Label
		}
		if b, err := s.db.IssuedBundle(r.Context(), sr.BundleID); err == nil {
			v.BundleIssuedAt, v.BundleExpiresAt = &b.IssuedAt, &b.ExpiresAt
		}
		hist, err := s.db.AuditFor(r.Context(), sr.ID)
		if err != nil {
			return v, err
		}
		for _, e := range hist {
			v.History = append(v.History, auditView(e))
		}
	}
	return v, nil
}

// signedMark stands in for a signature in lists: "M" when there is one.
func signedMark(svg string) string {
	if svg == "" {
		return ""
	}
	return "M"
}

func auditView(e store.AuditEntry) wire.AuditEntry {
	return wire.AuditEntry{Seq: e.Seq, Time: e.Time, Actor: e.Actor, Action: e.Action, Subject: e.Subject, Detail: e.Detail, Prev: e.Prev, Hash: e.Hash}
}

func (s *Server) listRecords(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	f, err := recordFilter(r, units)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, next, err := s.db.ListRecords(r.Context(), f)
	if err != nil {
		// store.ErrBadCursor: the cursor is not from a previous page of
		// this list (invalid_input, by codeOf).
		s.writeError(w, r, err)
		return
	}
	n, _, err := s.loadNames(r, units)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := wire.RecordsResponse{Records: make([]wire.RecordView, 0, len(page)), Next: next}
	for _, sr := range page {
		v, err := s.view(r, sr, n, false)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out.Records = append(out.Records, v)
	}
	writeJSON(w, http.StatusOK, out)
}

// scopedRecord loads one record the caller may see.
func (s *Server) scopedRecord(w http.ResponseWriter, r *http.Request, units []string, id string) (store.StoredRecord, bool) {
	sr, err := s.db.StoredRecordByID(r.Context(), id)
	if err == nil && !inScope(units, sr.UnitID) {
		err = fmt.Errorf("record %s: %w", id, store.ErrNotFound) // another unit's record reads as none
	}
	if err != nil {
		s.writeError(w, r, err) // the store names the record
		return sr, false
	}
	return sr, true
}

func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	sr, ok := s.scopedRecord(w, r, units, r.PathValue("id"))
	if !ok {
		return
	}
	n, _, err := s.loadNames(r, units)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.view(r, sr, n, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// reconcile marks one record (POST /records/{id}/reconcile) or many
// (POST /records/reconcile with ids) entered or void: all or none.
func (s *Server) reconcile(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	var req wire.ReconcileRequest
	if err := decode(w, r, 1<<20, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ids := req.IDs
	if id := r.PathValue("id"); id != "" {
		if len(ids) > 0 {
			s.writeError(w, r, care.Invalid("ids", "ids belong to the bulk endpoint", ""))
			return
		}
		ids = []string{id}
	}
	switch {
	case len(ids) == 0:
		s.writeError(w, r, care.Invalid("ids", "ids is empty", care.KeyRequired))
		return
	case len(ids) > maxReconcile:
		s.writeError(w, r, wire.Errorf(wire.CodeTooLarge, "at most %d records at once", maxReconcile).WithKey(keyTooMany, strconv.Itoa(maxReconcile)))
		return
	}
	if err := care.CheckReconcile(req.Action, req.EHRRef, req.Reason); err != nil {
		s.writeError(w, r, err)
		return
	}
	enteredBy := c.ID
	if req.EnteredBy != "" && req.Action == store.ActionEntered {
		if _, err := s.db.Account(r.Context(), req.EnteredBy); err != nil {
			s.writeError(w, r, care.Invalid("entered_by", "entered_by is not a user", care.KeyUnknown, req.EnteredBy))
			return
		}
		enteredBy = req.EnteredBy
	}
	for _, id := range ids {
		if _, ok := s.scopedRecord(w, r, units, id); !ok {
			return
		}
	}
	done, err := s.db.Reconcile(r.Context(), ids, store.Reconciliation{Action: req.Action, EHRRef: strings.TrimSpace(req.EHRRef),
		Reason: strings.TrimSpace(req.Reason), By: c.ID, EnteredBy: enteredBy, At: s.cfg.Now()})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, _, err := s.loadNames(r, units)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := wire.RecordsResponse{Records: []wire.RecordView{}}
	for _, sr := range done {
		v, err := s.view(r, sr, n, false)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out.Records = append(out.Records, v)
	}
	s.log.Info("reconcile", "user", c.ID, "action", req.Action, "records", len(done))
	if r.PathValue("id") != "" {
		writeJSON(w, http.StatusOK, out.Records[0])
		return
	}
	writeJSON(w, http.StatusOK, out)
}

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

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.officeScope(w, r)
	if !ok {
		return
	}
	in, err := reconcile.Load(r.Context(), s.db, sc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := wire.Dashboard{Since: sc.Since, Until: sc.Until, States: map[string]int{}, Types: map[string]int{}, Findings: map[string]int{}}
	for _, rec := range in.Records {
		d.Records++
		st := rec.State
		if rec.Quarantined && st == store.StateNew {
			st = store.StateQuarantined
		}
		d.States[st]++
		d.Types[string(rec.Type)]++
	}
	res, err := s.db.FindingResolutions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, f := range reconcile.Compute(in) {
		d.Findings[f.Kind]++
		if _, done := res[f.ID]; !done {
			d.Open++
		}
	}
	writeJSON(w, http.StatusOK, d)
}
