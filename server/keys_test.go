package server

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"beredskap/internal/store/badger"
)

// TestKeysAreNotInventedBesideAStore: a data directory that holds a store
// but lost its key file (copied by hand, restored without keys) is refused,
// since new keys would leave the phones' sealed records unreadable; a new
// directory gets keys, and the same ones on every later start.
func TestKeysAreNotInventedBesideAStore(t *testing.T) {
	orphan := t.TempDir()
	db, err := badger.Open(filepath.Join(orphan, "db"), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := LoadKeys(orphan); err == nil || !strings.Contains(err.Error(), KeysFile) {
		t.Fatalf("LoadKeys beside a store without keys: %v, want a refusal naming %s", err, KeysFile)
	}
	if _, err := ReadKeysFile(orphan, nil); err == nil {
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

// inClear reports whether b holds either private key in any form a JSON
// file would: raw, base64 or hex.
func inClear(b []byte, k *Keys) bool {
	for _, secret := range [][]byte{k.Sign.Seed(), k.sealKey} {
		for _, form := range [][]byte{secret, []byte(base64.StdEncoding.EncodeToString(secret)), []byte(hex.EncodeToString(secret))} {
			if bytes.Contains(b, form) {
				return true
			}
		}
	}
	return false
}

// TestKeysAreWrappedBesideAnEncryptedStore: the key file of an encrypted
// store holds neither the signing seed nor the sealing key in clear; it
// opens with the store's key only, and a wrong or missing key is refused
// with an error that says what to give.
func TestKeysAreWrappedBesideAnEncryptedStore(t *testing.T) {
	storeKey := bytes.Repeat([]byte{7}, 32)
	dir := t.TempDir()
	k, err := LoadKeysWithKey(dir, storeKey)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, KeysFile))
	if err != nil {
		t.Fatal(err)
	}
	if inClear(raw, k) {
		t.Fatalf("the key file of an encrypted store holds a private key in clear: %s", raw)
	}
	again, err := LoadKeysWithKey(dir, storeKey)
	if err != nil || !again.Sign.Equal(k.Sign) || !bytes.Equal(again.SealPub, k.SealPub) || again.NeedsWrap {
		t.Fatalf("reopened with the right key: %v", err)
	}
	cases := []struct {
		name string
		key  []byte
		says string
	}{
		{"no key", nil, "--encryption-key-file"},
		{"wrong key", bytes.Repeat([]byte{8}, 32), "--encryption-key-file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadKeysWithKey(dir, c.key)
			if !errors.Is(err, ErrKeysWrapped) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("err = %v, want ErrKeysWrapped saying %q", err, c.says)
			}
			if _, err := ReadKeysFile(dir, c.key); !errors.Is(err, ErrKeysWrapped) {
				t.Fatalf("ReadKeysFile: %v", err)
			}
		})
	}
}

// TestKeysInClearAreWrappedAtTheNextStart: a key file written in clear
// beside an encrypted store (before keys were wrapped) is read, reported,
// and wrapped; the keys stay the same.
func TestKeysInClearAreWrappedAtTheNextStart(t *testing.T) {
	storeKey := bytes.Repeat([]byte{7}, 32)
	dir := t.TempDir()
	old, err := LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	k, err := LoadKeysWithKey(dir, storeKey)
	if err != nil || !k.NeedsWrap {
		t.Fatalf("a key file in clear beside an encrypted store: NeedsWrap=%v %v", k != nil && k.NeedsWrap, err)
	}
	// Reading it for a backup wraps the copy, not yet the file.
	b, err := ReadKeysFile(dir, storeKey)
	if err != nil || inClear(b, k) {
		t.Fatalf("a backup's copy of the key file: in clear=%v %v", inClear(b, k), err)
	}
	if err := WrapKeysFile(dir, k, storeKey); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, KeysFile))
	if inClear(raw, k) {
		t.Fatal("still in clear after wrapping")
	}
	fi, err := os.Stat(filepath.Join(dir, KeysFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("wrapped key file: %v %v", fi, err)
	}
	again, err := LoadKeysWithKey(dir, storeKey)
	if err != nil || again.NeedsWrap || !again.Sign.Equal(old.Sign) || !bytes.Equal(again.SealPub, old.SealPub) {
		t.Fatalf("after wrapping: %v", err)
	}
}
