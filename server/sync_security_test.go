package server

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/seal"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// syncAs delivers records under deviceID through the session of token,
// as a phone does with what an earlier user left in its outbox.
func (e *testEnv) syncAs(token, deviceID string, records ...wire.SealedRecord) wire.SyncResponse {
	e.t.Helper()
	var resp wire.SyncResponse
	if code, raw := e.call("POST", "/api/v1/sync", token, wire.SyncRequest{DeviceID: deviceID, Records: records}, &resp); code != 200 || len(resp.Results) != len(records) {
		e.t.Fatalf("sync: %d %s", code, raw)
	}
	return resp
}

// revoke marks the phone's device revoked in the store.
func (p *phoneKit) revoke() {
	p.e.t.Helper()
	if _, err := p.e.db.RevokeDevice(context.Background(), p.deviceID, "admin", time.Now()); err != nil {
		p.e.t.Fatal(err)
	}
}

// heldCases are records one user's phone may send, each with what an
// active device of that user is answered: a record that passes
// authorisation there is held when the device is revoked or its owner
// disabled, and one that fails is refused with the same code.
func heldCases(t *testing.T, otherUnit string) []struct {
	name   string
	item   func(p *phoneKit) wire.SealedRecord
	status string
	code   wire.Code
} {
	_, forger, _ := seal.NewSigningKey()
	visitOf := func(p *phoneKit, patient string) string {
		for _, v := range p.bundle.Visits {
			if v.PatientID == patient {
				return v.ID
			}
		}
		t.Fatal("no visit")
		return ""
	}
	return []struct {
		name   string
		item   func(p *phoneKit) wire.SealedRecord
		status string
		code   wire.Code
	}{
		{"own patient", func(p *phoneKit) wire.SealedRecord {
			return p.sealRecord(p.note(p.ownPatient(), "Gave insulin at 08:10"))
		}, wire.SyncAccepted, ""},
		{"unit part with an emergency reason", func(p *phoneKit) wire.SealedRecord {
			r := p.note(p.unitPatient(), "Covered a colleague's visit")
			r.EmergencyReason = "Visit moved to me by phone"
			return p.sealRecord(r)
		}, wire.SyncAccepted, ""},
		{"another unit's patient", func(p *phoneKit) wire.SealedRecord {
			return p.sealRecord(p.note(otherUnit, "x"))
		}, wire.SyncRejected, wire.CodeForbidden},
		{"a patient that does not exist", func(p *phoneKit) wire.SealedRecord {
			return p.sealRecord(p.note(uuid.NewString(), "x"))
		}, wire.SyncRejected, wire.CodeForbidden},
		{"unit part without an emergency reason", func(p *phoneKit) wire.SealedRecord {
			return p.sealRecord(p.note(p.unitPatient(), "x"))
		}, wire.SyncRejected, wire.CodeForbidden},
		{"a visit of another patient", func(p *phoneKit) wire.SealedRecord {
			p.seq++
			at := time.Now().UTC()
			return p.sealRecord(care.Record{ID: newID(), Type: care.RecordVisitStatus, DeviceID: p.deviceID, AuthorID: p.login.User.ID,
				PatientID: p.ownPatient(), VisitID: visitOf(p, p.unitPatient()), CreatedAt: at, Seq: p.seq, Status: care.VisitStarted, At: &at})
		}, wire.SyncRejected, wire.CodeInvalidInput},
		{"signed by another key", func(p *phoneKit) wire.SealedRecord {
			r := p.note(p.ownPatient(), "x")
			b, _ := json.Marshal(r)
			return p.sealBody(r.ID, b, forger)
		}, wire.SyncRejected, wire.CodeForbidden},
	}
}

// A revoked device's records go through the same authorisation as any
// other: only those an active device would have had accepted are held.
func TestSyncFromRevokedDeviceIsAuthorised(t *testing.T) {
	e := newEnv(t)
	active, revoked := e.phone("nils"), e.phone("nils") // two phones of one nurse
	revoked.revoke()
	otherUnit := e.phone("per").ownPatient()
	for _, c := range heldCases(t, otherUnit) {
		t.Run(c.name, func(t *testing.T) {
			item := c.item(active)
			_, resp, raw := active.sync(item)
			if got := resp.Results[0]; got.Status != c.status || got.Code != c.code {
				t.Fatalf("active device: %s, want %s/%s", raw, c.status, c.code)
			}
			item = c.item(revoked)
			_, resp, raw = revoked.sync(item)
			got := resp.Results[0]
			if !resp.Wipe {
				t.Fatalf("a revoked device was not told to wipe: %s", raw)
			}
			stored, err := e.db.StoredRecordByID(context.Background(), item.ID)
			if c.status == wire.SyncAccepted {
				if got.Status != wire.SyncQuarantined || err != nil || !stored.Quarantined || stored.HeldFor != store.HeldDeviceRevoked {
					t.Fatalf("result %+v; stored quarantined=%v held_for=%q, %v", got, stored.Quarantined, stored.HeldFor, err)
				}
				return
			}
			if got.Status != wire.SyncRejected || got.Code != c.code || got.Message == "" {
				t.Fatalf("revoked device: %+v, want rejected/%s as an active device", got, c.code)
			}
			if err == nil {
				t.Fatal("a refused record from a revoked device was stored")
			}
		})
	}
	// What reaches the desk is what nils could have written anyway: no
	// other unit's coordinator sees a record of this phone.
	recs, _, err := e.db.ListRecords(context.Background(), store.RecordFilter{State: store.StateQuarantined, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.PatientID == otherUnit || r.UnitID == "" {
			t.Fatalf("held record %s for patient %s outside the author's units (unit %q)", r.ID, r.PatientID, r.UnitID)
		}
	}
}

// A disabled user cannot log in, but the phone they left may be handed to
// a colleague whose session delivers the old outbox: those records are
// held for review, not accepted, and the colleague's phone is not wiped.
func TestSyncOfDisabledAuthorIsHeld(t *testing.T) {
	e := newEnv(t)
	nils := e.phone("nils")
	before := nils.sealRecord(nils.note(nils.ownPatient(), "Before the account was disabled"))
	late := nils.sealRecord(nils.note(nils.ownPatient(), "Left in the outbox"))
	anna := e.phone("anna")
	if resp := e.syncAs(anna.login.Token, nils.deviceID, before); resp.Results[0].Status != wire.SyncAccepted {
		t.Fatalf("an active author's record through another session: %+v", resp.Results[0])
	}
	admin := e.login("admin")
	if code, raw := e.call("POST", "/api/v1/users/"+nils.login.User.ID+"/disable", admin.Token, nil, nil); code != 200 {
		t.Fatalf("disable: %d %s", code, raw)
	}
	otherUnit := e.phone("per").ownPatient()
	for _, c := range heldCases(t, otherUnit) {
		t.Run(c.name, func(t *testing.T) {
			item := c.item(nils)
			resp := e.syncAs(anna.login.Token, nils.deviceID, item)
			got := resp.Results[0]
			if resp.Wipe {
				t.Fatal("the delivering colleague's phone was told to wipe")
			}
			stored, err := e.db.StoredRecordByID(context.Background(), item.ID)
			if c.status == wire.SyncAccepted {
				if got.Status != wire.SyncQuarantined || err != nil || !stored.Quarantined || stored.HeldFor != store.HeldAuthorDisabled {
					t.Fatalf("result %+v; stored quarantined=%v held_for=%q, %v", got, stored.Quarantined, stored.HeldFor, err)
				}
				return
			}
			if got.Status != wire.SyncRejected || got.Code != c.code || err == nil {
				t.Fatalf("result %+v (stored: %v), want rejected/%s", got, err == nil, c.code)
			}
		})
	}
	if resp := e.syncAs(anna.login.Token, nils.deviceID, late); resp.Results[0].Status != wire.SyncQuarantined {
		t.Fatalf("a disabled author's record: %+v", resp.Results[0])
	}
	// Sent again, it is a duplicate as before, stored once.
	if resp := e.syncAs(anna.login.Token, nils.deviceID, late); resp.Results[0].Status != wire.SyncDuplicate {
		t.Fatalf("again: %+v", resp.Results[0])
	}
	stored, err := e.db.StoredRecordByID(context.Background(), before.ID)
	if err != nil || stored.Quarantined {
		t.Fatalf("a record accepted before the account was disabled: quarantined=%v, %v", stored.Quarantined, err)
	}
}

// Only a record the device's key signed, or a call by the session tied to
// the device, moves its "last seen": not bytes anyone sends under its id.
func TestSyncLastSeenNeedsProof(t *testing.T) {
	e := newEnv(t)
	nils := e.phone("nils")
	anna := e.phone("anna")
	ctx := context.Background()
	long := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	setSeen := func() {
		t.Helper()
		d, err := e.db.Device(ctx, nils.deviceID)
		if err != nil {
			t.Fatal(err)
		}
		d.LastSeen = long
		if err := e.db.PutDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	moved := func() bool {
		t.Helper()
		d, err := e.db.Device(ctx, nils.deviceID)
		if err != nil {
			t.Fatal(err)
		}
		return !d.LastSeen.Equal(long)
	}
	garbage := func() wire.SealedRecord {
		s, _ := seal.SealTo(nils.login.SealKey, []byte(`{"body":"eA==","sig":"eA=="}`))
		return wire.SealedRecord{ID: newID(), Sealed: s}
	}
	_, forger, _ := seal.NewSigningKey()
	forged := func() wire.SealedRecord {
		r := nils.note(nils.ownPatient(), "forged")
		b, _ := json.Marshal(r)
		return nils.sealBody(r.ID, b, forger)
	}
	cases := []struct {
		name  string
		token string
		item  func() wire.SealedRecord
		moves bool
	}{
		{"garbage from another session", anna.login.Token, garbage, false},
		{"random bytes from another session", anna.login.Token, func() wire.SealedRecord {
			return wire.SealedRecord{ID: newID(), Sealed: []byte("not sealed at all")}
		}, false},
		{"another key's signature from another session", anna.login.Token, forged, false},
		{"a record the device signed, from another session", anna.login.Token, func() wire.SealedRecord {
			return nils.sealRecord(nils.note(nils.ownPatient(), "delivered by a colleague"))
		}, true},
		{"a signed record refused by authorisation", anna.login.Token, func() wire.SealedRecord {
			return nils.sealRecord(nils.note(uuid.NewString(), "x"))
		}, true},
		{"garbage from the device's own session", nils.login.Token, garbage, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			setSeen()
			e.syncAs(c.token, nils.deviceID, c.item())
			if got := moved(); got != c.moves {
				t.Fatalf("last seen moved: %v, want %v", got, c.moves)
			}
		})
	}
}

// A copied device key shows as two different records with one number:
// both are kept (either may hold a real signature) and the desk gets a
// duplicate_seq finding naming them.
func TestSyncSameSeqTwiceIsAFinding(t *testing.T) {
	e := newEnv(t)
	anna := e.phone("anna")
	own := anna.ownPatient()
	first := anna.note(own, "Written on the phone")
	clone := anna.note(own, "Written on a copy of the phone")
	clone.Seq = first.Seq
	next := anna.note(own, "Next")
	_, resp, raw := anna.sync(anna.sealRecord(first), anna.sealRecord(clone), anna.sealRecord(next))
	for _, res := range resp.Results {
		if res.Status != wire.SyncAccepted {
			t.Fatalf("%s", raw)
		}
	}
	kari := e.login("kari")
	var fr wire.FindingsResponse
	if code, raw := e.call("GET", "/api/v1/findings?kind="+wire.FindingDuplicateSeq, kari.Token, nil, &fr); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	want := []string{first.ID, clone.ID}
	slices.Sort(want)
	if len(fr.Findings) != 1 || !slices.Equal(fr.Findings[0].RecordIDs, want) || fr.Findings[0].DeviceID != anna.deviceID {
		t.Fatalf("findings %+v, want one naming %v", fr.Findings, want)
	}
	// The same record sent again is a duplicate, not a second number.
	anna.sync(anna.sealRecord(next))
	e.call("GET", "/api/v1/findings?kind="+wire.FindingDuplicateSeq, kari.Token, nil, &fr)
	if len(fr.Findings) != 1 {
		t.Fatalf("after a resend: %+v", fr.Findings)
	}
	var d wire.Dashboard
	if code, raw := e.call("GET", "/api/v1/dashboard", kari.Token, nil, &d); code != 200 || d.Findings[wire.FindingDuplicateSeq] != 1 {
		t.Fatalf("dashboard %d %s", code, raw)
	}
}
