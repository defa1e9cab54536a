package shift

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/wire"
)

func TestBatches(t *testing.T) {
	cases := []struct {
		name   string
		n      int // records
		sealed int // sealed bytes of each
		want   []int
	}{
		{"none", 0, 300, nil},
		{"one", 1, 300, []int{1}},
		{"a full batch", 500, 300, []int{500}},
		{"one over", 501, 300, []int{500, 1}},
		{"many", 1200, 300, []int{500, 500, 200}},
		{"bytes before count", 10, 1 << 20, []int{4, 4, 2}},
		{"bytes cut long runs", 140, 64 << 10, []int{67, 67, 6}},
		{"a record over the byte cap goes alone", 3, 7 << 20, []int{1, 1, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			all := make([]outboxEntry, c.n)
			for i := range all {
				all[i] = outboxEntry{ID: uuid.Must(uuid.NewV7()).String(), Sealed: make([]byte, c.sealed)}
			}
			got := batches(all)
			var sizes []int
			var flat []outboxEntry
			for _, b := range got {
				sizes = append(sizes, len(b))
				flat = append(flat, b...)
				if len(b) > wire.MaxSyncRecords {
					t.Fatalf("batch of %d records, the server takes %d", len(b), wire.MaxSyncRecords)
				}
				if len(b) > 1 {
					if n := requestBytes(t, b); n > wire.MaxSyncBytes {
						t.Fatalf("batch of %d records is %d bytes on the wire, the server takes %d", len(b), n, wire.MaxSyncBytes)
					}
				}
			}
			if !slices.Equal(sizes, c.want) {
				t.Fatalf("batch sizes %v, want %v", sizes, c.want)
			}
			if len(flat) != len(all) {
				t.Fatalf("%d records in batches, %d given", len(flat), len(all))
			}
			for i := range all {
				if flat[i].ID != all[i].ID {
					t.Fatalf("record %d out of order", i)
				}
			}
		})
	}
}

// requestBytes is the size of the sync request that carries batch.
func requestBytes(t *testing.T, batch []outboxEntry) int {
	t.Helper()
	req := wire.SyncRequest{DeviceID: uuid.NewString()}
	for _, o := range batch {
		req.Records = append(req.Records, wire.SealedRecord{ID: o.ID, Sealed: o.Sealed})
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

func TestNextBackoff(t *testing.T) {
	cases := []struct {
		prev, base time.Duration // base: the wait before jitter
	}{
		{0, 2 * time.Second},
		{time.Second, 2 * time.Second},
		{2 * time.Second, 4 * time.Second},
		{10 * time.Second, 20 * time.Second},
		{2 * time.Minute, 4 * time.Minute},
		{3 * time.Minute, 5 * time.Minute},
		{5 * time.Minute, 5 * time.Minute},
		{6*time.Minute + 15*time.Second, 5 * time.Minute},
		{time.Hour, 5 * time.Minute},
	}
	for _, c := range cases {
		t.Run(c.prev.String(), func(t *testing.T) {
			lo, hi := c.base-c.base/4, c.base+c.base/4
			least, most := hi, lo
			for range 5000 {
				d := nextBackoff(c.prev)
				if d < lo || d >= hi {
					t.Fatalf("nextBackoff(%v) = %v, want within [%v, %v)", c.prev, d, lo, hi)
				}
				least, most = min(least, d), max(most, d)
			}
			// The draws spread over the window: phones do not retry in step.
			if most-least < c.base*2/5 {
				t.Fatalf("nextBackoff(%v) spans only %v..%v over 5000 draws", c.prev, least, most)
			}
		})
	}
}

func TestNextBackoffGrowsToTheCap(t *testing.T) {
	const ceiling = 5*time.Minute + 5*time.Minute/4
	for range 200 {
		d := time.Duration(0)
		for step := 1; step <= 20; step++ {
			next := nextBackoff(d)
			if next >= ceiling {
				t.Fatalf("step %d: %v is past the cap", step, next)
			}
			// Doubling less a quarter's jitter: at least 1.5 times the
			// last wait until the cap is reached.
			if 2*d <= 5*time.Minute && next < d*3/2 {
				t.Fatalf("step %d: %v after %v does not grow", step, next, d)
			}
			d = next
		}
		if d < 5*time.Minute*3/4 {
			t.Fatalf("after 20 failures the wait is %v, below the cap's range", d)
		}
	}
}

// proxyAnswer makes the fake answer as a proxy would: an HTML 502, not the
// server's envelope.
const proxyAnswer = wire.Code("proxy")

// fakeSync is the sync endpoint of a server: it answers each request with
// the code answer gives (empty: take the records) and counts what it took.
type fakeSync struct {
	answer func(n int, req wire.SyncRequest) wire.Code

	mu    sync.Mutex
	sizes []int          // records per request, in order
	taken map[string]int // how many times each record was taken
}

func newFakeSync(t *testing.T, answer func(n int, req wire.SyncRequest) wire.Code) (*fakeSync, string) {
	f := &fakeSync{answer: answer, taken: map[string]int{}}
	hs := httptest.NewServer(f)
	t.Cleanup(hs.Close)
	return f, hs.URL
}

func (f *fakeSync) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/sync" {
		http.NotFound(w, r)
		return
	}
	var req wire.SyncRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	n := len(f.sizes)
	f.sizes = append(f.sizes, len(req.Records))
	f.mu.Unlock()
	code := f.answer(n, req)
	switch code {
	case "":
	case proxyAnswer:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>Bad gateway</html>"))
		return
	default:
		statuses := map[wire.Code]int{
			wire.CodeInvalidInput: 400, wire.CodeUnauthorized: 401, wire.CodeForbidden: 403,
			wire.CodeDeviceRevoked: 403, wire.CodeTooLarge: 413, wire.CodeRateLimited: 429, wire.CodeInternal: 500,
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(statuses[code])
		_ = json.NewEncoder(w).Encode(wire.ErrorBody{Error: wire.Error{Code: code, Message: "refused by the test"}})
		return
	}
	resp := wire.SyncResponse{Results: make([]wire.SyncResult, len(req.Records))}
	f.mu.Lock()
	for i, rec := range req.Records {
		status := wire.SyncAccepted
		if f.taken[rec.ID] > 0 {
			status = wire.SyncDuplicate
		}
		f.taken[rec.ID]++
		resp.Results[i] = wire.SyncResult{ID: rec.ID, Status: status}
	}
	f.mu.Unlock()
	_ = json.NewEncoder(w).Encode(resp)
}

func (f *fakeSync) requests() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sizes)
}

// takenOnce fails unless the server took each of ids exactly once, and
// nothing else.
func (f *fakeSync) takenOnce(t *testing.T, ids []string) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		if n := f.taken[id]; n != 1 {
			t.Fatalf("record %s taken %d times, want once", id, n)
		}
	}
	if len(f.taken) != len(ids) {
		t.Fatalf("the server took %d records, want %d", len(f.taken), len(ids))
	}
}

// syncShift is an unlocked shift on deviceID that talks to the server at
// url; only what the sync reads is set.
func syncShift(url, deviceID string) *Shift {
	s := NewShift(NewAPI(url), vault.NewMemory(), Options{})
	s.sess = &session{Token: "session-token", DeviceID: deviceID}
	s.owner = &owner{DeviceID: deviceID} // a shift on the phone keeps sent records for display
	return s
}

// queue puts n records of deviceID in the outbox, as Write does, and
// returns their ids.
func queue(t *testing.T, s *Shift, deviceID string, n int) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	var writes []vault.Write
	for i := range n {
		id := uuid.Must(uuid.NewV7()).String()
		w, err := putJSON(vault.Outbox, id, outboxEntry{ID: id, DeviceID: deviceID, Seq: uint64(i + 1),
			Sealed: []byte("sealed " + id), State: OutboxWaiting})
		if err != nil {
			t.Fatal(err)
		}
		writes = append(writes, w)
		ids = append(ids, id)
		s.records = append(s.records, LocalRecord{Record: care.Record{ID: id, DeviceID: deviceID}, State: OutboxWaiting})
	}
	if err := s.vault.Commit(ctx, writes...); err != nil {
		t.Fatal(err)
	}
	if _, err := s.outbox(ctx); err != nil {
		t.Fatal(err)
	}
	return ids
}

// states returns the outbox state of each id, as stored and as the pages
// show it; they must agree.
func states(t *testing.T, s *Shift, ids []string) map[string]string {
	t.Helper()
	stored, err := s.outbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]string{}
	for _, r := range s.Outbox().Records("") {
		shown[r.ID] = r.State
	}
	out := map[string]string{}
	for _, id := range ids {
		if stored[id].State != shown[id] {
			t.Fatalf("record %s stored %q, shown %q", id, stored[id].State, shown[id])
		}
		out[id] = stored[id].State
	}
	return out
}

// allIn fails unless every one of ids is in state.
func allIn(t *testing.T, s *Shift, ids []string, state string) {
	t.Helper()
	for id, got := range states(t, s, ids) {
		if got != state {
			t.Fatalf("record %s is %q, want %q", id, got, state)
		}
	}
	stored, _ := s.outbox(context.Background())
	for _, id := range ids {
		if state == OutboxWaiting && len(stored[id].Sealed) == 0 {
			t.Fatalf("waiting record %s lost its sealed bytes", id)
		}
	}
}

func TestFailedRequestsLeaveRecordsWaiting(t *testing.T) {
	// The refused request is sent once more without its outbox report
	// (synchealth.go), and refused again.
	script := []wire.Code{wire.CodeInternal, wire.CodeInvalidInput, wire.CodeInvalidInput, wire.CodeTooLarge}
	fake, url := newFakeSync(t, func(n int, _ wire.SyncRequest) wire.Code {
		if n < len(script) {
			return script[n]
		}
		return ""
	})
	dev := uuid.NewString()
	s := syncShift(url, dev)
	ids := queue(t, s, dev, 600)
	ctx := context.Background()

	for _, want := range script[:2] { // internal, then invalid_input twice
		if err := s.Syncer().SyncNow(ctx); ErrorCode(err) != want {
			t.Fatalf("sync: %v, want %s", err, want)
		}
		allIn(t, s, ids, OutboxWaiting)
		if s.Outbox().Waiting() != 600 {
			t.Fatalf("waiting %d after %s", s.Outbox().Waiting(), want)
		}
	}
	// too_large: the first batch goes in halves; the last batch is small
	// enough as it is.
	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	allIn(t, s, ids, OutboxSent)
	fake.takenOnce(t, ids)
	if got, want := fake.requests(), []int{500, 500, 500, 500, 250, 250, 100}; !slices.Equal(got, want) {
		t.Fatalf("requests of %v records, want %v", got, want)
	}
	if s.Outbox().Waiting() != 0 {
		t.Fatalf("waiting %d", s.Outbox().Waiting())
	}
	// Nothing is sent twice.
	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.requests()); n != 7 {
		t.Fatalf("%d requests after everything was sent", n)
	}
}

func TestEachRequestFailureThenSuccess(t *testing.T) {
	cases := []struct {
		name   string
		answer wire.Code
		// check tells the error apart.
		check func(error) bool
	}{
		{"server error", wire.CodeInternal, isCode(wire.CodeInternal)},
		{"refused request", wire.CodeInvalidInput, isCode(wire.CodeInvalidInput)},
		{"unknown device", wire.CodeForbidden, isCode(wire.CodeForbidden)},
		{"revoked device", wire.CodeDeviceRevoked, isCode(wire.CodeDeviceRevoked)},
		{"too many requests", wire.CodeRateLimited, isCode(wire.CodeRateLimited)},
		{"one record too large", wire.CodeTooLarge, isCode(wire.CodeTooLarge)},
		{"a proxy answers", proxyAnswer, func(err error) bool { return errors.Is(err, ErrOffline) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, url := newFakeSync(t, func(n int, _ wire.SyncRequest) wire.Code {
				// A refusal as invalid is asked again without the outbox
				// report (synchealth.go): refused again, too.
				if n == 0 || (n == 1 && c.answer == wire.CodeInvalidInput) {
					return c.answer
				}
				return ""
			})
			dev := uuid.NewString()
			s := syncShift(url, dev)
			ids := queue(t, s, dev, 1)
			ctx := context.Background()
			if err := s.Syncer().SyncNow(ctx); !c.check(err) {
				t.Fatalf("sync: %v", err)
			}
			allIn(t, s, ids, OutboxWaiting)
			if s.Keyring().WipeReason() != "" || s.Syncer().NeedsLogin() {
				t.Fatalf("wipe %q, needs login %v", s.Keyring().WipeReason(), s.Syncer().NeedsLogin())
			}
			if err := s.Syncer().SyncNow(ctx); err != nil {
				t.Fatal(err)
			}
			allIn(t, s, ids, OutboxSent)
			fake.takenOnce(t, ids)
		})
	}
}

func isCode(code wire.Code) func(error) bool {
	return func(err error) bool { return ErrorCode(err) == code }
}

func TestOfflineLeavesRecordsWaiting(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	url := hs.URL
	hs.Close() // nothing listens there now
	dev := uuid.NewString()
	s := syncShift(url, dev)
	ids := queue(t, s, dev, 3)
	if err := s.Syncer().SyncNow(context.Background()); !errors.Is(err, ErrOffline) {
		t.Fatalf("sync: %v", err)
	}
	allIn(t, s, ids, OutboxWaiting)
}

func TestServerThatRefusesEverySizeIsAskedFewTimes(t *testing.T) {
	fake, url := newFakeSync(t, func(int, wire.SyncRequest) wire.Code { return wire.CodeTooLarge })
	dev := uuid.NewString()
	s := syncShift(url, dev)
	ids := queue(t, s, dev, 500)
	if err := s.Syncer().SyncNow(context.Background()); ErrorCode(err) != wire.CodeTooLarge {
		t.Fatalf("sync: %v", err)
	}
	allIn(t, s, ids, OutboxWaiting)
	if got, want := fake.requests(), []int{500, 250, 125, 62, 31, 15, 7, 3, 1}; !slices.Equal(got, want) {
		t.Fatalf("requests of %v records, want %v", got, want)
	}
}

func TestSmallerLimitIsFoundAndKept(t *testing.T) {
	// A proxy in front of the server takes at most 120 records.
	fake, url := newFakeSync(t, func(_ int, req wire.SyncRequest) wire.Code {
		if len(req.Records) > 120 {
			return wire.CodeTooLarge
		}
		return ""
	})
	dev := uuid.NewString()
	s := syncShift(url, dev)
	ids := queue(t, s, dev, 500)
	if err := s.Syncer().SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	allIn(t, s, ids, OutboxSent)
	fake.takenOnce(t, ids)
	want := []int{500, 250, 125, 62, 62, 62, 62, 62, 62, 62, 62, 4}
	if got := fake.requests(); !slices.Equal(got, want) {
		t.Fatalf("requests of %v records, want %v", got, want)
	}
}

func TestRefusedDeviceDoesNotHoldBackTheOthers(t *testing.T) {
	old, dev := uuid.NewString(), uuid.NewString()
	fake, url := newFakeSync(t, func(_ int, req wire.SyncRequest) wire.Code {
		if req.DeviceID == old {
			return wire.CodeForbidden // the server lost the device in a restore
		}
		return ""
	})
	s := syncShift(url, dev)
	earlier := queue(t, s, old, 2) // an earlier shift's, first in the outbox
	mine := queue(t, s, dev, 3)
	if err := s.Syncer().SyncNow(context.Background()); ErrorCode(err) != wire.CodeForbidden {
		t.Fatalf("sync: %v", err)
	}
	allIn(t, s, earlier, OutboxWaiting)
	allIn(t, s, mine, OutboxSent)
	fake.takenOnce(t, mine)
	if s.Outbox().Waiting() != 2 {
		t.Fatalf("waiting %d", s.Outbox().Waiting())
	}
}

func TestEndedSessionWaitsForLogin(t *testing.T) {
	var over atomic.Bool // the server has ended the session
	over.Store(true)
	fake, url := newFakeSync(t, func(int, wire.SyncRequest) wire.Code {
		if over.Load() {
			return wire.CodeUnauthorized
		}
		return ""
	})
	dev := uuid.NewString()
	s := syncShift(url, dev)
	ids := queue(t, s, dev, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Syncer().SyncNow(ctx); !errors.Is(err, ErrNeedsLogin) || !s.Syncer().NeedsLogin() {
		t.Fatalf("sync: %v, needs login %v", err, s.Syncer().NeedsLogin())
	}
	allIn(t, s, ids, OutboxWaiting)

	// Neither the button, nor new records, nor the loop ask again.
	if err := s.Syncer().SyncNow(ctx); !errors.Is(err, ErrNeedsLogin) {
		t.Fatalf("sync again: %v", err)
	}
	done := make(chan struct{})
	go func() {
		s.Syncer().RunSync(ctx, time.Millisecond)
		close(done)
	}()
	for range 20 {
		s.Syncer().WakeSync()
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(fake.requests()); n != 1 {
		t.Fatalf("%d requests with an ended session, want 1", n)
	}
	allIn(t, s, ids, OutboxWaiting)

	// A new login clears it and wakes the loop.
	over.Store(false)
	s.mu.Lock()
	s.needsLogin = false
	s.mu.Unlock()
	s.Syncer().WakeSync()
	waitFor(t, func() bool { return s.Outbox().Waiting() == 0 })
	cancel()
	<-done
	allIn(t, s, ids, OutboxSent)
	fake.takenOnce(t, ids)
}

func TestFailingServerIsNotAskedInALoop(t *testing.T) {
	fake, url := newFakeSync(t, func(int, wire.SyncRequest) wire.Code { return wire.CodeInternal })
	dev := uuid.NewString()
	s := syncShift(url, dev)
	ids := queue(t, s, dev, 3)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		// An interval this short would spin if failures did not back off.
		s.Syncer().RunSync(ctx, time.Millisecond)
		close(done)
	}()
	waitFor(t, func() bool { return len(fake.requests()) >= 1 })
	time.Sleep(300 * time.Millisecond) // the first backoff is at least 1.5 s
	cancel()
	<-done
	if n := len(fake.requests()); n != 1 {
		t.Fatalf("%d requests in 300 ms against a failing server, want 1", n)
	}
	allIn(t, s, ids, OutboxWaiting)
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
