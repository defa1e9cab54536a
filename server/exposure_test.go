package server

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// exposureEnv is a server with a moving clock and, besides the demo
// users, a coordinator of the south unit only ("sorcoord").
func exposureEnv(t *testing.T) (*testEnv, *testClock) {
	t.Helper()
	clock := &testClock{t: time.Now()}
	e := newEnv(t, func(c *Config) { c.Now = clock.Now })
	ctx := t.Context()
	kari, err := e.db.AccountByUsername(ctx, "kari")
	if err != nil {
		t.Fatal(err)
	}
	sara, err := e.db.AccountByUsername(ctx, "sara")
	if err != nil {
		t.Fatal(err)
	}
	sor := kari
	sor.ID, sor.Username, sor.Name, sor.Units = "sorcoord", "sorcoord", "Sør Koordinator", slices.Clone(sara.Units)
	if err := e.db.PutAccount(ctx, sor); err != nil {
		t.Fatal(err)
	}
	return e, clock
}

func exposurePath(device string) string { return "/api/v1/devices/" + device + "/exposure" }

func tickPath(device, item string) string {
	return exposurePath(device) + "/checklist/" + url.PathEscape(item)
}

// TestExposureReport: after three bundles on one phone (the first
// expired by the time it is lost) and one on the worker's other phone,
// the lost phone's report holds exactly its own three bundles, every
// patient of them with own/unit, access information and first and last
// issue, access information first, and a checklist with an item per
// card with access information, one per patient and the breach
// assessment.
func TestExposureReport(t *testing.T) {
	e, clock := exposureEnv(t)
	ctx := t.Context()
	anna := e.phone("anna")
	first := clock.Now()
	clock.Add(9 * time.Hour)
	for range 2 {
		if code, raw := e.call("GET", "/api/v1/bundle", anna.login.Token, nil, nil); code != 200 {
			t.Fatalf("bundle: %d %s", code, raw)
		}
		clock.Add(time.Hour)
	}
	other := e.phone("anna") // her other phone: not in the lost one's report
	admin := e.login("admin")
	if code, raw := e.call("POST", "/api/v1/devices/"+anna.deviceID+"/revoke", admin.Token, nil, nil); code != 200 {
		t.Fatalf("revoke: %d %s", code, raw)
	}

	var rep wire.ExposureReport
	if code, raw := e.call("GET", exposurePath(anna.deviceID), admin.Token, nil, &rep); code != 200 {
		t.Fatalf("exposure: %d %s", code, raw)
	}
	if rep.Device.ID != anna.deviceID || rep.Device.Revoked == nil || rep.WorkerName != "Anna Berg" {
		t.Fatalf("device %+v worker %q", rep.Device, rep.WorkerName)
	}
	if len(rep.Bundles) != 3 || !rep.Bundles[0].Expired || rep.Bundles[1].Expired || rep.Bundles[2].Expired || !rep.Bundles[0].IssuedAt.Equal(first.UTC()) {
		t.Fatalf("bundles %+v", rep.Bundles)
	}
	// What the report should say, from what the store recorded.
	issued, err := e.db.IssuedBundles(ctx, anna.login.User.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		own, access bool
		n           int
		first, last time.Time
	}
	wants := map[string]*want{}
	for _, b := range issued {
		if b.DeviceID == other.deviceID {
			continue
		}
		for i, id := range append(slices.Clone(b.OwnPatients), b.UnitPatients...) {
			w := wants[id]
			if w == nil {
				w = &want{first: b.IssuedAt}
				wants[id] = w
			}
			w.own = w.own || i < len(b.OwnPatients)
			w.n++
			w.last = b.IssuedAt
			p, err := e.db.Patient(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			w.access = w.access || p.AccessInfo != ""
		}
	}
	if len(rep.Patients) != len(wants) || len(wants) == 0 {
		t.Fatalf("%d patients, want %d", len(rep.Patients), len(wants))
	}
	accessCount, seenPlain := 0, false
	for _, p := range rep.Patients {
		w := wants[p.ID]
		if w == nil || p.Own != w.own || p.Access != w.access || p.Bundles != w.n || !p.FirstIssued.Equal(w.first) || !p.LastIssued.Equal(w.last) || p.Name == "" || p.UnitID == "" {
			t.Fatalf("patient %+v, want %+v", p, w)
		}
		if p.Access {
			accessCount++
			if seenPlain {
				t.Fatal("a card with access information after one without")
			}
		} else {
			seenPlain = true
		}
	}
	if accessCount == 0 {
		t.Fatal("the demo's cards hold access information; none reported")
	}
	if len(rep.Checklist) != accessCount+len(rep.Patients)+1 || rep.Checklist[0].Kind != wire.ExposureAccess || rep.Checklist[len(rep.Checklist)-1].ID != wire.ExposureBreach {
		t.Fatalf("checklist %+v", rep.Checklist)
	}
	for _, it := range rep.Checklist {
		if it.Ticked || it.By != "" || it.At != nil {
			t.Fatalf("an untouched item %+v", it)
		}
	}

	// The other phone's report holds its own bundle only.
	var rep2 wire.ExposureReport
	if code, raw := e.call("GET", exposurePath(other.deviceID), admin.Token, nil, &rep2); code != 200 || len(rep2.Bundles) != 1 {
		t.Fatalf("other phone's exposure: %d %s", code, raw)
	}
}

// TestExposureAccess: admins and coordinators of every unit the exposed
// patients belong to read the report; a coordinator of another unit,
// workers and nurses are refused; a bad id is 400, an unknown one 404.
func TestExposureAccess(t *testing.T) {
	e, _ := exposureEnv(t)
	anna := e.phone("anna")
	unknown := "0b7e5a52-3c1f-4d0e-9a43-2b6f1c8d9e70"
	cases := []struct {
		name, user, device string
		code               int
		wc                 wire.Code
	}{
		{"admin", "admin", anna.deviceID, 200, ""},
		{"coordinator of the unit", "kari", anna.deviceID, 200, ""},
		{"coordinator of another unit", "sorcoord", anna.deviceID, 403, wire.CodeForbidden},
		{"the worker", "anna", anna.deviceID, 403, wire.CodeForbidden},
		{"a nurse", "nils", anna.deviceID, 403, wire.CodeForbidden},
		{"unknown device", "admin", unknown, 404, wire.CodeNotFound},
		{"not a device id", "admin", "not-a-uuid", 400, wire.CodeInvalidInput},
		{"a non-canonical id", "admin", strings.ToUpper(anna.deviceID), 400, wire.CodeInvalidInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := e.login(c.user).Token
			code, raw := e.call("GET", exposurePath(c.device), tok, nil, nil)
			if code != c.code || (c.wc != "" && errorCode(t, raw) != c.wc) {
				t.Fatalf("%d %s, want %d %s", code, raw, c.code, c.wc)
			}
		})
	}
}

// TestExposureTicks: an item is ticked and unticked with who and when,
// each audited; bad input and other roles change nothing.
func TestExposureTicks(t *testing.T) {
	e, clock := exposureEnv(t)
	ctx := t.Context()
	anna := e.phone("anna")
	kari, admin, sor, worker := e.login("kari"), e.login("admin"), e.login("sorcoord"), e.login("anna")
	var rep wire.ExposureReport
	if code, raw := e.call("GET", exposurePath(anna.deviceID), kari.Token, nil, &rep); code != 200 {
		t.Fatalf("exposure: %d %s", code, raw)
	}
	item := rep.Checklist[0].ID
	on, off := true, false

	bad := []struct {
		name, token, path string
		body              any
		code              int
	}{
		{"unknown item", kari.Token, tickPath(anna.deviceID, "access:nobody"), wire.ExposureTickRequest{Ticked: &on}, 404},
		{"item too long", kari.Token, tickPath(anna.deviceID, "inform:"+strings.Repeat("x", care.MaxIDBytes+20)), wire.ExposureTickRequest{Ticked: &on}, 400},
		{"no ticked", kari.Token, tickPath(anna.deviceID, item), `{}`, 400},
		{"unknown field", kari.Token, tickPath(anna.deviceID, item), `{"ticked":true,"by":"someone"}`, 400},
		{"not JSON", kari.Token, tickPath(anna.deviceID, item), `ticked`, 400},
		{"bad device id", kari.Token, tickPath("nope", item), wire.ExposureTickRequest{Ticked: &on}, 400},
		{"unknown device", kari.Token, tickPath("0b7e5a52-3c1f-4d0e-9a43-2b6f1c8d9e70", item), wire.ExposureTickRequest{Ticked: &on}, 404},
		{"coordinator of another unit", sor.Token, tickPath(anna.deviceID, item), wire.ExposureTickRequest{Ticked: &on}, 403},
		{"a worker", worker.Token, tickPath(anna.deviceID, item), wire.ExposureTickRequest{Ticked: &on}, 403},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if code, raw := e.call("POST", c.path, c.token, c.body, nil); code != c.code {
				t.Fatalf("%d %s, want %d", code, raw, c.code)
			}
		})
	}
	if ticks, err := e.db.ExposureTicks(ctx, anna.deviceID); err != nil || len(ticks) != 0 {
		t.Fatalf("ticks after refused requests: %+v, %v", ticks, err)
	}

	tickedAt := clock.Now().UTC()
	if code, raw := e.call("POST", tickPath(anna.deviceID, item), kari.Token, wire.ExposureTickRequest{Ticked: &on}, &rep); code != 200 {
		t.Fatalf("tick: %d %s", code, raw)
	}
	if it := rep.Checklist[0]; !it.Ticked || it.By != kari.User.ID || it.ByName != "Kari Lunde" || it.At == nil || !it.At.Equal(tickedAt) {
		t.Fatalf("ticked item %+v", it)
	}
	clock.Add(time.Minute)
	if code, raw := e.call("POST", tickPath(anna.deviceID, wire.ExposureBreach), admin.Token, wire.ExposureTickRequest{Ticked: &on}, nil); code != 200 {
		t.Fatalf("tick breach: %d %s", code, raw)
	}
	if code, raw := e.call("POST", tickPath(anna.deviceID, item), admin.Token, wire.ExposureTickRequest{Ticked: &off}, &rep); code != 200 {
		t.Fatalf("untick: %d %s", code, raw)
	}
	if it := rep.Checklist[0]; it.Ticked || it.By != admin.User.ID || it.At == nil || !it.At.Equal(clock.Now().UTC()) {
		t.Fatalf("unticked item %+v", it)
	}
	if it := rep.Checklist[len(rep.Checklist)-1]; !it.Ticked || it.ID != wire.ExposureBreach {
		t.Fatalf("breach item %+v", it)
	}
	entries, err := e.db.AuditFor(ctx, anna.deviceID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range entries {
		if en.Action == store.AuditExposureTick {
			got = append(got, en.Actor+" "+en.Detail)
		}
	}
	slices.Sort(got)
	wantAudit := []string{
		admin.User.ID + " item=" + item + " ticked=false",
		admin.User.ID + " item=breach ticked=true",
		kari.User.ID + " item=" + item + " ticked=true",
	}
	slices.Sort(wantAudit)
	if !slices.Equal(got, wantAudit) {
		t.Fatalf("audited ticks %q, want %q", got, wantAudit)
	}
	// The coordinator's audit page shows the ticks of her units' phones.
	var audit wire.AuditResponse
	if code, raw := e.call("GET", "/api/v1/audit?limit=500", kari.Token, nil, &audit); code != 200 {
		t.Fatalf("audit: %d %s", code, raw)
	}
	n := 0
	for _, en := range audit.Entries {
		if en.Action == store.AuditExposureTick {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("coordinator sees %d ticks in the audit log, want 3", n)
	}
}

// TestReportLost: a worker reports her other phone lost from the phone
// she holds (her own devices only); the desk marks a worker's phone lost
// (a coordinator for her units' workers only). Each is a revocation,
// audited with reason lost; bad ids are 400 and unknown ones 404.
func TestReportLost(t *testing.T) {
	e, _ := exposureEnv(t)
	ctx := t.Context()
	lost := e.phone("anna")
	held := e.phone("anna")
	ole := e.phone("ole")

	var own wire.OwnDevicesResponse
	if code, raw := e.call("GET", "/api/v1/me/devices", held.login.Token, nil, &own); code != 200 || own.Current != held.deviceID || len(own.Devices) != 2 {
		t.Fatalf("own devices: %d %s", code, raw)
	}
	unknown := "0b7e5a52-3c1f-4d0e-9a43-2b6f1c8d9e70"
	sor, kari, worker := e.login("sorcoord"), e.login("kari"), e.login("anna")
	cases := []struct {
		name, path, token string
		code              int
	}{
		{"another worker's phone", "/api/v1/me/devices/" + ole.deviceID + "/lost", held.login.Token, 403},
		{"bad id", "/api/v1/me/devices/x/lost", held.login.Token, 400},
		{"unknown id", "/api/v1/me/devices/" + unknown + "/lost", held.login.Token, 404},
		{"desk: a worker", "/api/v1/devices/" + ole.deviceID + "/lost", worker.Token, 403},
		{"desk: coordinator of another unit", "/api/v1/devices/" + ole.deviceID + "/lost", sor.Token, 403},
		{"desk: bad id", "/api/v1/devices/x/lost", kari.Token, 400},
		{"desk: unknown id", "/api/v1/devices/" + unknown + "/lost", kari.Token, 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if code, raw := e.call("POST", c.path, c.token, nil, nil); code != c.code {
				t.Fatalf("%d %s, want %d", code, raw, c.code)
			}
		})
	}
	if d, _ := e.db.Device(ctx, ole.deviceID); d.Revoked != nil {
		t.Fatal("a refused report revoked the phone")
	}

	var dv wire.DeviceView
	if code, raw := e.call("POST", "/api/v1/me/devices/"+lost.deviceID+"/lost", held.login.Token, nil, &dv); code != 200 || dv.Revoked == nil {
		t.Fatalf("report own phone lost: %d %s", code, raw)
	}
	if code, raw := e.call("POST", "/api/v1/devices/"+ole.deviceID+"/lost", kari.Token, nil, &dv); code != 200 || dv.Revoked == nil {
		t.Fatalf("desk marks lost: %d %s", code, raw)
	}
	if d, _ := e.db.Device(ctx, held.deviceID); d.Revoked != nil {
		t.Fatal("the phone in hand was revoked")
	}
	for dev, want := range map[string]string{lost.deviceID: "from=own:" + held.deviceID, ole.deviceID: "from=desk"} {
		entries, err := e.db.AuditFor(ctx, dev)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, en := range entries {
			actions = append(actions, en.Action)
			if en.Action == store.AuditDeviceLost && !strings.Contains(en.Detail, "reason=lost "+want) {
				t.Fatalf("lost entry %+v, want %q", en, want)
			}
		}
		if !slices.Contains(actions, store.AuditDeviceLost) || !slices.Contains(actions, store.AuditDeviceRevoke) {
			t.Fatalf("audit of %s: %v", dev, actions)
		}
	}
	// The lost phone is revoked: told to wipe at its next contact.
	if code, resp, raw := lost.sync(lost.sealRecord(lost.note(lost.ownPatient(), "the last note"))); code != 200 || !resp.Wipe {
		t.Fatalf("sync of the lost phone: %d %s", code, raw)
	}
}
