package ingest

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/seal"
	"beredskap/internal/wire"
)

// mixedBatch is a request's records of every kind open tells apart, in
// an order that repeats: a good note, a forged signature, bytes that are
// no sealed box, a box that holds no envelope, a record sent under
// another id, an invalid record, a record naming another device, and the
// first note again.
func mixedBatch(t *testing.T, f *fixture, n int) []wire.SealedRecord {
	t.Helper()
	_, forger, err := seal.NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	sealBody := func(id string, body []byte, key ed25519.PrivateKey) wire.SealedRecord {
		sealed, err := seal.SealRecord(body, key, f.keys.pub)
		if err != nil {
			t.Fatal(err)
		}
		return wire.SealedRecord{ID: id, Sealed: sealed}
	}
	record := func(mod func(*care.Record)) (string, []byte) {
		f.seq++
		r := care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordNote, DeviceID: f.dev.ID, AuthorID: "u1",
			PatientID: f.pOwn, CreatedAt: f.now, Seq: f.seq, Text: "note"}
		mod(&r)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return r.ID, b
	}
	var first wire.SealedRecord
	var out []wire.SealedRecord
	for len(out) < n {
		switch len(out) % 8 {
		case 0:
			item := f.note(t, f.pOwn, "", nil)
			if first.ID == "" {
				first = item
			}
			out = append(out, item)
		case 1:
			out = append(out, f.note(t, f.pOwn, "", ed25519.PrivateKey(forger)))
		case 2:
			out = append(out, wire.SealedRecord{ID: uuid.NewString(), Sealed: []byte("not a sealed box at all, only bytes")})
		case 3:
			sealed, err := seal.SealTo(f.keys.pub, []byte(`{"body":"eA=="}`))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, wire.SealedRecord{ID: uuid.NewString(), Sealed: sealed})
		case 4:
			_, b := record(func(*care.Record) {})
			out = append(out, sealBody(uuid.NewString(), b, f.devKey))
		case 5:
			id, b := record(func(r *care.Record) { r.Text = " " })
			out = append(out, sealBody(id, b, f.devKey))
		case 6:
			id, b := record(func(r *care.Record) { r.DeviceID = uuid.NewString() })
			out = append(out, sealBody(id, b, f.devKey))
		case 7:
			out = append(out, first)
		}
	}
	return out
}

// Opening on every core gives, record by record and in request order,
// exactly what opening one record after the other gives: the same record
// opened, or the same refusal with the same code, message and key.
func TestOpenAllMatchesOpeningInTurn(t *testing.T) {
	f := newFixture(t)
	for _, n := range []int{1, 2, 3, 8, 97, wire.MaxSyncRecords} {
		items := mixedBatch(t, f, n)
		got, err := openAll(context.Background(), f.keys, f.dev, items)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(items) {
			t.Fatalf("%d results for %d records", len(got), len(items))
		}
		for i, item := range items {
			o, res := open(f.keys, f.dev, f.deviceKey(t), item)
			want := openResult{o, res}
			if !reflect.DeepEqual(got[i], want) {
				t.Fatalf("n=%d, record %d (%s): opened on every core\n%+v\nin turn\n%+v", n, i, item.ID, got[i], want)
			}
		}
	}
}

// A batch with a forged record in the middle, a record twice, an id sent
// again with other bytes and bytes that are no record: every record gets
// the answer it got when records were opened in turn, in request order;
// the refused are not stored; the first of two records under one id is
// the one kept, and the device's sequence index holds the stored records.
func TestSyncMixedBatchAnswersInOrder(t *testing.T) {
	f := newFixture(t)
	_, forger, err := seal.NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	good1 := f.note(t, f.pOwn, "", nil)
	forged := f.note(t, f.pOwn, "", ed25519.PrivateKey(forger))
	good2 := f.note(t, f.pOwn, "", nil)
	// The same id as good2, other signed bytes.
	clash := noteAs(t, f, good2.ID, "other words")
	garbage := wire.SealedRecord{ID: uuid.NewString(), Sealed: []byte("garbage")}
	good3 := f.note(t, f.pOwn, "", nil)
	items := []wire.SealedRecord{good1, forged, good2, good1, clash, garbage, good3}
	want := []struct {
		status string
		code   wire.Code
	}{
		{wire.SyncAccepted, ""},
		{wire.SyncRejected, wire.CodeForbidden},
		{wire.SyncAccepted, ""},
		{wire.SyncDuplicate, ""},
		{wire.SyncRejected, wire.CodeConflict},
		{wire.SyncRejected, wire.CodeInvalidInput},
		{wire.SyncAccepted, ""},
	}
	out, err := Sync(context.Background(), f.db, f.keys, wire.SyncRequest{DeviceID: f.dev.ID, Records: items}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Response.Results) != len(items) {
		t.Fatalf("%d results for %d records", len(out.Response.Results), len(items))
	}
	for i, res := range out.Response.Results {
		if res.ID != items[i].ID || res.Status != want[i].status || res.Code != want[i].code {
			t.Errorf("record %d: %+v, want %s %s", i, res, want[i].status, want[i].code)
		}
		// A refusal at opening reads as opening the record alone does.
		if _, alone := open(f.keys, f.dev, f.deviceKey(t), items[i]); alone != nil && !reflect.DeepEqual(res, *alone) {
			t.Errorf("record %d: %+v, opened alone: %+v", i, res, *alone)
		}
	}
	// Verified: the five records the device signed (good1 twice, good2,
	// the clash, good3), whatever became of them.
	if out.Verified != 5 {
		t.Errorf("verified %d, want 5", out.Verified)
	}
	ctx := context.Background()
	if n, err := f.db.CountRecords(ctx); err != nil || n != 3 {
		t.Fatalf("%d records stored (%v), want 3", n, err)
	}
	for _, item := range []wire.SealedRecord{forged, garbage} {
		if _, err := f.db.StoredRecordByID(ctx, item.ID); err == nil {
			t.Errorf("refused record %s was stored", item.ID)
		}
	}
	kept, err := f.db.StoredRecordByID(ctx, good2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := kept.Record(); err != nil || rec.Text != "note" {
		t.Fatalf("record under good2's id: %q, %v; want the first one's text", rec.Text, err)
	}
	var wantSeqs []uint64
	for _, item := range []wire.SealedRecord{good1, good2, good3} {
		sr, err := f.db.StoredRecordByID(ctx, item.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantSeqs = append(wantSeqs, sr.Seq)
	}
	seqs, err := f.db.DeviceSeqs(ctx, f.dev.ID)
	if err != nil || !reflect.DeepEqual(seqs, wantSeqs) {
		t.Fatalf("sequence index %v (%v), want %v", seqs, err, wantSeqs)
	}
}

// noteAs seals a note by the fixture's device under the given id.
func noteAs(t *testing.T, f *fixture, id, text string) wire.SealedRecord {
	t.Helper()
	f.seq++
	r := care.Record{ID: id, Type: care.RecordNote, DeviceID: f.dev.ID, AuthorID: "u1",
		PatientID: f.pOwn, CreatedAt: f.now, Seq: f.seq, Text: text}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := seal.SealRecord(b, f.devKey, f.keys.pub)
	if err != nil {
		t.Fatal(err)
	}
	return wire.SealedRecord{ID: id, Sealed: sealed}
}

// panicKeys is an opener that fails the way a bug would.
type panicKeys struct{ boxKeys }

func (panicKeys) OpenRecord([]byte) ([]byte, error) { panic("opener bug") }

// A panic while a record is opened fails that request with an error and
// stores nothing; it does not take the server down with it (the records
// are opened off the request's goroutine, where net/http's recovery does
// not reach).
func TestSyncOpenerPanicFailsOnlyTheRequest(t *testing.T) {
	f := newFixture(t)
	items := []wire.SealedRecord{f.note(t, f.pOwn, "", nil), f.note(t, f.pOwn, "", nil), f.note(t, f.pOwn, "", nil)}
	_, err := Sync(context.Background(), f.db, panicKeys{f.keys}, wire.SyncRequest{DeviceID: f.dev.ID, Records: items}, f.now)
	var we *wire.Error
	if err == nil || errors.As(err, &we) {
		t.Fatalf("error %v, want an internal error", err)
	}
	if n, err := f.db.CountRecords(context.Background()); err != nil || n != 0 {
		t.Fatalf("%d records stored (%v), want 0", n, err)
	}
}

// cancellingKeys cancels the request's context while its records are
// being opened.
type cancellingKeys struct {
	boxKeys
	after  int32
	calls  *atomic.Int32
	cancel context.CancelFunc
}

func (k cancellingKeys) OpenRecord(b []byte) ([]byte, error) {
	if k.calls.Add(1) == k.after {
		k.cancel()
	}
	return k.boxKeys.OpenRecord(b)
}

// A request given up while its records are opened stores none of them.
func TestSyncCancelledWhileOpeningStoresNothing(t *testing.T) {
	f := newFixture(t)
	var items []wire.SealedRecord
	for range 40 {
		items = append(items, f.note(t, f.pOwn, "", nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	keys := cancellingKeys{boxKeys: f.keys, after: 3, calls: new(atomic.Int32), cancel: cancel}
	_, err := Sync(ctx, f.db, keys, wire.SyncRequest{DeviceID: f.dev.ID, Records: items}, f.now)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if n, err := f.db.CountRecords(context.Background()); err != nil || n != 0 {
		t.Fatalf("%d records stored (%v), want 0", n, err)
	}
}
