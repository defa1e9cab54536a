package badger

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// copyV1 copies testdata/v1, a store written by the code of commit
// 3757254 (see testdata/makev1), into a new directory: opening a store
// writes to it, and the committed one must stay as it was.
func copyV1(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "v1"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rawSchema reads meta/schema with Badger alone: "" when there is none.
func rawSchema(t *testing.T, dir string) string {
	t.Helper()
	bdb, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	var v string
	err = bdb.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(schemaKey))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		b, err := item.ValueCopy(nil)
		v = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkV1Data reads back what makev1 wrote, as the new code sees it.
func checkV1Data(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	if v, err := db.Schema(ctx); err != nil || v != SchemaVersion() {
		t.Fatalf("schema %d, %v; want %d", v, err, SchemaVersion())
	}
	kari, err := db.AccountByUsername(ctx, "kari")
	if err != nil || kari.Name == "" || len(kari.Units) == 0 {
		t.Fatalf("kari: %+v, %v", kari, err)
	}
	accts, err := db.Accounts(ctx)
	if err != nil || len(accts) < 3 {
		t.Fatalf("accounts: %d, %v", len(accts), err)
	}
	// The migration to schema 2: an account indexed before usernames were
	// normalised is found under its normalised name, and the old index
	// entry is gone.
	for name, id := range map[string]string{"erik": "0190b6a2-3333-7000-8000-000000000002", "ERIK": "0190b6a2-3333-7000-8000-000000000002", "liv.berg": "0190b6a2-3333-7000-8000-000000000001"} {
		if a, err := db.AccountByUsername(ctx, name); err != nil || a.ID != id {
			t.Fatalf("%q after the migration: %+v, %v", name, a, err)
		}
	}
	err = db.view(ctx, func(txn *badger.Txn) error {
		ok, err := exists(txn, "username/"+strings.ToLower("ｅｒｉｋ"))
		if ok {
			return errors.New("the lower-cased index entry is still there")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pts, err := db.PatientsByUnit(ctx, kari.Units[0])
	if err != nil || len(pts) < 3 {
		t.Fatalf("patients: %d, %v", len(pts), err)
	}
	if n, err := db.CountRecords(ctx); err != nil || n != 3 {
		t.Fatalf("records: %d, %v", n, err)
	}
	r, err := db.StoredRecordByID(ctx, "0190b6a2-1111-7000-8000-000000000002")
	if err != nil || r.PatientID != pts[1].ID || !strings.Contains(string(r.Body), "note 2") || string(r.Sig) != "sig" {
		t.Fatalf("record: %+v, %v", r, err)
	}
	if k, _ := db.Known(ctx, map[string]string{r.ID: "hash-2"}); k[r.ID] != store.RecordSame {
		t.Fatalf("known: %v", k)
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n < 3 {
		t.Fatalf("audit: %d, %v", n, err)
	}
	if demo, err := db.DemoMode(ctx); err != nil || !demo {
		t.Fatalf("demo mode: %v, %v", demo, err)
	}
}

// TestOpenVersion1Store: a data directory written before the schema was
// versioned opens under this code, is migrated to the current schema,
// and reads back its users, patients, records and audit chain; a second
// open finds it up to date.
func TestOpenVersion1Store(t *testing.T) {
	dir := copyV1(t)
	if v := rawSchema(t, dir); v != "" {
		t.Fatalf("testdata/v1 has a schema version %q: it must be a store from before versions", v)
	}
	db := openTest(t, dir)
	checkV1Data(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if v := rawSchema(t, dir); v != "2" {
		t.Fatalf("schema key after the migration %q, want 2", v)
	}
	db = openTest(t, dir)
	defer db.Close()
	checkV1Data(t, db)
}

// TestNewStoreIsAtTheCurrentSchema: an empty directory is taken as
// version 1, migrated (nothing to do) and marked with the version.
func TestNewStoreIsAtTheCurrentSchema(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir)
	if v, err := db.Schema(context.Background()); err != nil || v != SchemaVersion() {
		t.Fatalf("schema %d, %v", v, err)
	}
	db.Close()
	if v := rawSchema(t, dir); v != "2" {
		t.Fatalf("schema key %q", v)
	}
}

// TestNewerSchemaIsRefused: a store written by a newer Beredskap is not
// opened, with an error that says so, and is left as it was.
func TestNewerSchemaIsRefused(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir)
	if err := db.setSchema(context.Background(), SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(dir, Options{})
	if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), "schema version 3") {
		t.Fatalf("open a newer store: %v, want ErrSchemaTooNew naming version 3", err)
	}
	if v := rawSchema(t, dir); v != "3" {
		t.Fatalf("the refused store's version became %q", v)
	}
}

// TestLoadMigratesAnOldBackup: a backup taken before the schema was
// versioned (it holds no meta/schema) is migrated as it is loaded, not
// taken to be at the version of the empty store it is loaded into.
func TestLoadMigratesAnOldBackup(t *testing.T) {
	bdb, err := badger.Open(badger.DefaultOptions(copyV1(t)).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err = bdb.Backup(&buf, 0)
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	db := openTest(t, t.TempDir())
	defer db.Close()
	if err := db.Load(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	checkV1Data(t, db)
}

// TestVersion1StoreOnAFullDiskIsMigratedWhenItReopens: a store from before
// the schema was versioned, opened read-only on a full disk, is read in
// its own layout and left unchanged; once space returns and it reopens for
// writes, it is migrated before any write.
func TestVersion1StoreOnAFullDiskIsMigratedWhenItReopens(t *testing.T) {
	ctx := context.Background()
	dir := copyV1(t)
	var disk fakeDisk
	disk.free.Store(1 << 20)
	db, err := Open(dir, disk.options())
	if err != nil {
		t.Fatalf("open on a full disk: %v", err)
	}
	defer db.Close()
	if db.Mode() != store.ModeReadOnly {
		t.Fatalf("mode %s on a full disk", db.Mode())
	}
	if v, err := db.Schema(ctx); err != nil || v != 1 {
		t.Fatalf("schema while read-only: %d, %v; want 1 (not migrated)", v, err)
	}
	if _, err := db.AccountByUsername(ctx, "kari"); err != nil {
		t.Fatalf("read while read-only: %v", err)
	}
	disk.free.Store(1 << 30)
	waitMode(t, db, store.ModeReadWrite)
	checkV1Data(t, db)
}

// TestNewerSchemaIsRefusedReadOnly: on a full disk too, a store written
// by a newer Beredskap is not opened.
func TestNewerSchemaIsRefusedReadOnly(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir)
	if err := db.setSchema(context.Background(), SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var disk fakeDisk
	disk.free.Store(1 << 20)
	if _, err := Open(dir, disk.options()); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("open a newer store read-only: %v, want ErrSchemaTooNew", err)
	}
}
