package server

import (
	"crypto/ed25519"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// registerDevice ties a phone's ed25519 public key to the logged-in user
// and to the session, so that bundles and records can be traced to the
// phone that held them.
func (s *Server) registerDevice(w http.ResponseWriter, r *http.Request) {
	c := callerFrom(r.Context())
	var req wire.DeviceRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req.PublicKey) != ed25519.PublicKeySize {
		s.writeError(w, r, wire.Errorf(wire.CodeInvalidInput, "public_key must be a 32-byte ed25519 key in base64"))
		return
	}
	label := strings.TrimSpace(req.Label)
	if err := care.CheckDeviceLabel(label); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.cfg.Now().UTC()
	d := store.Device{ID: uuid.NewString(), UserID: c.ID, PublicKey: req.PublicKey, Label: label, Created: now, LastSeen: now}
	if err := s.db.PutDevice(r.Context(), d); err != nil {
		s.writeError(w, r, err)
		return
	}
	sess := c.Session
	sess.DeviceID = d.ID
	if err := s.db.PutSession(r.Context(), sess); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("device registered", "user", c.ID, "device", d.ID)
	s.audit(r, store.Audit{Actor: c.ID, Action: store.AuditDevice, Subject: d.ID, Detail: "label=" + label})
	writeJSON(w, http.StatusOK, wire.DeviceResponse{DeviceID: d.ID})
}

func deviceView(d store.Device) wire.DeviceView {
	return wire.DeviceView{ID: d.ID, UserID: d.UserID, Label: d.Label, Created: d.Created, LastSeen: d.LastSeen, Revoked: d.Revoked}
}

func (s *Server) revokeDevice(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	d, err := s.db.RevokeDevice(r.Context(), r.PathValue("id"), c.ID, s.cfg.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("device revoked", "device", d.ID, "user", d.UserID, "by", c.ID)
	writeJSON(w, http.StatusOK, deviceView(d))
}
