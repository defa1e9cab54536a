package server

import (
	"encoding/json"
	"testing"
	"time"

	"beredskap/internal/seal"
	"beredskap/internal/wire"
)

func TestBundleAccess(t *testing.T) {
	e := newEnv(t)
	anna := e.login("anna")
	annaDevice, _ := e.device(anna.Token)
	_ = annaDevice
	kari := e.login("kari")
	_, _ = e.device(kari.Token)
	nils := e.login("nils") // no device registered

	cases := []struct {
		name   string
		token  string
		status int
		code   wire.Code
	}{
		{"anonymous", "", 401, wire.CodeUnauthorized},
		{"no device yet", nils.Token, 403, wire.CodeForbidden},
		{"coordinator", kari.Token, 403, wire.CodeForbidden},
		{"worker with device", anna.Token, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, raw := e.call("GET", "/api/v1/bundle", c.token, nil, nil)
			if code != c.status {
				t.Fatalf("%d %s", code, raw)
			}
			if c.code != "" && errorCode(t, raw) != c.code {
				t.Fatalf("code %s", raw)
			}
		})
	}
}

func TestBundleIsSignedAndComplete(t *testing.T) {
	e := newEnv(t)
	lr := e.login("anna")
	deviceID, _ := e.device(lr.Token)
	var br wire.BundleResponse
	if code, raw := e.call("GET", "/api/v1/bundle", lr.Token, nil, &br); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	if !seal.Verify(lr.SignKey, br.Bundle, br.Signature) {
		t.Fatal("bundle signature does not verify with the sign_key from login")
	}
	tampered := append([]byte{}, br.Bundle...)
	tampered[len(tampered)/2] ^= 1
	if seal.Verify(lr.SignKey, tampered, br.Signature) {
		t.Fatal("a tampered bundle verifies")
	}

	var b wire.Bundle
	if err := json.Unmarshal(br.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	if b.UserID != lr.User.ID || b.DeviceID != deviceID {
		t.Fatalf("bundle for %s/%s", b.UserID, b.DeviceID)
	}
	if got := b.ExpiresAt.Sub(b.IssuedAt); got != 8*time.Hour {
		t.Fatalf("validity %v, want 8h", got)
	}
	own := 0
	for _, v := range b.Visits {
		if _, ok := b.Patient(v.PatientID); !ok {
			t.Fatalf("visit %s has no person card in the bundle", v.ID)
		}
		if b.Own(v) {
			own++
		}
	}
	if own < 6 || own > 10 {
		t.Fatalf("anna has %d own visits", own)
	}
	if len(b.Visits) <= own {
		t.Fatal("the bundle has no unit part (other workers' visits)")
	}
	if len(b.Routines) != 6 || len(b.Medications) == 0 {
		t.Fatalf("%d routines, %d doses", len(b.Routines), len(b.Medications))
	}
	for _, d := range b.Medications {
		if _, ok := b.Patient(d.PatientID); !ok {
			t.Fatalf("dose %s for a patient outside the bundle", d.ID)
		}
	}
	for _, a := range b.Announcements {
		if a.Posted.After(b.IssuedAt) {
			t.Fatalf("announcement from the future: %v", a.Posted)
		}
	}
	issued, err := e.db.IssuedBundles(t.Context(), lr.User.ID, time.Time{})
	if err != nil || len(issued) != 1 || issued[0].ID != b.ID || len(issued[0].OwnPatients) == 0 || len(issued[0].UnitPatients) == 0 {
		t.Fatalf("issued bundle record %+v, %v", issued, err)
	}
}

func TestOfflineHoursConfigurable(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.OfflineFor = 2 * time.Hour })
	lr := e.login("nils")
	e.device(lr.Token)
	var br wire.BundleResponse
	e.call("GET", "/api/v1/bundle", lr.Token, nil, &br)
	var b wire.Bundle
	if err := json.Unmarshal(br.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	if got := b.ExpiresAt.Sub(b.IssuedAt); got != 2*time.Hour {
		t.Fatalf("validity %v", got)
	}
}
