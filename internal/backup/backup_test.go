package backup_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/auth"
	"beredskap/internal/backup"
	"beredskap/internal/store"
	badgerstore "beredskap/internal/store/badger"
	"beredskap/server"
)

// populated makes a store with the demo data, an audit chain and records.
func populated(t *testing.T, key []byte) *badgerstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := badgerstore.Open(t.TempDir(), badgerstore.Options{EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, _ := time.LoadLocation("Europe/Oslo")
	if err := server.SeedDemo(ctx, db, auth.NewHasher(1, 8<<10, 1, 1), time.Now(), loc); err != nil {
		t.Fatal(err)
	}
	var recs []store.StoredRecord
	var audit []store.Audit
	for i := 0; i < 300; i++ {
		id := "r" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26))
		recs = append(recs, store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: uint64(i + 1),
			Body: []byte(`{"text":"Olav Berntsen spiste frokost"}`), BodyHash: id, State: store.StateNew, Received: time.Now()})
		audit = append(audit, store.Audit{Actor: "u", Action: store.AuditSync, Subject: id})
	}
	if err := db.PutRecords(ctx, recs, audit); err != nil {
		t.Fatal(err)
	}
	return db
}

// everything reads every key and value of a store.
func everything(t *testing.T, db *badgerstore.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.Badger().View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(it.Item().Key())] = string(v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// restore opens a backup and restores its store into dir, returning the
// server keys it carried.
func restore(ctx context.Context, b, key []byte, dir string) ([]byte, error) {
	f, err := backup.Open(bytes.NewReader(b), key)
	if err != nil {
		return nil, err
	}
	return f.ServerKeys, f.Restore(ctx, dir, openBadger)
}

// serverKeyFile makes a real server key file, wrapped under the store's
// key when there is one.
func serverKeyFile(t *testing.T, storeKey []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	if _, err := server.LoadKeysWithKey(dir, storeKey); err != nil {
		t.Fatal(err)
	}
	b, err := server.ReadKeysFile(dir, storeKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBackupRestore(t *testing.T) {
	cases := []struct {
		name string
		key  []byte
		// serverKeys is nil for a server that has not started yet.
		serverKeys []byte
	}{
		{"plain store", nil, serverKeyFile(t, nil)},
		{"encrypted store", bytes.Repeat([]byte{7}, 32), serverKeyFile(t, bytes.Repeat([]byte{7}, 32))},
		{"plain store, no server keys yet", nil, nil},
		{"encrypted store, no server keys yet", bytes.Repeat([]byte{7}, 32), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			src := populated(t, c.key)
			var buf bytes.Buffer
			var reported int64
			n, err := backup.Write(ctx, src, &buf, c.key, c.serverKeys, func(b int64) { reported = b })
			if err != nil || n != int64(buf.Len()) || reported != n {
				t.Fatalf("backup %d bytes (reported %d, buffer %d): %v", n, reported, buf.Len(), err)
			}
			if plaintext := bytes.Contains(buf.Bytes(), []byte("Olav Berntsen")); plaintext != (c.key == nil) {
				t.Fatalf("patient names readable in the backup: %v", plaintext)
			}
			// An unencrypted backup carries the keys in clear, by decision:
			// it is as secret as the plaintext store beside them.
			if c.serverKeys != nil {
				if plaintext := bytes.Contains(buf.Bytes(), c.serverKeys); plaintext != (c.key == nil) {
					t.Fatalf("server keys readable in the backup: %v", plaintext)
				}
			}
			dir := filepath.Join(t.TempDir(), "restored")
			serverKeys, err := restore(ctx, buf.Bytes(), c.key, dir)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(serverKeys, c.serverKeys) || (c.serverKeys == nil) != (serverKeys == nil) {
				t.Fatalf("server keys after restore: %q, want %q", serverKeys, c.serverKeys)
			}
			dst, err := badgerstore.Open(dir, badgerstore.Options{EncryptionKey: c.key})
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			want, got := everything(t, src), everything(t, dst)
			if len(want) < 1000 || len(got) != len(want) {
				t.Fatalf("restored %d keys of %d", len(got), len(want))
			}
			for k, v := range want {
				if got[k] != v {
					t.Fatalf("key %q differs after restore", k)
				}
			}
			if n, err := dst.VerifyAudit(ctx); err != nil || n < 300 {
				t.Fatalf("audit verify on the restored copy: %d %v", n, err)
			}
			if _, err := restore(ctx, buf.Bytes(), c.key, dir); !errors.Is(err, backup.ErrNotEmpty) {
				t.Fatalf("restore over a store: %v", err)
			}
		})
	}
}

func TestRestoreRefusesWrongKeyAndJunk(t *testing.T) {
	ctx := context.Background()
	key := bytes.Repeat([]byte{1}, 32)
	src := populated(t, key)
	var buf bytes.Buffer
	if _, err := backup.Write(ctx, src, &buf, key, serverKeyFile(t, key), nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		key  []byte
	}{
		{"wrong key", buf.Bytes(), bytes.Repeat([]byte{2}, 32)},
		{"no key", buf.Bytes(), nil},
		{"not a backup", []byte("hello\nworld"), nil},
		{"empty", nil, nil},
		{"no server-keys section", []byte("BEREDSKAP-BACKUP v2 plain\nhello"), nil},
		{"server keys too long", []byte("BEREDSKAP-BACKUP v2 plain\nserver-keys 99999999\n{}"), nil},
		{"server keys cut short", []byte("BEREDSKAP-BACKUP v2 plain\nserver-keys 90\n{}"), nil},
		{"negative length", []byte("BEREDSKAP-BACKUP v2 plain\nserver-keys -1\n{}"), nil},
	}
	for _, c := range cases {
		if _, err := restore(ctx, c.data, c.key, filepath.Join(t.TempDir(), "x")); err == nil {
			t.Errorf("%s: restored", c.name)
		}
	}
}

// A backup from before the server keys went in (format v1) still
// restores; it says it has no keys, so that the restore can warn.
func TestRestoreVersion1(t *testing.T) {
	ctx := context.Background()
	src := populated(t, nil)
	var buf bytes.Buffer
	buf.WriteString("BEREDSKAP-BACKUP v1 plain\n")
	if _, err := src.Badger().Backup(&buf, 0); err != nil {
		t.Fatal(err)
	}
	f, err := backup.Open(bytes.NewReader(buf.Bytes()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 1 || f.ServerKeys != nil {
		t.Fatalf("version %d, server keys %q", f.Version, f.ServerKeys)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	if err := f.Restore(ctx, dir, openBadger); err != nil {
		t.Fatal(err)
	}
	dst, err := badgerstore.Open(dir, badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if want, got := everything(t, src), everything(t, dst); len(got) != len(want) {
		t.Fatalf("restored %d keys of %d", len(got), len(want))
	}
}

// openBadger opens the Badger store a backup is restored into.
func openBadger(dir string, key []byte) (backup.Target, error) {
	return badgerstore.Open(dir, badgerstore.Options{EncryptionKey: key})
}
