package server

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"beredskap/internal/backup"
	"beredskap/internal/keys"
	"beredskap/internal/seal"
)

// A backup downloaded from the admin page carries the running server's
// key file, so that a server restored from it still opens the records
// phones sealed before the restore.
func TestBackupDownloadCarriesServerKeys(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	e := newEnv(t, func(c *Config) { c.BackupKey = key })
	code, raw := e.call("GET", "/api/v1/backup", e.login("admin").Token, nil, nil)
	if code != 200 {
		t.Fatalf("%d %q", code, raw[:min(len(raw), 60)])
	}
	if bytes.Contains(raw, e.keys.File()) {
		t.Fatal("the key file is readable in an encrypted backup")
	}
	f, err := backup.Open(bytes.NewReader(raw), key)
	if err != nil {
		t.Fatal(err)
	}
	// Inside the backup too the keys stay wrapped.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, keys.KeysFile), f.ServerKeys, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.LoadKeys(dir); !errors.Is(err, keys.ErrKeysWrapped) {
		t.Fatalf("the backup's key file opens without the key: %v", err)
	}
	got, err := keys.LoadKeysWithKey(dir, key)
	if err != nil {
		t.Fatalf("the backup's key file: %v", err)
	}
	if !got.Sign.Equal(e.keys.Sign) || !bytes.Equal(got.SealPub, e.keys.SealPub) || got.KeyID() != e.keys.KeyID() {
		t.Fatal("the backup's keys are not the server's")
	}
	sealed, err := seal.SealTo(e.keys.SealPub, []byte("Olav Berntsen fikk Paracet 1 g"))
	if err != nil {
		t.Fatal(err)
	}
	if msg, err := got.OpenRecord(sealed); err != nil || string(msg) != "Olav Berntsen fikk Paracet 1 g" {
		t.Fatalf("a record sealed to the server does not open with the backup's keys: %q %v", msg, err)
	}
}

func TestBackupDownload(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.BackupKey = make([]byte, 32) })
	code, raw := e.call("GET", "/api/v1/backup", e.login("admin").Token, nil, nil)
	if code != 200 || !bytes.HasPrefix(raw, []byte("BEREDSKAP-BACKUP v2 age\n")) || bytes.Contains(raw, []byte("Fjordvik")) {
		t.Fatalf("%d %q", code, raw[:min(len(raw), 60)])
	}
}
