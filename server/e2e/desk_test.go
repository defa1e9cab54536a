package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/reconcile"
	"beredskap/internal/seal"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

// TestDeskAfterKills: while phones sync medication records (each dose
// given twice, so that findings arise) and a coordinator marks records
// entered, the server is killed again and again. The desk keeps its
// findings and counts in memory, built from the store at start; after the
// last restart they must match a full recomputation from what the store
// holds, whatever the bookkeeping was doing when the process died.
func TestDeskAfterKills(t *testing.T) {
	srv := startServer(t)
	var devices []*device
	for _, u := range []string{"anna", "nils", "ole"} {
		d := setupDevice(t, srv, u, 2500)
		addDoubleDoses(t, srv, d)
		devices = append(devices, d)
	}
	admin := loginToken(t, srv, "admin")

	var reconciled atomic.Int64
	p := pushAll(t, devices, srv.url(""), time.Now().Add(3*time.Minute))
	// The coordinator marks what came in as entered, page by page, while
	// the server dies under it.
	stopMarking := make(chan struct{})
	marked := make(chan struct{})
	go func() {
		defer close(marked)
		for {
			select {
			case <-stopMarking:
				return
			default:
			}
			reconciled.Add(int64(markSomeEntered(srv, admin)))
			time.Sleep(30 * time.Millisecond)
		}
	}()
	kills := p.killServer(srv, 100*time.Millisecond, 250*time.Millisecond, 50*time.Millisecond)
	close(stopMarking)
	<-marked
	for _, err := range p.wait() {
		t.Fatal(err)
	}
	// One more death in the middle of marking, then a clean start.
	go markSomeEntered(srv, admin)
	time.Sleep(20 * time.Millisecond)
	srv.stop()
	srv.start()
	// The restarted desk must also keep up with what comes after: more
	// records (numbered again from 1: a phone restored from a copy) and
	// more marked entered.
	addDoubleDoses(t, srv, devices[0])
	if err := devices[0].push(t, srv.url(""), time.Now().Add(time.Minute), &p.attempts); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		reconciled.Add(int64(markSomeEntered(srv, admin)))
	}
	if kills < 3 || reconciled.Load() == 0 {
		t.Fatalf("too few faults to prove anything: %d kills, %d records marked entered", kills, reconciled.Load())
	}

	// Ask at a time well inside a minute: the plan's times are whole
	// minutes, so the answer and the recomputation below, made a moment
	// later for the same instant, see the same doses due.
	for s := time.Now().Second(); s < 3 || s > 50; s = time.Now().Second() {
		time.Sleep(200 * time.Millisecond)
	}
	since := time.Now().Add(-72 * time.Hour).UTC().Truncate(time.Second)
	asked := time.Now().UTC()
	got := allFindings(t, srv, admin, since)
	var dash wire.Dashboard
	deskGet(t, srv, admin, "/api/v1/dashboard?since="+url.QueryEscape(since.Format(time.RFC3339)), &dash)
	srv.stop()

	db, err := badger.Open(filepath.Join(srv.dataDir, "db"), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	in, err := reconcile.Load(ctx, db, reconcile.Scope{Until: asked, Now: asked, OfflineFor: 8 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	received := map[string]time.Time{}
	for _, r := range in.Records {
		received[r.ID] = r.Received
	}
	want := map[string]string{}
	for _, f := range reconcile.Compute(in) {
		var last time.Time
		for _, id := range f.RecordIDs {
			if received[id].After(last) {
				last = received[id]
			}
		}
		if f.Kind == wire.FindingSequenceGap {
			last = asked // every device synced within the window
		}
		if reconcile.Covers(f, last, since, asked.Add(time.Second)) {
			want[f.ID] = f.Kind
		}
	}
	kinds := map[string]int{}
	for id, kind := range want {
		kinds[kind]++
		if got[id] != kind {
			t.Errorf("finding %s (%s) recomputed but not kept", id, kind)
		}
	}
	for id, kind := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("finding %s (%s) kept but not recomputed", id, kind)
		}
	}
	if kinds[wire.FindingDoubleAdministration] == 0 || kinds[wire.FindingDuplicateSeq] == 0 {
		t.Fatalf("no double administration among %v: the test proves less than it says", kinds)
	}
	count, states := 0, map[string]int{}
	for _, r := range in.Records {
		if !r.Received.Before(since) {
			count++
			states[r.State]++
		}
	}
	if dash.Records != count || dash.States[store.StateEntered] != states[store.StateEntered] || dash.States[store.StateNew] != states[store.StateNew] {
		t.Fatalf("dashboard %d records %v; the store holds %d %v", dash.Records, dash.States, count, states)
	}
	for kind, n := range kinds {
		if dash.Findings[kind] != n {
			t.Errorf("dashboard: %d %s, recomputed %d", dash.Findings[kind], kind, n)
		}
	}
	t.Logf("%d kills; %d records, %d marked entered; %d findings %v; %d sync requests", kills, count, states[store.StateEntered], len(want), kinds, p.attempts.Load())
}

// addDoubleDoses adds to the device's pending records each of its own
// patients' doses given twice.
func addDoubleDoses(t *testing.T, srv *server, d *device) {
	t.Helper()
	var br wire.BundleResponse
	deskGet(t, srv, d.token, "/api/v1/bundle", &br)
	var b wire.Bundle
	if err := json.Unmarshal(br.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	seq := uint64(len(d.pending))
	for _, dose := range b.Medications {
		if !b.OwnPatient(dose.PatientID) {
			continue
		}
		for range 2 {
			seq++
			at := time.Now().UTC()
			r := care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordMedication, DeviceID: d.id, AuthorID: d.userID,
				PatientID: dose.PatientID, VisitID: dose.VisitID, ScheduleID: dose.ID, CreatedAt: at, Seq: seq,
				Medication: dose.Medication, Dose: dose.Dose, Route: dose.Route, Status: care.DoseGiven, AdministeredAt: &at,
				SignatureSVG: "M1 1 L2 2", CosignerName: "Kari", CosignerSignatureSVG: "M1 1 L2 3"}
			body, _ := json.Marshal(r)
			sealed, err := seal.SealRecord(body, d.key, d.sealKey)
			if err != nil {
				t.Fatal(err)
			}
			d.pending[r.ID] = wire.SealedRecord{ID: r.ID, Sealed: sealed}
		}
	}
}

// deskGet reads an answer that must succeed.
func deskGet(t *testing.T, srv *server, token, path string, out any) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		req, _ := http.NewRequest("GET", srv.url(path), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			err = func() error {
				defer resp.Body.Close()
				if resp.StatusCode != 200 {
					return fmt.Errorf("%s: %d", path, resp.StatusCode)
				}
				return json.NewDecoder(resp.Body).Decode(out)
			}()
		}
		if err == nil {
			return
		}
		if attempt == 50 {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// allFindings pages through every finding since since, by id.
func allFindings(t *testing.T, srv *server, token string, since time.Time) map[string]string {
	t.Helper()
	out := map[string]string{}
	cursor := ""
	for {
		q := url.Values{"since": {since.Format(time.RFC3339)}, "limit": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var fr wire.FindingsResponse
		deskGet(t, srv, token, "/api/v1/findings?"+q.Encode(), &fr)
		for _, f := range fr.Findings {
			out[f.ID] = f.Kind
		}
		if fr.Next == "" {
			if len(out) != fr.Total {
				t.Fatalf("paged %d findings, total says %d", len(out), fr.Total)
			}
			return out
		}
		cursor = fr.Next
	}
}

// markSomeEntered marks up to 40 new records entered and says how many;
// a server that dies meanwhile makes it give up quietly.
func markSomeEntered(srv *server, token string) int {
	client := &http.Client{Timeout: 3 * time.Second}
	req, _ := http.NewRequest("GET", srv.url("/api/v1/records?state=new&limit=40"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	var rr wire.RecordsResponse
	err = json.NewDecoder(resp.Body).Decode(&rr)
	resp.Body.Close()
	if err != nil || len(rr.Records) == 0 {
		return 0
	}
	var ids []string
	for _, r := range rr.Records {
		ids = append(ids, r.ID)
	}
	body, _ := json.Marshal(wire.ReconcileRequest{IDs: ids, Action: store.ActionEntered, EHRRef: "EPJ-1"})
	req, _ = http.NewRequest("POST", srv.url("/api/v1/records/reconcile"), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err = client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return 0
	}
	return len(ids)
}

// TestFindingsPageMore: with more findings than a page, the office shows
// the first 200 and how many there are, and "more" adds the next page in
// the list's order, none twice.
func TestFindingsPageMore(t *testing.T) {
	srv := startServer(t)
	d := setupDevice(t, srv, "anna", 0)
	// Notes made nine hours ago and synced now: each is late, and made
	// before its phone's bundle was issued: two findings a record.
	var br wire.BundleResponse
	deskGet(t, srv, d.token, "/api/v1/bundle", &br)
	var b wire.Bundle
	if err := json.Unmarshal(br.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	var own []string
	for _, v := range b.Visits {
		if b.Own(v) {
			own = append(own, v.PatientID)
		}
	}
	for i := 1; i <= 150; i++ {
		r := care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordNote, DeviceID: d.id, AuthorID: d.userID,
			PatientID: own[i%len(own)], CreatedAt: time.Now().Add(-9 * time.Hour).UTC(), Seq: uint64(i), Text: fmt.Sprintf("note %d", i)}
		body, _ := json.Marshal(r)
		sealed, err := seal.SealRecord(body, d.key, d.sealKey)
		if err != nil {
			t.Fatal(err)
		}
		d.pending[r.ID] = wire.SealedRecord{ID: r.ID, Sealed: sealed}
	}
	var attempts atomic.Int64
	if err := d.push(t, srv.url(""), time.Now().Add(time.Minute), &attempts); err != nil {
		t.Fatal(err)
	}
	admin := loginToken(t, srv, "admin")
	// What the page asks for: the open findings of the default window.
	var api []string
	cursor := ""
	for {
		var fr wire.FindingsResponse
		deskGet(t, srv, admin, "/api/v1/findings?status=open&limit=200&cursor="+cursor, &fr)
		for _, f := range fr.Findings {
			api = append(api, f.ID)
		}
		if cursor = fr.Next; cursor == "" {
			break
		}
	}
	if len(api) <= 200 {
		t.Fatalf("%d findings: not more than a page", len(api))
	}

	ctx := desk(t)
	within(t, ctx, 60*time.Second,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.url("/office/findings")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("username")),
		chromedp.SendKeys(sel("username"), "admin"),
		chromedp.SendKeys(sel("password"), "demo"),
		click(sel("login")),
		chromedp.WaitVisible(sel("findings-more")),
	)
	shown := func() []string {
		return eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="finding"]')].map(c => c.dataset.id)`)
	}
	countText := func() string {
		return eval[string](t, ctx, `document.querySelector('[data-testid="findings-count"]').textContent`)
	}
	if got, want := countText(), "1–200 av "+groupNB(len(api)); got != want {
		t.Errorf("count reads %q, want %q", got, want)
	}
	if first := shown(); len(first) != 200 || !slices.Equal(first, api[:200]) {
		t.Fatalf("first page shows %d findings, not the API's first 200", len(first))
	}
	screenShot(t, ctx, "findings-more-first")
	within(t, ctx, 60*time.Second, click(sel("findings-more")))
	next := min(400, len(api))
	waitFor(t, ctx, fmt.Sprintf(`document.querySelectorAll('[data-testid="finding"]').length >= %d`, next))
	if got := shown(); !slices.Equal(got, api[:next]) {
		t.Fatalf("after more: %d findings shown, want the API's first %d in order", len(got), next)
	}
	if got, want := countText(), fmt.Sprintf("1–%d av %s", next, groupNB(len(api))); got != want {
		t.Errorf("after more, count reads %q, want %q", got, want)
	}
}
