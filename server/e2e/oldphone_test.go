package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/seal"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

// updateCompat rewrites the golden files of TestOldPhoneKeepsSyncing. Do
// it only when the wire is meant to change, and say so in the commit: the
// files stand for phones already in people's pockets.
var updateCompat = flag.Bool("update-compat", false, "rewrite server/testdata/compat (the previous release's sync request)")

// oldPhone describes the phone that made the golden sync request: the
// device the server must know for the request to verify.
type oldPhone struct {
	DeviceID  string `json:"device_id"`
	UserID    string `json:"user_id"`
	Username  string `json:"username"`
	PublicKey []byte `json:"public_key"`
	Text      string `json:"text"`
}

// The sync request as the app sends it (app/shift/syncer.go sendRequest,
// app/shift/api.go doWithin): written out here, not taken from internal/wire,
// so that a change to the wire types shows up as a failing test rather
// than changing the request with them.
type oldSyncRequest struct {
	DeviceID string `json:"device_id"`
	Records  []struct {
		ID     string `json:"id"`
		Sealed []byte `json:"sealed"`
	} `json:"records"`
}

// The answer as the app reads it: these fields, these types.
type oldSyncResponse struct {
	Results []struct {
		ID      string `json:"id"`
		Status  string `json:"status"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"results"`
	Wipe bool `json:"wipe"`
}

func compatDir(t *testing.T) string {
	return filepath.Join(repoRoot(t), "server", "testdata", "compat")
}

// TestOldPhoneKeepsSyncing: a phone still running the previous release
// sends the outbox it holds to the new server. The request is a golden
// file made with the sealing code of that release (sealed to the golden
// server keys, signed by the golden device key), sent byte for byte with
// the headers the app sends; the server accepts the record, and a resend
// (the phone never got the answer) is a duplicate, so it is stored once.
func TestOldPhoneKeepsSyncing(t *testing.T) {
	dir := compatDir(t)
	if *updateCompat {
		writeCompatGolden(t, dir)
	}
	var phone oldPhone
	readJSONFile(t, filepath.Join(dir, "old-phone.json"), &phone)
	body, err := os.ReadFile(filepath.Join(dir, "sync-request.json"))
	if err != nil {
		t.Fatal(err)
	}
	var shape oldSyncRequest
	if err := json.Unmarshal(body, &shape); err != nil || shape.DeviceID != phone.DeviceID || len(shape.Records) != 1 {
		t.Fatalf("golden request %s: %v", body, err)
	}

	// A server with the keys the old phone sealed to, knowing its device.
	data := t.TempDir()
	keys, err := os.ReadFile(filepath.Join(dir, "server-keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "server-keys.json"), keys, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServerIn(t, data)
	srv.stop()
	db, err := badger.Open(filepath.Join(data, "db"), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.PutDevice(context.Background(), store.Device{ID: phone.DeviceID, UserID: phone.UserID, PublicKey: phone.PublicKey, Label: "previous release", Created: time.Now().UTC()})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	srv.start()

	// Its user logs in and fetches a shift (bundles are issued to the
	// user, and a record is authorised by one); the session registers a
	// phone of its own, as every login does, and delivers the old phone's
	// outbox, as a phone shared after a wipe does.
	token := loginToken(t, srv, phone.Username)
	registerDevice(t, srv, token)
	if code := getStatus(t, srv, "/api/v1/bundle", token); code != 200 {
		t.Fatalf("bundle: %d", code)
	}
	send := func() oldSyncResponse {
		req, _ := http.NewRequest("POST", srv.url("/api/v1/sync"), bytes.NewReader(body))
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out oldSyncResponse
		if resp.StatusCode != 200 || json.Unmarshal(raw, &out) != nil {
			t.Fatalf("sync from the previous release: %d %s", resp.StatusCode, raw)
		}
		return out
	}
	id := shape.Records[0].ID
	for _, want := range []string{wire.SyncAccepted, wire.SyncDuplicate} {
		got := send()
		if len(got.Results) != 1 || got.Results[0].ID != id || got.Results[0].Status != want || got.Wipe {
			t.Fatalf("answer %+v, want %s for %s", got, want, id)
		}
	}
	srv.stop()
	recs := serverRecords(t, srv)
	if len(recs) != 1 || recs[0].ID != id || recs[0].Text != phone.Text || recs[0].DeviceID != phone.DeviceID {
		t.Fatalf("the server holds %+v", recs)
	}
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// writeCompatGolden makes the golden files with today's code: a server
// creates its keys, a demo worker logs in and registers a device, whose
// key signs a note
// about a patient of her unit (with an emergency reason, so that it is
// authorised whichever patients are on her own list on the day the test
// runs), sealed to the server's key as the app seals it.
func writeCompatGolden(t *testing.T, dir string) {
	t.Helper()
	data := t.TempDir()
	srv := startServerIn(t, data)
	var lr wire.LoginResponse
	apiJSON(t, srv, "POST", "/api/v1/session", "", wire.LoginRequest{Username: "anna", Password: "demo"}, &lr)
	pub, priv, err := seal.NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	var dr wire.DeviceResponse
	apiJSON(t, srv, "POST", "/api/v1/devices", lr.Token, wire.DeviceRequest{PublicKey: pub, Label: "previous release"}, &dr)
	var br wire.BundleResponse
	apiJSON(t, srv, "GET", "/api/v1/bundle", lr.Token, nil, &br)
	var b wire.Bundle
	if err := json.Unmarshal(br.Bundle, &b); err != nil || len(b.Patients) == 0 {
		t.Fatalf("bundle: %v", err)
	}
	srv.stop()
	phone := oldPhone{DeviceID: dr.DeviceID, UserID: lr.User.ID, Username: "anna", PublicKey: pub,
		Text: "Skrevet av en telefon med forrige versjon"}
	rec := care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordNote, DeviceID: phone.DeviceID, AuthorID: lr.User.ID,
		PatientID: b.Patients[0].ID, CreatedAt: time.Now().UTC().Truncate(time.Second), Seq: 1, Text: phone.Text,
		EmergencyReason: "Vikar for kollega"}
	plain, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := seal.SealRecord(plain, ed25519.PrivateKey(priv), lr.SealKey)
	if err != nil {
		t.Fatal(err)
	}
	req := oldSyncRequest{DeviceID: phone.DeviceID}
	req.Records = append(req.Records, struct {
		ID     string `json:"id"`
		Sealed []byte `json:"sealed"`
	}{rec.ID, sealed})
	reqJSON, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	phoneJSON, err := json.MarshalIndent(phone, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := os.ReadFile(filepath.Join(data, "server-keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"server-keys.json": keys, "old-phone.json": append(phoneJSON, '\n'), "sync-request.json": reqJSON} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// registerDevice registers a new device key for the session, as the app
// does after a login.
func registerDevice(t *testing.T, srv *server, token string) {
	t.Helper()
	pub, _, err := seal.NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	var dr wire.DeviceResponse
	apiJSON(t, srv, "POST", "/api/v1/devices", token, wire.DeviceRequest{PublicKey: pub, Label: "e2e"}, &dr)
}

// apiJSON calls the API and decodes a 200 answer.
func apiJSON(t *testing.T, srv *server, method, path, token string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, srv.url(path), body)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(raw, out) != nil {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
}
