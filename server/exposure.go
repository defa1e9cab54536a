package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// The lost-phone exposure report (issue 19, item 3): what a revoked or
// lost phone may still hold, and the desk's checklist of what to do
// about it. A phone registers a new device at every login (after a wipe
// it must log in again), and the server records no wipe confirmation:
// a revoked phone that wiped only logs out. So "since the last wipe it
// confirmed" is the device's whole life: every bundle issued to the
// device id, expired ones included (a copied bundle can be attacked long
// after it expired).

// keyBadDeviceID is the catalogue key of a device id that is not one.
const keyBadDeviceID = "error.bad_device_id"

// maxExposureItem bounds an item id of the path: a kind, ":" and a
// patient id.
const maxExposureItem = care.MaxIDBytes + 16

// pathDevice reads the device of the path's id: 400 for an id that is
// not a device id (the server makes them: UUIDs), 404 for an unknown one.
func (s *Server) pathDevice(w http.ResponseWriter, r *http.Request) (store.Device, bool) {
	id := r.PathValue("id")
	if u, err := uuid.Parse(id); err != nil || u.String() != id {
		s.writeError(w, r, care.Invalid("id", "a device id is a UUID", keyBadDeviceID))
		return store.Device{}, false
	}
	d, err := s.db.Device(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return store.Device{}, false
	}
	return d, true
}

// exposure builds the device's report and returns the units it concerns:
// those of the exposed patients, or, when none was exposed, the worker's.
func (s *Server) exposure(ctx context.Context, d store.Device) (wire.ExposureReport, []string, error) {
	now := s.cfg.Now().UTC()
	rep := wire.ExposureReport{Device: deviceView(d), Bundles: []wire.ExposureBundle{}, Patients: []wire.ExposedPatient{},
		Checklist: []wire.ExposureItem{}, Generated: now}
	worker, err := s.db.Account(ctx, d.UserID)
	switch {
	case err == nil:
		rep.WorkerName = worker.Name
	case !errors.Is(err, store.ErrNotFound):
		return rep, nil, fmt.Errorf("exposure of %s: %w", d.ID, err)
	}
	issued, err := s.db.IssuedBundles(ctx, d.UserID, d.Created)
	if err != nil {
		return rep, nil, fmt.Errorf("exposure of %s: %w", d.ID, err)
	}
	byID := map[string]*wire.ExposedPatient{}
	var order []string
	see := func(id string, b store.IssuedBundle, own bool) {
		p := byID[id]
		if p == nil {
			p = &wire.ExposedPatient{ID: id, FirstIssued: b.IssuedAt}
			byID[id] = p
			order = append(order, id)
		}
		p.Own = p.Own || own
		p.Bundles++
		p.LastIssued = b.IssuedAt
	}
	for _, b := range issued {
		if b.DeviceID != d.ID {
			continue
		}
		rep.Bundles = append(rep.Bundles, wire.ExposureBundle{ID: b.ID, IssuedAt: b.IssuedAt, ExpiresAt: b.ExpiresAt,
			Expired: !now.Before(b.ExpiresAt), Patients: len(b.OwnPatients) + len(b.UnitPatients)})
		for _, id := range b.OwnPatients {
			see(id, b, true)
		}
		for _, id := range b.UnitPatients {
			see(id, b, false)
		}
		for _, id := range b.AccessPatients {
			if p := byID[id]; p != nil {
				p.Access = true
			}
		}
	}
	var units []string
	for _, id := range order {
		p := byID[id]
		pat, err := s.db.Patient(ctx, id)
		switch {
		case err == nil:
			p.Name, p.UnitID = pat.Name, pat.UnitID
			if !slices.Contains(units, pat.UnitID) {
				units = append(units, pat.UnitID)
			}
		case !errors.Is(err, store.ErrNotFound):
			return rep, nil, fmt.Errorf("exposure of %s: %w", d.ID, err)
		}
		rep.Patients = append(rep.Patients, *p)
	}
	if len(order) == 0 {
		units = append(units, worker.Units...)
	}
	// Access information first: the key-box codes are what to change
	// before anything else.
	sort.SliceStable(rep.Patients, func(i, j int) bool {
		a, b := rep.Patients[i], rep.Patients[j]
		if a.Access != b.Access {
			return a.Access
		}
		return a.Name < b.Name
	})
	for _, p := range rep.Patients {
		if p.Access {
			rep.Checklist = append(rep.Checklist, wire.ExposureItem{ID: wire.ExposureAccess + ":" + p.ID, Kind: wire.ExposureAccess, PatientID: p.ID})
		}
	}
	for _, p := range rep.Patients {
		rep.Checklist = append(rep.Checklist, wire.ExposureItem{ID: wire.ExposureInform + ":" + p.ID, Kind: wire.ExposureInform, PatientID: p.ID})
	}
	rep.Checklist = append(rep.Checklist, wire.ExposureItem{ID: wire.ExposureBreach, Kind: wire.ExposureBreach})
	ticks, err := s.db.ExposureTicks(ctx, d.ID)
	if err != nil {
		return rep, nil, fmt.Errorf("exposure of %s: %w", d.ID, err)
	}
	names := map[string]string{}
	for i := range rep.Checklist {
		it := &rep.Checklist[i]
		for _, t := range ticks {
			if t.Item != it.ID {
				continue
			}
			at := t.At
			it.Ticked, it.By, it.At = t.Ticked, t.By, &at
			if _, ok := names[t.By]; !ok {
				if a, err := s.db.Account(ctx, t.By); err == nil {
					names[t.By] = a.Name
				}
			}
			it.ByName = names[t.By]
		}
	}
	return rep, units, nil
}

// exposureInScope reads the path's device and its report, and lets
// through admins and the coordinators of every unit the report concerns.
func (s *Server) exposureInScope(w http.ResponseWriter, r *http.Request) (caller, wire.ExposureReport, bool) {
	c, scope, ok := s.office(w, r)
	if !ok {
		return c, wire.ExposureReport{}, false
	}
	d, ok := s.pathDevice(w, r)
	if !ok {
		return c, wire.ExposureReport{}, false
	}
	rep, units, err := s.exposure(r.Context(), d)
	if err != nil {
		s.writeError(w, r, err)
		return c, rep, false
	}
	if scope != nil && (len(units) == 0 || slices.ContainsFunc(units, func(u string) bool { return !inScope(scope, u) })) {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "the phone held patients of units you do not coordinate").WithKey(keyForbidden))
		return c, rep, false
	}
	return c, rep, true
}

// deviceExposure answers GET /api/v1/devices/{id}/exposure.
func (s *Server) deviceExposure(w http.ResponseWriter, r *http.Request) {
	if _, rep, ok := s.exposureInScope(w, r); ok {
		writeJSON(w, http.StatusOK, rep)
	}
}

// tickExposure answers POST /api/v1/devices/{id}/exposure/checklist/{item}:
// the item ticked or unticked, with who and when, audited in the same
// write; the answer is the report as it is now.
func (s *Server) tickExposure(w http.ResponseWriter, r *http.Request) {
	c, rep, ok := s.exposureInScope(w, r)
	if !ok {
		return
	}
	item := r.PathValue("item")
	if item == "" || len(item) > maxExposureItem || !utf8.ValidString(item) || strings.ContainsAny(item, "/\x00") {
		s.writeError(w, r, care.Invalid("item", "not a checklist item", keyBadBody))
		return
	}
	var req wire.ExposureTickRequest
	if err := decode(w, r, 1<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Ticked == nil {
		s.writeError(w, r, care.Invalid("ticked", "is required", care.KeyRequired))
		return
	}
	if !slices.ContainsFunc(rep.Checklist, func(it wire.ExposureItem) bool { return it.ID == item }) {
		s.writeError(w, r, wire.Errorf(wire.CodeNotFound, "no checklist item %q in the report of %s", item, rep.Device.ID).WithKey(keyNotFound))
		return
	}
	now := s.cfg.Now().UTC()
	t := store.ExposureTick{DeviceID: rep.Device.ID, Item: item, Ticked: *req.Ticked, By: c.ID, At: now}
	a := store.Audit{Time: now, Actor: c.ID, Action: store.AuditExposureTick, Subject: rep.Device.ID, Detail: fmt.Sprintf("item=%s ticked=%t", item, *req.Ticked)}
	if err := s.db.SetExposureTick(r.Context(), t, a); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.db.Device(r.Context(), rep.Device.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, _, err = s.exposure(r.Context(), d)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// reportLost revokes d as lost and audits who reported it and how.
func (s *Server) reportLost(w http.ResponseWriter, r *http.Request, c caller, d store.Device, how string) {
	now := s.cfg.Now()
	d, err := s.db.RevokeDevice(r.Context(), d.ID, c.ID, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, store.Audit{Time: now, Actor: c.ID, Action: store.AuditDeviceLost, Subject: d.ID, Detail: "reason=lost from=" + how + " user=" + d.UserID})
	s.log.Info("device reported lost", "device", d.ID, "user", d.UserID, "by", c.ID, "from", how)
	writeJSON(w, http.StatusOK, deviceView(d))
}

// deviceLost answers POST /api/v1/devices/{id}/lost: the desk marks a
// worker's phone lost (revoked, reason lost). A coordinator may for the
// workers of their units.
func (s *Server) deviceLost(w http.ResponseWriter, r *http.Request) {
	c, scope, ok := s.office(w, r)
	if !ok {
		return
	}
	d, ok := s.pathDevice(w, r)
	if !ok {
		return
	}
	if scope != nil {
		worker, err := s.db.Account(r.Context(), d.UserID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.writeError(w, r, err)
			return
		}
		if !slices.ContainsFunc(worker.Units, func(u string) bool { return inScope(scope, u) }) {
			s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "the phone is not of a worker of your units").WithKey(keyForbidden))
			return
		}
	}
	s.reportLost(w, r, c, d, "desk")
}

// ownDeviceLost answers POST /api/v1/me/devices/{id}/lost: a worker,
// logged in on another phone, reports one of their own phones lost.
func (s *Server) ownDeviceLost(w http.ResponseWriter, r *http.Request) {
	c := callerFrom(r.Context())
	d, ok := s.pathDevice(w, r)
	if !ok {
		return
	}
	if d.UserID != c.ID {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "only your own phones can be reported lost here").WithKey(keyForbidden))
		return
	}
	s.reportLost(w, r, c, d, "own:"+c.Session.DeviceID)
}

// ownDevices answers GET /api/v1/me/devices.
func (s *Server) ownDevices(w http.ResponseWriter, r *http.Request) {
	c := callerFrom(r.Context())
	devs, err := s.db.UserDevices(r.Context(), c.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := wire.OwnDevicesResponse{Devices: []wire.DeviceView{}, Current: c.Session.DeviceID}
	for _, d := range devs {
		out.Devices = append(out.Devices, deviceView(d))
	}
	writeJSON(w, http.StatusOK, out)
}
