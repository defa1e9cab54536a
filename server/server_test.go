package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"beredskap/internal/auth"
	"beredskap/internal/seal"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

// testEnv is a server over a real Badger store in a temporary directory,
// loaded with the demo municipality.
type testEnv struct {
	t    *testing.T
	db   *badger.DB
	keys *Keys
	srv  *Server
	http *httptest.Server
	loc  *time.Location
	now  time.Time
}

func newEnv(t *testing.T, mutate ...func(*Config)) *testEnv {
	t.Helper()
	dir := t.TempDir()
	// Keys first, as serve does: a store without keys is refused.
	keys, err := LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(dir+"/db", badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	// Cheap password hashing keeps the tests fast; production cost is set
	// in auth.DefaultHasher.
	hasher := auth.NewHasher(1, 8<<10, 1, 4)
	if err := SeedDemo(context.Background(), db, hasher, now, loc); err != nil {
		t.Fatal(err)
	}
	cfg := Config{OfflineFor: 8 * time.Hour, Location: loc, Hasher: hasher}
	for _, m := range mutate {
		m(&cfg)
	}
	srv := New(cfg, db, keys, nil)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testEnv{t: t, db: db, keys: keys, srv: srv, http: hs, loc: loc, now: now}
}

// call sends a request and decodes the JSON answer into out (if not nil);
// it returns the status and the raw body.
func (e *testEnv) call(method, path, token string, body any, out any) (int, []byte) {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.http.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
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
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("decode %s: %v", raw, err)
		}
	}
	return resp.StatusCode, raw
}

// login logs in a demo user and returns the answer.
func (e *testEnv) login(username string) wire.LoginResponse {
	e.t.Helper()
	var lr wire.LoginResponse
	if code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: username, Password: "demo"}, &lr); code != 200 {
		e.t.Fatalf("login %s: %d %s", username, code, raw)
	}
	return lr
}

// device registers a new device key for the session and returns its id
// and private key.
func (e *testEnv) device(token string) (string, []byte) {
	e.t.Helper()
	pub, priv, err := seal.NewSigningKey()
	if err != nil {
		e.t.Fatal(err)
	}
	var dr wire.DeviceResponse
	if code, raw := e.call("POST", "/api/v1/devices", token, wire.DeviceRequest{PublicKey: pub, Label: "test phone"}, &dr); code != 200 {
		e.t.Fatalf("register device: %d %s", code, raw)
	}
	return dr.DeviceID, priv
}

// errorCode decodes the error envelope, failing when the body is not one.
func errorCode(t *testing.T, raw []byte) wire.Code {
	t.Helper()
	var eb wire.ErrorBody
	if err := json.Unmarshal(raw, &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
		t.Fatalf("not an error envelope: %s", raw)
	}
	return eb.Error.Code
}
