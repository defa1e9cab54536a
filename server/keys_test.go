package server

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"beredskap/internal/store"
)

// TestKeysAreNotInventedBesideAStore: a data directory that holds a store
// but lost its key file (copied by hand, restored without keys) is refused,
// since new keys would leave the phones' sealed records unreadable; a new
// directory gets keys, and the same ones on every later start.
func TestKeysAreNotInventedBesideAStore(t *testing.T) {
	orphan := t.TempDir()
	db, err := store.Open(filepath.Join(orphan, "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := LoadKeys(orphan); err == nil || !strings.Contains(err.Error(), KeysFile) {
		t.Fatalf("LoadKeys beside a store without keys: %v, want a refusal naming %s", err, KeysFile)
	}
	if _, err := ReadKeysFile(orphan); err == nil {
		t.Fatal("the refusal wrote a key file")
	}

	fresh := t.TempDir()
	first, err := LoadKeys(fresh)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadKeys(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.SealPub, again.SealPub) || !first.Sign.Equal(again.Sign) {
		t.Fatal("a second start made new keys")
	}
}
