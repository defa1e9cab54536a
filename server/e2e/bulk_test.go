package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

// syncAll pushes every pending record of the device, batch by batch.
func (d *device) syncAll(t *testing.T, srv *server) {
	t.Helper()
	for len(d.pending) > 0 {
		if refused, err := d.syncOnce(srv.url("")); err != nil || refused {
			t.Fatalf("sync: refused %v, %v", refused, err)
		}
	}
}

// records reads the records list as token and returns the answer.
func records(t *testing.T, srv *server, token string, q url.Values) wire.RecordsResponse {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.url("/api/v1/records?"+q.Encode()), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rr wire.RecordsResponse
	if err := json.NewDecoder(resp.Body).Decode(&rr); err != nil || resp.StatusCode != 200 {
		t.Fatalf("records %s: %d %v", q.Encode(), resp.StatusCode, err)
	}
	return rr
}

// TestCoordinatorMarksAllThatMatch: the records table says which records
// it shows of how many match, in Norwegian ("1–200 av 1 100"), growing as
// pages are loaded; "mark all that match as entered" marks every one of
// them, not only those on screen, shows its progress and end, and leaves
// the records outside the filter alone; axe finds nothing serious in the
// confirmation or the end.
func TestCoordinatorMarksAllThatMatch(t *testing.T) {
	audit := &axeAudit{t: t, source: axeSource(t)}
	srv := startServer(t)
	anna := setupDevice(t, srv, "anna", 1100)
	anna.syncAll(t, srv)
	kari := loginToken(t, srv, "kari")
	first := records(t, srv, kari, url.Values{"limit": {"1"}})
	if first.Total != 1100 || len(first.Records) != 1 {
		t.Fatalf("after anna's sync: %d records of %d", len(first.Records), first.Total)
	}
	annaID := first.Records[0].AuthorID
	per := setupDevice(t, srv, "per", 30)
	per.syncAll(t, srv)

	ctx := desk(t)
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/office")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("username")),
		chromedp.SendKeys(sel("username"), "kari"),
		chromedp.SendKeys(sel("password"), "demo"),
		click(sel("login")),
		chromedp.WaitVisible(sel("tile-records")),
		chromedp.Navigate(srv.url("/office/records?author="+url.QueryEscape(annaID))),
		chromedp.WaitVisible(sel("records-shown")),
	)
	shown := `document.querySelector('[data-testid="records-shown"]').textContent`
	waitFor(t, ctx, shown+` === "1–200 av 1\u00a0100"`)
	within(t, ctx, 30*time.Second, click(sel("records-more")))
	waitFor(t, ctx, shown+` === "1–400 av 1\u00a0100"`)
	shot(t, ctx, "records-shown")

	within(t, ctx, 30*time.Second,
		chromedp.SendKeys(sel("bulk-ehr-ref"), "EPJ-BULK-7"),
		click(sel("bulk-all")),
		chromedp.WaitVisible(sel("bulk-all-confirm")),
	)
	waitFor(t, ctx, `document.querySelector('[data-testid="bulk-all-confirm"]').textContent.includes("1\u00a0100 nye registreringer")`)
	shot(t, ctx, "mark-all-confirm")
	audit.check(ctx, "office-records-mark-all-confirm")
	within(t, ctx, 30*time.Second, click(sel("bulk-all-yes")), chromedp.WaitVisible(sel("bulk-job")))
	waitFor(t, ctx, `document.querySelector('[data-testid="bulk-job"]').dataset.status === "done"`)
	waitFor(t, ctx, `document.querySelector('[data-testid="bulk-job"]').textContent.includes("1\u00a0100 merket som ført inn.")`)
	waitFor(t, ctx, `(() => {
		const rows = [...document.querySelectorAll('[data-testid="record-row"]')];
		return rows.length === 200 && rows.every(r => r.dataset.state === "entered");
	})()`)
	shot(t, ctx, "mark-all-done")
	audit.check(ctx, "office-records-mark-all-done")

	if rr := records(t, srv, kari, url.Values{"author": {annaID}, "state": {"entered"}, "limit": {"1"}}); rr.Total != 1100 || rr.Records[0].EHRRef != "EPJ-BULK-7" {
		t.Fatalf("anna's records entered: %d, %+v", rr.Total, rr.Records)
	}
	if rr := records(t, srv, kari, url.Values{"state": {"new"}, "limit": {"1"}}); rr.Total != 30 || rr.Records[0].AuthorID == annaID {
		t.Fatalf("records outside the filter: %d new, want per's 30", rr.Total)
	}
}

// TestServerCarriesOnAJobAfterAKill: a job left running by a server that
// was killed (its lease held by that server, half its records marked) is
// taken on by the next start of `beredskap serve` once the lease has run
// out, and finished: every record entered once.
func TestServerCarriesOnAJobAfterAKill(t *testing.T) {
	srv := startServer(t)
	anna := setupDevice(t, srv, "anna", 300)
	anna.syncAll(t, srv)
	srv.stop() // SIGKILL

	ctx := context.Background()
	db, err := badger.Open(filepath.Join(srv.dataDir, "db"), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kari, err := db.AccountByUsername(ctx, "kari")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	j := store.ReconcileJob{ID: "0190b6a2-0000-7000-8000-00000000b01c", By: kari.ID, EnteredBy: kari.ID, EHRRef: "EPJ-RESTART",
		Filter: store.RecordFilter{Units: kari.Units, State: store.StateNew}, UpTo: now, Created: now, Updated: now, Total: 300}
	if err := db.CreateReconcileJob(ctx, j, store.Audit{Actor: kari.ID, Action: store.AuditReconcileJobStart, Subject: j.ID}); err != nil {
		t.Fatal(err)
	}
	// The killed server had marked the newest 100 and held the lease
	// for a few seconds more.
	page, next, err := db.ListRecords(ctx, store.RecordFilter{State: store.StateNew, Limit: 100})
	if err != nil || len(page) != 100 {
		t.Fatalf("first chunk: %d, %v", len(page), err)
	}
	var ids []string
	for _, r := range page {
		ids = append(ids, r.ID)
	}
	at := now.Truncate(time.Microsecond)
	if j, err = db.ClaimReconcileJob(ctx, j.ID, "killed-node", now, now.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	j.Cursor, j.Chunk = next, &store.JobChunk{IDs: ids, At: at}
	if err := db.SaveReconcileJob(ctx, j, "killed-node", now.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Reconcile(ctx, ids, store.Reconciliation{Action: store.ActionEntered, EHRRef: j.EHRRef, By: kari.ID, EnteredBy: kari.ID, At: at}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	srv.start()
	token := loginToken(t, srv, "kari")
	deadline := time.Now().Add(60 * time.Second) // the lease, then the runner's poll
	var seen wire.ReconcileJob
	for {
		req, _ := http.NewRequest("GET", srv.url("/api/v1/records/reconcile-jobs/"+j.ID), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&seen)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET the job: %d %v", resp.StatusCode, err)
		}
		if seen.Status != wire.JobRunning || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if seen.Status != wire.JobDone || seen.Done != 300 || seen.Skipped != 0 {
		t.Fatalf("after the restart: %+v", seen)
	}
	srv.stop()
	db, err = badger.Open(filepath.Join(srv.dataDir, "db"), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for id := range anna.acked {
		r, err := db.StoredRecordByID(ctx, id)
		if err != nil || r.State != store.StateEntered || r.EHRRef != "EPJ-RESTART" {
			t.Fatalf("record %s after the job: %+v, %v", id, r, err)
		}
		hist, _ := db.AuditFor(ctx, id)
		n := 0
		for _, e := range hist {
			if e.Action == store.AuditReconcile {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("record %s has %d reconciliation entries", id, n)
		}
	}
}
