package server

import (
	"bytes"
	"io"
	"net/http"

	"beredskap/internal/ingest"
	"beredskap/internal/plainjson"
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
	if err := decodeSync(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	// Sync health (synchealth.go): what the phone says of its outbox and
	// which announcements its user read, checked before anything is done.
	now := s.cfg.Now().UTC()
	if err := checkOutboxReport("outbox.", req.Outbox, now); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := checkReadMarks(req.Read, now); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req.Records) == 0 && (req.Outbox != nil || len(req.Read) > 0) {
		s.syncReportOnly(w, r, c, req)
		return
	}
	// Read marks go first: should the records fail, the phone sends the
	// marks again, and a mark held already changes nothing.
	if err := s.storeReadMarks(r, c, req.Read); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := ingest.Sync(r.Context(), s.db, s.keys, req, s.cfg.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.storeOutboxReport(r, c.Session.DeviceID, req.Outbox)
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
	s.met.synced(len(req.Records), counts)
	s.log.Info("sync", "user", c.ID, "device", req.DeviceID, "records", len(req.Records),
		"accepted", counts[wire.SyncAccepted], "duplicate", counts[wire.SyncDuplicate],
		"quarantined", counts[wire.SyncQuarantined], "rejected", counts[wire.SyncRejected])
	writeJSON(w, http.StatusOK, resp)
}

// decodeSync reads a sync request as decode does, with the same answer
// for every body. A sync request is mostly base64 (a kilobyte or more per
// record), which encoding/json scans twice before decoding it: the form
// phones send, exactly as encoding/json writes a wire.SyncRequest, is
// decoded here directly. Any other body (white space, escapes, other key
// order, unknown fields, broken JSON, too large) goes through decode's
// own reading, over the bytes read and then the error the read stopped
// at, so that it is answered as before.
func decodeSync(w http.ResponseWriter, r *http.Request, req *wire.SyncRequest) error {
	if err := checkBodyType(r, jsonOnly); err != nil {
		return err
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= wire.MaxSyncBytes {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, readErr := buf.ReadFrom(http.MaxBytesReader(w, r.Body, wire.MaxSyncBytes))
	if readErr == nil && plainSyncRequest(buf.Bytes(), req) {
		return nil
	}
	var body io.Reader = bytes.NewReader(buf.Bytes())
	if readErr != nil {
		body = io.MultiReader(body, failingReader{readErr})
	}
	return decodeJSON(body, req)
}

// failingReader gives the error a read of the body ended with.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

// plainSyncRequest decodes b into req if b is a sync request in exactly
// the form encoding/json writes one, with at least one record, and
// reports whether it was; req is left as it was otherwise.
func plainSyncRequest(b []byte, req *wire.SyncRequest) bool {
	rest, ok := bytes.CutPrefix(b, []byte(`{"device_id":"`))
	if !ok {
		return false
	}
	device, rest, ok := plainjson.CutString(rest)
	if !ok {
		return false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"records":[`)); !ok {
		return false
	}
	var records []wire.SealedRecord
	for {
		if rest, ok = bytes.CutPrefix(rest, []byte(`{"id":"`)); !ok {
			return false
		}
		var id []byte
		if id, rest, ok = plainjson.CutString(rest); !ok {
			return false
		}
		if rest, ok = bytes.CutPrefix(rest, []byte(`,"sealed":"`)); !ok {
			return false
		}
		var sealed []byte
		if sealed, rest, ok = ingest.CutBase64(rest, `"}`); !ok {
			return false
		}
		records = append(records, wire.SealedRecord{ID: string(id), Sealed: sealed})
		if next, more := bytes.CutPrefix(rest, []byte(",")); more {
			rest = next
			continue
		}
		var tail syncTail
		if !bytes.Equal(rest, []byte("]}")) {
			// What a phone adds after its records (sync health) is small:
			// encoding/json reads it, alone. Anything it refuses there
			// (another field, a key given twice) goes the general way.
			after, ok := bytes.CutPrefix(rest, []byte(`],"`))
			if !ok || decodeJSON(io.MultiReader(bytes.NewReader([]byte(`{"`)), bytes.NewReader(after)), &tail) != nil {
				return false
			}
		}
		req.DeviceID, req.Records, req.Outbox, req.Read = string(device), records, tail.Outbox, tail.Read
		return true
	}
}

// syncTail is what may follow a sync request's records: its optional
// fields.
type syncTail struct {
	Outbox *wire.OutboxReport      `json:"outbox"`
	Read   []wire.AnnouncementRead `json:"read"`
}
