package shift

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// seen collects what each sync request carried besides its records.
type seen struct {
	mu   sync.Mutex
	reps []*wire.OutboxReport
	read [][]wire.AnnouncementRead
	recs []int
}

func (s *seen) add(req wire.SyncRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reps = append(s.reps, req.Outbox)
	s.read = append(s.read, req.Read)
	s.recs = append(s.recs, len(req.Records))
}

// idTime is the time in a UUIDv7 id.
func idTime(t *testing.T, id string) time.Time {
	t.Helper()
	sec, nsec := uuid.MustParse(id).Time().UnixTime()
	return time.Unix(sec, nsec).UTC()
}

// Each sync request says what will still wait once it is answered: the
// records of later batches, with the oldest one's time (from the entry,
// or from the id of an entry written before times were kept), and
// nothing once the last batch goes.
func TestSyncCarriesTheOutboxReport(t *testing.T) {
	var got seen
	_, url := newFakeSync(t, func(n int, req wire.SyncRequest) wire.Code { got.add(req); return "" })
	dev := uuid.NewString()
	s := syncShift(url, dev)
	queue(t, s, dev, 600)

	// One more, written as Write writes it now, with its time.
	made := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	id := uuid.Must(uuid.NewV7()).String()
	w, err := putJSON(vault.Outbox, id, outboxEntry{ID: id, DeviceID: dev, Seq: 601, Sealed: []byte("x"), State: OutboxWaiting, Created: made})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.vault.Commit(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	if err := s.Syncer().SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got.reps) != 2 || got.recs[0] != 500 || got.recs[1] != 101 {
		t.Fatalf("requests of %v records", got.recs)
	}
	first := got.reps[0]
	if first == nil || first.Waiting != 101 || first.OldestWaiting == nil || !first.OldestWaiting.Equal(made) {
		t.Fatalf("first request's report %+v, want 101 waiting since %s", first, made)
	}
	if last := got.reps[1]; last == nil || last.Waiting != 0 || last.OldestWaiting != nil {
		t.Fatalf("last request's report %+v, want nothing waiting", last)
	}

	// Without the entry with a time, the oldest is read from the ids.
	got = seen{}
	_, url = newFakeSync(t, func(n int, req wire.SyncRequest) wire.Code { got.add(req); return "" })
	s = syncShift(url, dev)
	ids := queue(t, s, dev, 501)
	if err := s.Syncer().SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rep := got.reps[0]; rep == nil || rep.Waiting != 1 || rep.OldestWaiting == nil || !rep.OldestWaiting.Equal(idTime(t, ids[500])) {
		t.Fatalf("report %+v, want the time of %s", rep, ids[500])
	}
}

// A server that refuses the report (an older one, which does not know
// the field, or one that finds the phone's clock broken) still gets the
// records, without it.
func TestRefusedReportDoesNotHoldRecordsBack(t *testing.T) {
	fake, url := newFakeSync(t, func(n int, req wire.SyncRequest) wire.Code {
		if req.Outbox != nil || req.Read != nil {
			return wire.CodeInvalidInput
		}
		return ""
	})
	dev := uuid.NewString()
	s := syncShift(url, dev)
	ids := queue(t, s, dev, 3)
	if err := s.Syncer().SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	allIn(t, s, ids, OutboxSent)
	fake.takenOnce(t, ids)
}

// An important announcement acknowledged on the phone gets a read mark
// that goes with the next contact, a sync of its own when no record
// waits, once; an info message gets none; marks are kept across a page
// load until sent, and go only with their user's session.
func TestReadMarksGoAtTheNextContact(t *testing.T) {
	var got seen
	_, url := newFakeSync(t, func(n int, req wire.SyncRequest) wire.Code { got.add(req); return "" })
	dev := uuid.NewString()
	store := vault.NewMemory()
	s := NewShift(NewAPI(url), store, Options{})
	s.sess = &session{Token: "session-token", DeviceID: dev, User: care.User{ID: "u1", Role: care.RoleWorker}}
	s.owner = &owner{UserID: "u1", DeviceID: dev}
	posted := time.Now().Add(-time.Hour).UTC()
	s.announcements = []care.Announcement{
		{ID: "a-important", Level: care.LevelImportant, Text: "Viktig", Posted: posted},
		{ID: "a-info", Level: "info", Text: "Info", Posted: posted.Add(time.Minute)},
	}
	ctx := context.Background()
	s.MarkAnnouncementsSeen(ctx)
	if len(s.UnseenAnnouncements()) != 0 {
		t.Fatal("announcements still unseen")
	}

	// A page load keeps the mark.
	again := NewShift(NewAPI(url), store, Options{})
	if err := again.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if len(again.reads) != 1 || again.reads[0].ID != "a-important" || again.reads[0].UserID != "u1" {
		t.Fatalf("marks after a load: %+v", again.reads)
	}

	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got.read) != 1 || got.recs[0] != 0 || len(got.read[0]) != 1 || got.read[0][0].ID != "a-important" || got.reps[0] == nil || got.reps[0].Waiting != 0 {
		t.Fatalf("requests: records %v, reads %+v, reports %+v", got.recs, got.read, got.reps)
	}
	if s.readsPending() {
		t.Fatal("the mark is still pending after the server took it")
	}
	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got.recs) != 1 {
		t.Fatalf("%d requests, want the mark sent once", len(got.recs))
	}

	// Another user's session does not carry u1's marks.
	s.reads = []readMark{{ID: "a-important", UserID: "u1", At: posted}}
	s.sess.User.ID = "u2"
	if s.readsPending() || len(s.readsFor("u2")) != 0 {
		t.Fatal("u2's session would carry u1's read mark")
	}
}

// The bundle fetch reports the outbox in its query.
func TestBundleFetchCarriesTheOutboxReport(t *testing.T) {
	var mu sync.Mutex
	var query url.Values
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		query = r.URL.Query()
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(wire.ErrorBody{Error: wire.Error{Code: wire.CodeInternal, Message: "test"}})
	}))
	t.Cleanup(hs.Close)
	dev := uuid.NewString()
	s := syncShift(hs.URL, dev)
	ids := queue(t, s, dev, 2)
	if _, err := s.bundleReporting(context.Background(), "session-token"); ErrorCode(err) != wire.CodeInternal {
		t.Fatalf("bundle: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	oldest, err := time.Parse(time.RFC3339Nano, query.Get(wire.QueryOutboxOldest))
	if query.Get(wire.QueryOutboxWaiting) != "2" || err != nil || !oldest.Equal(idTime(t, ids[0])) {
		t.Fatalf("query %v, want 2 waiting since %s", query, idTime(t, ids[0]))
	}
}
