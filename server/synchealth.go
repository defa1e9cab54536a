package server

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/desk"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Sync health (issue 19, item 4): what each phone says of its outbox at
// every contact (a sync request's "outbox", the bundle request's
// outbox_waiting and outbox_oldest), the read marks of announcements (a
// sync request's "read"), and the desk's view of them after an outage
// (GET /api/v1/sync-health, GET /api/v1/devices/{id}/sync-health). A
// report is the session's device's: a session reports for its own phone
// only, whatever device signed the records it carries.

// earliestReport is the earliest time a phone may report: before it, a
// time is a broken clock or value, not a record's.
var earliestReport = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// checkReportTime refuses a reported time that is zero, before 2000 or
// more than a day after the server's clock.
func checkReportTime(field string, t, now time.Time) error {
	switch {
	case t.Before(earliestReport):
		return care.Invalid(field, "must be a time after 2000", care.KeyDate)
	case t.After(now.Add(wire.MaxReportAhead)):
		return care.Invalid(field, "lies too far in the future", care.KeyFuture)
	}
	return nil
}

// checkOutboxReport refuses a report that cannot be true: a negative or
// absurd count, an oldest time with nothing waiting, a time far ahead.
func checkOutboxReport(field string, r *wire.OutboxReport, now time.Time) error {
	if r == nil {
		return nil
	}
	if r.Waiting < 0 || r.Waiting > wire.MaxOutboxWaiting {
		return care.Invalid(field+"waiting", "must be 0 or more", care.KeyRange, "0", strconv.Itoa(wire.MaxOutboxWaiting))
	}
	if r.OldestWaiting != nil {
		if r.Waiting == 0 {
			return care.Invalid(field+"oldest_waiting", "must be absent when no record waits", care.KeyInvalid)
		}
		return checkReportTime(field+"oldest_waiting", *r.OldestWaiting, now)
	}
	return nil
}

// checkReadMarks refuses too many marks, a mark without an announcement
// id, and a mark whose time cannot be true.
func checkReadMarks(marks []wire.AnnouncementRead, now time.Time) error {
	if len(marks) > wire.MaxReadMarks {
		return care.Invalid("read", "too many read marks", care.KeyTooMany, strconv.Itoa(wire.MaxReadMarks))
	}
	for i, m := range marks {
		field := "read[" + strconv.Itoa(i) + "]."
		if m.ID == "" {
			return care.Invalid(field+"id", "is required", care.KeyRequired)
		}
		if err := care.CheckLength(field+"id", m.ID, care.MaxIDBytes); err != nil {
			return err
		}
		if err := checkReportTime(field+"at", m.At, now); err != nil {
			return err
		}
	}
	return nil
}

// bundleReport reads the outbox report of a bundle request's query, nil
// when it carries none.
func bundleReport(r *http.Request, now time.Time) (*wire.OutboxReport, error) {
	q := r.URL.Query()
	waiting, oldest := q.Get(wire.QueryOutboxWaiting), q.Get(wire.QueryOutboxOldest)
	if waiting == "" && oldest == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(waiting)
	if err != nil {
		return nil, care.Invalid(wire.QueryOutboxWaiting, "must be a whole number", care.KeyRange, "0", strconv.Itoa(wire.MaxOutboxWaiting))
	}
	rep := &wire.OutboxReport{Waiting: n}
	if oldest != "" {
		t, err := time.Parse(time.RFC3339Nano, oldest)
		if err != nil {
			return nil, care.Invalid(wire.QueryOutboxOldest, "must be an RFC 3339 time", care.KeyDate)
		}
		rep.OldestWaiting = &t
	}
	if err := checkOutboxReport("outbox_", rep, now); err != nil {
		return nil, err
	}
	return rep, nil
}

// storeOutboxReport keeps what the session's phone said of its outbox. It
// is bookkeeping: a failure is logged, never the contact's.
func (s *Server) storeOutboxReport(r *http.Request, deviceID string, rep *wire.OutboxReport) {
	if rep == nil || deviceID == "" {
		return
	}
	err := s.db.ReportOutbox(r.Context(), store.OutboxReport{DeviceID: deviceID, Waiting: rep.Waiting,
		OldestWaiting: rep.OldestWaiting, Reported: s.cfg.Now().UTC()})
	if err != nil {
		s.log.Warn("outbox report not recorded", "device", deviceID, "err", err)
	}
}

// storeReadMarks keeps the session user's read marks of the
// announcements addressed to her; marks of others' announcements, or of
// ones the server no longer holds, are left out. A time after the
// server's clock is kept as the server's.
func (s *Server) storeReadMarks(r *http.Request, c caller, marks []wire.AnnouncementRead) error {
	if len(marks) == 0 {
		return nil
	}
	now := s.cfg.Now().UTC()
	oldest := now
	for _, m := range marks {
		if m.At.Before(oldest) {
			oldest = m.At
		}
	}
	// An announcement is read after it was posted, and a phone holds those
	// of the day its shift began.
	anns, err := s.db.Announcements(r.Context(), oldest.Add(-48*time.Hour))
	if err != nil {
		return err
	}
	var keep []store.AnnouncementRead
	for _, m := range marks {
		i := slices.IndexFunc(anns, func(a care.Announcement) bool { return a.ID == m.ID })
		if i < 0 || !anns[i].AddressedTo(c.ID, c.Units) {
			continue
		}
		at := m.At.UTC()
		if at.After(now) {
			at = now
		}
		if at.Before(anns[i].Posted) {
			at = anns[i].Posted
		}
		keep = append(keep, store.AnnouncementRead{AnnouncementID: m.ID, UserID: c.ID, DeviceID: c.Session.DeviceID, At: at, Reported: now})
	}
	return s.db.MarkAnnouncementsRead(r.Context(), keep)
}

// syncReportOnly answers a sync request that carries no records, only a
// report or read marks: the phone's contact when nothing waits to be
// sent. It must come from the session's own device.
func (s *Server) syncReportOnly(w http.ResponseWriter, r *http.Request, c caller, req wire.SyncRequest) {
	if c.Session.DeviceID == "" || req.DeviceID != c.Session.DeviceID {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "a sync without records reports for the session's own device").WithKey(keyForbidden))
		return
	}
	dev, err := s.db.Device(r.Context(), req.DeviceID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.storeReadMarks(r, c, req.Read); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.db.TouchDevice(r.Context(), dev.ID, s.cfg.Now()); err != nil {
		s.log.Warn("device contact not recorded", "device", dev.ID, "err", err)
	}
	s.storeOutboxReport(r, dev.ID, req.Outbox)
	writeJSON(w, http.StatusOK, wire.SyncResponse{Results: []wire.SyncResult{}, Wipe: dev.Revoked != nil})
}

// syncHealthInput reads the unit of a sync-health request and checks it
// against the caller.
func (s *Server) syncHealthInput(r *http.Request, units []string) (desk.SyncHealthInput, error) {
	in := desk.SyncHealthInput{Units: units, Now: s.cfg.Now().UTC(), OfflineFor: s.cfg.OfflineFor}
	q := r.URL.Query()
	for k := range q {
		if k != "unit" {
			return in, care.Invalid(k, "unknown parameter", care.KeyUnknown, k)
		}
	}
	if unit := q.Get("unit"); unit != "" {
		if !inScope(units, unit) {
			return in, unitNotYours(unit)
		}
		all, err := s.db.Units(r.Context())
		if err != nil {
			return in, err
		}
		if !slices.ContainsFunc(all, func(u care.Unit) bool { return u.ID == unit }) {
			return in, care.Invalid("unit", "no such unit", care.KeyUnknown, unit)
		}
		in.Units = []string{unit}
	}
	return in, nil
}

// syncHealth is the desk's view after an outage: the phones still
// holding records, the phones not seen since it began, with their
// workers, and who has read the important announcements.
func (s *Server) syncHealth(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	in, err := s.syncHealthInput(r, units)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := desk.SyncHealth(r.Context(), s.db, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// deviceSyncHealth is one phone's sync health, for the coordinators of
// its worker's units and admins: 403 for another unit's phone.
func (s *Server) deviceSyncHealth(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	d, ok := s.pathDevice(w, r)
	if !ok {
		return
	}
	worker, err := s.db.Account(r.Context(), d.UserID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if units != nil && !slices.ContainsFunc(worker.Units, func(u string) bool { return slices.Contains(units, u) }) {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "device %s is not of your units", d.ID).WithKey(keyForbidden))
		return
	}
	v := wire.PhoneHealth{DeviceID: d.ID, DeviceLabel: d.Label, WorkerID: worker.ID, WorkerName: worker.Name,
		Username: worker.Username, Units: []string{}, Revoked: d.Revoked}
	for _, u := range worker.Units {
		if inScope(units, u) {
			v.Units = append(v.Units, u)
		}
	}
	contact := d.LastSeen
	reps, err := s.db.OutboxReports(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, rep := range reps {
		if rep.DeviceID == d.ID {
			n, at := rep.Waiting, rep.Reported
			v.Waiting, v.OldestWaiting, v.Reported = &n, rep.OldestWaiting, &at
			if at.After(contact) {
				contact = at
			}
		}
	}
	if !contact.IsZero() {
		v.LastContact = &contact
	}
	writeJSON(w, http.StatusOK, v)
}
