package shift

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/seal"
)

// Outbox states of a record, shown to the user.
const (
	OutboxWaiting     = "waiting"
	OutboxSent        = "sent"
	OutboxQuarantined = "quarantined"
	OutboxRejected    = "rejected"
)

// outboxEntry is a record waiting for the server: the signed record sealed
// to the server's key, which nobody on the phone can open, plus what the
// sync needs to send it and show its state. Once the server has
// acknowledged it, the sealed bytes are dropped.
type outboxEntry struct {
	ID       string `json:"id"`
	DeviceID string `json:"device_id"`
	Seq      uint64 `json:"seq"`
	Sealed   []byte `json:"sealed,omitempty"`
	State    string `json:"state"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`
	// Key and Args are a rejection's reason as a catalogue key (absent
	// in entries written before they were kept).
	Key  string   `json:"key,omitempty"`
	Args []string `json:"args,omitempty"`
	// Created is when the record was made, for the outbox report (absent
	// in entries written before it was kept: created() reads the id).
	Created time.Time `json:"created,omitzero"`
}

// LocalRecord is a record as the phone shows it: the record and where it
// stands with the server.
type LocalRecord struct {
	care.Record
	State   string
	Code    string
	Message string
	// Key and Args name a rejection's reason in the catalogue (RejectionText).
	Key  string
	Args []string
}

// ErrLocked means the shift must be unlocked first.
var ErrLocked = errors.New("the shift is locked")

// NotSaved says, in the user's language, that a record Write refused was
// not saved, and why when the user can do something about it: the
// browser's storage for the app is full.
func (s *Outbox) NotSaved(err error) string {
	if errors.Is(err, vault.ErrQuotaExceeded) {
		return s.sh.T("error.quota_not_saved")
	}
	return s.sh.T("error.not_saved")
}

// Write completes a record (id, device, author, time, sequence number),
// signs it with the device key, seals it to the server, and stores it in
// the outbox with a readable copy sealed under the data key, in one
// durable transaction. Only when Write returns nil may the app say
// "saved". A record about a patient of the unit part carries the reason
// given when the card was opened.
func (s *Outbox) Write(ctx context.Context, r care.Record) (care.Record, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	key, sess, b := s.key, s.sess, s.bundle
	s.mu.Unlock()
	if key == nil || sess == nil || b == nil {
		return r, ErrLocked
	}
	if r.EmergencyReason == "" && !b.OwnPatient(r.PatientID) {
		r.EmergencyReason = s.EmergencyReason(r.PatientID)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return r, fmt.Errorf("write record: %w", err)
	}
	seqKey := metaSeqPre + sess.DeviceID
	var seq uint64
	if raw, err := s.vault.Get(ctx, vault.Meta, seqKey); err == nil {
		seq, _ = strconv.ParseUint(string(raw), 10, 64)
	} else if !errors.Is(err, vault.ErrNotFound) {
		return r, fmt.Errorf("write record: %w", err)
	}
	seq++
	r.ID, r.DeviceID, r.AuthorID, r.Seq = id.String(), sess.DeviceID, sess.User.ID, seq
	r.CreatedAt = s.now().UTC()
	// Written in a drill the shift holds: marked, so that it never
	// counts as real documentation.
	r.DrillID = b.DrillFor(r.PatientID, r.CreatedAt)
	if err := r.Validate(); err != nil {
		return r, err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return r, fmt.Errorf("write record: %w", err)
	}
	sealed, err := seal.SealRecord(body, sess.deviceKey(), sess.SealKey)
	if err != nil {
		return r, fmt.Errorf("write record: %w", err)
	}
	local, err := seal.Seal(key, body, seal.AssociatedData(sess.User.ID, sess.DeviceID, "record/"+r.ID))
	if err != nil {
		return r, fmt.Errorf("write record: %w", err)
	}
	entry, err := putJSON(vault.Outbox, r.ID, outboxEntry{ID: r.ID, DeviceID: sess.DeviceID, Seq: seq, Sealed: sealed, State: OutboxWaiting, Created: r.CreatedAt})
	if err != nil {
		return r, fmt.Errorf("write record: %w", err)
	}
	if err := s.vault.Commit(ctx, entry,
		vault.Put(vault.Local, r.ID, local),
		vault.Put(vault.Meta, seqKey, []byte(strconv.FormatUint(seq, 10))),
	); err != nil {
		return r, fmt.Errorf("write record: %w", err)
	}
	s.mu.Lock()
	if s.key != nil {
		s.records = append(s.records, LocalRecord{Record: r, State: OutboxWaiting})
	}
	s.waiting++
	s.lastActive = s.now()
	s.mu.Unlock()
	s.notify()
	s.sy.WakeSync()
	return r, nil
}

// loadRecords opens every readable copy made under this shift's key and
// joins it with its outbox state.
func (s *core) loadRecords(ctx context.Context, key []byte, own *owner) ([]LocalRecord, error) {
	states, err := s.outbox(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := s.vault.List(ctx, vault.Local)
	if err != nil {
		return nil, err
	}
	var out []LocalRecord
	for _, e := range entries {
		body, err := seal.Open(key, e.Value, seal.AssociatedData(own.UserID, own.DeviceID, "record/"+e.Key))
		if err != nil {
			continue // a copy from an earlier shift's key
		}
		var lr LocalRecord
		if err := json.Unmarshal(body, &lr.Record); err != nil {
			continue
		}
		lr.State = OutboxWaiting
		if o, ok := states[lr.ID]; ok {
			lr.State, lr.Code, lr.Message, lr.Key, lr.Args = o.State, o.Code, o.Message, o.Key, o.Args
		}
		out = append(out, lr)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
}

// outbox reads every outbox entry by id and counts those still waiting.
func (s *core) outbox(ctx context.Context) (map[string]outboxEntry, error) {
	entries, err := s.vault.List(ctx, vault.Outbox)
	if err != nil {
		return nil, err
	}
	out := make(map[string]outboxEntry, len(entries))
	waiting := 0
	for _, e := range entries {
		var o outboxEntry
		if err := json.Unmarshal(e.Value, &o); err != nil {
			return nil, fmt.Errorf("outbox entry %s: %w", e.Key, err)
		}
		out[o.ID] = o
		if o.State == OutboxWaiting {
			waiting++
		}
	}
	s.mu.Lock()
	s.waiting = waiting
	s.mu.Unlock()
	return out, nil
}

// OpenEmergency records emergency access to a patient outside the
// worker's own list: an access record with the reason goes to the outbox
// (and is reviewed by a coordinator after sync) before the card opens.
func (s *Outbox) OpenEmergency(ctx context.Context, patientID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return &care.ValidationError{Field: "reason", Problem: "is required"}
	}
	b := s.sh.Bundle()
	if b == nil {
		return ErrLocked
	}
	if _, ok := b.Patient(patientID); !ok {
		return fmt.Errorf("emergency access: no patient %s in the shift", patientID)
	}
	at := s.now().UTC()
	_, err := s.Write(ctx, care.Record{Type: care.RecordAccess, PatientID: patientID, Reason: reason, At: &at, EmergencyReason: reason})
	return err
}

// Granted reports whether a patient of the unit part has been opened with
// an emergency-access reason in this shift.
func (s *Outbox) Granted(patientID string) bool { return s.EmergencyReason(patientID) != "" }

// EmergencyReason returns the reason given when the patient was opened
// with emergency access, or "".
func (s *Outbox) EmergencyReason(patientID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.records {
		if r.Type == care.RecordAccess && r.PatientID == patientID {
			return r.Reason
		}
	}
	return ""
}

// OutboxCount returns how many records wait to be sent, reading the store.
func (s *Outbox) OutboxCount(ctx context.Context) (int, error) {
	if _, err := s.outbox(ctx); err != nil {
		return 0, err
	}
	return s.Waiting(), nil
}

// Waiting is how many records are not yet acknowledged by the server.
func (s *Outbox) Waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting
}

// Records returns this shift's records about a patient (all of them when
// patientID is ""), oldest first.
func (s *Outbox) Records(patientID string) []LocalRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []LocalRecord
	for _, r := range s.records {
		if patientID == "" || r.PatientID == patientID {
			out = append(out, r)
		}
	}
	return out
}

// VisitStatus returns the latest status recorded for a visit, or nil.
func (s *Outbox) VisitStatus(visitID string) *LocalRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.records) - 1; i >= 0; i-- {
		if r := s.records[i]; r.Type == care.RecordVisitStatus && r.VisitID == visitID {
			return &r
		}
	}
	return nil
}

// DoseRecords returns what was recorded for a scheduled dose, oldest first.
func (s *Outbox) DoseRecords(scheduleID string) []LocalRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []LocalRecord
	for _, r := range s.records {
		if r.Type == care.RecordMedication && r.ScheduleID == scheduleID {
			out = append(out, r)
		}
	}
	return out
}

// pruneOutbox deletes acknowledged records from the outbox once no shift
// is on the phone: the server has them, and the bundle they belonged to is
// gone. Records still waiting, and refused ones (which the server never
// took), stay.
func (s *core) pruneOutbox(ctx context.Context) error {
	s.mu.Lock()
	hasShift := s.owner != nil
	s.mu.Unlock()
	if hasShift {
		return nil
	}
	entries, err := s.vault.List(ctx, vault.Outbox)
	if err != nil {
		return err
	}
	var dels []vault.Write
	for _, e := range entries {
		var o outboxEntry
		if json.Unmarshal(e.Value, &o) == nil && (o.State == OutboxSent || o.State == OutboxQuarantined) {
			dels = append(dels, vault.Del(vault.Outbox, e.Key))
		}
	}
	if len(dels) == 0 {
		return nil
	}
	return s.vault.Commit(ctx, dels...)
}
