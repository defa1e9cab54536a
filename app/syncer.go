package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"beredskap/app/vault"
	"beredskap/internal/wire"
)

// Sync batches stay below the server's limits with room for the JSON
// around the base64 (which is 4/3 of the sealed bytes).
const (
	syncBatchRecords = wire.MaxSyncRecords
	syncBatchBytes   = wire.MaxSyncBytes * 7 / 10
)

// ErrNeedsLogin means the server ended the session: records wait in the
// outbox until the next login.
var ErrNeedsLogin = errors.New("log in again to send")

// WakeSync asks the sync loop to run now. It never blocks.
func (s *Shift) WakeSync() {
	select {
	case s.syncWake <- struct{}{}:
	default:
	}
}

// NeedsLogin reports that records wait because the session has ended.
func (s *Shift) NeedsLogin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.needsLogin
}

// token is the session to send with: the open shift's, or the one just
// logged in (before the PIN is chosen, and after a wipe).
func (s *Shift) token() (token, deviceID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.sess != nil:
		return s.sess.Token, s.sess.DeviceID
	case s.pending != nil:
		return s.pending.Token, s.pending.DeviceID
	}
	return "", ""
}

// SyncNow sends every waiting record, grouped by the device that signed
// it, in batches within the server's limits, and records each answer in
// the outbox. It returns the first error that stopped it; records not
// sent stay waiting.
func (s *Shift) SyncNow(ctx context.Context) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	token, current := s.token()
	if token == "" {
		return ErrLocked
	}
	entries, err := s.vault.List(ctx, vault.Outbox)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	// Keys are UUIDv7, so key order is the order records were written.
	var order []string
	byDevice := map[string][]outboxEntry{}
	for _, e := range entries {
		var o outboxEntry
		if err := json.Unmarshal(e.Value, &o); err != nil {
			return fmt.Errorf("sync: outbox entry %s: %w", e.Key, err)
		}
		if o.State != OutboxWaiting || len(o.Sealed) == 0 {
			continue
		}
		if _, ok := byDevice[o.DeviceID]; !ok {
			order = append(order, o.DeviceID)
		}
		byDevice[o.DeviceID] = append(byDevice[o.DeviceID], o)
	}
	for _, dev := range order {
		for _, batch := range batches(byDevice[dev]) {
			if err := s.sendBatch(ctx, token, dev, dev == current, batch); err != nil {
				return err
			}
		}
	}
	return nil
}

func batches(all []outboxEntry) [][]outboxEntry {
	var out [][]outboxEntry
	var cur []outboxEntry
	size := 0
	for _, o := range all {
		n := len(o.Sealed)*4/3 + 64
		if len(cur) > 0 && (len(cur) == syncBatchRecords || size+n > syncBatchBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, o)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func (s *Shift) sendBatch(ctx context.Context, token, deviceID string, current bool, batch []outboxEntry) error {
	req := wire.SyncRequest{DeviceID: deviceID, Records: make([]wire.SealedRecord, len(batch))}
	for i, o := range batch {
		req.Records[i] = wire.SealedRecord{ID: o.ID, Sealed: o.Sealed}
	}
	resp, err := s.api.Sync(ctx, token, req)
	s.observe(err)
	switch code := ErrorCode(err); {
	case err == nil:
	case code == wire.CodeUnauthorized:
		s.mu.Lock()
		s.needsLogin = true
		s.mu.Unlock()
		s.notify()
		return ErrNeedsLogin
	case code == wire.CodeForbidden || code == wire.CodeInvalidInput:
		// The server refuses the whole batch (say, it does not know the
		// device): mark the records so that people see it; the coordinator
		// can still be shown the phone.
		res := make([]wire.SyncResult, len(batch))
		for i, o := range batch {
			res[i] = wire.SyncResult{ID: o.ID, Status: wire.SyncRejected, Code: code, Message: err.Error()}
		}
		return s.apply(ctx, batch, res)
	default:
		return err
	}
	if err := s.apply(ctx, batch, resp.Results); err != nil {
		return err
	}
	if resp.Wipe && current {
		return s.Wipe(ctx, WipeRevoked)
	}
	return nil
}

// apply stores the server's answers in the outbox, durably, and updates
// what the pages show. Acknowledged records drop their sealed bytes.
func (s *Shift) apply(ctx context.Context, batch []outboxEntry, results []wire.SyncResult) error {
	byID := map[string]wire.SyncResult{}
	for _, r := range results {
		byID[r.ID] = r
	}
	var writes []vault.Write
	changed := map[string]outboxEntry{}
	for _, o := range batch {
		res, ok := byID[o.ID]
		if !ok {
			continue // no answer: stays waiting
		}
		switch res.Status {
		case wire.SyncAccepted, wire.SyncDuplicate:
			o.State = OutboxSent
		case wire.SyncQuarantined:
			o.State = OutboxQuarantined
		default:
			o.State, o.Code, o.Message = OutboxRejected, string(res.Code), res.Message
		}
		if o.State != OutboxRejected {
			o.Sealed = nil
		}
		w, err := putJSON(vault.Outbox, o.ID, o)
		if err != nil {
			return err
		}
		writes = append(writes, w)
		changed[o.ID] = o
	}
	if len(writes) == 0 {
		return nil
	}
	if err := s.vault.Commit(ctx, writes...); err != nil {
		return fmt.Errorf("sync: record answers: %w", err)
	}
	s.mu.Lock()
	for i := range s.records {
		if o, ok := changed[s.records[i].ID]; ok {
			s.records[i].State, s.records[i].Code, s.records[i].Message = o.State, o.Code, o.Message
		}
	}
	s.waiting -= len(changed)
	if s.waiting < 0 {
		s.waiting = 0
	}
	s.mu.Unlock()
	s.notify()
	return s.pruneOutbox(ctx)
}

// RunSync sends the outbox whenever woken (a new record, the browser's
// online event, the server answering again, the sync button, unlock) and
// every interval while records wait. Failures back off exponentially, with
// jitter, up to five minutes. It never blocks the pages.
func (s *Shift) RunSync(ctx context.Context, interval time.Duration) {
	backoff := time.Duration(0)
	for {
		wait := interval
		if backoff > 0 {
			wait = backoff
		}
		select {
		case <-ctx.Done():
			return
		case <-s.syncWake:
		case <-time.After(wait):
		}
		if s.LangUnsent() {
			// A language chosen offline goes with the next contact; a
			// failure waits for the next round.
			_ = s.SendLang(ctx)
		}
		if s.Waiting() == 0 {
			if _, err := s.outbox(ctx); err != nil || s.Waiting() == 0 {
				continue
			}
		}
		err := s.SyncNow(ctx)
		switch {
		case err == nil, errors.Is(err, ErrLocked), errors.Is(err, ErrNeedsLogin):
			backoff = 0
		default:
			backoff = nextBackoff(backoff)
		}
	}
}

// nextBackoff doubles the wait from 2 s up to 5 minutes, ±25 % jitter so
// that a whole unit's phones do not retry in step when the network returns.
func nextBackoff(prev time.Duration) time.Duration {
	const first, max = 2 * time.Second, 5 * time.Minute
	next := prev * 2
	if next < first {
		next = first
	}
	if next > max {
		next = max
	}
	jitter := time.Duration(rand.Int64N(int64(next/2))) - next/4
	return next + jitter
}
