package badger

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"beredskap/internal/store"
)

// TestStoreWrittenCompressedReopens: a store whose tables were written
// with Snappy (every store made before tables were written
// uncompressed) opens with today's options and serves every record; the
// tables it writes from then on are uncompressed, and a store holding
// both kinds serves every record of both.
func TestStoreWrittenCompressedReopens(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	at := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	const n = 3000
	var recs []store.StoredRecord
	for i := range 2 * n {
		id := fmt.Sprintf("r%05d", i)
		body := fmt.Sprintf(`{"text":"Tilsyn %d: alt vel, middag spist, medisiner tatt, ingen endring i allmenntilstand."}`, i)
		recs = append(recs, store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: uint64(i + 1),
			Body: []byte(body), BodyHash: id, State: store.StateNew, Received: at, CreatedAt: at})
	}
	// write opens the store, puts the records, and closes it (the
	// memtable goes into a table); it returns the tables it added.
	write := func(opt Options, part []store.StoredRecord) map[string]int64 {
		t.Helper()
		before := tables(t, dir)
		db, err := Open(dir, opt)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(part); i += 500 {
			if err := db.PutRecords(ctx, part[i:i+500], nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		added := map[string]int64{}
		for name, size := range tables(t, dir) {
			if _, ok := before[name]; !ok {
				added[name] = size
			}
		}
		return added
	}
	sum := func(m map[string]int64) (total int64) {
		for _, size := range m {
			total += size
		}
		return total
	}
	compressed := sum(write(Options{snappy: true}, recs[:n]))
	plain := sum(write(Options{}, recs[n:]))
	if compressed == 0 || plain < compressed*3/2 {
		t.Fatalf("the same number of records took %d bytes of tables with Snappy and %d after: the new tables are not uncompressed", compressed, plain)
	}

	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("open a store written both ways: %v", err)
	}
	defer db.Close()
	seen := 0
	err = db.WalkRecords(ctx, store.RecordFilter{}, func(r store.StoredRecord) error {
		if want := recs[seen]; r.ID != want.ID || string(r.Body) != string(want.Body) {
			return fmt.Errorf("record %d is %s %q, want %s %q", seen, r.ID, r.Body, want.ID, want.Body)
		}
		seen++
		return nil
	})
	if err != nil || seen != len(recs) {
		t.Fatalf("walked %d of %d records: %v", seen, len(recs), err)
	}
	for _, i := range []int{0, n / 2, n, 2*n - 1} {
		if r, err := db.StoredRecordByID(ctx, recs[i].ID); err != nil || string(r.Body) != string(recs[i].Body) {
			t.Fatalf("record %s by id: %q, %v", recs[i].ID, r.Body, err)
		}
	}
}

// tables are the store's table files and their sizes.
func tables(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sst") {
			return err
		}
		info, err := d.Info()
		if err == nil {
			out[path] = info.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
