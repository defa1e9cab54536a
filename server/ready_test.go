package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

// TestReadyFollowsTheStoresMode: /readyz is 200 while the store takes
// writes and 503 with the error envelope while it does not (opened on a
// full disk), and ready again once the store has reopened for writes;
// /healthz stays 200 throughout. Neither needs a session.
func TestReadyFollowsTheStoresMode(t *testing.T) {
	var free atomic.Uint64
	free.Store(1 << 30)
	opts := badger.Options{MinFree: 30 << 20, PollEvery: 10 * time.Millisecond,
		FreeSpace: func(string) (uint64, error) { return free.Load(), nil }}
	dir := filepath.Join(t.TempDir(), "db")
	db, err := badger.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	free.Store(1 << 20)
	db = servertest.Open(t, dir, opts)
	if db.Mode() != store.ModeReadOnly {
		t.Fatalf("mode %s on a full disk", db.Mode())
	}
	srv := New(Config{Hasher: servertest.Hasher()}, db, nil, nil)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	e := &testEnv{t: t, db: db, srv: srv, http: hs}

	check := func(wantStatus int) {
		t.Helper()
		resp, err := hs.Client().Get(hs.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != wantStatus || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("readyz: %d (Cache-Control %q), want %d", resp.StatusCode, resp.Header.Get("Cache-Control"), wantStatus)
		}
		if wantStatus == http.StatusOK {
			var rb readyBody
			if err := json.NewDecoder(resp.Body).Decode(&rb); err != nil || rb.Status != "ready" || rb.Store != string(store.ModeReadWrite) {
				t.Fatalf("ready body: %+v %v", rb, err)
			}
		} else {
			var eb wire.ErrorBody
			if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil || eb.Error.Code != wire.CodeInsufficientStorage || eb.Error.Message == "" {
				t.Fatalf("not-ready body: %+v %v", eb, err)
			}
			if resp.Header.Get("Retry-After") == "" {
				t.Fatal("not ready without Retry-After")
			}
		}
		if h := e.health(); h.Status != "ok" {
			t.Fatalf("healthz: %+v", h)
		}
	}

	check(http.StatusServiceUnavailable)
	free.Store(1 << 30)
	deadline := time.Now().Add(20 * time.Second)
	for db.Mode() != store.ModeReadWrite {
		if time.Now().After(deadline) {
			t.Fatalf("still %s with space back", db.Mode())
		}
		time.Sleep(10 * time.Millisecond)
	}
	check(http.StatusOK)
}

// TestReadyOnAnUnopenableStore: a store that could not be opened at all
// is not ready either, and /readyz says so without touching it.
func TestReadyOnAnUnopenableStore(t *testing.T) {
	var free atomic.Uint64
	free.Store(1 << 30)
	live := newEnvOnDisk(t, &free)
	crashed := t.TempDir()
	copySparseDir(t, live.db.Badger().Opts().Dir, crashed)
	free.Store(0)
	db := servertest.Open(t, crashed, badger.Options{MinFree: 30 << 20, FreeSpace: func(string) (uint64, error) { return free.Load(), nil }})
	if db.Mode() != store.ModeUnavailable {
		t.Fatalf("mode %s", db.Mode())
	}
	hs := httptest.NewServer(New(Config{Hasher: servertest.Hasher()}, db, live.keys, nil).Handler())
	t.Cleanup(hs.Close)
	resp, err := hs.Client().Get(hs.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var eb wire.ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil || resp.StatusCode != http.StatusServiceUnavailable || eb.Error.Code != wire.CodeInsufficientStorage {
		t.Fatalf("readyz: %d %+v %v", resp.StatusCode, eb, err)
	}
}
