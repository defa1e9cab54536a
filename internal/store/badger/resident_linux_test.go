//go:build linux

package badger

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"beredskap/internal/store"
)

// storeResident sums what /proc/self/smaps says is resident of the
// mappings of dir's table and value-log files.
func storeResident(t *testing.T, dir string) int64 {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var total int64
	mine := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if _, _, ok := storeMapping(line, abs); ok {
			mine = true
			continue
		}
		if rest, ok := strings.CutPrefix(line, "Rss:"); ok {
			if mine {
				kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				if err != nil {
					t.Fatalf("smaps: %q: %v", line, err)
				}
				total += kb << 10
			}
			mine = false
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}

// readAll reads every record and its body, as an export does.
func readAll(t *testing.T, db *DB) {
	t.Helper()
	n := 0
	if err := db.WalkRecords(context.Background(), store.RecordFilter{}, func(store.StoredRecord) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("read no records")
	}
}

// seedResident writes enough records (uncompressed) that reading them
// maps tens of megabytes of table files, then reopens the store so that
// they are in tables, not the memtable.
func seedResident(t *testing.T, dir string) {
	t.Helper()
	db, err := Open(dir, Options{mappedBudget: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	seedWalk(t, db, 30000)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestReleaseMapped: a read of the whole store leaves its files' pages
// resident in the process; releaseMapped gives them back, and what reads
// the store again still reads every record.
func TestReleaseMapped(t *testing.T) {
	dir := t.TempDir()
	seedResident(t, dir)
	db, err := Open(dir, Options{mappedBudget: 1 << 40}) // the trim never acts
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	readAll(t, db)
	before := storeResident(t, dir)
	if before < 20<<20 {
		t.Fatalf("reading the store left %d KiB of its files resident: too little for the test to say anything", before>>10)
	}
	releaseMapped(dir)
	after := storeResident(t, dir)
	if after > before/4 {
		t.Fatalf("after the release %d KiB of %d KiB are still resident", after>>10, before>>10)
	}
	readAll(t, db)
	t.Logf("resident of the store's files: %d KiB after a read, %d KiB after the release", before>>10, after>>10)
}

// TestTrimKeepsMappedDown: the open store gives its mapped pages back by
// itself once a read has brought in more than its budget.
func TestTrimKeepsMappedDown(t *testing.T) {
	dir := t.TempDir()
	seedResident(t, dir)
	const budget = 4 << 20
	db, err := Open(dir, Options{mappedBudget: budget})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	readAll(t, db)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := storeResident(t, dir)
		if got <= 2*budget {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d KiB of the store's files still resident, against a budget of %d KiB", got>>10, budget>>10)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
