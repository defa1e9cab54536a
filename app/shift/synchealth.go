package shift

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// Sync health (issue 19, item 4): at every contact the phone tells the
// server how many records wait in its outbox and when the oldest was
// made, and which important announcements its user has read, so that the
// desk sees after an outage whose phone still holds records and who has
// read what. None of it may hold a record back: a server that refuses
// the report (an older one, or one that finds the phone's clock wrong)
// gets the records again without it.

// metaReads is the Meta key of the read marks not yet sent.
const metaReads = "annread"

// readMark is an announcement its user read on this phone; it waits in
// Meta until a server has taken it, and goes only with a session of that
// user.
type readMark struct {
	ID     string    `json:"id"`
	UserID string    `json:"user_id"`
	At     time.Time `json:"at"`
}

// created is when an outbox entry's record was made: kept with the entry,
// or, for an entry written before it was, the time in its UUIDv7 id.
func (o outboxEntry) created() (time.Time, bool) {
	if !o.Created.IsZero() {
		return o.Created, true
	}
	u, err := uuid.Parse(o.ID)
	if err != nil || u.Version() != 7 {
		return time.Time{}, false
	}
	sec, nsec := u.Time().UnixTime()
	return time.Unix(sec, nsec).UTC(), true
}

// outboxTally is what waits in the outbox while a sync runs: each waiting
// record's id and time, less those the server has answered.
type outboxTally struct {
	waiting map[string]time.Time // zero: its time is not known
}

// tally reads the outbox's waiting records.
func (s *core) tally(ctx context.Context) (*outboxTally, error) {
	entries, err := s.vault.List(ctx, vault.Outbox)
	if err != nil {
		return nil, fmt.Errorf("outbox report: %w", err)
	}
	t := &outboxTally{waiting: map[string]time.Time{}}
	for _, e := range entries {
		var o outboxEntry
		if err := json.Unmarshal(e.Value, &o); err != nil {
			return nil, fmt.Errorf("outbox report: entry %s: %w", e.Key, err)
		}
		if o.State == OutboxWaiting {
			at, _ := o.created()
			t.waiting[o.ID] = at
		}
	}
	return t, nil
}

// report says what will still wait once the server has answered batch.
func (t *outboxTally) report(batch []outboxEntry) *wire.OutboxReport {
	in := make(map[string]bool, len(batch))
	for _, o := range batch {
		in[o.ID] = true
	}
	rep := &wire.OutboxReport{}
	for id, at := range t.waiting {
		if in[id] {
			continue
		}
		rep.Waiting++
		if !at.IsZero() && (rep.OldestWaiting == nil || at.Before(*rep.OldestWaiting)) {
			a := at
			rep.OldestWaiting = &a
		}
	}
	return rep
}

// answered takes the batch the server answered out of the tally.
func (t *outboxTally) answered(batch []outboxEntry) {
	for _, o := range batch {
		delete(t.waiting, o.ID)
	}
}

// sessionUser is the id of the user whose session the phone sends with.
func (s *core) sessionUser() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.sess != nil:
		return s.sess.User.ID
	case s.pending != nil:
		return s.pending.User.ID
	}
	return ""
}

// readsFor returns the read marks of userID not yet sent.
func (s *core) readsFor(userID string) []wire.AnnouncementRead {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []wire.AnnouncementRead
	for _, m := range s.reads {
		if m.UserID == userID && userID != "" && len(out) < wire.MaxReadMarks {
			out = append(out, wire.AnnouncementRead{ID: m.ID, At: m.At})
		}
	}
	return out
}

// readsPending reports whether read marks of the session's user wait.
func (s *core) readsPending() bool { return len(s.readsFor(s.sessionUser())) > 0 }

// dropReads forgets userID's marks among sent, durably: the server took
// them (or refused them as they are, which sending again would not
// change).
func (s *core) dropReads(ctx context.Context, userID string, sent []wire.AnnouncementRead) error {
	if len(sent) == 0 {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	s.reads = slices.DeleteFunc(slices.Clone(s.reads), func(m readMark) bool {
		return m.UserID == userID && slices.ContainsFunc(sent, func(r wire.AnnouncementRead) bool { return r.ID == m.ID })
	})
	left := slices.Clone(s.reads)
	s.mu.Unlock()
	w, err := putJSON(vault.Meta, metaReads, left)
	if err != nil {
		return err
	}
	if err := s.vault.Commit(ctx, w); err != nil {
		return fmt.Errorf("read marks sent: %w", err)
	}
	return nil
}

// markRead keeps a read mark for each of the important announcements the
// user has just acknowledged, durably, and wakes the sync that sends them.
func (s *core) markRead(ctx context.Context, anns []care.Announcement) {
	s.mu.Lock()
	var user string
	switch {
	case s.owner != nil:
		user = s.owner.UserID
	case s.pending != nil && s.pending.User.Role.WorksShifts():
		user = s.pending.User.ID
	}
	if user == "" {
		s.mu.Unlock()
		return
	}
	at := s.now().UTC()
	added := false
	for _, a := range anns {
		if a.Level != care.LevelImportant || slices.ContainsFunc(s.reads, func(m readMark) bool { return m.ID == a.ID && m.UserID == user }) {
			continue
		}
		s.reads = append(s.reads, readMark{ID: a.ID, UserID: user, At: at})
		added = true
	}
	marks := slices.Clone(s.reads)
	s.mu.Unlock()
	if !added {
		return
	}
	if w, err := putJSON(vault.Meta, metaReads, marks); err == nil {
		s.writeMu.Lock()
		_ = s.vault.Commit(ctx, w)
		s.writeMu.Unlock()
	}
	s.sy.WakeSync()
}

// loadReads reads the marks not yet sent at start.
func (s *core) loadReads(ctx context.Context) ([]readMark, error) {
	var marks []readMark
	if err := s.getJSON(ctx, vault.Meta, metaReads, &marks); err != nil && !errors.Is(err, vault.ErrNotFound) {
		return nil, err
	}
	return marks, nil
}

// reportWait is how long a bundle fetch waits for a sync under way to
// end before it goes without the outbox report.
const reportWait = 10 * time.Second

// bundleReporting fetches the bundle with the outbox report, one contact
// at a time with the syncs: a report counted while a sync runs could
// reach the server after the sync's own, later one. A sync that fails
// ends at once; one that runs long (a big outbox after an outage) makes
// the bundle go without the report, since the sync's reports say more.
func (s *core) bundleReporting(ctx context.Context, token string) (wire.BundleResponse, error) {
	if !s.lockSyncWithin(ctx, reportWait) {
		return s.api.Bundle(ctx, token)
	}
	defer s.syncMu.Unlock()
	t, err := s.tally(ctx)
	if err != nil {
		return s.api.Bundle(ctx, token)
	}
	return s.api.BundleReporting(ctx, token, t.report(nil))
}

// lockSyncWithin takes syncMu if it comes free within d.
func (s *core) lockSyncWithin(ctx context.Context, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !s.syncMu.TryLock() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}
