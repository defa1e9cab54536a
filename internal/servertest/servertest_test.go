package servertest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"beredskap/internal/demo"
	"beredskap/internal/keys"
	"beredskap/internal/store/badger"
)

// TestNewIsADataDirectoryAsServeLeavesIt: keys beside a store holding the
// demo municipality, whose users log in with the demo password.
func TestNewIsADataDirectoryAsServeLeavesIt(t *testing.T) {
	ctx := context.Background()
	d := New(t)
	again, err := keys.LoadKeys(d.Dir)
	if err != nil || again.KeyID() != d.Keys.KeyID() {
		t.Fatalf("the key file beside the store: %v", err)
	}
	units, err := d.DB.Units(ctx)
	if err != nil || len(units) != len(demo.Build(d.Now, d.Loc).Units) {
		t.Fatalf("units %d, %v", len(units), err)
	}
	for _, u := range demo.Build(d.Now, d.Loc).Users {
		a, err := d.DB.AccountByUsername(ctx, u.Username)
		if err != nil {
			t.Fatalf("demo user %s: %v", u.Username, err)
		}
		if err := d.Hasher.Check(a.PasswordHash, demo.Password); err != nil {
			t.Fatalf("demo user %s does not log in with the demo password: %v", u.Username, err)
		}
	}
}

func TestNewWithOptions(t *testing.T) {
	ctx := context.Background()
	key := make([]byte, 32)
	d := New(t, Options{NoDemo: true, Store: badger.Options{EncryptionKey: key}})
	if units, err := d.DB.Units(ctx); err != nil || len(units) != 0 {
		t.Fatalf("NoDemo: %d units, %v", len(units), err)
	}
	if _, err := keys.LoadKeys(d.Dir); err == nil {
		t.Fatal("an encrypted store's key file opens without the key")
	}
	if _, err := os.Stat(filepath.Join(d.Dir, "db")); err != nil {
		t.Fatalf("no store in the data directory: %v", err)
	}
	other := Open(t, filepath.Join(t.TempDir(), "db"), badger.Options{})
	Seed(t, other)
	if units, err := other.Units(ctx); err != nil || len(units) == 0 {
		t.Fatalf("Seed: %d units, %v", len(units), err)
	}
}
