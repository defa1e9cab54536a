package server

import (
	"context"
	"errors"
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
	// Drill records are kept apart: the list shows the real records
	// unless asked for a drill's (drill=any, or a drill's id).
	switch v := q.Get("drill"); v {
	case "":
		f.Drill = store.DrillNone
	case "any":
		f.Drill = store.DrillAny
	default:
		if !care.IsUUID(v) {
			return f, care.Invalid("drill", `drill must be "any" or a drill's id`, care.KeyInvalid)
		}
		f.Drill = v
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
		ReconciledBy: sr.ReconciledBy, ReconciledByName: n.users[sr.ReconciledBy], EnteredBy: sr.EnteredBy, EnteredByName: n.users[sr.EnteredBy],
		DrillID: sr.DrillID}
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
	n, err := s.pageNames(r, units, page)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	all := f
	all.Cursor, all.Limit = "", 0
	total, err := s.cfg.Counter.MatchingRecords(r.Context(), all)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := wire.RecordsResponse{Records: make([]wire.RecordView, 0, len(page)), Next: next, Total: total}
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
	if v.Cosigns, err = s.cosignLinks(r.Context(), sr, n.users); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// cosignLinks returns what a record's page shows of its co-signature: the
// live cosign records linked to a medication record, with why each does
// not verify the dose, or the administrations a cosign record co-signs.
// Both are the patient's, so the caller's scope holds them.
func (s *Server) cosignLinks(ctx context.Context, sr store.StoredRecord, users map[string]string) ([]wire.CosignLink, error) {
	if sr.CosignCode == "" || (sr.Type != care.RecordMedication && sr.Type != care.RecordCosign) {
		return nil, nil
	}
	other := care.RecordCosign
	if sr.Type == care.RecordCosign {
		other = care.RecordMedication
	}
	var out []wire.CosignLink
	cursor := ""
	for {
		page, next, err := s.db.ListRecords(ctx, store.RecordFilter{Patient: sr.PatientID, Type: other, Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, fmt.Errorf("record %s: co-signatures: %w", sr.ID, err)
		}
		for _, o := range page {
			admin, cos := sr, o
			if sr.Type == care.RecordCosign {
				admin, cos = o, sr
			}
			if o.State == store.StateVoid || o.Quarantined || !reconcile.Linked(admin, cos) {
				continue
			}
			l := wire.CosignLink{RecordID: o.ID, AuthorID: o.AuthorID, AuthorName: users[o.AuthorID], CreatedAt: o.CreatedAt}
			bundles := map[string]store.IssuedBundle{}
			if b, err := s.db.IssuedBundle(ctx, cos.BundleID); err == nil {
				bundles[b.ID] = b
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, fmt.Errorf("record %s: co-signer's shift: %w", sr.ID, err)
			}
			l.Problem = reconcile.CosignProblem(admin, cos, bundles)
			out = append(out, l)
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
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
		sr, ok := s.scopedRecord(w, r, units, id)
		if !ok {
			return
		}
		if sr.DrillID != "" {
			// Practice, not documentation: it never goes into the
			// record system, and there is nothing to void.
			s.writeError(w, r, wire.Errorf(wire.CodeConflict, "record %s was written in a drill: it is never reconciled", id).WithKey(keyDrillRecord))
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
