package server

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	head, err := s.db.AuditHead(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit := 200
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			s.writeError(w, r, care.Invalid("limit", "limit must be 1–1000", care.KeyRange, "1", "1000"))
			return
		}
	}
	// Newest first by default: from the head backwards.
	from := uint64(1)
	if head > uint64(limit) {
		from = head - uint64(limit) + 1
	}
	if v := q.Get("from"); v != "" {
		if from, err = strconv.ParseUint(v, 10, 64); err != nil || from < 1 {
			s.writeError(w, r, care.Invalid("from", "from must be a sequence number", ""))
			return
		}
	}
	entries, err := s.db.AuditLog(r.Context(), from, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// A coordinator's page may hold fewer than limit entries: paging goes
	// by sequence number, and the hidden ones still count.
	see := auditScope{s: s, r: r, caller: c.ID, units: units, subjects: map[string][]string{}}
	out := wire.AuditResponse{Entries: []wire.AuditEntry{}, Head: head}
	for _, e := range entries {
		ok, err := see.visible(e)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if ok {
			out.Entries = append(out.Entries, auditView(e))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// auditScope decides which audit entries a caller reads. An entry carries
// no unit of its own, only an actor, an action and a subject whose kind
// the action gives; the entry belongs to the units of that subject:
//
//   - records (sync, quarantine, emergency access, reconciliation): the
//     record's unit;
//   - users (logins, user changes), their devices and their bundles: the
//     user's units;
//   - a binder export: the unit it printed;
//   - routines and announcements: their units, every unit when they have
//     none, as the lists of routines and announcements show them;
//   - outages: every unit, as every coordinator sees and changes them.
//
// What cannot be placed in a unit — backups, plan imports, CSV and FHIR
// exports (their query is in the detail), failed logins for unknown
// names, purged records, a resolved finding no longer among the units'
// findings — is for admins only, like anything else that might be
// another unit's: details can name patients and hold free text. Callers
// always see their own actions.
type auditScope struct {
	s      *Server
	r      *http.Request
	caller string
	units  []string // nil: an admin, who sees everything

	subjects      map[string][]string // units by subject id, read once
	accounts      map[string]store.Account
	routines      map[string][]string // units by routine id
	announcements map[string][]string // units by announcement id
	resolutions   map[string]store.FindingResolution
}

// everyUnit stands for "all units" among an entry's units.
const everyUnit = "*"

func (a *auditScope) visible(e store.AuditEntry) (bool, error) {
	if a.units == nil || (e.Actor != "" && e.Actor == a.caller) {
		return true, nil
	}
	units, err := a.unitsOf(e)
	if err != nil {
		return false, err
	}
	return slices.Contains(units, everyUnit) ||
		slices.ContainsFunc(units, func(u string) bool { return slices.Contains(a.units, u) }), nil
}

// unitsOf returns the units an entry belongs to; none when it cannot be
// placed.
func (a *auditScope) unitsOf(e store.AuditEntry) ([]string, error) {
	switch e.Action {
	case store.AuditLogin, store.AuditLoginFailed:
		return a.userUnits(e.Actor)
	case store.AuditOutageStart, store.AuditOutageEnd:
		return []string{everyUnit}, nil
	}
	if e.Subject == "" {
		return nil, nil
	}
	key := e.Action + "/" + e.Subject
	if units, ok := a.subjects[key]; ok {
		return units, nil
	}
	units, err := a.subjectUnits(e)
	if err != nil {
		return nil, err
	}
	a.subjects[key] = units
	return units, nil
}

func (a *auditScope) subjectUnits(e store.AuditEntry) ([]string, error) {
	ctx := a.r.Context()
	switch e.Action {
	case store.AuditSync, store.AuditQuarantine, store.AuditEmergency, store.AuditReconcile:
		sr, err := a.s.db.StoredRecordByID(ctx, e.Subject)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil // purged
		}
		if err != nil {
			return nil, err
		}
		return []string{sr.UnitID}, nil
	case store.AuditUserAdd, store.AuditUserDisable, store.AuditUserReset, store.AuditUserRename:
		return a.userUnits(e.Subject)
	case store.AuditDevice, store.AuditDeviceRevoke, store.AuditDeviceLost, store.AuditExposureTick:
		d, err := a.s.db.Device(ctx, e.Subject)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return a.userUnits(d.UserID)
	case store.AuditBundle:
		b, err := a.s.db.IssuedBundle(ctx, e.Subject)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return a.userUnits(b.UserID)
	case store.AuditExport:
		return []string{e.Subject}, nil // a binder names its unit
	case store.AuditRoutine:
		units, err := unitsByID(&a.routines, func() ([]care.Routine, error) { return a.s.db.Routines(ctx) },
			func(rt care.Routine) (string, []string) { return rt.ID, rt.Units })
		if err != nil {
			return nil, err
		}
		u, ok := units[e.Subject]
		return unitsOrEvery(ok, u), nil
	case store.AuditAnnouncement:
		units, err := unitsByID(&a.announcements, func() ([]care.Announcement, error) { return a.s.db.Announcements(ctx, time.Time{}) },
			func(an care.Announcement) (string, []string) { return an.ID, an.Units })
		if err != nil {
			return nil, err
		}
		u, ok := units[e.Subject]
		return unitsOrEvery(ok, u), nil
	case store.AuditFindingResolve:
		if a.resolutions == nil {
			res, err := a.s.db.FindingResolutions(ctx)
			if err != nil {
				return nil, err
			}
			a.resolutions = res
		}
		if res, ok := a.resolutions[e.Subject]; ok && res.Unit != "" {
			return []string{res.Unit}, nil
		}
		// A resolution stored before its unit was kept: the desk knows.
		unit, ok, err := a.s.desk.FindingUnit(ctx, e.Subject)
		if err != nil {
			return nil, err
		}
		if ok {
			return []string{unit}, nil
		}
	}
	return nil, nil
}

// unitsByID reads all items of one kind once per page and keeps each one's
// units by id in *cache.
func unitsByID[T any](cache *map[string][]string, load func() ([]T, error), units func(T) (string, []string)) (map[string][]string, error) {
	if *cache != nil {
		return *cache, nil
	}
	all, err := load()
	if err != nil {
		return nil, err
	}
	m := make(map[string][]string, len(all))
	for _, it := range all {
		id, u := units(it)
		m[id] = u
	}
	*cache = m
	return m, nil
}

// unitsOrEvery gives the units of a routine or an announcement: none when
// it is not found, every unit when it names none.
func unitsOrEvery(found bool, units []string) []string {
	switch {
	case !found:
		return nil
	case len(units) == 0:
		return []string{everyUnit}
	}
	return units
}

func (a *auditScope) userUnits(id string) ([]string, error) {
	if id == "" {
		return nil, nil
	}
	if a.accounts == nil {
		all, err := a.s.db.Accounts(a.r.Context())
		if err != nil {
			return nil, err
		}
		a.accounts = map[string]store.Account{}
		for _, acct := range all {
			a.accounts[acct.ID] = acct
		}
	}
	return a.accounts[id].Units, nil
}
