package server

import (
	"net/http"

	"beredskap/internal/ingest"
	"beredskap/internal/wire"
)

// sync takes a batch of sealed records from a phone. Any logged-in worker
// or nurse may deliver a batch: each record is signed by the device that
// made it, so a phone shared after a wipe can still send what an earlier
// user left in its outbox.
func (s *Server) sync(w http.ResponseWriter, r *http.Request) {
	c := callerFrom(r.Context())
	if !c.Role.WorksShifts() {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "only workers and nurses sync records").WithKey(keyForbidden))
		return
	}
	var req wire.SyncRequest
	if err := decode(w, r, wire.MaxSyncBytes, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := ingest.Sync(r.Context(), s.db, s.keys, req, s.cfg.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := out.Response
	// "Last seen" moves only on proof that the device was there: a record
	// its key signed, or a call by the session tied to it. Anyone may send
	// bytes under any device id, and a lost phone's last contact is what
	// an admin reads to decide about it.
	if out.Verified > 0 || c.Session.DeviceID == req.DeviceID {
		if err := s.db.TouchDevice(r.Context(), req.DeviceID, s.cfg.Now()); err != nil {
			s.log.Warn("device contact not recorded", "device", req.DeviceID, "err", err)
		}
	}
	counts := map[string]int{}
	for _, res := range resp.Results {
		counts[res.Status]++
	}
	s.log.Info("sync", "user", c.ID, "device", req.DeviceID, "records", len(req.Records),
		"accepted", counts[wire.SyncAccepted], "duplicate", counts[wire.SyncDuplicate],
		"quarantined", counts[wire.SyncQuarantined], "rejected", counts[wire.SyncRejected])
	writeJSON(w, http.StatusOK, resp)
}
