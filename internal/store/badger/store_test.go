package badger

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

func openTest(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestEncryptedStoreReopens(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := make([]byte, 32)
	db, err := Open(dir, Options{EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyPlan(ctx, store.Plan{Units: []care.Unit{{ID: "n", Name: "Nord"}}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(dir, Options{}); err == nil {
		t.Fatal("encrypted store opened without its key")
	}
	db, err = Open(dir, Options{EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if u, _ := db.Units(ctx); len(u) != 1 {
		t.Fatalf("units = %v", u)
	}
}

// TestEncryptionAtRestHidesData: a patient's name written to an encrypted
// store is nowhere in the directory's files (write-ahead log, tables,
// value log), while the same name in a plain store is found there, which
// shows the search would find it.
func TestEncryptionAtRestHidesData(t *testing.T) {
	const secret = "Kjellaug Brønnøysund-Tveit"
	for _, c := range []struct {
		name  string
		key   []byte
		found bool
	}{
		{"plain store", nil, true},
		{"encrypted store", bytes.Repeat([]byte{7}, 32), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			db, err := Open(dir, Options{EncryptionKey: c.key})
			if err != nil {
				t.Fatal(err)
			}
			plan := store.Plan{
				Units:    []care.Unit{{ID: "n", Name: "Nord"}},
				Patients: []care.Patient{{ID: "p", UnitID: "n", Name: secret, Priority: care.PriorityNormal}},
			}
			if err := db.ApplyPlan(ctx, plan); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			found := fileWith(t, dir, secret)
			if (found != "") != c.found {
				t.Fatalf("patient's name found in %q; want found=%v", found, c.found)
			}
		})
	}
}

// fileWith returns the path of a file under dir that holds text, or "".
func fileWith(t *testing.T, dir, text string) string {
	t.Helper()
	found := ""
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(text)) {
			found = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
