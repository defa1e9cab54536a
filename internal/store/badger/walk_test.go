package badger

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"beredskap/internal/arena"
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
	var pageArena arena.Bytes
	var kept [][2][]byte
	for _, a := range []*arena.Bytes{nil, &pageArena} {
		for i, c := range cases {
			raw, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			body, sig, err := decodeBody(raw, a)
			if err != nil || !bytes.Equal(body, c.Body) || !bytes.Equal(sig, c.Sig) {
				t.Errorf("case %d (%s): %q %q %v", i, raw, body, sig, err)
			}
			if a != nil {
				kept = append(kept, [2][]byte{body, sig})
			}
		}
		// Other layouts go through encoding/json, and what is not JSON fails.
		for _, raw := range []string{`{"sig":"cw==","body":"eA=="}`, `{ "body":"eA==", "sig":"cw==" }`, `{"body":"eA\u003d\u003d","sig":"cw=="}`} {
			body, sig, err := decodeBody([]byte(raw), a)
			if err != nil || string(body) != "x" || string(sig) != "s" {
				t.Errorf("%s: %q %q %v", raw, body, sig, err)
			}
		}
		for _, raw := range []string{`{"body":"e!A=","sig":""}`, `{"body":`, ``} {
			if _, _, err := decodeBody([]byte(raw), a); err == nil {
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
