//go:build js && wasm

package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall/js"
	"testing"
	"time"
)

// These tests run in Chromium (wasmbrowsertest), each on a database of its
// own, deleted first, so that they never touch the one TestIndexedDB uses.

// freshDB deletes the database name and returns it.
func freshDB(t *testing.T, name string) string {
	t.Helper()
	req := js.Global().Get("indexedDB").Call("deleteDatabase", name)
	done := make(chan string, 1)
	ok := js.FuncOf(func(js.Value, []js.Value) any { done <- ""; return nil })
	ko := js.FuncOf(func(js.Value, []js.Value) any { done <- domError(req.Get("error")); return nil })
	defer ok.Release()
	defer ko.Release()
	req.Set("onsuccess", ok)
	req.Set("onerror", ko)
	if msg := <-done; msg != "" {
		t.Fatalf("delete %s: %s", name, msg)
	}
	return name
}

func openAt(t *testing.T, name string, steps []schemaStep) *IndexedDB {
	t.Helper()
	s, err := openIndexedDB(context.Background(), name, steps)
	if err != nil {
		t.Fatalf("open at version %d: %v", len(steps), err)
	}
	t.Cleanup(func() { _ = s.db.Close() })
	return s
}

func version(t *testing.T, s *IndexedDB) uint {
	t.Helper()
	v, err := s.db.Version()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func storeNames(t *testing.T, s *IndexedDB) []string {
	t.Helper()
	names, err := s.db.ObjectStoreNames()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// oldOutboxEntry is an outbox entry exactly as the app of this release
// writes it (app/shift's outboxEntry): the shape version N's phones hold.
type oldOutboxEntry struct {
	ID       string `json:"id"`
	DeviceID string `json:"device_id"`
	Seq      uint64 `json:"seq"`
	Sealed   []byte `json:"sealed,omitempty"`
	State    string `json:"state"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`
}

// bumpedOutboxEntry is the test-only next format: "message" is renamed
// "detail", and every entry says which format it is in.
type bumpedOutboxEntry struct {
	ID       string `json:"id"`
	DeviceID string `json:"device_id"`
	Seq      uint64 `json:"seq"`
	Sealed   []byte `json:"sealed,omitempty"`
	State    string `json:"state"`
	Code     string `json:"code,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Format   int    `json:"format"`
}

// bump is a test-only step N+1: a new bucket and a changed outbox record
// field, migrated inside the upgrade. runs counts how often it ran.
func bump(runs *int, failAfter int) schemaStep {
	return schemaStep{name: "test bump: attachments, outbox detail", run: func(ctx context.Context, u *upgradeTx) error {
		*runs++
		if err := u.createStore("attachments"); err != nil {
			return err
		}
		n := 0
		return u.rewrite(ctx, Outbox, func(key string, value []byte) ([]byte, error) {
			if n++; failAfter > 0 && n > failAfter {
				return nil, errors.New("the migration fails half way")
			}
			var o oldOutboxEntry
			if err := json.Unmarshal(value, &o); err != nil {
				return nil, err
			}
			return json.Marshal(bumpedOutboxEntry{ID: o.ID, DeviceID: o.DeviceID, Seq: o.Seq, Sealed: o.Sealed, State: o.State, Code: o.Code, Detail: o.Message, Format: 2})
		})
	}}
}

// phoneAtN writes what a phone of this release holds with records
// waiting: the shift's keys in meta, sealed copies, and an outbox of
// waiting, sent and rejected records, written the way the app writes them.
func phoneAtN(t *testing.T, s *IndexedDB) []oldOutboxEntry {
	t.Helper()
	ctx := context.Background()
	entries := []oldOutboxEntry{
		{ID: "0190a000-0000-7000-8000-000000000001", DeviceID: "dev-1", Seq: 1, Sealed: []byte("sealed one"), State: "waiting"},
		{ID: "0190a000-0000-7000-8000-000000000002", DeviceID: "dev-1", Seq: 2, State: "sent"},
		{ID: "0190a000-0000-7000-8000-000000000003", DeviceID: "dev-1", Seq: 3, Sealed: []byte("sealed three"), State: "rejected", Code: "invalid_input", Message: "text is too long"},
		{ID: "0190a000-0000-7000-8000-000000000004", DeviceID: "dev-1", Seq: 4, Sealed: []byte{0, 1, 2, 255}, State: "waiting"},
	}
	writes := []Write{
		Put(Meta, "wrapped", []byte(`{"salt":"c2FsdA=="}`)),
		Put(Meta, "seq/dev-1", []byte("4")),
		Put(Sealed, "session", []byte("sealed session")),
		Put(Public, "public", []byte(`{"routines":[]}`)),
	}
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		writes = append(writes, Put(Outbox, e.ID, b), Put(Local, e.ID, []byte("local "+e.ID)))
	}
	if err := s.Commit(ctx, writes...); err != nil {
		t.Fatal(err)
	}
	return entries
}

// snapshot reads every bucket.
func snapshot(t *testing.T, s Store) map[string][]Entry {
	t.Helper()
	out := map[string][]Entry{}
	for _, b := range Buckets() {
		es, err := s.List(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		out[b] = es
	}
	return out
}

func sameEntries(a, b []Entry) bool {
	return slices.EqualFunc(a, b, func(x, y Entry) bool { return x.Key == y.Key && bytes.Equal(x.Value, y.Value) })
}

// TestUpgradeKeepsTheOutbox: a phone with records waiting under version
// N's schema takes version N+1 (a new bucket, a changed outbox field): the
// vault opens, everything else is byte for byte as it was, every outbox
// entry is in the new format, and the step does not run again at the next
// start.
func TestUpgradeKeepsTheOutbox(t *testing.T) {
	ctx := context.Background()
	name := freshDB(t, "beredskap-test-upgrade")
	n := len(upgrades)
	before := openAt(t, name, upgrades)
	if v := version(t, before); v != uint(n) {
		t.Fatalf("version %d, want %d", v, n)
	}
	written := phoneAtN(t, before)
	old := snapshot(t, before)
	if err := before.db.Close(); err != nil {
		t.Fatal(err)
	}

	runs := 0
	next := append(slices.Clone(upgrades), bump(&runs, 0))
	after := openAt(t, name, next)
	if v := version(t, after); v != uint(n+1) || runs != 1 {
		t.Fatalf("version %d after %d runs of the bump, want %d after 1", v, runs, n+1)
	}
	if got, want := storeNames(t, after), []string{"attachments", Local, Meta, Outbox, Public, Sealed}; !slices.Equal(got, want) {
		t.Fatalf("buckets %v, want %v", got, want)
	}
	now := snapshot(t, after)
	for _, b := range []string{Meta, Public, Sealed, Local} {
		if !sameEntries(now[b], old[b]) {
			t.Errorf("bucket %s changed in the upgrade:\n%v\nwas\n%v", b, now[b], old[b])
		}
	}
	if len(now[Outbox]) != len(written) {
		t.Fatalf("%d outbox entries after the upgrade, %d before", len(now[Outbox]), len(written))
	}
	waiting := 0
	for i, e := range now[Outbox] {
		w := written[i]
		var got bumpedOutboxEntry
		if err := json.Unmarshal(e.Value, &got); err != nil {
			t.Fatal(err)
		}
		want := bumpedOutboxEntry{ID: w.ID, DeviceID: w.DeviceID, Seq: w.Seq, Sealed: w.Sealed, State: w.State, Code: w.Code, Detail: w.Message, Format: 2}
		if e.Key != w.ID || fmt.Sprint(got) != fmt.Sprint(want) || strings.Contains(string(e.Value), `"message"`) {
			t.Errorf("outbox %s after the upgrade: %s, want %+v", e.Key, e.Value, want)
		}
		if got.State == "waiting" {
			waiting++
		}
	}
	if waiting != 2 {
		t.Fatalf("%d records waiting after the upgrade, want 2", waiting)
	}
	// The new bucket works like the others.
	if err := after.Commit(ctx, Put("attachments", "a", []byte("x")), Put(Outbox, "z", []byte("{}"))); err != nil {
		t.Fatal(err)
	}
	if err := after.db.Close(); err != nil {
		t.Fatal(err)
	}

	again := openAt(t, name, next)
	if runs != 1 {
		t.Fatalf("the bump ran %d times; a phone at N+1 must not run it again", runs)
	}
	if got, err := again.Get(ctx, "attachments", "a"); err != nil || string(got) != "x" {
		t.Fatalf("attachments/a after a restart: %q %v", got, err)
	}
}

// TestUpgradeStepByStep: from every older version, exactly the missing
// steps run, in order; a phone at the newest version runs none.
func TestUpgradeStepByStep(t *testing.T) {
	var ran []int
	step := func(k int, bucket string) schemaStep {
		return schemaStep{name: bucket, run: func(ctx context.Context, u *upgradeTx) error {
			ran = append(ran, k)
			return u.createStore(bucket)
		}}
	}
	all := append(slices.Clone(upgrades), step(2, "two"), step(3, "three"), step(4, "four"))
	for from := 0; from <= len(all); from++ {
		t.Run(fmt.Sprintf("from version %d", from), func(t *testing.T) {
			name := freshDB(t, fmt.Sprintf("beredskap-test-steps-%d", from))
			if from > 0 {
				s := openAt(t, name, all[:from])
				if err := s.db.Close(); err != nil {
					t.Fatal(err)
				}
			}
			ran = nil
			s := openAt(t, name, all)
			var want []int
			for k := max(from+1, 2); k <= len(all); k++ {
				want = append(want, k)
			}
			if !slices.Equal(ran, want) {
				t.Fatalf("steps run %v, want %v", ran, want)
			}
			if v := version(t, s); v != uint(len(all)) {
				t.Fatalf("version %d", v)
			}
			if got := storeNames(t, s); len(got) != len(Buckets())+3 {
				t.Fatalf("buckets %v", got)
			}
		})
	}
}

// TestFailedUpgradeChangesNothing: a step that fails half way through its
// migration leaves the phone's database at version N with every record as
// it was (the browser rolls the upgrade transaction back), and says which
// step failed; the app of version N still opens it.
func TestFailedUpgradeChangesNothing(t *testing.T) {
	name := freshDB(t, "beredskap-test-failed-upgrade")
	n := len(upgrades)
	before := openAt(t, name, upgrades)
	phoneAtN(t, before)
	old := snapshot(t, before)
	if err := before.db.Close(); err != nil {
		t.Fatal(err)
	}

	runs := 0
	_, err := openIndexedDB(context.Background(), name, append(slices.Clone(upgrades), bump(&runs, 2)))
	if err == nil || !strings.Contains(err.Error(), "the migration fails half way") || !strings.Contains(err.Error(), fmt.Sprintf("step %d", n+1)) {
		t.Fatalf("open with a failing step: %v", err)
	}
	s := openAt(t, name, upgrades)
	if v := version(t, s); v != uint(n) {
		t.Fatalf("version %d after a failed upgrade, want %d", v, n)
	}
	if got := storeNames(t, s); slices.Contains(got, "attachments") {
		t.Fatalf("a failed upgrade left its bucket: %v", got)
	}
	now := snapshot(t, s)
	for _, b := range Buckets() {
		if !sameEntries(now[b], old[b]) {
			t.Errorf("bucket %s changed by a failed upgrade", b)
		}
	}
}

// TestUpgradeWhileTheOldReleaseIsOpen: another tab still runs the old
// release with the vault open. Its connection gives way (it closes on the
// browser's versionchange event), so the new release's upgrade is not
// blocked, and the records the old tab wrote are there.
func TestUpgradeWhileTheOldReleaseIsOpen(t *testing.T) {
	name := freshDB(t, "beredskap-test-upgrade-open")
	oldTab := openAt(t, name, upgrades)
	written := phoneAtN(t, oldTab)
	runs := 0
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := openIndexedDB(ctx, name, append(slices.Clone(upgrades), bump(&runs, 0)))
	if err != nil {
		t.Fatalf("upgrade with the old release open: %v", err)
	}
	t.Cleanup(func() { _ = s.db.Close() })
	got, err := s.List(ctx, Outbox)
	if err != nil || len(got) != len(written) || runs != 1 {
		t.Fatalf("outbox after the upgrade: %d entries (%v), bump ran %d times", len(got), err, runs)
	}
}

// BenchmarkOpenUpToDate measures what a start costs on a phone already at
// this release's version: the upgrade check's own connection and the
// vault's.
func BenchmarkOpenUpToDate(b *testing.B) {
	name := "beredskap-bench-open"
	if s, err := openIndexedDB(context.Background(), name, upgrades); err != nil {
		b.Fatal(err)
	} else {
		_ = s.db.Close()
	}
	for b.Loop() {
		s, err := openIndexedDB(context.Background(), name, upgrades)
		if err != nil {
			b.Fatal(err)
		}
		_ = s.db.Close()
	}
}
