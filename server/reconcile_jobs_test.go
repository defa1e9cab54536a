package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"

	"beredskap/internal/bulk"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// TestRecordsSayHowManyMatch: every page of the list carries the number
// of records its filters select, in the caller's units only.
func TestRecordsSayHowManyMatch(t *testing.T) {
	e := newEnv(t)
	anna, _, annaIDs, _ := synced(t, e)
	admin := e.login("admin").Token
	for _, c := range []struct {
		query string
		total int
	}{
		{"limit=2", 6},
		{"limit=2&author=" + anna.login.User.ID, 3},
		{"limit=2&unit=" + anna.bundle.Units[0].ID, 3},
		{"limit=2&type=medication", 0},
	} {
		cursor, pages := "", 0
		for {
			var rr wire.RecordsResponse
			if code, raw := e.call("GET", "/api/v1/records?"+c.query+"&cursor="+cursor, admin, nil, &rr); code != 200 {
				t.Fatalf("%s: %d %s", c.query, code, raw)
			}
			if rr.Total != c.total {
				t.Errorf("%s, page %d: total %d, want %d", c.query, pages+1, rr.Total, c.total)
			}
			pages++
			if cursor = rr.Next; cursor == "" {
				break
			}
		}
	}
	// A coordinator of one unit: the total is of their unit's records.
	kari, _ := e.db.AccountByUsername(context.Background(), "kari")
	kari.Units = []string{e.unitOf(t, annaIDs[0])}
	if err := e.db.PutAccount(context.Background(), kari); err != nil {
		t.Fatal(err)
	}
	var rr wire.RecordsResponse
	if code, raw := e.call("GET", "/api/v1/records?limit=1", e.login("kari").Token, nil, &rr); code != 200 || rr.Total != 3 || len(rr.Records) != 1 {
		t.Fatalf("kari: %d, total %d of %d (%s)", code, rr.Total, len(rr.Records), raw)
	}
}

// startJob posts a job and decodes the 202.
func (e *testEnv) startJob(token string, req any) (int, wire.ReconcileJob, []byte) {
	e.t.Helper()
	code, raw := e.call("POST", "/api/v1/records/reconcile-jobs", token, req, nil)
	var j wire.ReconcileJob
	if code == http.StatusAccepted {
		if err := json.Unmarshal(raw, &j); err != nil {
			e.t.Fatalf("decode %s: %v", raw, err)
		}
	}
	return code, j, raw
}

// waker counts the wakes a started job gives the runner.
type waker struct{ n atomic.Int32 }

func (w *waker) Wake() { w.n.Add(1) }

// TestReconcileJob: a coordinator's job marks every new record of their
// units that the filters select, once, with the one reference; records of
// other units stay new; the job is audited, and its progress readable.
func TestReconcileJob(t *testing.T) {
	woken := &waker{}
	e := newEnv(t, func(c *Config) { c.Jobs = woken })
	anna, per, annaIDs, perIDs := synced(t, e)
	ctx := context.Background()
	// Kari coordinates anna's unit only; one of anna's records was
	// entered by hand before.
	kari, _ := e.db.AccountByUsername(ctx, "kari")
	kari.Units = []string{e.unitOf(t, annaIDs[0])}
	if err := e.db.PutAccount(ctx, kari); err != nil {
		t.Fatal(err)
	}
	tok := e.login("kari").Token
	if code, raw := e.call("POST", "/api/v1/records/"+annaIDs[0]+"/reconcile", tok, wire.ReconcileRequest{Action: "entered", EHRRef: "by hand"}, nil); code != 200 {
		t.Fatalf("by hand: %d %s", code, raw)
	}

	code, j, raw := e.startJob(tok, wire.ReconcileJobRequest{Filter: wire.RecordFilters{Author: anna.login.User.ID}, EHRRef: " EPJ-2026-12 ", EnteredBy: anna.login.User.ID})
	if code != http.StatusAccepted || j.ID == "" || j.Status != wire.JobRunning || j.Total != 2 || j.EHRRef != "EPJ-2026-12" || j.ByName != kari.Name {
		t.Fatalf("start: %d %s", code, raw)
	}
	if n := woken.n.Load(); n != 1 {
		t.Fatalf("the runner was woken %d times, want once", n)
	}
	var seen wire.ReconcileJob
	if code, raw := e.call("GET", "/api/v1/records/reconcile-jobs/"+j.ID, tok, nil, &seen); code != 200 || seen.Status != wire.JobRunning || seen.Done != 0 {
		t.Fatalf("before the runner: %d %s", code, raw)
	}
	var running wire.ReconcileJobsResponse
	if code, raw := e.call("GET", "/api/v1/records/reconcile-jobs?running=1", tok, nil, &running); code != 200 || len(running.Jobs) != 1 || running.Jobs[0].ID != j.ID {
		t.Fatalf("running jobs: %d %s", code, raw)
	}

	if err := bulk.New(e.db, bulk.Options{Owner: "test"}).RunPending(ctx); err != nil {
		t.Fatal(err)
	}
	if code, raw := e.call("GET", "/api/v1/records/reconcile-jobs/"+j.ID, tok, nil, &seen); code != 200 || seen.Status != wire.JobDone || seen.Done != 2 || seen.Skipped != 0 || seen.Finished == nil {
		t.Fatalf("after the runner: %d %s", code, raw)
	}
	for _, id := range annaIDs[1:] {
		sr, _ := e.db.StoredRecordByID(ctx, id)
		if sr.State != store.StateEntered || sr.EHRRef != "EPJ-2026-12" || sr.EnteredBy != anna.login.User.ID || sr.ReconciledBy != kari.ID {
			t.Fatalf("record %s: %+v", id, sr)
		}
	}
	if sr, _ := e.db.StoredRecordByID(ctx, annaIDs[0]); sr.EHRRef != "by hand" {
		t.Fatalf("a record entered before was marked again: %+v", sr)
	}
	for _, id := range perIDs {
		if sr, _ := e.db.StoredRecordByID(ctx, id); sr.State != store.StateNew {
			t.Fatalf("another unit's record %s was marked: %+v", id, sr)
		}
	}
	hist, err := e.db.AuditFor(ctx, j.ID)
	if err != nil || len(hist) != 2 || hist[0].Action != store.AuditReconcileJobStart || hist[0].Actor != kari.ID || hist[1].Action != store.AuditReconcileJobFinish {
		t.Fatalf("the job's audit: %+v, %v", hist, err)
	}

	// An admin's job over every unit is not kari's to see.
	admin := e.login("admin").Token
	code, aj, raw := e.startJob(admin, wire.ReconcileJobRequest{Filter: wire.RecordFilters{Author: per.login.User.ID}, EHRRef: "EPJ-9"})
	if code != http.StatusAccepted || aj.Total != 3 {
		t.Fatalf("admin's job: %d %s", code, raw)
	}
	if code, _ := e.call("GET", "/api/v1/records/reconcile-jobs/"+aj.ID, tok, nil, nil); code != 404 {
		t.Fatalf("kari reads the admin's job: %d", code)
	}
	var all wire.ReconcileJobsResponse
	if e.call("GET", "/api/v1/records/reconcile-jobs", tok, nil, &all); len(all.Jobs) != 1 || all.Jobs[0].ID != j.ID {
		t.Fatalf("kari's jobs: %+v", all.Jobs)
	}
	if e.call("GET", "/api/v1/records/reconcile-jobs", admin, nil, &all); len(all.Jobs) != 2 || all.Jobs[0].ID != aj.ID {
		t.Fatalf("admin's jobs: %+v", all.Jobs)
	}
}

// TestReconcileJobRefusals: each bad request is refused with its code
// and catalogue key, and stores no job.
func TestReconcileJobRefusals(t *testing.T) {
	e := newEnv(t)
	_, per, annaIDs, _ := synced(t, e)
	ctx := context.Background()
	kari, _ := e.db.AccountByUsername(ctx, "kari")
	kari.Units = []string{e.unitOf(t, annaIDs[0])}
	if err := e.db.PutAccount(ctx, kari); err != nil {
		t.Fatal(err)
	}
	tok, nurse := e.login("kari").Token, e.login("nils").Token
	cases := []struct {
		name   string
		token  string
		body   any
		status int
		key    string
	}{
		{"unit not yours", tok, wire.ReconcileJobRequest{Filter: wire.RecordFilters{Unit: per.bundle.Units[0].ID}, EHRRef: "EPJ-1"}, 403, keyUnitNotYours},
		{"unknown type", tok, wire.ReconcileJobRequest{Filter: wire.RecordFilters{Type: "diary"}, EHRRef: "EPJ-1"}, 400, "error.field.one_of"},
		{"records already entered", tok, wire.ReconcileJobRequest{Filter: wire.RecordFilters{State: "entered"}, EHRRef: "EPJ-1"}, 400, keyJobState},
		{"quarantined records", tok, wire.ReconcileJobRequest{Filter: wire.RecordFilters{State: "quarantined"}, EHRRef: "EPJ-1"}, 400, keyJobState},
		{"since not a time", tok, `{"filter":{"since":"yesterday"},"ehr_ref":"EPJ-1"}`, 400, keyBadBody},
		{"no reference", tok, wire.ReconcileJobRequest{}, 400, "error.field.required"},
		{"a blank reference", tok, wire.ReconcileJobRequest{EHRRef: "   "}, 400, "error.field.required"},
		{"entered_by not a user", tok, wire.ReconcileJobRequest{EHRRef: "EPJ-1", EnteredBy: "nobody"}, 400, "error.field.unknown"},
		{"unknown field", tok, `{"ehr_ref":"EPJ-1","ids":["x"]}`, 400, keyBadBody},
		{"broken JSON", tok, `{"ehr_ref":`, 400, keyBadBody},
		{"a nurse", nurse, wire.ReconcileJobRequest{EHRRef: "EPJ-1"}, 403, keyForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, raw := e.startJob(c.token, c.body)
			var eb wire.ErrorBody
			if code != c.status || json.Unmarshal(raw, &eb) != nil || eb.Error.Key != c.key || eb.Error.Message == "" {
				t.Fatalf("%d %s; want %d with key %s", code, raw, c.status, c.key)
			}
		})
	}
	if jobs, err := e.db.ReconcileJobs(ctx, false); err != nil || len(jobs) != 0 {
		t.Fatalf("refused requests stored jobs: %+v, %v", jobs, err)
	}
	for _, bad := range []struct{ path, token string }{
		{"/api/v1/records/reconcile-jobs/0190b6a2-0000-7000-8000-000000000000", tok},
		{"/api/v1/records/reconcile-jobs?running=yes", tok},
		{"/api/v1/records/reconcile-jobs", nurse},
	} {
		if code, raw := e.call("GET", bad.path, bad.token, nil, nil); code < 400 || errorCode(t, raw) == "" {
			t.Errorf("%s: %d %s", bad.path, code, raw)
		}
	}
}
