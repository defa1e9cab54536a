package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/care"
	"beredskap/internal/seal"
	badgerstore "beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

// storeDigest hashes every key and value in the store, so that a test can
// tell that a request changed nothing at all.
func storeDigest(t *testing.T, db *badgerstore.DB) [32]byte {
	t.Helper()
	h := sha256.New()
	err := db.Badger().View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			h.Write(it.Item().Key())
			h.Write([]byte{0})
			if err := it.Item().Value(func(v []byte) error { h.Write(v); h.Write([]byte{0}); return nil }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// send makes one request with the body and exactly the Content-Type given
// ("" sends none).
func (e *testEnv) send(method, path, token, ctype string, body []byte) (int, []byte) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.http.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// Every route refuses a body that does not say it is JSON (or CSV, for a
// plan), before its handler runs: nothing in the store changes, whoever
// asks. These are the requests another site can make a logged-in browser
// send without the server's consent.
func TestBodyWithoutJSONTypeIsRefused(t *testing.T) {
	e := newEnv(t)
	anna := e.phone("anna")
	nils := e.login("nils")
	kari := e.login("kari")
	admin := e.login("admin")
	stored := anna.note(anna.ownPatient(), "Already synced")
	if _, resp, raw := anna.sync(anna.sealRecord(stored)); resp.Results[0].Status != wire.SyncAccepted {
		t.Fatalf("%s", raw)
	}
	var rr wire.RoutinesResponse
	if code, raw := e.call("GET", "/api/v1/routines", kari.Token, nil, &rr); code != 200 || len(rr.Routines) == 0 {
		t.Fatalf("routines: %d %s", code, raw)
	}
	pub, _, _ := seal.NewSigningKey()
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }

	// Bodies that the routes would act on if they took them; a route not
	// listed gets an empty object.
	ids := map[string]string{
		"/api/v1/records/{id}":           stored.ID,
		"/api/v1/records/{id}/reconcile": stored.ID,
		"/api/v1/findings/{id}/resolve":  "0123456789abcdef",
		"/api/v1/routines/{id}":          rr.Routines[0].ID,
		"/api/v1/routines/{id}/versions": rr.Routines[0].ID,
		"/api/v1/users/{id}/disable":     nils.User.ID,
		"/api/v1/users/{id}/reset":       nils.User.ID,
		"/api/v1/devices/{id}/revoke":    anna.deviceID,
	}
	bodies := map[string][]byte{
		"POST /api/v1/session":                js(wire.LoginRequest{Username: "anna", Password: "demo"}),
		"PUT /api/v1/me/lang":                 js(wire.LangRequest{Lang: "sv"}),
		"POST /api/v1/devices":                js(wire.DeviceRequest{PublicKey: pub, Label: "another phone"}),
		"POST /api/v1/sync":                   js(wire.SyncRequest{DeviceID: anna.deviceID, Records: []wire.SealedRecord{anna.sealRecord(anna.note(anna.ownPatient(), "Sent by another site"))}}),
		"POST /api/v1/records/{id}/reconcile": js(wire.ReconcileRequest{Action: "void", Reason: "forged"}),
		"POST /api/v1/records/reconcile":      js(wire.ReconcileRequest{IDs: []string{stored.ID}, Action: "void", Reason: "forged"}),
		"POST /api/v1/findings/{id}/resolve":  js(wire.ResolveRequest{Comment: "forged"}),
		"POST /api/v1/announcements":          js(wire.AnnouncementRequest{Units: kari.User.Units, Level: "important", Text: "Forged"}),
		"POST /api/v1/outage":                 js(wire.OutageRequest{Action: "start", Note: "forged"}),
		"POST /api/v1/users":                  js(wire.NewUserRequest{Username: "mallory", Name: "Mallory", Role: care.RoleAdmin, Password: "a long enough password"}),
		"POST /api/v1/users/{id}/reset":       js(wire.PasswordRequest{Password: "a long enough password"}),
		"POST /api/v1/plan":                   []byte("{}"),
	}
	tokenFor := func(roles []care.Role) string {
		switch {
		case roles == nil:
			return ""
		case slices.Contains(roles, care.RoleWorker):
			return anna.login.Token
		case slices.Contains(roles, care.RoleCoordinator):
			return kari.Token
		default:
			return admin.Token
		}
	}
	badTypes := []string{"", "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "application/json; charset=iso-8859-1", "application/jsonp", "text/csv", "*/*", "json"}

	before := storeDigest(t, e.db)
	for _, rt := range e.srv.Routes() {
		key := rt.Method + " " + rt.Path
		path := strings.ReplaceAll(rt.Path, "{id}", ids[rt.Path])
		body, ok := bodies[key]
		if !ok {
			body = []byte("{}")
		}
		for _, ct := range badTypes {
			if ct == "text/csv" && key == "POST /api/v1/plan" {
				continue // a plan may be CSV
			}
			t.Run(key+" as "+ct, func(t *testing.T) {
				code, raw := e.send(rt.Method, path, tokenFor(rt.Roles), ct, body)
				if code != 400 || errorCode(t, raw) != wire.CodeInvalidInput || !strings.Contains(string(raw), "Content-Type") {
					t.Fatalf("%d %s", code, raw)
				}
			})
		}
	}
	if storeDigest(t, e.db) != before {
		t.Fatal("a refused request changed the store")
	}
	// The sessions still work: logout and the rest were never run.
	if code, raw := e.call("GET", "/api/v1/bundle", anna.login.Token, nil, nil); code != 200 {
		t.Fatalf("anna's session after the refused requests: %d %s", code, raw)
	}
}

// What the app sends keeps working: JSON with or without a UTF-8 charset,
// CSV for a plan, and POSTs without a body and without a type.
func TestBodyTypesThatPass(t *testing.T) {
	e := newEnv(t)
	anna := e.phone("anna")
	admin := e.login("admin")
	kari := e.login("kari")
	login, _ := json.Marshal(wire.LoginRequest{Username: "nils", Password: "demo"})
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON; Charset=UTF-8"} {
		if code, raw := e.send("POST", "/api/v1/session", "", ct, login); code != 200 {
			t.Fatalf("login as %q: %d %s", ct, code, raw)
		}
	}
	// A CSV plan reaches the plan import, which judges its content.
	code, raw := e.send("POST", "/api/v1/plan", kari.Token, "text/csv; charset=utf-8", []byte("not,a,plan\n"))
	if code == 200 || strings.Contains(string(raw), "Content-Type") {
		t.Fatalf("CSV plan: %d %s", code, raw)
	}
	// No body, no type: a revocation is a POST without a body.
	if code, raw := e.send("POST", "/api/v1/devices/"+anna.deviceID+"/revoke", admin.Token, "", nil); code != 200 {
		t.Fatalf("revoke without a body: %d %s", code, raw)
	}
	if d, err := e.db.Device(context.Background(), anna.deviceID); err != nil || d.Revoked == nil {
		t.Fatalf("device %+v, %v", d, err)
	}
	if code, raw := e.send("DELETE", "/api/v1/session", anna.login.Token, "", nil); code != 200 {
		t.Fatalf("logout without a body: %d %s", code, raw)
	}
	// A body without a type is refused even where the route reads none.
	if code, raw := e.send("GET", "/api/v1/dashboard", kari.Token, "", []byte("x")); code != 400 {
		t.Fatalf("GET with a typeless body: %d %s", code, raw)
	}
}
