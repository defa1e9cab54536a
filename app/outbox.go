package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/seal"
)

// Outbox states of a record, shown to the user.
const (
	OutboxWaiting  = "waiting"
	OutboxSent     = "sent"
	OutboxRejected = "rejected"
)

// outboxEntry is a record waiting for the server: the signed record sealed
// to the server's key, which nobody on the phone can open, plus what the
// sync needs to send it and show its state.
type outboxEntry struct {
	ID       string `json:"id"`
	DeviceID string `json:"device_id"`
	Seq      uint64 `json:"seq"`
	Sealed   []byte `json:"sealed"`
	State    string `json:"state"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`
}

// ErrLocked means the shift must be unlocked first.
var ErrLocked = errors.New("the shift is locked")

// Write completes a record (id, device, author, time, sequence number),
// signs it with the device key, seals it to the server, and stores it in
// the outbox with a readable copy sealed under the data key, in one
// durable transaction. Only when Write returns nil may the app say
// "saved".
func (s *Shift) Write(ctx context.Context, r care.Record) (care.Record, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	key, sess := s.key, s.sess
	s.mu.Unlock()
	if key == nil || sess == nil {
		return r, ErrLocked
	}
	id, err := uuid.NewV7()
	if err != nil {
		return r, fmt.Errorf("write record: %w", err)
	}
	seqKey := metaSeqPre + sess.DeviceID
	var seq uint64
	if b, err := s.vault.Get(ctx, vault.Meta, seqKey); err == nil {
		seq, _ = strconv.ParseUint(string(b), 10, 64)
	} else if !errors.Is(err, vault.ErrNotFound) {
		return r, fmt.Errorf("write record: %w", err)
	}
	seq++
	r.ID, r.DeviceID, r.AuthorID, r.Seq = id.String(), sess.DeviceID, sess.User.ID, seq
	r.CreatedAt = s.now().UTC()
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
	entry, err := putJSON(vault.Outbox, r.ID, outboxEntry{ID: r.ID, DeviceID: sess.DeviceID, Seq: seq, Sealed: sealed, State: OutboxWaiting})
	if err != nil {
		return r, fmt.Errorf("write record: %w", err)
	}
	if err := s.vault.Commit(ctx, entry,
		vault.Put(vault.Local, r.ID, local),
		vault.Put(vault.Meta, seqKey, []byte(strconv.FormatUint(seq, 10))),
	); err != nil {
		return r, fmt.Errorf("write record: %w", err)
	}
	s.Touch()
	return r, nil
}

// localRecords opens every readable copy made under this shift's key.
func (s *Shift) localRecords(ctx context.Context, key []byte, own *owner) ([]care.Record, error) {
	entries, err := s.vault.List(ctx, vault.Local)
	if err != nil {
		return nil, err
	}
	var out []care.Record
	for _, e := range entries {
		body, err := seal.Open(key, e.Value, seal.AssociatedData(own.UserID, own.DeviceID, "record/"+e.Key))
		if err != nil {
			continue // a copy from an earlier shift's key
		}
		var r care.Record
		if err := json.Unmarshal(body, &r); err == nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// grantedFromLocal finds the unit-part patients already opened with an
// emergency-access reason in this shift.
func (s *Shift) grantedFromLocal(ctx context.Context, key []byte, own *owner) (map[string]bool, error) {
	recs, err := s.localRecords(ctx, key, own)
	if err != nil {
		return nil, err
	}
	granted := map[string]bool{}
	for _, r := range recs {
		if r.Type == care.RecordAccess {
			granted[r.PatientID] = true
		}
	}
	return granted, nil
}

// OpenEmergency records emergency access to a patient outside the
// worker's own list: an access record with the reason goes to the outbox
// (and is reviewed by a coordinator after sync) before the card opens.
func (s *Shift) OpenEmergency(ctx context.Context, patientID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return &care.ValidationError{Field: "reason", Problem: "is required"}
	}
	b := s.Bundle()
	if b == nil {
		return ErrLocked
	}
	if _, ok := b.Patient(patientID); !ok {
		return fmt.Errorf("emergency access: no patient %s in the shift", patientID)
	}
	at := s.now().UTC()
	if _, err := s.Write(ctx, care.Record{Type: care.RecordAccess, PatientID: patientID, Reason: reason, At: &at, EmergencyReason: reason}); err != nil {
		return err
	}
	s.mu.Lock()
	if s.granted != nil {
		s.granted[patientID] = true
	}
	s.mu.Unlock()
	s.notify()
	return nil
}

// OutboxCount returns how many records wait to be sent.
func (s *Shift) OutboxCount(ctx context.Context) (int, error) {
	entries, err := s.vault.List(ctx, vault.Outbox)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		var o outboxEntry
		if json.Unmarshal(e.Value, &o) == nil && o.State == OutboxWaiting {
			n++
		}
	}
	return n, nil
}
