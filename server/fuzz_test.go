package server

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"testing"

	"beredskap/internal/wire"
)

// FuzzDecode feeds arbitrary bodies to the request decoder for each kind
// of request: it must never panic, and every failure must be a protocol
// error with a code that maps to a 4xx status.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"username":"anna","password":"demo"}`))
	f.Add([]byte(`{"device_id":"x","records":[{"id":"y","sealed":"AAAA"}]}`))
	f.Add([]byte(`{"action":"void","reason":"x"}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []any{&wire.LoginRequest{}, &wire.SyncRequest{}, &wire.ReconcileRequest{}, &wire.DeviceRequest{}, &wire.OutageRequest{}}
		for _, v := range targets {
			r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			err := decode(httptest.NewRecorder(), r, 1<<16, v)
			if err == nil {
				continue
			}
			var we *wire.Error
			if !errors.As(err, &we) || status(we.Code) >= 500 || we.Message == "" {
				t.Fatalf("decode error %v is not a 4xx protocol error", err)
			}
		}
	})
}
