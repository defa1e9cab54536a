package badger

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// fakeDisk stands in for statfs: the test says how much is free.
type fakeDisk struct{ free atomic.Uint64 }

func (d *fakeDisk) options() Options {
	return Options{MinFree: 30 << 20, PollEvery: 5 * time.Millisecond,
		FreeSpace: func(string) (uint64, error) { return d.free.Load(), nil }}
}

func testAccount(id string) store.Account {
	return store.Account{User: care.User{ID: id, Username: "user" + id, Name: "User " + id, Role: care.RoleWorker, Units: []string{"n"}}, PasswordHash: "h"}
}

// waitMode polls until the store is in mode: the switch happens on the
// store's own poll, whose timing the test does not assert.
func waitMode(t *testing.T, db *DB, mode store.Mode) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for db.Mode() != mode {
		if time.Now().After(deadline) {
			t.Fatalf("the store stayed %s, want %s", db.Mode(), mode)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWritesAreRefusedBelowTheReserve(t *testing.T) {
	ctx := context.Background()
	var disk fakeDisk
	disk.free.Store(1 << 30)
	db, err := Open(t.TempDir(), disk.options())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cases := []struct {
		name              string
		freeMiB           uint64
		bulk, small, logs bool
	}{
		{"plenty of space", 1024, true, true, false},
		{"just above the reserve", 31, true, true, false},
		{"below the reserve: logins only", 25, false, true, true},
		{"below the floor: nothing", 10, false, false, true},
		{"full", 0, false, false, true},
		{"space freed again", 512, true, true, false},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			disk.free.Store(c.freeMiB << 20)
			release, err := db.ReserveWrite(1000)
			if c.bulk != (err == nil) {
				t.Fatalf("bulk write: err %v, want taken %v", err, c.bulk)
			}
			if err == nil {
				release()
			} else if !errors.Is(err, store.ErrInsufficientStorage) {
				t.Fatalf("bulk write refused with %v, want ErrInsufficientStorage", err)
			}
			err = db.PutAccount(ctx, testAccount(string(rune('a'+i))))
			if c.small != (err == nil) {
				t.Fatalf("small write: err %v, want taken %v", err, c.small)
			}
			if err != nil && !errors.Is(err, store.ErrInsufficientStorage) {
				t.Fatalf("small write refused with %v, want ErrInsufficientStorage", err)
			}
			st := db.Storage()
			if st.BulkWrites != c.bulk || st.SmallWrites != c.small || (st.Reason != "") != c.logs {
				t.Fatalf("storage %+v", st)
			}
			if _, err := db.AccountByUsername(ctx, "usera"); err != nil {
				t.Fatalf("a read on a full disk: %v", err)
			}
		})
	}
}

func TestAdmittedWritesCountAgainstTheReserve(t *testing.T) {
	var disk fakeDisk
	disk.free.Store(40 << 20) // 10 MiB above the reserve
	db, err := Open(t.TempDir(), disk.options())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	first, err := db.ReserveWrite(6 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReserveWrite(6 << 20); !errors.Is(err, store.ErrInsufficientStorage) {
		t.Fatalf("a second write that would cross the reserve beside the first: %v", err)
	}
	first()
	first() // releasing twice must not give room that was never taken
	second, err := db.ReserveWrite(6 << 20)
	if err != nil {
		t.Fatalf("after the first is done: %v", err)
	}
	second()
	if got := db.space.inflight.Load(); got != 0 {
		t.Fatalf("in flight after every write is done: %d", got)
	}
}

func TestStoreOpensReadOnlyOnAFullDiskAndReopensForWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var disk fakeDisk
	disk.free.Store(1 << 30)
	db, err := Open(dir, disk.options())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutAccount(ctx, testAccount("1")); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	disk.free.Store(1 << 20)
	db, err = Open(dir, disk.options())
	if err != nil {
		t.Fatalf("open on a full disk: %v", err)
	}
	defer db.Close()
	if db.Mode() != store.ModeReadOnly {
		t.Fatalf("mode %s on a full disk", db.Mode())
	}
	if _, err := db.AccountByUsername(ctx, "user1"); err != nil {
		t.Fatalf("read while read-only: %v", err)
	}
	if err := db.PutAccount(ctx, testAccount("2")); !errors.Is(err, store.ErrInsufficientStorage) {
		t.Fatalf("write while read-only: %v", err)
	}
	if st := db.Storage(); st.BulkWrites || st.SmallWrites || st.Reason == "" {
		t.Fatalf("storage while read-only: %+v", st)
	}

	disk.free.Store(1 << 30)
	waitMode(t, db, store.ModeReadWrite)
	if err := db.PutAccount(ctx, testAccount("2")); err != nil {
		t.Fatalf("write once space is back: %v", err)
	}
	for _, u := range []string{"user1", "user2"} {
		if _, err := db.AccountByUsername(ctx, u); err != nil {
			t.Fatalf("%s after the reopen: %v", u, err)
		}
	}
}

// TestStoreAfterACrashOnAFullDiskWaitsForSpace copies a store while it is
// open, as a crash leaves it (a write-ahead log to replay, which Badger
// will not do read-only), and opens the copy on a full disk.
func TestStoreAfterACrashOnAFullDiskWaitsForSpace(t *testing.T) {
	ctx := context.Background()
	var disk fakeDisk
	disk.free.Store(1 << 30)
	live, err := Open(t.TempDir(), disk.options())
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if err := live.PutAccount(ctx, testAccount("1")); err != nil {
		t.Fatal(err)
	}
	crashed := t.TempDir()
	copyDir(t, live.opts.Dir, crashed)

	disk.free.Store(0)
	db, err := Open(crashed, disk.options())
	if err != nil {
		t.Fatalf("open after a crash on a full disk: %v", err)
	}
	defer db.Close()
	if m := db.Mode(); m != store.ModeUnavailable {
		t.Fatalf("mode %s, want %s: Badger replays a log only read-write", m, store.ModeUnavailable)
	}
	if _, err := db.AccountByUsername(ctx, "user1"); !errors.Is(err, store.ErrInsufficientStorage) {
		t.Fatalf("read while unavailable: %v", err)
	}
	if err := db.PutAccount(ctx, testAccount("2")); !errors.Is(err, store.ErrInsufficientStorage) {
		t.Fatalf("write on a full disk: %v", err)
	}
	disk.free.Store(1 << 30)
	waitMode(t, db, store.ModeReadWrite)
	if _, err := db.AccountByUsername(ctx, "user1"); err != nil {
		t.Fatalf("the write made before the crash: %v", err)
	}
	if err := db.PutAccount(ctx, testAccount("2")); err != nil {
		t.Fatalf("write once space is back: %v", err)
	}
}

func TestCloseOnAFullDiskKeepsTheLog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var disk fakeDisk
	disk.free.Store(1 << 30)
	db, err := Open(dir, disk.options())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutAccount(ctx, testAccount("1")); err != nil {
		t.Fatal(err)
	}
	disk.free.Store(0)
	if err := db.Close(); !errors.Is(err, store.ErrInsufficientStorage) {
		t.Fatalf("close on a full disk: %v", err)
	}
	// The process would exit here; the copy is what it leaves behind.
	left := t.TempDir()
	copyDir(t, dir, left)
	disk.free.Store(1 << 30)
	db, err = Open(left, disk.options())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.AccountByUsername(ctx, "user1"); err != nil {
		t.Fatalf("the write before the refused close: %v", err)
	}
}

// copyDir copies a Badger directory without its lock file.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "LOCK" {
			continue
		}
		src, err := os.Open(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(to, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		copySparse(t, dst, src)
		src.Close()
		if err := dst.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// copySparse copies the data regions of src (SEEK_DATA, SEEK_HOLE) and
// gives dst the same size: Badger's logs are mapped at 128 MiB and 2 GiB
// and hold a few pages.
func copySparse(t *testing.T, dst, src *os.File) {
	t.Helper()
	fi, err := src.Stat()
	if err != nil {
		t.Fatal(err)
	}
	for off := int64(0); off < fi.Size(); {
		data, err := src.Seek(off, unix.SEEK_DATA)
		if err != nil {
			break // ENXIO: no data after off
		}
		hole, err := src.Seek(data, unix.SEEK_HOLE)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.Seek(data, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(io.NewOffsetWriter(dst, data), src, hole-data); err != nil {
			t.Fatal(err)
		}
		off = hole
	}
	if err := dst.Truncate(fi.Size()); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkFreeSpaceCheck measures what the guard adds to a write: one
// statfs of the store's directory.
func BenchmarkFreeSpaceCheck(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if _, err := freeBytes(dir); err != nil {
			b.Fatal(err)
		}
	}
}
