package server

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/seal"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// phoneKit is a logged-in phone: its session, device and bundle.
type phoneKit struct {
	e        *testEnv
	login    wire.LoginResponse
	deviceID string
	key      ed25519.PrivateKey
	bundle   wire.Bundle
	seq      uint64
}

func (e *testEnv) phone(username string) *phoneKit {
	e.t.Helper()
	lr := e.login(username)
	id, priv := e.device(lr.Token)
	var br wire.BundleResponse
	if code, raw := e.call("GET", "/api/v1/bundle", lr.Token, nil, &br); code != 200 {
		e.t.Fatalf("bundle: %d %s", code, raw)
	}
	p := &phoneKit{e: e, login: lr, deviceID: id, key: ed25519.PrivateKey(priv)}
	if err := json.Unmarshal(br.Bundle, &p.bundle); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// ownPatient and unitPatient pick patients from the phone's bundle.
func (p *phoneKit) ownPatient() string {
	for _, v := range p.bundle.Visits {
		if p.bundle.Own(v) {
			return v.PatientID
		}
	}
	p.e.t.Fatal("no own visit")
	return ""
}

func (p *phoneKit) unitPatient() string {
	for _, v := range p.bundle.Visits {
		if !p.bundle.OwnPatient(v.PatientID) {
			return v.PatientID
		}
	}
	p.e.t.Fatal("no unit-part patient")
	return ""
}

// note returns a valid note for the patient with the phone's next seq.
func (p *phoneKit) note(patient, text string) care.Record {
	p.seq++
	return care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordNote, DeviceID: p.deviceID,
		AuthorID: p.login.User.ID, PatientID: patient, CreatedAt: time.Now().UTC(), Seq: p.seq, Text: text}
}

// sealRecord signs and seals a record as the phone does.
func (p *phoneKit) sealRecord(r care.Record) wire.SealedRecord {
	body, err := json.Marshal(r)
	if err != nil {
		p.e.t.Fatal(err)
	}
	return p.sealBody(r.ID, body, p.key)
}

func (p *phoneKit) sealBody(id string, body []byte, key ed25519.PrivateKey) wire.SealedRecord {
	sealed, err := seal.SealRecord(body, key, p.login.SealKey)
	if err != nil {
		p.e.t.Fatal(err)
	}
	return wire.SealedRecord{ID: id, Sealed: sealed}
}

func (p *phoneKit) sync(records ...wire.SealedRecord) (int, wire.SyncResponse, []byte) {
	var resp wire.SyncResponse
	code, raw := p.e.call("POST", "/api/v1/sync", p.login.Token, wire.SyncRequest{DeviceID: p.deviceID, Records: records}, &resp)
	return code, resp, raw
}

func TestSyncRecordPaths(t *testing.T) {
	e := newEnv(t)
	anna := e.phone("anna")
	own, unit := anna.ownPatient(), anna.unitPatient()
	_, otherKey, _ := seal.NewSigningKey()
	wrongBox, _, _ := seal.NewBoxKey()
	otherUnit := e.phone("per").ownPatient() // Sør: in no bundle of anna's

	visitOf := func(patient string) string {
		for _, v := range anna.bundle.Visits {
			if v.PatientID == patient {
				return v.ID
			}
		}
		t.Fatal("no visit")
		return ""
	}
	doseNotOf := func(patient string) string {
		for _, d := range anna.bundle.Medications {
			if d.PatientID != patient {
				return d.ID
			}
		}
		t.Fatal("no dose")
		return ""
	}

	cases := []struct {
		name   string
		item   func() wire.SealedRecord
		status string
		code   wire.Code
		check  func(t *testing.T, id string)
	}{
		{"note for an own patient", func() wire.SealedRecord { return anna.sealRecord(anna.note(own, "Slept well")) }, wire.SyncAccepted, "", func(t *testing.T, id string) {
			r, err := e.db.StoredRecordByID(context.Background(), id)
			if err != nil || r.Emergency || r.BundleID == "" || r.UnitID == "" || r.State != store.StateNew {
				t.Fatalf("stored %+v, %v", r, err)
			}
		}},
		{"signed by another key", func() wire.SealedRecord {
			r := anna.note(own, "x")
			b, _ := json.Marshal(r)
			return anna.sealBody(r.ID, b, otherKey)
		}, wire.SyncRejected, wire.CodeForbidden, nil},
		{"sealed to another server", func() wire.SealedRecord {
			r := anna.note(own, "x")
			b, _ := json.Marshal(r)
			sig, _ := seal.Sign(anna.key, b)
			env, _ := json.Marshal(wire.SignedRecord{Body: b, Sig: sig})
			s, _ := seal.SealTo(wrongBox, env)
			return wire.SealedRecord{ID: r.ID, Sealed: s}
		}, wire.SyncRejected, wire.CodeInvalidInput, nil},
		{"envelope is not JSON", func() wire.SealedRecord {
			s, _ := seal.SealTo(anna.login.SealKey, []byte("hello"))
			return wire.SealedRecord{ID: uuid.NewString(), Sealed: s}
		}, wire.SyncRejected, wire.CodeInvalidInput, nil},
		{"empty note", func() wire.SealedRecord { return anna.sealRecord(anna.note(own, " ")) }, wire.SyncRejected, wire.CodeInvalidInput, nil},
		{"unknown field in the record", func() wire.SealedRecord {
			r := anna.note(own, "x")
			b, _ := json.Marshal(r)
			b = append(b[:len(b)-1], []byte(`,"mood":"good"}`)...)
			return anna.sealBody(r.ID, b, anna.key)
		}, wire.SyncRejected, wire.CodeInvalidInput, nil},
		{"sent under another id", func() wire.SealedRecord {
			s := anna.sealRecord(anna.note(own, "x"))
			s.ID = uuid.NewString()
			return s
		}, wire.SyncRejected, wire.CodeInvalidInput, nil},
		{"another author", func() wire.SealedRecord {
			r := anna.note(own, "x")
			r.AuthorID = "someone-else"
			return anna.sealRecord(r)
		}, wire.SyncRejected, wire.CodeForbidden, nil},
		{"another device", func() wire.SealedRecord {
			r := anna.note(own, "x")
			r.DeviceID = uuid.NewString()
			return anna.sealRecord(r)
		}, wire.SyncRejected, wire.CodeForbidden, nil},
		{"patient in no bundle of the author", func() wire.SealedRecord { return anna.sealRecord(anna.note(otherUnit, "x")) }, wire.SyncRejected, wire.CodeForbidden, nil},
		{"unit part without a reason", func() wire.SealedRecord { return anna.sealRecord(anna.note(unit, "x")) }, wire.SyncRejected, wire.CodeForbidden, nil},
		{"unit part with a reason", func() wire.SealedRecord {
			r := anna.note(unit, "Covered Ole's visit")
			r.EmergencyReason = "Visit moved to me"
			return anna.sealRecord(r)
		}, wire.SyncAccepted, "", func(t *testing.T, id string) {
			r, _ := e.db.StoredRecordByID(context.Background(), id)
			if !r.Emergency {
				t.Fatal("not marked as emergency access")
			}
		}},
		{"visit of another patient", func() wire.SealedRecord {
			anna.seq++
			at := time.Now().UTC()
			return anna.sealRecord(care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordVisitStatus, DeviceID: anna.deviceID,
				AuthorID: anna.login.User.ID, PatientID: own, VisitID: visitOf(unit), CreatedAt: at, Seq: anna.seq, Status: care.VisitStarted, At: &at})
		}, wire.SyncRejected, wire.CodeInvalidInput, nil},
		{"dose of another patient", func() wire.SealedRecord {
			anna.seq++
			at := time.Now().UTC()
			return anna.sealRecord(care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordMedication, DeviceID: anna.deviceID,
				AuthorID: anna.login.User.ID, PatientID: own, CreatedAt: at, Seq: anna.seq, ScheduleID: doseNotOf(own),
				Medication: "Paracet", Dose: "1 g", Route: "oral", Status: care.DoseGiven, AdministeredAt: &at, SignatureSVG: "M1 1 L5 5"})
		}, wire.SyncRejected, wire.CodeInvalidInput, nil},
		{"visit status for an own visit", func() wire.SealedRecord {
			anna.seq++
			at := time.Now().UTC()
			return anna.sealRecord(care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordVisitStatus, DeviceID: anna.deviceID,
				AuthorID: anna.login.User.ID, PatientID: own, VisitID: visitOf(own), CreatedAt: at, Seq: anna.seq, Status: care.VisitCompleted, At: &at})
		}, wire.SyncAccepted, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			item := c.item()
			code, resp, raw := anna.sync(item)
			if code != 200 || len(resp.Results) != 1 {
				t.Fatalf("%d %s", code, raw)
			}
			res := resp.Results[0]
			if res.ID != item.ID || res.Status != c.status || res.Code != c.code {
				t.Fatalf("result %+v, want %s/%s", res, c.status, c.code)
			}
			if c.status == wire.SyncRejected && res.Message == "" {
				t.Fatal("a rejection without a message")
			}
			_, err := e.db.StoredRecordByID(context.Background(), item.ID)
			if stored := err == nil; stored != (c.status == wire.SyncAccepted) {
				t.Fatalf("stored=%v for %s", stored, c.status)
			}
			if c.check != nil {
				c.check(t, item.ID)
			}
		})
	}
	if n, err := e.db.VerifyAudit(context.Background()); err != nil || n == 0 {
		t.Fatalf("audit chain: %d entries, %v", n, err)
	}
}

func TestSyncIsIdempotent(t *testing.T) {
	e := newEnv(t)
	anna := e.phone("anna")
	own := anna.ownPatient()
	r := anna.note(own, "First note")
	item := anna.sealRecord(r)
	for i, want := range []string{wire.SyncAccepted, wire.SyncDuplicate, wire.SyncDuplicate} {
		_, resp, raw := anna.sync(item)
		if len(resp.Results) != 1 || resp.Results[0].Status != want {
			t.Fatalf("push %d: %s", i+1, raw)
		}
	}
	// The same record sealed again (other ciphertext, same signed bytes).
	again := anna.sealRecord(r)
	if _, resp, _ := anna.sync(again); resp.Results[0].Status != wire.SyncDuplicate {
		t.Fatalf("re-sealed: %+v", resp.Results[0])
	}
	// The same id with other bytes is a conflict, and changes nothing.
	changed := r
	changed.Text = "Rewritten"
	if _, resp, _ := anna.sync(anna.sealRecord(changed)); resp.Results[0].Status != wire.SyncRejected || resp.Results[0].Code != wire.CodeConflict {
		t.Fatalf("changed bytes: %+v", resp.Results[0])
	}
	// Twice in one request: one stored, one duplicate.
	r2 := anna.note(own, "Second")
	i2 := anna.sealRecord(r2)
	if _, resp, _ := anna.sync(i2, i2); resp.Results[0].Status != wire.SyncAccepted || resp.Results[1].Status != wire.SyncDuplicate {
		t.Fatalf("twice in one request: %+v", resp.Results)
	}
	if n, _ := e.db.CountRecords(context.Background()); n != 2 {
		t.Fatalf("%d records stored, want 2", n)
	}
	stored, _ := e.db.StoredRecordByID(context.Background(), r.ID)
	rec, _ := stored.Record()
	if rec.Text != "First note" {
		t.Fatalf("stored text %q", rec.Text)
	}
}

func TestSyncOneBadRecordDoesNotFailOthers(t *testing.T) {
	e := newEnv(t)
	anna := e.phone("anna")
	own := anna.ownPatient()
	good1, good2 := anna.sealRecord(anna.note(own, "a")), anna.sealRecord(anna.note(own, "c"))
	bad := anna.sealRecord(anna.note(own, ""))
	_, resp, raw := anna.sync(good1, bad, good2)
	if len(resp.Results) != 3 || resp.Results[0].Status != wire.SyncAccepted || resp.Results[1].Status != wire.SyncRejected || resp.Results[2].Status != wire.SyncAccepted {
		t.Fatalf("%s", raw)
	}
}

func TestSyncRequestErrors(t *testing.T) {
	e := newEnv(t)
	anna := e.phone("anna")
	own := anna.ownPatient()
	kari := e.login("kari")
	one := anna.sealRecord(anna.note(own, "x"))
	many := make([]wire.SealedRecord, wire.MaxSyncRecords+1)
	for i := range many {
		many[i] = one
	}
	big := wire.SealedRecord{ID: one.ID, Sealed: make([]byte, wire.MaxSyncBytes)}
	cases := []struct {
		name   string
		token  string
		body   any
		status int
		code   wire.Code
	}{
		{"anonymous", "", wire.SyncRequest{DeviceID: anna.deviceID, Records: []wire.SealedRecord{one}}, 401, wire.CodeUnauthorized},
		{"coordinator", kari.Token, wire.SyncRequest{DeviceID: anna.deviceID, Records: []wire.SealedRecord{one}}, 403, wire.CodeForbidden},
		{"broken JSON", anna.login.Token, `{"device_id":`, 400, wire.CodeInvalidInput},
		{"sealed not base64", anna.login.Token, `{"device_id":"` + anna.deviceID + `","records":[{"id":"` + one.ID + `","sealed":"%%%"}]}`, 400, wire.CodeInvalidInput},
		{"no records", anna.login.Token, wire.SyncRequest{DeviceID: anna.deviceID}, 400, wire.CodeInvalidInput},
		{"device not a uuid", anna.login.Token, wire.SyncRequest{DeviceID: "phone", Records: []wire.SealedRecord{one}}, 400, wire.CodeInvalidInput},
		{"record id not a uuid", anna.login.Token, wire.SyncRequest{DeviceID: anna.deviceID, Records: []wire.SealedRecord{{ID: "x", Sealed: one.Sealed}}}, 400, wire.CodeInvalidInput},
		{"unknown device", anna.login.Token, wire.SyncRequest{DeviceID: uuid.NewString(), Records: []wire.SealedRecord{one}}, 403, wire.CodeForbidden},
		{"501 records", anna.login.Token, wire.SyncRequest{DeviceID: anna.deviceID, Records: many}, 413, wire.CodeTooLarge},
		{"more than 8 MiB", anna.login.Token, wire.SyncRequest{DeviceID: anna.deviceID, Records: []wire.SealedRecord{big}}, 413, wire.CodeTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, raw := e.call("POST", "/api/v1/sync", c.token, c.body, nil)
			if code != c.status || errorCode(t, raw) != c.code {
				t.Fatalf("%d %s", code, raw)
			}
		})
	}
	if n, _ := e.db.CountRecords(context.Background()); n != 0 {
		t.Fatalf("failed requests stored %d records", n)
	}
}

func TestSyncFromRevokedDeviceIsQuarantined(t *testing.T) {
	e := newEnv(t)
	nils := e.phone("nils")
	r := nils.note(nils.ownPatient(), "Gave insulin before the phone was lost")
	dev, _ := e.db.Device(context.Background(), nils.deviceID)
	now := time.Now()
	dev.Revoked = &now
	if err := e.db.PutDevice(context.Background(), dev); err != nil {
		t.Fatal(err)
	}
	_, resp, raw := nils.sync(nils.sealRecord(r))
	if !resp.Wipe || len(resp.Results) != 1 || resp.Results[0].Status != wire.SyncQuarantined {
		t.Fatalf("%s", raw)
	}
	stored, err := e.db.StoredRecordByID(context.Background(), r.ID)
	if err != nil || !stored.Quarantined {
		t.Fatalf("quarantined record: %+v, %v", stored, err)
	}
	// A forged record from the revoked device is still refused, not kept.
	_, forged, _ := seal.NewSigningKey()
	bad := nils.note(nils.ownPatient(), "forged")
	b, _ := json.Marshal(bad)
	_, resp, _ = nils.sync(nils.sealBody(bad.ID, b, ed25519.PrivateKey(forged)))
	if resp.Results[0].Status != wire.SyncRejected {
		t.Fatalf("forged record from a revoked device: %+v", resp.Results[0])
	}
}

func TestSyncKeepsSequenceNumbers(t *testing.T) {
	e := newEnv(t)
	anna := e.phone("anna")
	own := anna.ownPatient()
	r1, r2, r3 := anna.note(own, "1"), anna.note(own, "2"), anna.note(own, "3")
	_ = r2 // lost on the phone
	anna.sync(anna.sealRecord(r1), anna.sealRecord(r3))
	seqs, err := e.db.DeviceSeqs(context.Background(), anna.deviceID)
	if err != nil || len(seqs) != 2 || seqs[0] != 1 || seqs[1] != 3 {
		t.Fatalf("seqs %v, %v", seqs, err)
	}
}

func TestSyncAuditsEveryAcceptedRecord(t *testing.T) {
	e := newEnv(t)
	anna := e.phone("anna")
	r := anna.note(anna.unitPatient(), "Emergency visit")
	r.EmergencyReason = "Nobody else could go"
	anna.sync(anna.sealRecord(r), anna.sealRecord(anna.note(anna.ownPatient(), "ok")))
	entries, err := e.db.AuditLog(context.Background(), 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, en := range entries {
		actions[en.Action]++
		if en.Action == store.AuditEmergency && !strings.Contains(en.Detail, "Nobody else could go") {
			t.Errorf("emergency entry %+v", en)
		}
	}
	if actions[store.AuditSync] != 2 || actions[store.AuditEmergency] != 1 || actions[store.AuditLogin] != 1 || actions[store.AuditBundle] != 1 {
		t.Fatalf("audit actions %v", actions)
	}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }
