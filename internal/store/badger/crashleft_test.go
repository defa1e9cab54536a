package badger

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// TestOpenAfterAKillWhileCreatingALog: a server killed between creating
// a log file and sizing it leaves the file empty. The store opens again
// (Badger alone refuses to), with everything acknowledged before the kill,
// and takes writes and reopens after that.
func TestOpenAfterAKillWhileCreatingALog(t *testing.T) {
	for _, c := range []struct {
		name  string
		key   []byte
		empty []string
	}{
		{"write-ahead log", nil, []string{"00090.mem"}},
		{"value log", nil, []string{"000090.vlog"}},
		{"both, encrypted", make([]byte, 32), []string{"00090.mem", "00091.mem", "000090.vlog"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			db, err := Open(dir, Options{EncryptionKey: c.key})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.ApplyPlan(ctx, store.Plan{Units: []care.Unit{{ID: "n", Name: "Nord"}}}); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			for _, name := range c.empty {
				if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			db, err = Open(dir, Options{EncryptionKey: c.key})
			if err != nil {
				t.Fatalf("the store does not open after the kill: %v", err)
			}
			if u, err := db.Units(ctx); err != nil || len(u) != 1 {
				t.Fatalf("units after the kill = %v, %v", u, err)
			}
			if err := db.ApplyPlan(ctx, store.Plan{Units: []care.Unit{{ID: "s", Name: "Sør"}}}); err != nil {
				t.Fatalf("write after the kill: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db, err = Open(dir, Options{EncryptionKey: c.key})
			if err != nil {
				t.Fatalf("the next reopen: %v", err)
			}
			defer db.Close()
			if u, err := db.Units(ctx); err != nil || len(u) != 2 {
				t.Fatalf("units after the next reopen = %v, %v", u, err)
			}
		})
	}
}

// TestRemoveEmptyLogs removes only empty log files: a log with anything
// in it, and every other file, stays.
func TestRemoveEmptyLogs(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"00001.mem":   "",
		"00002.mem":   "header",
		"000001.vlog": "",
		"000002.vlog": "header",
		"MANIFEST":    "",
		"000003.sst":  "",
		"KEYREGISTRY": "x",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "00009.mem"), 0o700); err != nil {
		t.Fatal(err)
	}
	removed, err := removeEmptyLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	if want := []string{"000001.vlog", "00001.mem"}; !slices.Equal(removed, want) {
		t.Fatalf("removed %v, want %v", removed, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{"000002.vlog", "000003.sst", "00002.mem", "00009.mem", "KEYREGISTRY", "MANIFEST"}
	if !slices.Equal(left, want) {
		t.Fatalf("left %v, want %v", left, want)
	}
	if removed, err := removeEmptyLogs(filepath.Join(dir, "none")); err != nil || removed != nil {
		t.Fatalf("a missing directory: %v, %v", removed, err)
	}
}
