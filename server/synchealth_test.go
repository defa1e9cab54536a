package server

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/servertest"
	"beredskap/internal/wire"
)

// healthEnv is the demo municipality on a clock the test moves.
type healthEnv struct {
	*testEnv
	mu    sync.Mutex
	clock time.Time
}

func newHealthEnv(t *testing.T) *healthEnv {
	t.Helper()
	d := servertest.New(t)
	h := &healthEnv{clock: d.Now.UTC().Truncate(time.Second)}
	h.testEnv = envOver(t, d, func(c *Config) { c.Now = h.now })
	return h
}

func (h *healthEnv) now() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.clock
}

func (h *healthEnv) advance(d time.Duration) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.clock = h.clock.Add(d)
	return h.clock
}

func (h *healthEnv) health(t *testing.T, token string, q url.Values) wire.SyncHealth {
	t.Helper()
	var out wire.SyncHealth
	if code, raw := h.call("GET", "/api/v1/sync-health?"+q.Encode(), token, nil, &out); code != 200 {
		t.Fatalf("sync health: %d %s", code, raw)
	}
	return out
}

func (h *healthEnv) outage(t *testing.T, token, action string) {
	t.Helper()
	if code, raw := h.call("POST", "/api/v1/outage", token, wire.OutageRequest{Action: action}, nil); code != 200 {
		t.Fatalf("outage %s: %d %s", action, code, raw)
	}
}

func phoneIn(list []wire.PhoneHealth, device string) *wire.PhoneHealth {
	i := slices.IndexFunc(list, func(p wire.PhoneHealth) bool { return p.DeviceID == device })
	if i < 0 {
		return nil
	}
	return &list[i]
}

// syncWith sends records with an outbox report and read marks.
func (p *phoneKit) syncWith(rep *wire.OutboxReport, read []wire.AnnouncementRead, records ...wire.SealedRecord) (int, wire.SyncResponse, []byte) {
	var resp wire.SyncResponse
	code, raw := p.e.call("POST", "/api/v1/sync", p.login.Token,
		wire.SyncRequest{DeviceID: p.deviceID, Records: records, Outbox: rep, Read: read}, &resp)
	return code, resp, raw
}

// TestSyncHealthAfterAnOutage: a phone that reports records waiting
// after the outage is listed with its worker, unit, last contact, count
// and oldest time, until a later contact (a bundle fetch) says its
// outbox is empty; a phone that held a shift when the outage began and
// has not been heard from since is listed as unseen until it makes
// contact; a phone that reports nothing is served as before; a
// coordinator sees her own units only.
func TestSyncHealthAfterAnOutage(t *testing.T) {
	h := newHealthEnv(t)
	kari := h.login("kari").Token
	anna := h.phone("anna")
	nils := h.phone("nils")
	sara := h.phone("sara")

	h.advance(time.Hour)
	h.outage(t, kari, "start")
	oldest := h.advance(time.Hour)
	h.advance(time.Hour)
	h.outage(t, kari, "end")
	back := h.advance(10 * time.Minute)

	// Anna's phone sends one record and says two more wait.
	rep := &wire.OutboxReport{Waiting: 2, OldestWaiting: &oldest}
	if code, resp, raw := anna.syncWith(rep, nil, anna.sealRecord(anna.note(anna.ownPatient(), "etter bruddet"))); code != 200 || resp.Results[0].Status != wire.SyncAccepted {
		t.Fatalf("sync: %d %s", code, raw)
	}
	// Sara's phone syncs as an older phone does: no report.
	if code, _, raw := sara.sync(sara.sealRecord(sara.note(sara.ownPatient(), "uten rapport"))); code != 200 {
		t.Fatalf("sync without a report: %d %s", code, raw)
	}

	sh := h.health(t, kari, nil)
	if sh.Outage == nil || sh.Outage.End == nil {
		t.Fatalf("outage %+v", sh.Outage)
	}
	w := phoneIn(sh.Waiting, anna.deviceID)
	if w == nil || w.Waiting == nil || *w.Waiting != 2 || w.OldestWaiting == nil || !w.OldestWaiting.Equal(oldest) ||
		w.WorkerName != "Anna Berg" || w.Username != "anna" || len(w.Units) != 1 || w.LastContact == nil || !w.LastContact.Equal(back) {
		t.Fatalf("anna's phone in waiting: %+v (all %+v)", w, sh.Waiting)
	}
	if sh.Counts.Waiting != 1 || sh.Counts.WaitingRecords != 2 {
		t.Fatalf("counts %+v", sh.Counts)
	}
	if u := phoneIn(sh.Unseen, nils.deviceID); u == nil || u.WorkerName != "Nils Hauge" || u.Username != "nils" {
		t.Fatalf("nils's phone is not unseen: %+v", sh.Unseen)
	}
	for _, dev := range []string{anna.deviceID, sara.deviceID} {
		if phoneIn(sh.Unseen, dev) != nil {
			t.Fatalf("phone %s made contact after the outage, yet is unseen", dev)
		}
	}
	if phoneIn(sh.Waiting, sara.deviceID) != nil {
		t.Fatal("a phone that never reported is listed as waiting")
	}

	// A coordinator of Sør sees neither Nord phone, and is refused Nord
	// and Nord's phones.
	nord, sor := h.nordSor(t)
	sorOnly := h.coordinatorOf(t, sor.ID)
	mine := h.health(t, sorOnly, nil)
	if phoneIn(mine.Waiting, anna.deviceID) != nil || phoneIn(mine.Unseen, nils.deviceID) != nil {
		t.Fatalf("Sør's coordinator sees Nord's phones: %+v", mine)
	}
	if code, raw := h.call("GET", "/api/v1/sync-health?unit="+nord.ID, sorOnly, nil, nil); code != 403 || errorCode(t, raw) != wire.CodeForbidden {
		t.Fatalf("another unit: %d %s", code, raw)
	}
	if code, raw := h.call("GET", "/api/v1/devices/"+anna.deviceID+"/sync-health", sorOnly, nil, nil); code != 403 || errorCode(t, raw) != wire.CodeForbidden {
		t.Fatalf("another unit's phone: %d %s", code, raw)
	}
	admin := h.login("admin").Token
	var one wire.PhoneHealth
	if code, raw := h.call("GET", "/api/v1/devices/"+anna.deviceID+"/sync-health", admin, nil, &one); code != 200 || one.Waiting == nil || *one.Waiting != 2 {
		t.Fatalf("anna's phone for the admin: %d %s", code, raw)
	}

	// Anna's next contact, a bundle fetch, says nothing waits; nils's
	// phone fetches its shift again.
	h.advance(5 * time.Minute)
	if code, raw := h.call("GET", "/api/v1/bundle?"+(wire.OutboxReport{}).Query().Encode(), anna.login.Token, nil, nil); code != 200 {
		t.Fatalf("bundle with a report: %d %s", code, raw)
	}
	if code, raw := h.call("GET", "/api/v1/bundle", nils.login.Token, nil, nil); code != 200 {
		t.Fatalf("bundle: %d %s", code, raw)
	}
	sh = h.health(t, admin, url.Values{"unit": {nord.ID}})
	if len(sh.Waiting) != 0 || phoneIn(sh.Unseen, nils.deviceID) != nil || sh.Counts.Unseen != len(sh.Unseen) {
		t.Fatalf("after the contacts: waiting %+v unseen %+v", sh.Waiting, sh.Unseen)
	}
}

// TestSyncHealthReadMarks: the phone's read mark of an important
// announcement reaches the desk with a sync that carries no records;
// the desk lists who of the announcement's readers has read it and who
// has not; the first reading is kept; a mark for an announcement not
// addressed to the user, and a report for another device, change
// nothing.
func TestSyncHealthReadMarks(t *testing.T) {
	h := newHealthEnv(t)
	kari := h.login("kari").Token
	nord, sor := h.nordSor(t)
	var ann care.Announcement
	if code, raw := h.call("POST", "/api/v1/announcements", kari, wire.AnnouncementRequest{Units: []string{nord.ID}, Level: care.LevelImportant,
		Text: "Strømbrudd i Nord: bruk papirskjema."}, &ann); code != 200 {
		t.Fatalf("post: %d %s", code, raw)
	}
	var other care.Announcement
	if code, raw := h.call("POST", "/api/v1/announcements", kari, wire.AnnouncementRequest{Units: []string{sor.ID}, Level: care.LevelImportant,
		Text: "Bare for Sør."}, &other); code != 200 {
		t.Fatalf("post: %d %s", code, raw)
	}
	anna := h.phone("anna")
	readAt := h.advance(2 * time.Minute)
	h.advance(time.Minute)

	marks := []wire.AnnouncementRead{{ID: ann.ID, At: readAt}, {ID: other.ID, At: readAt}}
	code, resp, raw := anna.syncWith(nil, marks)
	if code != 200 || len(resp.Results) != 0 {
		t.Fatalf("read marks without records: %d %s", code, raw)
	}
	// Read again later, on the same phone: the first reading stays.
	if code, _, raw := anna.syncWith(nil, []wire.AnnouncementRead{{ID: ann.ID, At: h.advance(time.Minute)}}); code != 200 {
		t.Fatalf("read again: %d %s", code, raw)
	}

	sh := h.health(t, kari, nil)
	i := slices.IndexFunc(sh.Announcements, func(a wire.AnnouncementSeen) bool { return a.ID == ann.ID })
	if i < 0 {
		t.Fatalf("the announcement is not listed: %+v", sh.Announcements)
	}
	seen := sh.Announcements[i]
	if len(seen.Read) != 1 || seen.Read[0].UserID != anna.login.User.ID || seen.Read[0].Username != "anna" || !seen.Read[0].At.Equal(readAt) {
		t.Fatalf("read: %+v", seen.Read)
	}
	var unread []string
	for _, u := range seen.Unread {
		unread = append(unread, u.Username)
	}
	if !slices.Contains(unread, "nils") || !slices.Contains(unread, "ole") || slices.Contains(unread, "anna") || slices.Contains(unread, "sara") || slices.Contains(unread, "kari") {
		t.Fatalf("unread: %v, want Nord's workers and nurses but anna", unread)
	}
	// The count is of people: each who has not read one or more of them.
	people := map[string]bool{}
	for _, a := range sh.Announcements {
		for _, u := range a.Unread {
			people[u.UserID] = true
		}
	}
	if sh.Counts.Unread != len(people) || sh.Counts.Unread < 5 {
		t.Fatalf("unread count %d, %d people have not read one", sh.Counts.Unread, len(people))
	}
	j := slices.IndexFunc(sh.Announcements, func(a wire.AnnouncementSeen) bool { return a.ID == other.ID })
	if j < 0 || len(sh.Announcements[j].Read) != 0 {
		t.Fatalf("Sør's announcement, read by nobody of Sør: %+v", sh.Announcements)
	}

	// A sync without records must come from the session's own phone.
	nils := h.phone("nils")
	var r2 wire.SyncResponse
	code, raw = h.call("POST", "/api/v1/sync", nils.login.Token, wire.SyncRequest{DeviceID: anna.deviceID,
		Outbox: &wire.OutboxReport{Waiting: 9, OldestWaiting: &readAt}}, &r2)
	if code != 403 || errorCode(t, raw) != wire.CodeForbidden {
		t.Fatalf("a report for another phone: %d %s", code, raw)
	}
	if reps, _ := h.db.OutboxReports(context.Background()); len(reps) != 0 {
		t.Fatalf("the refused report was stored: %+v", reps)
	}
}

// TestSyncHealthRefusesBrokenValues: a report or read mark that cannot
// be true is 400 with the field named, for the sync (whose records are
// then not taken either) and for the bundle fetch; so are the view's
// unknown parameters, an unknown unit and a device id that is not one.
func TestSyncHealthRefusesBrokenValues(t *testing.T) {
	h := newHealthEnv(t)
	anna := h.phone("anna")
	now := h.now()
	far := now.Add(400 * 24 * time.Hour)
	old := time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)
	many := make([]wire.AnnouncementRead, wire.MaxReadMarks+1)
	for i := range many {
		many[i] = wire.AnnouncementRead{ID: "a" + strconv.Itoa(i), At: now}
	}
	for _, tc := range []struct {
		name  string
		rep   *wire.OutboxReport
		read  []wire.AnnouncementRead
		field string
	}{
		{"negative count", &wire.OutboxReport{Waiting: -1}, nil, "outbox.waiting"},
		{"absurd count", &wire.OutboxReport{Waiting: wire.MaxOutboxWaiting + 1}, nil, "outbox.waiting"},
		{"oldest in the far future", &wire.OutboxReport{Waiting: 1, OldestWaiting: &far}, nil, "outbox.oldest_waiting"},
		{"oldest before 2000", &wire.OutboxReport{Waiting: 1, OldestWaiting: &old}, nil, "outbox.oldest_waiting"},
		{"oldest with nothing waiting", &wire.OutboxReport{Waiting: 0, OldestWaiting: &now}, nil, "outbox.oldest_waiting"},
		{"read in the far future", nil, []wire.AnnouncementRead{{ID: "a1", At: far}}, "read[0].at"},
		{"read without a time", nil, []wire.AnnouncementRead{{ID: "a1"}}, "read[0].at"},
		{"read without an id", nil, []wire.AnnouncementRead{{At: now}}, "read[0].id"},
		{"too many read marks", nil, many, "read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := anna.sealRecord(anna.note(anna.ownPatient(), "med feil rapport"))
			code, _, raw := anna.syncWith(tc.rep, tc.read, rec)
			if code != 400 || errorCode(t, raw) != wire.CodeInvalidInput || !strings.Contains(string(raw), `"`+tc.field+`"`) {
				t.Fatalf("%d %s, want 400 naming %s", code, raw, tc.field)
			}
			// Nothing was taken: the same record goes in afterwards.
			if code, resp, raw := anna.sync(rec); code != 200 || resp.Results[0].Status != wire.SyncAccepted {
				t.Fatalf("the record after the refusal: %d %s", code, raw)
			}
		})
	}
	if reps, _ := h.db.OutboxReports(context.Background()); len(reps) != 0 {
		t.Fatalf("refused reports were stored: %+v", reps)
	}

	for _, q := range []string{"outbox_waiting=-3", "outbox_waiting=abc", "outbox_oldest=" + url.QueryEscape(far.Format(time.RFC3339)) + "&outbox_waiting=1",
		"outbox_waiting=0&outbox_oldest=" + url.QueryEscape(now.Format(time.RFC3339)), "outbox_waiting=1&outbox_oldest=yesterday", "outbox_oldest=" + url.QueryEscape(now.Format(time.RFC3339))} {
		if code, raw := h.call("GET", "/api/v1/bundle?"+q, anna.login.Token, nil, nil); code != 400 || errorCode(t, raw) != wire.CodeInvalidInput {
			t.Errorf("bundle?%s: %d %s", q, code, raw)
		}
	}

	admin := h.login("admin").Token // a unit that does not exist is not a coordinator's (403): an admin's question
	for _, path := range []string{"/api/v1/sync-health?since=x", "/api/v1/sync-health?unit=nowhere", "/api/v1/devices/not-a-uuid/sync-health"} {
		if code, raw := h.call("GET", path, admin, nil, nil); code != 400 || errorCode(t, raw) != wire.CodeInvalidInput {
			t.Errorf("%s: %d %s", path, code, raw)
		}
	}
	if code, raw := h.call("GET", "/api/v1/devices/0190b6a2-0000-7000-8000-000000000000/sync-health", admin, nil, nil); code != 404 {
		t.Errorf("unknown device: %d %s", code, raw)
	}
}

// TestSyncHealthWhichPhones: without a declared outage the view covers
// the last 24 hours and lists no phone as unseen; after one, a phone is
// unseen only if it held a shift when the outage began, is not revoked,
// and its worker has not moved to a phone registered since (a login on a
// wiped phone registers a new device); a report from before the outage
// does not list a phone as waiting.
func TestSyncHealthWhichPhones(t *testing.T) {
	h := newHealthEnv(t)
	kari := h.login("kari").Token
	admin := h.login("admin").Token
	anna := h.phone("anna")
	nils := h.phone("nils")
	ole := h.login("ole")
	oleDevice, _ := h.device(ole.Token) // registered, no shift fetched
	sara := h.phone("sara")
	oldest := h.now().Add(-time.Hour)
	if code, _, raw := sara.syncWith(&wire.OutboxReport{Waiting: 3, OldestWaiting: &oldest}, nil, sara.sealRecord(sara.note(sara.ownPatient(), "før bruddet"))); code != 200 {
		t.Fatalf("sync: %d %s", code, raw)
	}

	sh := h.health(t, kari, nil)
	if sh.Outage != nil || len(sh.Unseen) != 0 || phoneIn(sh.Waiting, sara.deviceID) == nil {
		t.Fatalf("without an outage: outage %+v, unseen %+v, waiting %+v", sh.Outage, sh.Unseen, sh.Waiting)
	}

	h.advance(time.Hour)
	h.outage(t, kari, "start")
	h.advance(time.Hour)
	if code, raw := h.call("POST", "/api/v1/devices/"+nils.deviceID+"/revoke", admin, nil, nil); code != 200 {
		t.Fatalf("revoke: %d %s", code, raw)
	}
	h.advance(2 * time.Minute)
	// Anna's phone was wiped: she logs in again, which registers a new device.
	again := h.phone("anna")

	sh = h.health(t, kari, nil)
	for _, p := range []struct {
		device, why string
	}{
		{anna.deviceID, "replaced by the phone anna logged in on since"},
		{again.deviceID, "heard from during the outage"},
		{nils.deviceID, "revoked"},
		{oleDevice, "held no shift"},
	} {
		if phoneIn(sh.Unseen, p.device) != nil {
			t.Errorf("phone %s is unseen, but it was %s", p.device, p.why)
		}
	}
	if phoneIn(sh.Unseen, sara.deviceID) == nil {
		t.Errorf("sara's phone, silent since before the outage, is not unseen: %+v", sh.Unseen)
	}
	if phoneIn(sh.Waiting, sara.deviceID) != nil {
		t.Errorf("sara's report from before the outage lists her phone as waiting")
	}
}
