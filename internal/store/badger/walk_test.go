package badger

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// TestDecodeBody: the direct reading of a stored body gives what
// encoding/json gives, for every shape putJSON writes and for shapes it
// falls back on.
func TestDecodeBody(t *testing.T) {
	cases := []recordBody{
		{Body: []byte(`{"id":"r1","text":"æøå \"quoted\" <b>"}`), Sig: bytes.Repeat([]byte{0xff, 0}, 32)},
		{Body: []byte("x"), Sig: nil},
		{Body: nil, Sig: []byte("s")},
		{Body: []byte{}, Sig: []byte{}},
		{Body: bytes.Repeat([]byte("M1 1 L2 2 "), 7000), Sig: []byte("sig")},
	}
	// Without an arena and with one (a page's: what it gave out before
	// stays as it was while it gives out more).
	var a arena
	var kept [][2][]byte
	for _, arena := range []*arena{nil, &a} {
		for i, c := range cases {
			raw, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			body, sig, err := decodeBody(raw, arena)
			if err != nil || !bytes.Equal(body, c.Body) || !bytes.Equal(sig, c.Sig) {
				t.Errorf("case %d (%s): %q %q %v", i, raw, body, sig, err)
			}
			if arena != nil {
				kept = append(kept, [2][]byte{body, sig})
			}
		}
		// Other layouts go through encoding/json, and what is not JSON fails.
		for _, raw := range []string{`{"sig":"cw==","body":"eA=="}`, `{ "body":"eA==", "sig":"cw==" }`, `{"body":"eA\u003d\u003d","sig":"cw=="}`} {
			body, sig, err := decodeBody([]byte(raw), arena)
			if err != nil || string(body) != "x" || string(sig) != "s" {
				t.Errorf("%s: %q %q %v", raw, body, sig, err)
			}
		}
		for _, raw := range []string{`{"body":"e!A=","sig":""}`, `{"body":`, ``} {
			if _, _, err := decodeBody([]byte(raw), arena); err == nil {
				t.Errorf("%s decoded", raw)
			}
		}
	}
	for i, c := range cases {
		if !bytes.Equal(kept[i][0], c.Body) || !bytes.Equal(kept[i][1], c.Sig) {
			t.Errorf("case %d changed in the arena: %q %q", i, kept[i][0], kept[i][1])
		}
	}
}

// TestArena: the slices an arena gives out do not overlap, each has room
// for no more than was asked (an append to one makes a copy), and after
// a reset the arena gives out the same bytes again.
func TestArena(t *testing.T) {
	var a arena
	sizes := []int{0, 1, 100, arenaChunk - 200, 300, arenaChunk, arenaChunk + 1, 5, 64 << 10}
	var got [][]byte
	for i, n := range sizes {
		b := a.alloc(n)
		if len(b) != n || cap(b) != n {
			t.Fatalf("alloc(%d): len %d cap %d", n, len(b), cap(b))
		}
		for j := range b {
			b[j] = byte(i + 1)
		}
		got = append(got, b)
	}
	for i, b := range got {
		if !bytes.Equal(b, bytes.Repeat([]byte{byte(i + 1)}, sizes[i])) {
			t.Fatalf("slice %d (%d bytes) was written over", i, sizes[i])
		}
	}
	chunks := len(a.chunks)
	a.reset()
	for _, n := range sizes {
		a.alloc(n)
	}
	if len(a.chunks) != chunks {
		t.Fatalf("%d chunks after a reset and the same allocations, %d before", len(a.chunks), chunks)
	}
}

// TestWalkStopsItsReader: a walk that ends early (fn's error, an ended
// context) leaves no read running: the store closes at once after it.
func TestWalkStopsItsReader(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	seedWalk(t, db, 3*walkPage)
	stop := fmt.Errorf("stop")
	if err := db.WalkRecords(ctx, store.RecordFilter{}, func(store.StoredRecord) error { return stop }); err != stop {
		t.Fatalf("fn's error: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	n := 0
	err := db.WalkRecords(cctx, store.RecordFilter{}, func(store.StoredRecord) error {
		if n++; n == walkPage+1 {
			cancel()
		}
		return nil
	})
	if err == nil || n >= 3*walkPage {
		t.Fatalf("ended context: %v after %d records", err, n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func seedWalk(t testing.TB, db *DB, n int) {
	t.Helper()
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	signature := strings.Repeat("M10 10 L20 25 ", 60)
	types := care.RecordTypes()
	for done := 0; done < n; {
		var batch []store.StoredRecord
		for ; len(batch) < 1000 && done < n; done++ {
			at := t0.Add(time.Duration(done) * time.Second)
			rec := care.Record{ID: fmt.Sprintf("%08d-0000-7000-8000-000000000000", done), Type: types[done%len(types)], DeviceID: "d1",
				AuthorID: "u1", PatientID: "p1", CreatedAt: at, Seq: uint64(done + 1), Text: "Spiste frokost, tok medisiner."}
			if rec.Type == care.RecordMedication {
				rec.SignatureSVG = signature
			}
			body, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			batch = append(batch, store.StoredRecord{ID: rec.ID, Type: rec.Type, DeviceID: "d1", AuthorID: "u1", PatientID: "p1",
				UnitID: "n", Seq: rec.Seq, CreatedAt: at, Received: at, BodyHash: rec.ID, State: store.StateNew, Body: body, Sig: make([]byte, 64)})
		}
		if err := db.PutRecords(context.Background(), batch, nil); err != nil {
			t.Fatal(err)
		}
	}
}

var (
	walkRecordsN = flag.Int("walk.records", 100000, "records in the store of BenchmarkWalkRecords")
	walkDir      = flag.String("walk.dir", "", "a directory kept between runs of BenchmarkWalkRecords (seeded when empty), to measure without seeding each time")
)

// BenchmarkWalkRecords measures the store's part of an export: every
// record with its body, decoded, over -walk.records records.
//
//	go test -run XXX -bench WalkRecords -benchtime 1x ./internal/store/badger/ -walk.records=1000000
func BenchmarkWalkRecords(b *testing.B) {
	dir := *walkDir
	if dir == "" {
		dir = b.TempDir()
	}
	db, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if n, err := db.CountRecords(context.Background()); err != nil {
		b.Fatal(err)
	} else if n == 0 {
		seedWalk(b, db, *walkRecordsN)
		// Reopened, as a desk's store is: its records in tables, not in
		// memtables whose flushing would run during the measurement.
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		if db, err = Open(dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	defer db.Close()
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		if err := db.WalkRecords(context.Background(), store.RecordFilter{}, func(store.StoredRecord) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// TestWalkOrderAndLargeBodies: ids in no relation to the time received
// (a phone that synced late), and bodies larger than a page may hold:
// the walk still gives every record once, whole.
func TestWalkOrderAndLargeBodies(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	rnd := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	const n = 1300
	bodies := map[string][]byte{}
	var batch []store.StoredRecord
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("%016x", rnd.Uint64())
		body := []byte(`{"id":"` + id + `"}`)
		if i%4 == 0 {
			body = bytes.Repeat([]byte{byte('a' + i%26)}, 60<<10) // a large signature
		}
		bodies[id] = body
		batch = append(batch, store.StoredRecord{ID: id, Type: care.RecordNote, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n",
			Seq: uint64(i + 1), Received: t0.Add(time.Duration(i) * time.Second), BodyHash: id, State: store.StateNew, Body: body, Sig: []byte(id)})
		if len(batch) == 100 {
			if err := db.PutRecords(ctx, batch, nil); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	if err := db.PutRecords(ctx, batch, nil); err != nil {
		t.Fatal(err)
	}
	var want []string
	for f := (store.RecordFilter{Limit: 1000}); ; {
		page, next, err := db.ListRecords(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			want = append(want, r.ID)
		}
		if f.Cursor = next; next == "" {
			break
		}
	}
	var got []string
	err := db.WalkRecords(ctx, store.RecordFilter{}, func(r store.StoredRecord) error {
		if !bytes.Equal(r.Body, bodies[r.ID]) || string(r.Sig) != r.ID {
			return fmt.Errorf("record %s: body of %d bytes, sig %q", r.ID, len(r.Body), r.Sig)
		}
		got = append(got, r.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(got) != n || !slices.Equal(got, want) {
		t.Fatalf("walked %d records, want each of the %d once", len(got), n)
	}
}
