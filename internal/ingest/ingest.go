// Package ingest takes records from phones in: it opens each sealed
// envelope, checks the device's signature, validates and authorises the
// record, and stores what it accepts durably, exactly once.
package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Opener opens records sealed to the server.
type Opener interface {
	OpenRecord(sealed []byte) ([]byte, error)
}

// BundleLookback is how far back the author's issued bundles are searched
// when authorising a record: longer than any outage a phone can bridge.
const BundleLookback = 7 * 24 * time.Hour

// Outcome is what one sync request did: the answer for the phone, and
// how many records proved to come from the device.
type Outcome struct {
	Response wire.SyncResponse
	// Verified counts the records that opened with a valid signature by
	// the device's key and name that device, whatever became of them
	// afterwards (accepted, duplicate, held or refused by authorisation):
	// only such a record shows that the device itself was in contact,
	// since anyone can send bytes under a device id.
	Verified int
}

// Store is what ingest reads and writes: the author's account and
// device, the bundles issued to them, the plan their records name, and
// the records.
type Store interface {
	store.Accounts
	store.Devices
	store.Bundles
	store.Schedule
	store.Records
	store.Drills
}

// Sync ingests one sync request. Request-level problems (an unknown device,
// a malformed request) return a *wire.Error and change nothing; every
// record otherwise gets its own result, and one bad record never fails the
// others. All accepted records are durable when Sync returns.
func Sync(ctx context.Context, db Store, keys Opener, req wire.SyncRequest, now time.Time) (Outcome, error) {
	if err := checkRequest(req); err != nil {
		return Outcome{}, err
	}
	dev, err := db.Device(ctx, req.DeviceID)
	if errors.Is(err, store.ErrNotFound) {
		return Outcome{}, wire.Errorf(wire.CodeForbidden, "unknown device %s", req.DeviceID)
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("sync: %w", err)
	}
	held, err := holdReason(ctx, db, dev)
	if err != nil {
		return Outcome{}, err
	}
	// The envelopes are opened once: deciding again below needs the store,
	// not the public-key work.
	opens, err := openAll(ctx, keys, dev, req.Records)
	if err != nil {
		return Outcome{}, err
	}
	// The first try assumes every record is new, as nearly all are, and
	// leaves the duplicate check to the write, which refuses the whole
	// batch if an id is taken (ErrRecordExists, nothing written). Only a
	// batch that holds a repeat, or a record authorisation refuses (it
	// may be a duplicate, and a duplicate is answered as one), is decided
	// again with the store asked first which ids it knows; so is a batch
	// an id of which a concurrent request took between the check and the
	// write.
	for attempt := 0; ; attempt++ {
		out, err := syncOnce(ctx, db, dev, held, req, opens, now, attempt > 0)
		if (errors.Is(err, store.ErrRecordExists) || errors.Is(err, errAskFirst)) && attempt < 4 {
			continue
		}
		return out, err
	}
}

// errAskFirst is syncOnce's answer, on a try that did not ask the store
// which ids it knows, when a record was refused: the batch is decided
// again, asking first.
var errAskFirst = errors.New("sync: a record was refused; deciding again with the stored ids known")

// holdReason tells whether the device's records are to be quarantined:
// the device was revoked, or its owner (every record's author) was
// disabled. A disabled user cannot log in, but a phone handed to a
// colleague still delivers the outbox the disabled user left in it, under
// the colleague's session; such records may hold real signatures, so they
// are kept for a coordinator, never entered unseen.
func holdReason(ctx context.Context, db Store, dev store.Device) (string, error) {
	if dev.Revoked != nil {
		return store.HeldDeviceRevoked, nil
	}
	acct, err := db.Account(ctx, dev.UserID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.HeldAuthorDisabled, nil
	case err != nil:
		return "", fmt.Errorf("sync: author: %w", err)
	case acct.Disabled:
		return store.HeldAuthorDisabled, nil
	}
	return "", nil
}

func checkRequest(req wire.SyncRequest) error {
	if !care.IsUUID(req.DeviceID) {
		return wire.Errorf(wire.CodeInvalidInput, "device_id must be a UUID")
	}
	if len(req.Records) == 0 {
		return wire.Errorf(wire.CodeInvalidInput, "records is empty")
	}
	if len(req.Records) > wire.MaxSyncRecords {
		return wire.Errorf(wire.CodeTooLarge, "at most %d records per request", wire.MaxSyncRecords)
	}
	for i, r := range req.Records {
		if !care.IsUUID(r.ID) {
			return wire.Errorf(wire.CodeInvalidInput, "records[%d].id must be a UUID", i)
		}
		if len(r.Sealed) == 0 {
			return wire.Errorf(wire.CodeInvalidInput, "records[%d].sealed is empty", i)
		}
	}
	return nil
}

// opened is a record after its envelope was opened and checked.
type opened struct {
	rec  care.Record
	body []byte
	sig  []byte
	hash string
}

// openResult is one record after open: the opened record, or the answer
// that refuses it.
type openResult struct {
	o   opened
	res *wire.SyncResult
}

// syncOnce decides every record of a request and writes those accepted.
// With askFirst it asks the store which ids it knows before it decides;
// without, it takes every id as new and returns errAskFirst rather than
// refuse a record.
func syncOnce(ctx context.Context, db Store, dev store.Device, held string, req wire.SyncRequest, opens []openResult, now time.Time, askFirst bool) (Outcome, error) {
	results := make([]wire.SyncResult, len(req.Records))
	verified := 0
	hashes := make(map[string]string, len(req.Records))
	for i, item := range req.Records {
		if res := opens[i].res; res != nil {
			results[i] = *res
			continue
		}
		verified++
		hashes[item.ID] = opens[i].o.hash
	}
	known := map[string]store.RecordStatus{}
	if askFirst {
		var err error
		if known, err = db.Known(ctx, hashes); err != nil {
			return Outcome{}, fmt.Errorf("sync: %w", err)
		}
	}
	auth, err := newAuthorizer(ctx, db, dev.UserID, now)
	if err != nil {
		return Outcome{}, err
	}

	accept := make([]store.StoredRecord, 0, verified)
	audit := make([]store.Audit, 0, verified)
	inRequest := make(map[string]string, verified) // id → hash, for repeats within one request
	for i, item := range req.Records {
		if opens[i].res != nil {
			continue
		}
		o := opens[i].o
		switch {
		case inRequest[item.ID] == o.hash || known[item.ID] == store.RecordSame:
			results[i] = wire.SyncResult{ID: item.ID, Status: wire.SyncDuplicate}
			continue
		case inRequest[item.ID] != "" || known[item.ID] == store.RecordDifferent:
			results[i] = rejected(item.ID, wire.CodeConflict, "another record with this id is already stored")
			continue
		}
		// Held records go through the same authorisation as any other:
		// a revoked phone or a disabled user gains no patient by it, and
		// what fails is refused with the code an active device would get.
		sr, res, err := auth.check(ctx, o)
		if err != nil {
			// The store did not answer (a failover, a timeout): nothing
			// is stored and the phone retries the whole request. A
			// rejection here would be final for a record that is fine.
			return Outcome{}, fmt.Errorf("sync: authorise %s: %w", item.ID, err)
		}
		if res != nil && !askFirst {
			return Outcome{}, errAskFirst
		}
		if res != nil {
			res.ID = item.ID
			results[i] = *res
			continue
		}
		sr.ID, sr.Body, sr.Sig, sr.BodyHash = item.ID, o.body, o.sig, o.hash
		sr.Received, sr.State = now.UTC(), store.StateNew
		detail := fmt.Sprintf("type=%s patient=%s device=%s seq=%d", o.rec.Type, o.rec.PatientID, dev.ID, o.rec.Seq)
		if held != "" {
			// Kept for a coordinator to review, never dropped: they may
			// hold real signatures.
			sr.Quarantined, sr.HeldFor = true, held
			results[i] = wire.SyncResult{ID: item.ID, Status: wire.SyncQuarantined, Message: heldMessage(held)}
			audit = append(audit, store.Audit{Actor: dev.UserID, Action: store.AuditQuarantine, Subject: item.ID, Detail: detail + " held=" + held})
		} else {
			results[i] = wire.SyncResult{ID: item.ID, Status: wire.SyncAccepted}
			audit = append(audit, store.Audit{Actor: dev.UserID, Action: store.AuditSync, Subject: item.ID, Detail: detail})
			if sr.Emergency {
				audit = append(audit, store.Audit{Actor: dev.UserID, Action: store.AuditEmergency, Subject: item.ID,
					Detail: fmt.Sprintf("patient=%s reason=%q", o.rec.PatientID, o.rec.EmergencyReason)})
			}
		}
		if o.rec.DrillID != "" && sr.DrillID != o.rec.DrillID {
			// Stored, never refused: the record may be real documentation
			// from a phone whose drill was changed or never existed.
			audit = append(audit, store.Audit{Actor: dev.UserID, Action: store.AuditDrillMismatch, Subject: item.ID,
				Detail: fmt.Sprintf("named drill=%q unit=%s created=%s marked drill=%q", o.rec.DrillID, sr.UnitID, o.rec.CreatedAt.UTC().Format(time.RFC3339), sr.DrillID)})
		}
		accept = append(accept, sr)
		inRequest[item.ID] = o.hash
	}
	if len(accept) > 0 {
		if err := db.PutRecords(ctx, accept, audit); err != nil {
			return Outcome{}, fmt.Errorf("sync: %w", err)
		}
	}
	// Only a revoked phone is told to wipe: a disabled user's outbox
	// arrives on a phone someone else now works a shift with.
	resp := wire.SyncResponse{Results: results, Wipe: held == store.HeldDeviceRevoked}
	return Outcome{Response: resp, Verified: verified}, nil
}

func heldMessage(held string) string {
	if held == store.HeldDeviceRevoked {
		return "the device is revoked; the record is held for review"
	}
	return "the author's account is disabled; the record is held for review"
}

func rejected(id string, code wire.Code, msg string) wire.SyncResult {
	return wire.SyncResult{ID: id, Status: wire.SyncRejected, Code: code, Message: msg}
}

// open opens one envelope and checks what needs no store: the signature
// by the device's key (devKey, dev.PublicKey expanded), the record's
// shape, and that it names the device, its owner and its own id.
func open(keys Opener, dev store.Device, devKey DeviceKey, item wire.SealedRecord) (opened, *wire.SyncResult) {
	fail := func(code wire.Code, msg string) (opened, *wire.SyncResult) {
		r := rejected(item.ID, code, msg)
		return opened{}, &r
	}
	plain, err := keys.OpenRecord(item.Sealed)
	if err != nil {
		return fail(wire.CodeInvalidInput, "the sealed record cannot be opened with the server's key")
	}
	env, err := decodeEnvelope(plain)
	if err != nil || len(env.Body) == 0 || len(env.Sig) == 0 {
		return fail(wire.CodeInvalidInput, "the envelope must be {\"body\",\"sig\"}")
	}
	if !devKey.Verify(env.Body, env.Sig) {
		return fail(wire.CodeForbidden, "the signature does not verify with the device's key")
	}
	rec, err := ParseRecord(env.Body)
	if err != nil {
		o, r := fail(wire.CodeInvalidInput, err.Error())
		var v *care.ValidationError
		if errors.As(err, &v) {
			r.Key, r.Args = v.Message() // the phone shows it in its user's language
		}
		return o, r
	}
	switch {
	case rec.ID != item.ID:
		return fail(wire.CodeInvalidInput, "the record's id differs from the id it was sent under")
	case rec.DeviceID != dev.ID:
		return fail(wire.CodeForbidden, "the record names another device")
	case rec.AuthorID != dev.UserID:
		return fail(wire.CodeForbidden, "the device is not registered to the record's author")
	}
	h := sha256.Sum256(env.Body)
	return opened{rec: rec, body: env.Body, sig: env.Sig, hash: hex.EncodeToString(h[:])}, nil
}

// decodeEnvelope decodes a signed envelope as json.Unmarshal into a
// wire.SignedRecord does. Phones write it with encoding/json, as
// {"body":"…","sig":"…"} in standard base64 and nothing else; that form
// is decoded here directly, without json's two scans over a kilobyte of
// base64, and any other form goes to json.Unmarshal, which decides.
func decodeEnvelope(plain []byte) (wire.SignedRecord, error) {
	if env, ok := plainEnvelope(plain); ok {
		return env, nil
	}
	var env wire.SignedRecord
	err := json.Unmarshal(plain, &env)
	return env, err
}

// plainEnvelope decodes the envelope if it has exactly the form
// encoding/json writes, and reports whether it had.
func plainEnvelope(b []byte) (wire.SignedRecord, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`{"body":"`))
	if !ok {
		return wire.SignedRecord{}, false
	}
	body, rest, ok := CutBase64(rest, `","sig":"`)
	if !ok {
		return wire.SignedRecord{}, false
	}
	sig, rest, ok := CutBase64(rest, `"}`)
	if !ok || len(rest) != 0 {
		return wire.SignedRecord{}, false
	}
	return wire.SignedRecord{Body: body, Sig: sig}, true
}

// CutBase64 decodes the standard base64 at the start of b up to the
// terminator, as encoding/json decodes a []byte: any byte outside the
// base64 alphabet before the terminator (an escape, a control character,
// white space) and any base64 error leave it to encoding/json. The
// terminator must begin with a byte outside the alphabet (a quote), so
// that the base64 ends at the first such byte. The sync request's reader
// uses it too.
func CutBase64(b []byte, end string) (decoded, rest []byte, ok bool) {
	// The end is found with one vectorised scan, and the alphabet is left
	// to the decoder, which refuses every other byte except the line
	// breaks it skips (a raw line break in a JSON string is an error, an
	// escaped one is decoded by encoding/json): checking the bytes one by
	// one cost as much as decoding them.
	n := bytes.IndexByte(b, end[0])
	if n < 0 {
		return nil, nil, false
	}
	rest, ok = bytes.CutPrefix(b[n:], []byte(end))
	if !ok {
		return nil, nil, false
	}
	enc := b[:n]
	if bytes.IndexByte(enc, '\n') >= 0 || bytes.IndexByte(enc, '\r') >= 0 {
		return nil, nil, false
	}
	decoded = make([]byte, base64.StdEncoding.DecodedLen(n))
	m, err := base64.StdEncoding.Decode(decoded, enc)
	if err != nil {
		return nil, nil, false
	}
	return decoded[:m], rest, true
}

// ParseRecord decodes the record JSON strictly (unknown fields and
// trailing data are errors) and validates it by type.
func ParseRecord(body []byte) (care.Record, error) {
	rec, ok := care.DecodePlain(body)
	if !ok {
		var err error
		if rec, err = decodeRecord(body); err != nil {
			return rec, err
		}
	}
	if err := rec.Validate(); err != nil {
		return rec, fmt.Errorf("record: %w", err)
	}
	return rec, nil
}

// decodeRecord decodes the record JSON strictly with encoding/json: the
// reading of every body the phones' plain form does not cover.
func decodeRecord(body []byte) (care.Record, error) {
	var rec care.Record
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return rec, fmt.Errorf("record: %w", err)
	}
	if dec.More() {
		return rec, errors.New("record: trailing data after the JSON")
	}
	return rec, nil
}

// authorizer decides whether the author may write for a patient: the
// patient must be on the author's own list in a bundle issued to them, or
// in a bundle's unit part with an emergency reason.
type authorizer struct {
	db       Store
	userID   string
	bundles  []store.IssuedBundle
	drills   []store.Drill
	patients map[string]care.Patient
	// role is the author's role, read with the first cosign record
	// (roleRead): whether she may co-sign is a finding's question.
	role     care.Role
	roleRead bool
}

func newAuthorizer(ctx context.Context, db Store, userID string, now time.Time) (*authorizer, error) {
	bs, err := db.IssuedBundles(ctx, userID, now.Add(-BundleLookback))
	if err != nil {
		return nil, fmt.Errorf("sync: bundles: %w", err)
	}
	drills, err := db.Drills(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync: drills: %w", err)
	}
	return &authorizer{db: db, userID: userID, bundles: bs, drills: drills, patients: map[string]care.Patient{}}, nil
}

// drillFor is the drill a record of unit belongs to: the one it names
// if that drill covers the unit and the record's time, otherwise any
// drill that does (a phone that fetched its shift before the drill
// began marks nothing), otherwise none.
func (a *authorizer) drillFor(r care.Record, unit string) string {
	if r.DrillID != "" {
		for _, d := range a.drills {
			if d.ID == r.DrillID && d.Covers(unit, r.CreatedAt) {
				return d.ID
			}
		}
	}
	for _, d := range a.drills {
		if d.Covers(unit, r.CreatedAt) {
			return d.ID
		}
	}
	return ""
}

func (a *authorizer) patient(ctx context.Context, id string) (care.Patient, error) {
	if p, ok := a.patients[id]; ok {
		return p, nil
	}
	p, err := a.db.Patient(ctx, id)
	if err == nil {
		a.patients[id] = p
	}
	return p, err
}

// authorRole returns the syncing user's role, read once; a user the
// store no longer has holds none (her records are held by holdReason).
func (a *authorizer) authorRole(ctx context.Context) (care.Role, error) {
	if !a.roleRead {
		acct, err := a.db.Account(ctx, a.userID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return "", fmt.Errorf("author: %w", err)
		default:
			a.role = acct.Role
		}
		a.roleRead = true
	}
	return a.role, nil
}

// check authorises one record and fills what the server learns about it.
// A non-nil result is the rejection; an error is the store failing to
// answer, which rejects nothing: only a patient, visit or dose the store
// says is not there is the record's fault.
func (a *authorizer) check(ctx context.Context, o opened) (store.StoredRecord, *wire.SyncResult, error) {
	r := o.rec
	sr := store.StoredRecord{Type: r.Type, DeviceID: r.DeviceID, AuthorID: r.AuthorID, PatientID: r.PatientID,
		VisitID: r.VisitID, ScheduleID: r.ScheduleID, Medication: r.Medication, Status: r.Status,
		PRNID: r.PRNID, AdministrationID: r.AdministrationID, CosignCode: r.CosignCode,
		AdministeredAt: r.AdministeredAt, Seq: r.Seq, CreatedAt: r.CreatedAt.UTC(),
		// Validate has made sure a second signer has both a name and a
		// handwritten signature, so the signature tells.
		Uncosigned: r.Type == care.RecordMedication && r.CosignerSignatureSVG == ""}
	fail := func(code wire.Code, msg string) (store.StoredRecord, *wire.SyncResult, error) {
		res := rejected(r.ID, code, msg)
		return sr, &res, nil
	}
	p, err := a.patient(ctx, r.PatientID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fail(wire.CodeForbidden, "the patient is not in any shift issued to the author")
	case err != nil:
		return sr, nil, fmt.Errorf("patient: %w", err)
	}
	sr.UnitID = p.UnitID
	sr.DrillID = a.drillFor(r, p.UnitID)
	if r.VisitID != "" {
		v, err := a.db.Visit(ctx, r.VisitID)
		switch {
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return sr, nil, fmt.Errorf("visit: %w", err)
		case err != nil || v.PatientID != r.PatientID:
			return fail(wire.CodeInvalidInput, "visit_id does not name a visit of this patient")
		}
	}
	if r.ScheduleID != "" {
		d, err := a.db.Dose(ctx, r.ScheduleID)
		switch {
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return sr, nil, fmt.Errorf("dose: %w", err)
		case err != nil || d.PatientID != r.PatientID:
			return fail(wire.CodeInvalidInput, "schedule_id does not name a dose of this patient")
		}
	}
	// Prefer a bundle whose validity covers the record's time; any bundle
	// listing the patient authorises it, and the time is checked as a
	// finding, not here.
	var own, unit *store.IssuedBundle
	for i := range a.bundles {
		b := &a.bundles[i]
		covers := !r.CreatedAt.Before(b.IssuedAt) && r.CreatedAt.Before(b.ExpiresAt)
		if slices.Contains(b.OwnPatients, r.PatientID) && (own == nil || covers) {
			own = b
		}
		if slices.Contains(b.UnitPatients, r.PatientID) && (unit == nil || covers) {
			unit = b
		}
	}
	if r.Type == care.RecordCosign {
		role, err := a.authorRole(ctx)
		if err != nil {
			return sr, nil, err
		}
		sr.AuthorRole = string(role)
	}
	switch {
	case own != nil:
		sr.BundleID = own.ID
	case unit != nil && r.Type == care.RecordCosign:
		// A co-signer is called to a colleague's patient: the unit part
		// of her shift is what she may co-sign for, without the
		// emergency reason opening a patient's card asks.
		sr.BundleID = unit.ID
	case unit != nil && r.EmergencyReason != "":
		sr.BundleID, sr.Emergency = unit.ID, true
	case unit != nil:
		return fail(wire.CodeForbidden, "the patient is not on the author's own list; emergency_reason is required")
	default:
		return fail(wire.CodeForbidden, "the patient is not in any shift issued to the author")
	}
	return sr, nil, nil
}
