package server

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/desk"
	"beredskap/internal/i18n"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// readinessEnv is the demo municipality on a stopped clock, with a new
// worker, berit, in Nord, and a visit in the next hours for her and for
// anna (whose language is Swedish).
type readinessEnv struct {
	*testEnv
	nord, sor       care.Unit
	anna, berit     store.Account
	annaVisit, bVis care.Visit
}

func newReadinessEnv(t *testing.T) *readinessEnv {
	t.Helper()
	d := servertest.New(t)
	now := d.Now.UTC().Truncate(time.Second)
	e := envOver(t, d, func(c *Config) { c.Now = func() time.Time { return now } })
	e.now = now
	r := &readinessEnv{testEnv: e}
	r.nord, r.sor = e.nordSor(t)
	ctx := context.Background()
	var err error
	if r.anna, err = e.db.AccountByUsername(ctx, "anna"); err != nil {
		t.Fatal(err)
	}
	r.anna.Lang = "sv"
	if err := e.db.PutAccount(ctx, r.anna); err != nil {
		t.Fatal(err)
	}
	hash, err := d.Hasher.Hash("demo")
	if err != nil {
		t.Fatal(err)
	}
	r.berit = store.Account{User: care.User{ID: uuid.NewString(), Username: "berit", Name: "Berit Ny", Role: care.RoleWorker,
		Units: []string{r.nord.ID}, Lang: "nb"}, PasswordHash: hash}
	if err := e.db.PutAccount(ctx, r.berit); err != nil {
		t.Fatal(err)
	}
	pts, err := e.db.PatientsByUnit(ctx, r.nord.ID)
	if err != nil || len(pts) < 2 {
		t.Fatalf("patients %d %v", len(pts), err)
	}
	r.annaVisit = care.Visit{ID: uuid.NewString(), PatientID: pts[0].ID, WorkerID: r.anna.ID, UnitID: r.nord.ID,
		Start: now.Add(time.Hour), DurationMinutes: 30, Tasks: []string{"Tilsyn"}}
	r.bVis = care.Visit{ID: uuid.NewString(), PatientID: pts[1].ID, WorkerID: r.berit.ID, UnitID: r.nord.ID,
		Start: now.Add(30 * time.Minute), DurationMinutes: 30, Tasks: []string{"Tilsyn"}}
	if err := e.db.ApplyPlan(ctx, store.Plan{Visits: []care.Visit{r.annaVisit, r.bVis}}); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *readinessEnv) get(t *testing.T, token string, q url.Values) wire.Readiness {
	t.Helper()
	var out wire.Readiness
	if code, raw := r.call("GET", "/api/v1/readiness?"+q.Encode(), token, nil, &out); code != 200 {
		t.Fatalf("readiness: %d %s", code, raw)
	}
	return out
}

// fetch logs a worker in on a new phone and fetches her shift.
func (r *readinessEnv) fetch(t *testing.T, username string) wire.Bundle {
	t.Helper()
	lr := r.login(username)
	r.device(lr.Token)
	var br wire.BundleResponse
	if code, raw := r.call("GET", "/api/v1/bundle", lr.Token, nil, &br); code != 200 {
		t.Fatalf("bundle %s: %d %s", username, code, raw)
	}
	var b wire.Bundle
	if err := json.Unmarshal(br.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func hasVisit(rd wire.Readiness, id string) bool {
	return slices.ContainsFunc(rd.Uncovered, func(v wire.ReadinessVisit) bool { return v.VisitID == id })
}

func notFetched(rd wire.Readiness, id string) bool {
	return slices.ContainsFunc(rd.NotFetched, func(w wire.ReadinessWorker) bool { return w.WorkerID == id })
}

func reminded(rd wire.Readiness, id string) bool {
	return slices.ContainsFunc(rd.Remind, func(p wire.Person) bool { return p.ID == id })
}

// TestReadinessFollowsTheShifts: before a fetch a worker's visits are
// held by no phone and she is listed as not fetched; after it they are
// held; a shift that ends before her last visit does is listed; the
// default window ends at the next 07:00 in the municipality's time zone.
func TestReadinessFollowsTheShifts(t *testing.T) {
	r := newReadinessEnv(t)
	kari := r.login("kari").Token
	until := url.Values{"unit": {r.nord.ID}, "until": {r.now.Add(2 * time.Hour).Format(time.RFC3339)}}

	rd := r.get(t, kari, until)
	if !hasVisit(rd, r.annaVisit.ID) || !hasVisit(rd, r.bVis.ID) || !notFetched(rd, r.anna.ID) || !notFetched(rd, r.berit.ID) {
		t.Fatalf("before any fetch: %+v", rd)
	}
	for _, v := range rd.Uncovered {
		if v.VisitID == r.annaVisit.ID && (v.WorkerName != "Anna Berg" || v.PatientName == "") {
			t.Errorf("names: %+v", v)
		}
	}
	if rd.Counts.Uncovered != len(rd.Uncovered) || rd.Counts.NotFetched != len(rd.NotFetched) || rd.Counts.Remind != len(rd.Remind) {
		t.Errorf("counts %+v", rd.Counts)
	}

	r.fetch(t, "berit")
	rd = r.get(t, kari, until)
	if hasVisit(rd, r.bVis.ID) || notFetched(rd, r.berit.ID) || reminded(rd, r.berit.ID) {
		t.Fatalf("berit fetched her shift but is listed: %+v", rd)
	}
	if !hasVisit(rd, r.annaVisit.ID) || !reminded(rd, r.anna.ID) {
		t.Fatalf("anna has not fetched: %+v", rd)
	}

	// A visit of berit's after her 8 hours: her shift expires before it.
	late := care.Visit{ID: uuid.NewString(), PatientID: r.bVis.PatientID, WorkerID: r.berit.ID, UnitID: r.nord.ID,
		Start: r.now.Add(9 * time.Hour), DurationMinutes: 30, Tasks: []string{"Tilsyn"}}
	if err := r.db.ApplyPlan(context.Background(), store.Plan{Visits: []care.Visit{late}}); err != nil {
		t.Fatal(err)
	}
	rd = r.get(t, kari, url.Values{"unit": {r.nord.ID}, "until": {r.now.Add(10 * time.Hour).Format(time.RFC3339)}})
	if !hasVisit(rd, late.ID) || !slices.ContainsFunc(rd.Expiring, func(s wire.ReadinessShift) bool {
		return s.WorkerID == r.berit.ID && s.ExpiresAt.Equal(r.now.Add(8*time.Hour)) && s.LastVisitEnd.Equal(late.End())
	}) {
		t.Fatalf("berit's late visit: %+v", rd)
	}

	rd = r.get(t, kari, url.Values{})
	if want := desk.DefaultReadinessUntil(r.now, r.loc); !rd.Until.Equal(want) || !rd.From.Equal(r.now) {
		t.Errorf("default window %s → %s, want → %s", rd.From, rd.Until, want)
	}
	if !slices.Contains(rd.Units, r.nord.ID) || !slices.Contains(rd.Units, r.sor.ID) {
		t.Errorf("without a unit: %v, want kari's units", rd.Units)
	}
}

// TestReadinessRefusals: bad parameters are 400 with the catalogue's key,
// another unit is 403, and a refused reminder posts nothing.
func TestReadinessRefusals(t *testing.T) {
	r := newReadinessEnv(t)
	coord := r.coordinatorOf(t, r.nord.ID)
	admin := r.login("admin").Token
	ahead := func(d time.Duration) string { return r.now.Add(d).Format(time.RFC3339) }
	for _, tc := range []struct {
		name, token, query string
		status             int
		key                string
	}{
		{"until not a time", coord, "until=tomorrow", 400, "error.field.date"},
		{"until in the past", coord, "until=" + url.QueryEscape(ahead(-time.Hour)), 400, keyUntilAhead},
		{"until now", coord, "until=" + url.QueryEscape(ahead(0)), 400, keyUntilAhead},
		{"until too far ahead", coord, "until=" + url.QueryEscape(ahead(49*time.Hour)), 400, keyUntilAhead},
		{"an unknown parameter", coord, "since=2026-01-01T00:00:00Z", 400, care.KeyUnknown},
		{"another unit", coord, "unit=" + url.QueryEscape(r.sor.ID), 403, keyUnitNotYours},
		{"no such unit (admin)", admin, "unit=nowhere", 400, care.KeyUnknown},
		{"no such unit (coordinator)", coord, "unit=nowhere", 403, keyUnitNotYours},
		{"a worker", r.login("anna").Token, "", 403, keyForbidden},
		{"own unit", coord, "unit=" + url.QueryEscape(r.nord.ID), 200, ""},
		{"admin, another unit", admin, "unit=" + url.QueryEscape(r.sor.ID), 200, ""},
		{"48 hours ahead", coord, "until=" + url.QueryEscape(ahead(48*time.Hour)), 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, raw := r.call("GET", "/api/v1/readiness?"+tc.query, tc.token, nil, nil)
			if code != tc.status {
				t.Fatalf("%d %s, want %d", code, raw, tc.status)
			}
			if tc.key != "" {
				errorCode(t, raw)
				var eb wire.ErrorBody
				_ = json.Unmarshal(raw, &eb)
				if eb.Error.Key != tc.key {
					t.Errorf("key %q, want %q (%s)", eb.Error.Key, tc.key, raw)
				}
				for _, lang := range i18n.Languages() {
					if !i18n.Has(lang, eb.Error.Key) {
						t.Errorf("%s lacks %s", lang, eb.Error.Key)
					}
				}
			}
		})
	}

	anns := func() int {
		all, err := r.db.Announcements(context.Background(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return len(all)
	}
	before := anns()
	for _, tc := range []struct {
		name   string
		body   string
		status int
	}{
		{"another unit", `{"unit":"` + r.sor.ID + `"}`, 403},
		{"until in the past", `{"until":"` + ahead(-time.Hour) + `"}`, 400},
		{"an unknown field", `{"workers":["x"]}`, 400},
		{"not JSON", `{`, 400},
	} {
		t.Run("remind "+tc.name, func(t *testing.T) {
			code, raw := r.call("POST", "/api/v1/readiness/remind", coord, tc.body, nil)
			if code != tc.status {
				t.Fatalf("%d %s, want %d", code, raw, tc.status)
			}
			errorCode(t, raw)
		})
	}
	if got := anns(); got != before {
		t.Fatalf("refused reminders posted %d announcements", got-before)
	}
}

// TestReadinessRemind: the reminder goes, as important announcements in
// each one's language, to exactly the workers the view names; it reaches
// their next bundle and no one else's, and it is audited.
func TestReadinessRemind(t *testing.T) {
	r := newReadinessEnv(t)
	kari := r.login("kari").Token
	r.fetch(t, "berit")
	until := r.now.Add(2 * time.Hour)
	view := r.get(t, kari, url.Values{"unit": {r.nord.ID}, "until": {until.Format(time.RFC3339)}})
	if !reminded(view, r.anna.ID) || reminded(view, r.berit.ID) {
		t.Fatalf("view: %+v", view.Remind)
	}

	var resp wire.ReadinessRemindResponse
	if code, raw := r.call("POST", "/api/v1/readiness/remind", kari, wire.ReadinessRemindRequest{Unit: r.nord.ID, Until: &until}, &resp); code != 200 {
		t.Fatalf("remind: %d %s", code, raw)
	}
	if !slices.Equal(resp.Workers, view.Remind) {
		t.Fatalf("reminded %v, the view names %v", resp.Workers, view.Remind)
	}
	var to []string
	for _, a := range resp.Announcements {
		if a.Level != care.LevelImportant || !slices.Equal(a.Units, []string{r.nord.ID}) || len(a.Users) == 0 {
			t.Errorf("announcement %+v", a)
		}
		to = append(to, a.Users...)
		if slices.Contains(a.Users, r.anna.ID) {
			want := i18n.T("sv", "readiness.remind.text", strings.ToLower(i18n.Weekday("sv", until.In(r.loc))), i18n.Time("sv", until.In(r.loc)))
			if a.Text != want || len(a.Users) != 1 {
				t.Errorf("anna's (Swedish) reminder %+v, want %q to her alone", a, want)
			}
		}
	}
	var want []string
	for _, p := range view.Remind {
		want = append(want, p.ID)
	}
	slices.Sort(to)
	slices.Sort(want)
	if !slices.Equal(to, want) {
		t.Fatalf("addressed to %v, want %v", to, want)
	}

	// The hourly status update is still owed: a reminder to a few is not one.
	var st wire.OutagesResponse
	if code, raw := r.call("GET", "/api/v1/outage", kari, nil, &st); code != 200 {
		t.Fatalf("outage: %d %s", code, raw)
	}
	if st.LastAnnouncement != nil && !st.LastAnnouncement.Before(r.now) {
		t.Errorf("the reminder counts as the last status update (%s)", st.LastAnnouncement)
	}

	hasReminder := func(b wire.Bundle) bool {
		return slices.ContainsFunc(b.Announcements, func(a care.Announcement) bool {
			return slices.ContainsFunc(resp.Announcements, func(x care.Announcement) bool { return x.ID == a.ID })
		})
	}
	if b := r.fetch(t, "anna"); !hasReminder(b) {
		t.Errorf("anna's next bundle lacks the reminder: %+v", b.Announcements)
	}
	if b := r.fetch(t, "berit"); hasReminder(b) {
		t.Errorf("berit, who holds her shift, got the reminder")
	}
	if b := r.fetch(t, "per"); hasReminder(b) {
		t.Errorf("per, in Sør, got the reminder")
	}

	log, err := r.db.AuditLog(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	kariID := r.loginUser(t, "kari")
	found := false
	for _, a := range log {
		if a.Action == auditReadinessRemind {
			found = a.Actor == kariID && a.Subject == r.nord.ID && strings.Contains(a.Detail, r.anna.ID) && !strings.Contains(a.Detail, r.berit.ID)
		}
	}
	if !found {
		t.Fatal("no audit entry of the reminder by kari naming anna and not berit")
	}
	for _, ann := range resp.Announcements {
		entries, err := r.db.AuditFor(context.Background(), ann.ID)
		if err != nil || len(entries) == 0 {
			t.Errorf("announcement %s not audited: %v", ann.ID, err)
		}
	}

	// Once anna holds her shift nobody is left: the reminder posts nothing.
	resp = wire.ReadinessRemindResponse{}
	if code, raw := r.call("POST", "/api/v1/readiness/remind", kari, wire.ReadinessRemindRequest{Unit: r.nord.ID, Until: &until}, &resp); code != 200 {
		t.Fatalf("remind: %d %s", code, raw)
	}
	for _, p := range resp.Workers {
		if p.ID == r.anna.ID || p.ID == r.berit.ID {
			t.Errorf("%s reminded again after fetching", p.Name)
		}
	}
}

func (r *readinessEnv) loginUser(t *testing.T, username string) string {
	t.Helper()
	a, err := r.db.AccountByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}
