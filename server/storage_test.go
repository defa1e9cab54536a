package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"beredskap/internal/auth"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

// newEnvOnDisk is newEnv over a store whose free space the test sets.
func newEnvOnDisk(t *testing.T, free *atomic.Uint64) *testEnv {
	t.Helper()
	dir := t.TempDir()
	keys, err := LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(dir+"/db", badger.Options{MinFree: 30 << 20,
		FreeSpace: func(string) (uint64, error) { return free.Load(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	hasher := auth.NewHasher(1, 8<<10, 1, 4)
	now := time.Now()
	if err := SeedDemo(context.Background(), db, hasher, now, loc); err != nil {
		t.Fatal(err)
	}
	srv := New(Config{OfflineFor: 8 * time.Hour, Location: loc, Hasher: hasher}, db, keys, nil)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testEnv{t: t, db: db, keys: keys, srv: srv, http: hs, loc: loc, now: now}
}

func (e *testEnv) health() healthBody {
	e.t.Helper()
	var h healthBody
	if code, raw := e.call("GET", "/healthz", "", nil, &h); code != http.StatusOK {
		e.t.Fatalf("healthz: %d %s", code, raw)
	}
	return h
}

// refusedForStorage checks a 503 insufficient_storage answer: the code,
// the key the app translates and Retry-After.
func refusedForStorage(t *testing.T, e *testEnv, method, path, token, body string) {
	t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var eb wire.ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || eb.Error.Code != wire.CodeInsufficientStorage ||
		eb.Error.Key != "error.insufficient_storage" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("%s %s on a full disk: %d %+v Retry-After %q", method, path, resp.StatusCode, eb.Error, resp.Header.Get("Retry-After"))
	}
}

func TestFullDiskRefusesWritesAndKeepsReadsAndLogins(t *testing.T) {
	var free atomic.Uint64
	free.Store(1 << 30)
	e := newEnvOnDisk(t, &free)
	anna := e.phone("anna")
	kari := e.login("kari")
	rec := anna.sealRecord(anna.note(anna.ownPatient(), "Ingen svar på døra, ringte pårørende"))
	syncBody, err := json.Marshal(wire.SyncRequest{DeviceID: anna.deviceID, Records: []wire.SealedRecord{rec}})
	if err != nil {
		t.Fatal(err)
	}
	announcement := `{"text":"Strømbrudd i sone 3","severity":"high"}`

	// Below the reserve: bulk writes wait, logins and reads go on.
	free.Store(25 << 20)
	refusedForStorage(t, e, "POST", "/api/v1/sync", anna.login.Token, string(syncBody))
	refusedForStorage(t, e, "POST", "/api/v1/announcements", kari.Token, announcement)
	if h := e.health(); h.Status != "ok" || h.Writes != "refused" || h.Reason == "" || h.Store != "read-write" {
		t.Fatalf("healthz below the reserve: %+v", h)
	}
	e.login("nils")
	if code, raw := e.call("GET", "/api/v1/records", kari.Token, nil, nil); code != http.StatusOK {
		t.Fatalf("records list below the reserve: %d %s", code, raw)
	}

	// Below the floor: not even a login's session is written; reads go on.
	free.Store(10 << 20)
	refusedForStorage(t, e, "POST", "/api/v1/session", "", `{"username":"nils","password":"demo"}`)
	refusedForStorage(t, e, "POST", "/api/v1/sync", anna.login.Token, string(syncBody))
	if code, raw := e.call("GET", "/api/v1/records", kari.Token, nil, nil); code != http.StatusOK {
		t.Fatalf("records list below the floor: %d %s", code, raw)
	}
	if h := e.health(); h.Writes != "refused" || !strings.Contains(h.Reason, "no writes") {
		t.Fatalf("healthz below the floor: %+v", h)
	}

	// Space again: the record the phone kept goes in, once.
	free.Store(1 << 30)
	if h := e.health(); h.Writes != "accepted" || h.Reason != "" {
		t.Fatalf("healthz with space again: %+v", h)
	}
	for _, want := range []string{wire.SyncAccepted, wire.SyncDuplicate} {
		code, resp, raw := anna.sync(rec)
		if code != http.StatusOK || len(resp.Results) != 1 || resp.Results[0].Status != want {
			t.Fatalf("sync with space again: %d %s, want %s", code, raw, want)
		}
	}
}

// TestUnopenableStoreAnswersOnlyHealth: a store left by a crash (its log
// needs replaying, which Badger does only read-write) on a full disk
// cannot be opened at all; the server still answers /healthz with the
// reason, refuses everything else with 503, a backup included, and needs
// no restart once space returns.
func TestUnopenableStoreAnswersOnlyHealth(t *testing.T) {
	var free atomic.Uint64
	free.Store(1 << 30)
	live := newEnvOnDisk(t, &free)
	admin := live.login("admin")
	crashed := t.TempDir()
	copySparseDir(t, live.db.Badger().Opts().Dir, crashed)

	free.Store(0)
	db, err := badger.Open(crashed, badger.Options{MinFree: 30 << 20, PollEvery: 10 * time.Millisecond,
		FreeSpace: func(string) (uint64, error) { return free.Load(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if db.Mode() != store.ModeUnavailable {
		t.Fatalf("mode %s", db.Mode())
	}
	srv := New(Config{Hasher: auth.NewHasher(1, 8<<10, 1, 4)}, db, live.keys, nil)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	e := &testEnv{t: t, db: db, keys: live.keys, srv: srv, http: hs}
	if h := e.health(); h.Status != "ok" || h.Writes != "refused" || h.Store != "unavailable" || h.Reason == "" {
		t.Fatalf("healthz: %+v", h)
	}
	refusedForStorage(t, e, "GET", "/api/v1/backup", admin.Token, "")
	refusedForStorage(t, e, "GET", "/api/v1/records", admin.Token, "")
	refusedForStorage(t, e, "POST", "/api/v1/session", "", `{"username":"kari","password":"demo"}`)

	free.Store(1 << 30)
	deadline := time.Now().Add(20 * time.Second)
	for db.Mode() != store.ModeReadWrite {
		if time.Now().After(deadline) {
			t.Fatalf("still %s with space back", db.Mode())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code, raw := e.call("GET", "/api/v1/users", admin.Token, nil, nil); code != http.StatusOK {
		t.Fatalf("the session from before the crash, once space is back: %d %s", code, raw)
	}
	e.login("kari")
}

// copySparseDir copies a Badger directory (without its lock) as a crash
// leaves it, holes and all: its logs are mapped at 128 MiB and 2 GiB and
// hold a few pages.
func copySparseDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		if ent.IsDir() || ent.Name() == "LOCK" {
			continue
		}
		src, err := os.Open(filepath.Join(from, ent.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(to, ent.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := copyData(dst, src); err != nil {
			t.Fatalf("copy %s: %v", ent.Name(), err)
		}
		src.Close()
		if err := dst.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// copyData copies the data regions of src (SEEK_DATA, SEEK_HOLE) and
// gives dst the same size.
func copyData(dst, src *os.File) error {
	fi, err := src.Stat()
	if err != nil {
		return err
	}
	for off := int64(0); off < fi.Size(); {
		data, err := src.Seek(off, unix.SEEK_DATA)
		if err != nil {
			break // ENXIO: no data after off
		}
		hole, err := src.Seek(data, unix.SEEK_HOLE)
		if err != nil {
			return err
		}
		if _, err := src.Seek(data, io.SeekStart); err != nil {
			return err
		}
		if _, err := io.CopyN(io.NewOffsetWriter(dst, data), src, hole-data); err != nil {
			return err
		}
		off = hole
	}
	return dst.Truncate(fi.Size())
}
