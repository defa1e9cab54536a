package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"beredskap/internal/care"
)

// buildBumpedApp builds the phone app with the test-only schema step
// (app/vault/testbump.go, -tags vaulttestbump) into a copy of web/: the
// next release as far as the phone's database is concerned. The copies
// of the old app.wasm compressed are removed, so that the server sends
// the new one.
func buildBumpedApp(t *testing.T) string {
	t.Helper()
	dir := copyWeb(t)
	for _, name := range []string{"app.wasm.br", "app.wasm.gz"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-tags", "vaulttestbump", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "app.wasm"), "./app/wasm")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the bumped app: %v\n%s", err, out)
	}
	return dir
}

// phoneDB is what the page's IndexedDB holds, read by the test itself.
type phoneDB struct {
	Version int      `json:"version"`
	Stores  []string `json:"stores"`
	Outbox  []string `json:"outbox"` // each entry's JSON
}

// readPhoneDB opens the app's database from the page without asking for
// a version (so that it never starts an upgrade) and closes it again.
func readPhoneDB(t *testing.T, ctx context.Context) phoneDB {
	t.Helper()
	return eval[phoneDB](t, ctx, `(async () => {
		const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
		const db = await req(indexedDB.open("beredskap"));
		try {
			const out = {version: db.version, stores: [...db.objectStoreNames], outbox: []};
			if (out.stores.includes("outbox")) {
				const vals = await req(db.transaction("outbox").objectStore("outbox").getAll());
				out.outbox = vals.map(v => new TextDecoder().decode(v));
			}
			return out;
		} finally { db.close(); }
	})()`)
}

func waitingIn(db phoneDB) int {
	n := 0
	for _, e := range db.Outbox {
		if strings.Contains(e, `"state":"waiting"`) {
			n++
		}
	}
	return n
}

// TestUpdateKeepsWaitingRecords: a phone of this release holds a shift and
// two notes written offline, waiting to be sent. The server comes back
// with the next release, whose database schema is one step newer (the
// test-only bump: a new bucket, every outbox record rewritten). The phone
// takes the update, its vault opens at the new version with the records
// migrated, the same PIN opens the same shift, and the two notes reach
// the server exactly once.
func TestUpdateKeepsWaitingRecords(t *testing.T) {
	bumped := buildBumpedApp(t)
	srv := startServer(t, "--static-dir", copyWeb(t))
	ctx := browser(t)
	loginWithPIN(t, ctx, srv, "anna", "112358")
	waitServiceWorker(t, ctx)
	within(t, ctx, 30*time.Second, click(sel("visit")), chromedp.WaitVisible(sel("note-text")))

	// Offline: two notes, saved on the phone only.
	srv.stop()
	notes := []string{"Skrevet før oppdateringen, 1", "Skrevet før oppdateringen, 2"}
	for _, text := range notes {
		// "Saved" shows only once the record is committed to the vault.
		writeNote(t, ctx, text)
	}
	before := readPhoneDB(t, ctx)
	if waitingIn(before) != 2 || slices.Contains(before.Stores, "attachments") {
		t.Fatalf("before the update the phone holds %+v", before)
	}
	// A reload locks the shift: the old app cannot send without the PIN,
	// so the notes are still waiting when the new release opens the vault.
	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted), chromedp.WaitVisible(sel("unlock")))

	// The server comes back serving the next release.
	srv.args = []string{"--static-dir", bumped}
	srv.start()
	// The reload still runs the cached release and has its service worker
	// fetch the new one; once the new cache has replaced the old, the next
	// reload runs the new release (the banner that offers it may come
	// before the page listens, so the test does not wait for it).
	old := cacheNames(t, ctx)
	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
	for deadline := time.Now().Add(120 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		now := cacheNames(t, ctx)
		if len(now) == 1 && !slices.Equal(now, old) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new release was not installed (caches %v, were %v)", now, old)
		}
	}
	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted), chromedp.WaitVisible(sel("unlock")))

	after := readPhoneDB(t, ctx)
	if after.Version != before.Version+1 || !slices.Contains(after.Stores, "attachments") {
		t.Fatalf("after the update the database is at version %d with %v (was %d)", after.Version, after.Stores, before.Version)
	}
	if len(after.Outbox) != 2 || waitingIn(after) != 2 {
		t.Fatalf("outbox after the update: %v", after.Outbox)
	}
	for _, e := range after.Outbox {
		if !strings.Contains(e, `"format":2`) {
			t.Fatalf("outbox entry not migrated: %s", e)
		}
	}
	if n := count(t, ctx, "storage-volatile"); n != 0 {
		t.Fatal("the new release could not open the vault: it runs on memory")
	}
	if got := textOf(t, ctx, "owner"); !strings.Contains(got, "Anna") {
		t.Fatalf("locked page after the update says %q", got)
	}

	// The same PIN opens the same shift; the notes go out by themselves.
	unlock(t, ctx, "112358")
	within(t, ctx, 30*time.Second, click(sel("tab-sync")), chromedp.WaitVisible(sel("record")))
	waitFor(t, ctx, `(() => {
		const s = [...document.querySelectorAll('[data-testid="sync-state"]')].map(e => e.dataset.state);
		return s.length === 2 && s.every(x => x === "sent");
	})()`)
	srv.stop()

	var got []string
	for _, r := range serverRecords(t, srv) {
		if r.Type != care.RecordNote {
			t.Errorf("the server holds a %s record", r.Type)
			continue
		}
		got = append(got, r.Text)
	}
	slices.Sort(got)
	if !slices.Equal(got, notes) {
		t.Fatalf("the server holds notes %q, want each of %q once", got, notes)
	}
}
