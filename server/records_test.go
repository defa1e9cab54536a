package server

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"beredskap/internal/store"
	"beredskap/internal/wire"
)

func TestRecordFiltersAndPaging(t *testing.T) {
	e := newEnv(t)
	anna, _, annaIDs, _ := synced(t, e)
	tok := e.login("admin").Token
	get := func(q string) wire.RecordsResponse {
		var rr wire.RecordsResponse
		if code, raw := e.call("GET", "/api/v1/records?"+q, tok, nil, &rr); code != 200 {
			t.Fatalf("%s: %d %s", q, code, raw)
		}
		return rr
	}
	cases := []struct {
		query string
		want  int
	}{
		{"", 6},
		{"author=" + anna.login.User.ID, 3},
		{"patient=" + anna.ownPatient(), 3},
		{"unit=" + anna.bundle.Units[0].ID, 3},
		{"type=note", 6},
		{"type=medication", 0},
		{"state=new", 6},
		{"state=entered", 0},
		{"since=" + url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), 0},
	}
	for _, c := range cases {
		if got := len(get(c.query).Records); got != c.want {
			t.Errorf("%q: %d records, want %d", c.query, got, c.want)
		}
	}
	// Pages of two, newest first, without repeats.
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		rr := get("limit=2&cursor=" + cursor)
		pages++
		for _, r := range rr.Records {
			if seen[r.ID] {
				t.Fatalf("record %s on two pages", r.ID)
			}
			seen[r.ID] = true
		}
		if rr.Next == "" {
			break
		}
		cursor = rr.Next
	}
	if len(seen) != 6 || pages != 3 {
		t.Fatalf("%d records over %d pages", len(seen), pages)
	}
	for _, bad := range []string{"type=diary", "state=lost", "limit=0", "since=yesterday", "cursor=***"} {
		if code, raw := e.call("GET", "/api/v1/records?"+bad, tok, nil, nil); code != 400 || errorCode(t, raw) != wire.CodeInvalidInput {
			t.Errorf("%s: %d %s", bad, code, raw)
		}
	}
	_ = annaIDs
}

func TestReconcile(t *testing.T) {
	e := newEnv(t)
	anna, _, ids, _ := synced(t, e)
	tok := e.login("kari").Token
	cases := []struct {
		name   string
		id     string
		req    any
		status int
		code   wire.Code
		state  string
	}{
		{"void without a reason", ids[0], wire.ReconcileRequest{Action: "void"}, 400, wire.CodeInvalidInput, "new"},
		{"void with a blank reason", ids[0], wire.ReconcileRequest{Action: "void", Reason: "  "}, 400, wire.CodeInvalidInput, "new"},
		{"unknown action", ids[0], wire.ReconcileRequest{Action: "delete"}, 400, wire.CodeInvalidInput, "new"},
		{"broken JSON", ids[0], `{"action":`, 400, wire.CodeInvalidInput, "new"},
		{"unknown record", "0190b6a2-0000-7000-8000-000000000000", wire.ReconcileRequest{Action: "entered"}, 404, wire.CodeNotFound, ""},
		{"entered with a reference", ids[0], wire.ReconcileRequest{Action: "entered", EHRRef: "EPJ-4711", EnteredBy: anna.login.User.ID}, 200, "", "entered"},
		{"entered twice", ids[0], wire.ReconcileRequest{Action: "entered"}, 409, wire.CodeConflict, "entered"},
		{"void with a reason", ids[1], wire.ReconcileRequest{Action: "void", Reason: "Written on the wrong patient"}, 200, "", "void"},
		{"entered after void", ids[1], wire.ReconcileRequest{Action: "entered"}, 409, wire.CodeConflict, "void"},
		{"entered_by not a user", ids[2], wire.ReconcileRequest{Action: "entered", EnteredBy: "nobody"}, 400, wire.CodeInvalidInput, "new"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v wire.RecordView
			code, raw := e.call("POST", "/api/v1/records/"+c.id+"/reconcile", tok, c.req, &v)
			if code != c.status {
				t.Fatalf("%d %s", code, raw)
			}
			if c.code != "" && errorCode(t, raw) != c.code {
				t.Fatalf("%s", raw)
			}
			if c.state != "" {
				sr, _ := e.db.StoredRecordByID(context.Background(), c.id)
				if sr.State != c.state {
					t.Fatalf("state %s, want %s", sr.State, c.state)
				}
			}
		})
	}
	sr, _ := e.db.StoredRecordByID(context.Background(), ids[0])
	if sr.EHRRef != "EPJ-4711" || sr.EnteredBy != anna.login.User.ID || sr.ReconciledBy == "" || sr.ReconciledAt.IsZero() {
		t.Fatalf("entered record %+v", sr)
	}
	var detail wire.RecordView
	e.call("GET", "/api/v1/records/"+ids[0], tok, nil, &detail)
	actions := []string{}
	for _, h := range detail.History {
		actions = append(actions, h.Action)
	}
	if strings.Join(actions, ",") != "sync.accept,record.reconcile" || detail.EnteredByName != "Anna Berg" || detail.DeviceLabel == "" || detail.BundleIssuedAt == nil {
		t.Fatalf("detail history %v, %+v", actions, detail)
	}
}

func TestBulkReconcileIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	_, _, ids, perIDs := synced(t, e)
	tok := e.login("kari").Token
	e.call("POST", "/api/v1/records/"+ids[0]+"/reconcile", tok, wire.ReconcileRequest{Action: "void", Reason: "dup"}, nil)
	// One of them is already void: nothing changes.
	code, raw := e.call("POST", "/api/v1/records/reconcile", tok, wire.ReconcileRequest{IDs: ids, Action: "entered"}, nil)
	if code != 409 {
		t.Fatalf("%d %s", code, raw)
	}
	for _, id := range ids[1:] {
		if sr, _ := e.db.StoredRecordByID(context.Background(), id); sr.State != store.StateNew {
			t.Fatalf("a failed bulk changed %s", id)
		}
	}
	var rr wire.RecordsResponse
	if code, raw := e.call("POST", "/api/v1/records/reconcile", tok, wire.ReconcileRequest{IDs: append(ids[1:], perIDs...), Action: "entered"}, &rr); code != 200 || len(rr.Records) != 5 {
		t.Fatalf("%d %s", code, raw)
	}
	if n, err := e.db.VerifyAudit(context.Background()); err != nil || n == 0 {
		t.Fatal(err)
	}
}
