package server

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"beredskap/internal/bundle"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// bundle builds, signs and records the caller's shift bundle. Only
// workers and nurses on a registered, unrevoked device get one.
func (s *Server) bundle(w http.ResponseWriter, r *http.Request) {
	c := callerFrom(r.Context())
	if !c.Role.WorksShifts() {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "only workers and nurses carry a shift bundle").WithKey(keyForbidden))
		return
	}
	if c.Session.DeviceID == "" {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "register this device first (POST /api/v1/devices)").WithKey(keyForbidden))
		return
	}
	report, err := bundleReport(r, s.cfg.Now().UTC())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	dev, err := s.db.Device(r.Context(), c.Session.DeviceID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if dev.Revoked != nil {
		s.writeError(w, r, wire.Errorf(wire.CodeDeviceRevoked, "this device has been revoked"))
		return
	}
	if err := s.db.TouchDevice(r.Context(), dev.ID, s.cfg.Now()); err != nil {
		s.log.Warn("device contact not recorded", "device", dev.ID, "err", err)
	}
	s.storeOutboxReport(r, dev.ID, report)
	b, issued, err := bundle.Build(r.Context(), s.db, c.User, dev.ID, s.cfg.Now(), bundle.Config{
		OfflineFor: s.cfg.OfflineFor, Location: s.cfg.Location, IdleLockMinutes: s.cfg.IdleLockMinutes,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := json.Marshal(b)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	issued.Bytes = len(body)
	if err := s.db.PutIssuedBundle(r.Context(), issued); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, store.Audit{Actor: c.ID, Action: store.AuditBundle, Subject: b.ID,
		Detail: fmt.Sprintf("device=%s visits=%d patients=%d expires=%s", dev.ID, len(b.Visits), len(b.Patients), b.ExpiresAt.Format(time.RFC3339))})
	s.log.Info("bundle issued", "user", c.ID, "device", dev.ID, "bundle", b.ID, "visits", len(b.Visits), "bytes", len(body))
	writeJSON(w, http.StatusOK, wire.BundleResponse{Bundle: body, Signature: ed25519.Sign(s.keys.Sign, body), KeyID: s.keys.KeyID()})
}
