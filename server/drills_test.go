package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"beredskap/internal/bulk"
	"beredskap/internal/care"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// drillEnv is the demo municipality on a clock the test moves.
type drillEnv struct {
	*testEnv
	clock     *atomic.Int64
	nord, sor care.Unit
}

func newDrillEnv(t *testing.T) *drillEnv {
	t.Helper()
	d := servertest.New(t)
	clock := &atomic.Int64{}
	clock.Store(d.Now.UTC().Truncate(time.Second).UnixNano())
	e := envOver(t, d, func(c *Config) { c.Now = func() time.Time { return time.Unix(0, clock.Load()).UTC() } })
	de := &drillEnv{testEnv: e, clock: clock}
	de.nord, de.sor = e.nordSor(t)
	return de
}

func (e *drillEnv) now() time.Time                { return time.Unix(0, e.clock.Load()).UTC() }
func (e *drillEnv) advance(d time.Duration)       { e.clock.Add(int64(d)) }
func (e *drillEnv) at(d time.Duration) *time.Time { t := e.now().Add(d); return &t }

// startDrill starts a drill through the API and returns it.
func (e *drillEnv) startDrill(t *testing.T, token string, req wire.DrillRequest) wire.Drill {
	t.Helper()
	var d wire.Drill
	code, raw := e.call("POST", "/api/v1/drills", token, req, nil)
	if code != 201 {
		t.Fatalf("start drill: %d %s", code, raw)
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// The drill endpoints' bad input, roles and units: 400 for a window that
// is not one, 403 for a worker and for another unit's drill, 404 for an
// unknown id; nothing is stored by a refused request.
func TestDrillRequestsRefused(t *testing.T) {
	e := newDrillEnv(t)
	kari := e.coordinatorOf(t, e.nord.ID)
	now := e.now()
	ok := wire.DrillRequest{Units: []string{e.nord.ID}, Title: "Strømbrudd", End: now.Add(2 * time.Hour)}
	with := func(f func(*wire.DrillRequest)) wire.DrillRequest { r := ok; f(&r); return r }
	past, far := now.Add(-time.Hour), now.Add(31*24*time.Hour)
	for _, c := range []struct {
		name string
		req  wire.DrillRequest
		code int
		key  string
	}{
		{"end before the start", with(func(r *wire.DrillRequest) { r.End = now.Add(-time.Minute) }), 400, keyDrillEnd},
		{"end at the start", with(func(r *wire.DrillRequest) { r.Start, r.End = e.at(time.Hour), now.Add(time.Hour) }), 400, keyDrillEnd},
		{"over 24 hours", with(func(r *wire.DrillRequest) { r.End = now.Add(24*time.Hour + time.Minute) }), 400, keyDrillEnd},
		{"no end", with(func(r *wire.DrillRequest) { r.End = time.Time{} }), 400, care.KeyRequired},
		{"start in the past", with(func(r *wire.DrillRequest) { r.Start = &past }), 400, keyDrillStart},
		{"start too far ahead", with(func(r *wire.DrillRequest) { r.Start, r.End = &far, far.Add(time.Hour) }), 400, keyDrillStart},
		{"no title", with(func(r *wire.DrillRequest) { r.Title = "  " }), 400, care.KeyRequired},
		{"no units", with(func(r *wire.DrillRequest) { r.Units = nil }), 400, care.KeyRequired},
		{"unknown unit", with(func(r *wire.DrillRequest) { r.Units = []string{"nowhere"} }), 400, care.KeyUnknown},
		{"another unit", with(func(r *wire.DrillRequest) { r.Units = []string{e.nord.ID, e.sor.ID} }), 403, keyUnitNotYours},
	} {
		code, raw := e.call("POST", "/api/v1/drills", kari, c.req, nil)
		if code != c.code || !strings.Contains(string(raw), c.key) {
			t.Errorf("%s: %d %s, want %d with %s", c.name, code, raw, c.code, c.key)
		}
	}
	if ds, err := e.db.Drills(context.Background()); err != nil || len(ds) != 0 {
		t.Fatalf("refused requests stored drills: %+v %v", ds, err)
	}
	anna := e.login("anna").Token
	if code, _ := e.call("POST", "/api/v1/drills", anna, ok, nil); code != 403 {
		t.Errorf("a worker started a drill: %d", code)
	}
	d := e.startDrill(t, kari, ok)
	if code, _ := e.call("GET", "/api/v1/drills/"+d.ID+"/report", anna, nil, nil); code != 403 {
		t.Errorf("a worker read a report: %d", code)
	}
	south := e.coordinatorOf(t, e.sor.ID)
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/drills/" + d.ID}, {"POST", "/api/v1/drills/" + d.ID + "/end"},
		{"POST", "/api/v1/drills/" + d.ID + "/network-back"}, {"GET", "/api/v1/drills/" + d.ID + "/report"},
		{"GET", "/api/v1/drills/" + d.ID + "/report.pdf"},
	} {
		if code, raw := e.call(c.method, c.path, south, nil, nil); code != 403 {
			t.Errorf("another unit's coordinator: %s %s = %d %s", c.method, c.path, code, raw)
		}
		if code, raw := e.call(c.method, strings.Replace(c.path, d.ID, "0190b6a2-0000-7000-8000-000000000999", 1), south, nil, nil); code != 404 {
			t.Errorf("unknown drill: %s %s = %d %s", c.method, c.path, code, raw)
		}
	}
	var list wire.DrillsResponse
	if code, raw := e.call("GET", "/api/v1/drills", south, nil, &list); code != 200 || len(list.Drills) != 0 {
		t.Errorf("another unit's coordinator lists %d %s", code, raw)
	}
	if code, raw := e.call("GET", "/api/v1/records?drill=nope", e.coordinatorOf(t, e.nord.ID), nil, nil); code != 400 {
		t.Errorf("a bad drill filter: %d %s", code, raw)
	}
}

// A drill from start to report: the bundle carries it, records written
// in it (marked by the phone or not) are drill records, kept out of the
// records list, the findings, the dashboard, the exports and
// reconciliation, and the report says who took part, what was recorded,
// the findings of the drill's records and each phone's time to sync
// after network back.
func TestDrillFromStartToReport(t *testing.T) {
	e := newDrillEnv(t)
	ctx := context.Background()
	anna := e.phone("anna") // fetched before the drill: her bundle has none
	if len(anna.bundle.Drills) != 0 {
		t.Fatalf("a bundle before any drill carries %+v", anna.bundle.Drills)
	}
	kari := e.coordinatorOf(t, e.nord.ID)
	start := e.now()
	d := e.startDrill(t, kari, wire.DrillRequest{Units: []string{e.nord.ID}, Title: "Strømbrudd", Scenario: "Nettet er nede i hele kommunen", End: start.Add(3 * time.Hour)})
	if !d.Start.Equal(start) || d.StartedBy == "" {
		t.Fatalf("drill %+v", d)
	}
	later := e.startDrill(t, kari, wire.DrillRequest{Units: []string{e.nord.ID}, Title: "Neste uke", Start: e.at(6 * time.Hour), End: start.Add(7 * time.Hour)})
	beyond := e.startDrill(t, kari, wire.DrillRequest{Units: []string{e.nord.ID}, Title: "Senere", Start: e.at(20 * 24 * time.Hour), End: start.Add(20*24*time.Hour + time.Hour)})
	bo := e.phone("anna") // a second phone of anna's, fetched now
	var held []string
	for _, x := range bo.bundle.Drills {
		held = append(held, x.ID)
	}
	if !slices.Contains(held, d.ID) || !slices.Contains(held, later.ID) || slices.Contains(held, beyond.ID) {
		t.Fatalf("the bundle carries %v; want %s and %s, not %s", held, d.ID, later.ID, beyond.ID)
	}

	own, unitPart := anna.ownPatient(), anna.unitPatient()
	marked := bo.note(own, "Øvelse: tilsyn")
	marked.DrillID = d.ID
	unmarked := anna.note(own, "Skrevet på en telefon uten øvelsen")
	emergency := bo.note(unitPart, "Akutt i øvelsen")
	emergency.EmergencyReason, emergency.DrillID = "Øvelse: dekker for kollega", d.ID
	real := anna.note(own, "Ekte notat før øvelsen")
	real.CreatedAt = start.Add(-time.Minute)
	forged := anna.note(own, "Feil øvelse")
	forged.CreatedAt, forged.DrillID = start.Add(-2*time.Minute), d.ID
	e.advance(10 * time.Minute)
	back := e.now()
	if code, raw := e.call("POST", "/api/v1/drills/"+d.ID+"/network-back", kari, nil, nil); code != 200 {
		t.Fatalf("network back: %d %s", code, raw)
	}
	if code, raw := e.call("POST", "/api/v1/drills/"+d.ID+"/network-back", kari, nil, nil); code != 409 {
		t.Fatalf("network back twice: %d %s", code, raw)
	}
	e.advance(5 * time.Minute)
	if code, resp, raw := bo.sync(bo.sealRecord(marked), bo.sealRecord(emergency)); code != 200 || resp.Results[0].Status != wire.SyncAccepted || resp.Results[1].Status != wire.SyncAccepted {
		t.Fatalf("bo's sync: %d %s", code, raw)
	}
	e.advance(2 * time.Minute)
	if code, resp, raw := anna.sync(anna.sealRecord(unmarked), anna.sealRecord(real), anna.sealRecord(forged)); code != 200 || resp.Results[2].Status != wire.SyncAccepted {
		t.Fatalf("anna's sync: %d %s", code, raw)
	}
	drillIDs := []string{marked.ID, unmarked.ID, emergency.ID}
	for _, id := range drillIDs {
		if sr, err := e.db.StoredRecordByID(ctx, id); err != nil || sr.DrillID != d.ID {
			t.Fatalf("record %s: drill %q, %v", id, sr.DrillID, err)
		}
	}
	for _, id := range []string{real.ID, forged.ID} {
		if sr, err := e.db.StoredRecordByID(ctx, id); err != nil || sr.DrillID != "" {
			t.Fatalf("real record %s: drill %q, %v", id, sr.DrillID, err)
		}
	}
	if entries, err := e.db.AuditFor(ctx, forged.ID); err != nil || !slices.ContainsFunc(entries, func(a store.AuditEntry) bool { return a.Action == store.AuditDrillMismatch }) {
		t.Fatalf("the forged drill id is not audited: %+v %v", entries, err)
	}

	// The real views hold none of the drill's records.
	listed := func(q string) []string {
		var out wire.RecordsResponse
		if code, raw := e.call("GET", "/api/v1/records?"+q, kari, nil, &out); code != 200 {
			t.Fatalf("records %s: %d %s", q, code, raw)
		}
		var ids []string
		for _, r := range out.Records {
			ids = append(ids, r.ID)
		}
		if out.Total != len(ids) {
			t.Fatalf("records %s: total %d, listed %d", q, out.Total, len(ids))
		}
		return ids
	}
	all := listed("limit=1000")
	for _, id := range drillIDs {
		if slices.Contains(all, id) {
			t.Errorf("the records list shows drill record %s", id)
		}
	}
	if !slices.Contains(all, real.ID) || !slices.Contains(all, forged.ID) {
		t.Errorf("the records list lacks the real records")
	}
	for _, q := range []string{"drill=" + d.ID, "drill=any"} {
		got := listed(q)
		slices.Sort(got)
		want := slices.Clone(drillIDs)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("records %s: %v, want %v", q, got, want)
		}
	}
	for _, path := range []string{"/api/v1/export/csv", "/api/v1/export/fhir", "/api/v1/export/csv?drill=any"} {
		code, raw := e.call("GET", path, kari, nil, nil)
		if code != 200 || !bytes.Contains(raw, []byte(real.ID)) {
			t.Fatalf("%s: %d, real record included %v", path, code, bytes.Contains(raw, []byte(real.ID)))
		}
		for _, id := range drillIDs {
			if bytes.Contains(raw, []byte(id)) {
				t.Errorf("%s exports drill record %s", path, id)
			}
		}
	}
	var fr wire.FindingsResponse
	if code, raw := e.call("GET", "/api/v1/findings?limit=500&since="+url.QueryEscape(start.Add(-time.Hour).Format(time.RFC3339)), kari, nil, &fr); code != 200 {
		t.Fatalf("findings: %d %s", code, raw)
	}
	for _, f := range fr.Findings {
		for _, id := range drillIDs {
			if slices.Contains(f.RecordIDs, id) {
				t.Errorf("a real finding %s names drill record %s", f.Kind, id)
			}
		}
	}
	var dash wire.Dashboard
	if code, raw := e.call("GET", "/api/v1/dashboard?since="+url.QueryEscape(start.Add(-time.Hour).Format(time.RFC3339)), kari, nil, &dash); code != 200 || dash.Records != 2 {
		t.Errorf("the dashboard counts %d records (%d %s), want the 2 real ones", dash.Records, code, raw)
	}
	code, raw := e.call("POST", "/api/v1/records/"+marked.ID+"/reconcile", kari, wire.ReconcileRequest{Action: "entered", EHRRef: "X"}, nil)
	if code != 409 || !strings.Contains(string(raw), keyDrillRecord) {
		t.Errorf("reconciling a drill record: %d %s", code, raw)
	}

	var rep wire.DrillReport
	if code, raw := e.call("GET", "/api/v1/drills/"+d.ID+"/report", kari, nil, &rep); code != 200 {
		t.Fatalf("report: %d %s", code, raw)
	}
	if rep.Records != 3 || rep.ByType[string(care.RecordNote)] != 3 {
		t.Errorf("report counts %d records, by type %v", rep.Records, rep.ByType)
	}
	if len(rep.Participants) != 1 || rep.Participants[0].UserID != anna.login.User.ID || !rep.Participants[0].Held || rep.Participants[0].Records != 3 {
		t.Errorf("participants %+v", rep.Participants)
	}
	if !slices.ContainsFunc(rep.Findings, func(f wire.Finding) bool {
		return f.Kind == wire.FindingEmergencyAccess && slices.Contains(f.RecordIDs, emergency.ID)
	}) {
		t.Errorf("the drill's emergency access is not among its findings: %+v", rep.Findings)
	}
	for _, f := range rep.Findings {
		if slices.Contains(f.RecordIDs, real.ID) || slices.Contains(f.RecordIDs, forged.ID) {
			t.Errorf("a drill finding names a real record: %+v", f)
		}
	}
	if len(rep.Phones) != 2 {
		t.Fatalf("phones %+v", rep.Phones)
	}
	for _, p := range rep.Phones {
		want := map[string][2]int64{bo.deviceID: {300, 300}, anna.deviceID: {420, 420}}[p.DeviceID]
		if p.FirstSeconds != want[0] || p.LastSeconds != want[1] || !p.FirstAt.After(back) {
			t.Errorf("phone %s: first %d, last %d; want %v", p.DeviceID, p.FirstSeconds, p.LastSeconds, want)
		}
	}

	code, pdf := e.call("GET", "/api/v1/drills/"+d.ID+"/report.pdf?lang=da", kari, nil, nil)
	if code != 200 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("report.pdf: %d %.40s", code, pdf)
	}
	if code, raw := e.call("GET", "/api/v1/drills/"+d.ID+"/report.pdf?lang=xx", kari, nil, nil); code != 400 {
		t.Errorf("report.pdf in an unknown language: %d %s", code, raw)
	}

	var ended wire.Drill
	if code, raw := e.call("POST", "/api/v1/drills/"+d.ID+"/end", kari, nil, &ended); code != 200 || ended.Ended == nil || !ended.End.Equal(e.now()) {
		t.Fatalf("end: %d %s", code, raw)
	}
	if code, raw := e.call("POST", "/api/v1/drills/"+d.ID+"/end", kari, nil, nil); code != 409 {
		t.Fatalf("end twice: %d %s", code, raw)
	}
	after := anna.note(own, "Etter øvelsen")
	after.CreatedAt, after.DrillID = e.now().Add(time.Second), d.ID
	anna.sync(anna.sealRecord(after))
	if sr, err := e.db.StoredRecordByID(ctx, after.ID); err != nil || sr.DrillID != "" {
		t.Errorf("a record made after the drill ended is a drill record: %q %v", sr.DrillID, err)
	}
	entries, err := e.db.AuditFor(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range entries {
		actions = append(actions, a.Action)
	}
	want := []string{store.AuditDrillStart, store.AuditDrillNetworkBack, store.AuditExport, store.AuditDrillEnd}
	if fmt.Sprint(actions) != fmt.Sprint(want) {
		t.Errorf("the drill's audit %v, want %v", actions, want)
	}
}

// A bulk job marks the real records its filter selects as entered and
// never a drill's: the job counts the real ones, and the drill's record
// stays new, out of the record system.
func TestBulkJobLeavesDrillRecords(t *testing.T) {
	e := newDrillEnv(t)
	ctx := context.Background()
	anna := e.phone("anna")
	kari := e.coordinatorOf(t, e.nord.ID)
	d := e.startDrill(t, kari, wire.DrillRequest{Units: []string{e.nord.ID}, Title: "Øvelse", End: e.now().Add(time.Hour)})
	own := anna.ownPatient()
	real := anna.note(own, "Ekte")
	real.CreatedAt = d.Start.Add(-time.Minute)
	drill := anna.note(own, "Øvelse")
	drill.CreatedAt = d.Start.Add(time.Minute)
	if code, _, raw := anna.sync(anna.sealRecord(real), anna.sealRecord(drill)); code != 200 {
		t.Fatalf("sync: %d %s", code, raw)
	}
	code, j, raw := e.startJob(kari, wire.ReconcileJobRequest{Filter: wire.RecordFilters{Author: anna.login.User.ID}, EHRRef: "EPJ-1"})
	if code != 202 || j.Total != 1 {
		t.Fatalf("start job: %d, total %d, %s", code, j.Total, raw)
	}
	if err := bulk.New(e.db, bulk.Options{Owner: "test"}).RunPending(ctx); err != nil {
		t.Fatal(err)
	}
	if sr, err := e.db.StoredRecordByID(ctx, real.ID); err != nil || sr.State != store.StateEntered {
		t.Fatalf("the real record: %+v %v", sr.State, err)
	}
	if sr, err := e.db.StoredRecordByID(ctx, drill.ID); err != nil || sr.State != store.StateNew || sr.DrillID != d.ID {
		t.Fatalf("the drill's record: state %s drill %q %v", sr.State, sr.DrillID, err)
	}
}
