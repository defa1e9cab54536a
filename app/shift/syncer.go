package shift

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
func (s *Syncer) WakeSync() {
	select {
	case s.syncWake <- struct{}{}:
	default:
	}
}

// NeedsLogin reports that records wait because the session has ended.
func (s *Syncer) NeedsLogin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.needsLogin
}

// token is the session to send with: the open shift's, or the one just
// logged in (before the PIN is chosen, and after a wipe).
func (s *core) token() (token, deviceID string) {
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
// the outbox. Only the server's answer for a record marks it rejected: a
// request that fails as a whole (offline, a server error, a refusal of the
// request, an ended session) leaves its records waiting for the next try.
// A device whose requests the server refuses does not hold back the other
// devices' records. SyncNow returns the first error; records not sent stay
// waiting.
func (s *Syncer) SyncNow(ctx context.Context) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if s.NeedsLogin() {
		// The session is over: asking again with it only gets the same
		// answer. A new login clears this.
		return ErrNeedsLogin
	}
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
	tally, err := s.tally(ctx)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if len(order) == 0 && s.readsPending() && current != "" {
		// Nothing to send but read marks: a contact of their own.
		return s.sendRequest(ctx, token, current, true, nil, tally)
	}
	var refused error
	for _, dev := range order {
		err := s.sendDevice(ctx, token, dev, dev == current, byDevice[dev], tally)
		switch {
		case err == nil:
		case refusedRequest(err):
			// Say, a device the server no longer knows after a restore:
			// its records wait, the next device's may still go.
			if refused == nil {
				refused = err
			}
		default:
			return err
		}
	}
	return refused
}

// sendDevice sends one device's waiting records, batch by batch, and stops
// at the first batch that fails.
func (s *core) sendDevice(ctx context.Context, token, deviceID string, current bool, records []outboxEntry, tally *outboxTally) error {
	for _, batch := range batches(records) {
		if err := s.sendBatch(ctx, token, deviceID, current, batch, tally); err != nil {
			return err
		}
	}
	return nil
}

// batches cuts a device's records, in order, into requests of at most
// syncBatchRecords records and, unless one record alone is bigger,
// syncBatchBytes bytes.
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

// sendBatch sends a batch. When the server finds a request too large (a
// proxy with a smaller limit, a server with a lower one), the batch goes
// in halves, and the size that was accepted is kept for the rest of it;
// a server that refuses even one record gets about log2(batch) requests,
// not one per record.
func (s *core) sendBatch(ctx context.Context, token, deviceID string, current bool, batch []outboxEntry, tally *outboxTally) error {
	size := len(batch)
	for len(batch) > 0 {
		n := min(size, len(batch))
		err := s.sendRequest(ctx, token, deviceID, current, batch[:n], tally)
		if ErrorCode(err) == wire.CodeTooLarge && n > 1 {
			size = n / 2
			continue
		}
		if err != nil {
			return err
		}
		batch = batch[n:]
	}
	return nil
}

// sendRequest makes one sync request and records the server's answers.
// It carries the outbox report (what waits besides the batch) and the
// read marks not yet sent; when the server refuses the request as
// invalid, the records go again without them, which must never hold a
// record back.
func (s *core) sendRequest(ctx context.Context, token, deviceID string, current bool, batch []outboxEntry, tally *outboxTally) error {
	user := s.sessionUser()
	req := wire.SyncRequest{DeviceID: deviceID, Records: make([]wire.SealedRecord, len(batch)),
		Outbox: tally.report(batch), Read: s.readsFor(user)}
	for i, o := range batch {
		req.Records[i] = wire.SealedRecord{ID: o.ID, Sealed: o.Sealed}
	}
	resp, err := s.api.Sync(ctx, token, req)
	if ErrorCode(err) == wire.CodeInvalidInput {
		if len(batch) == 0 {
			// Marks the server refuses as they are: sending them again
			// changes nothing.
			_ = s.dropReads(ctx, user, req.Read)
		} else {
			req.Outbox, req.Read = nil, nil
			resp, err = s.api.Sync(ctx, token, req)
		}
	}
	s.observe(err)
	if ErrorCode(err) == wire.CodeUnauthorized {
		s.mu.Lock()
		s.needsLogin = true
		s.mu.Unlock()
		s.notify()
		return ErrNeedsLogin
	}
	if err != nil {
		// The whole request failed: that says nothing about any one
		// record, which the server has not taken. They stay waiting (and
		// keep their sealed bytes) for the next try; a record the phone
		// said was saved must reach the server.
		return fmt.Errorf("sync: %w", err)
	}
	tally.answered(batch)
	if err := s.dropReads(ctx, user, req.Read); err != nil {
		return err
	}
	if err := s.apply(ctx, batch, resp.Results); err != nil {
		return err
	}
	if resp.Wipe && current {
		return s.wipeRevoked(ctx, token)
	}
	return nil
}

// refusedRequest reports whether the server refused a request for what it
// carried (its device, its form, its size) rather than for the network,
// its own trouble or the session: another device's request may still go.
func refusedRequest(err error) bool {
	switch ErrorCode(err) {
	case wire.CodeInvalidInput, wire.CodeForbidden, wire.CodeDeviceRevoked,
		wire.CodeNotFound, wire.CodeConflict, wire.CodeTooLarge:
		return true
	}
	return false
}

// apply stores the server's answers in the outbox, durably, and updates
// what the pages show. Acknowledged records drop their sealed bytes.
func (s *core) apply(ctx context.Context, batch []outboxEntry, results []wire.SyncResult) error {
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
			o.State, o.Code, o.Message, o.Key, o.Args = OutboxRejected, string(res.Code), res.Message, res.Key, res.Args
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
			s.records[i].Key, s.records[i].Args = o.Key, o.Args
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
// jitter, up to five minutes; a wake still tries at once, since it means
// something changed. An ended session stops it until the next login. It
// never blocks the pages.
func (s *Syncer) RunSync(ctx context.Context, interval time.Duration) {
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
		if s.NeedsLogin() {
			// The session has ended: nothing goes until the next login,
			// which wakes this loop.
			continue
		}
		if s.pr.LangUnsent() {
			// A language chosen offline goes with the next contact; a
			// failure waits for the next round.
			_ = s.pr.SendLang(ctx)
		}
		if s.ob.Waiting() == 0 && !s.readsPending() {
			if _, err := s.outbox(ctx); err != nil || s.ob.Waiting() == 0 {
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

// Observe records whether a request the pages made themselves (the desk's)
// reached the server, and reports whether the phone just came back online.
func (s *Syncer) Observe(err error) (cameBack bool) { return s.observe(err) }

// Online reports whether the last request reached the server, and whether
// any request has been made yet (known).
func (s *Syncer) Online() (online, known bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.online, s.onlineKnown
}
