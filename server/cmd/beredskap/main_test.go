package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/auth"
	"beredskap/internal/backup"
	"beredskap/internal/seal"
	"beredskap/internal/store"
	badgerstore "beredskap/internal/store/badger"
	"beredskap/internal/wire"
	"beredskap/server"
)

func TestAuditVerify(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := badgerstore.Open(filepath.Join(dir, "db"), badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if err := db.Append(ctx, store.Audit{Actor: "kari", Action: store.AuditReconcile, Subject: "r1", Detail: "action=entered"}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"audit", "verify", "--data", dir}, &out, &errOut); err != nil {
		t.Fatalf("verify: %v %s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "intact: 4 entries") {
		t.Fatalf("output %q", out.String())
	}

	// An insider edits entry 2 in the database files.
	bdb, err := badger.Open(badger.DefaultOptions(filepath.Join(dir, "db")).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(txn *badger.Txn) error {
		key := []byte("audit/00000000000000000002")
		item, err := txn.Get(key)
		if err != nil {
			return err
		}
		var e map[string]any
		if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &e) }); err != nil {
			return err
		}
		e["detail"] = "action=void"
		b, _ := json.Marshal(e)
		return txn.Set(key, b)
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"audit", "verify", "--data", dir}, &out, &errOut)
	if err == nil || !strings.Contains(out.String(), "BROKEN at entry 2") {
		t.Fatalf("verify after tampering: %v, %q", err, out.String())
	}
}

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "usage") {
		t.Fatalf("unknown command: %v %q", err, errOut.String())
	}
}

func TestImportCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	// A fresh data directory with demo accounts and units.
	db, err := openStore(dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Oslo")
	if err := server.SeedDemo(ctx, db, auth.NewHasher(1, 8<<10, 1, 1), time.Now(), loc); err != nil {
		t.Fatal(err)
	}
	db.Close()
	sample := "../../../internal/plan/testdata/plan.csv"
	if err := run(ctx, []string{"import", "--data", dir, "--file", sample}, &out, &errOut); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "stored: 2 patients, 2 visits, 2 doses") {
		t.Fatalf("output %q", out.String())
	}
	if !strings.Contains(errOut.String(), "reading") {
		t.Fatalf("no progress shown: %q", errOut.String())
	}
	b, _ := os.ReadFile(sample)
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte(strings.Replace(string(b), ",nils,", ",nobody,", 1)), 0o644)
	out.Reset()
	if err := run(ctx, []string{"import", "--data", dir, "--file", bad, "--quiet"}, &out, &errOut); err == nil || !strings.Contains(out.String(), "line 5, worker") {
		t.Fatalf("bad plan: %v %q", err, out.String())
	}
}

func TestUserCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openStore(dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Oslo")
	if err := server.SeedDemo(ctx, db, auth.NewHasher(1, 8<<10, 1, 1), time.Now(), loc); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out, errOut bytes.Buffer
	add := []string{"add", "--data", dir, "--username", "eva", "--name", "Eva Lie", "--role", "nurse", "--units", "Hjemmetjenesten Nord"}
	if err := userCmd(ctx, add, strings.NewReader("short\n"), &out, &errOut); err == nil {
		t.Fatal("a short password was accepted")
	}
	if err := userCmd(ctx, add, strings.NewReader("correct horse battery\n"), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if err := userCmd(ctx, []string{"reset", "--data", dir, "--username", "eva"}, strings.NewReader("staple 4 ever more\n"), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if err := userCmd(ctx, []string{"disable", "--data", dir, "--username", "eva"}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if err := userCmd(ctx, []string{"disable", "--data", dir, "--username", "nobody"}, strings.NewReader(""), &out, &errOut); err == nil {
		t.Fatal("disabled a user who does not exist")
	}
	db, _ = openStore(dir, "", nil)
	defer db.Close()
	a, err := db.AccountByUsername(ctx, "eva")
	if err != nil || !a.Disabled || a.Role != "nurse" || len(a.Units) != 1 {
		t.Fatalf("eva %+v %v", a, err)
	}
	if auth.DefaultHasher().Check(a.PasswordHash, "staple 4 ever more") != nil {
		t.Fatal("the reset password does not check")
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n < 3 {
		t.Fatalf("audit %d %v", n, err)
	}
}

func TestBackupAndRestoreCommands(t *testing.T) {
	storeKey := filepath.Join(t.TempDir(), "store.key")
	os.WriteFile(storeKey, []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
	cases := []struct {
		name    string
		keyFile string // the store's encryption key; "" for a plain store
	}{
		{"encrypted store", storeKey},
		{"plain store", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			keyFlag := func(args ...string) []string {
				if c.keyFile == "" {
					return args
				}
				return append(args, "--encryption-key-file", c.keyFile)
			}
			key, err := readKeyFile(c.keyFile)
			if err != nil {
				t.Fatal(err)
			}
			// The server has run here: it has keys, and a phone has sealed
			// a record to them that it has not sent yet. They are in clear
			// (as before keys were wrapped), also beside the encrypted
			// store: the backup wraps them all the same.
			orig, err := server.LoadKeys(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, device, _ := seal.NewSigningKey()
			unsent, err := seal.SealRecord([]byte(`{"text":"Olav Berntsen fikk Paracet 1 g"}`), device, orig.SealPub)
			if err != nil {
				t.Fatal(err)
			}
			db, err := openStore(dir, c.keyFile, nil)
			if err != nil {
				t.Fatal(err)
			}
			loc, _ := time.LoadLocation("Europe/Oslo")
			if err := server.SeedDemo(ctx, db, auth.NewHasher(1, 8<<10, 1, 1), time.Now(), loc); err != nil {
				t.Fatal(err)
			}
			db.Append(ctx, store.Audit{Actor: "t", Action: store.AuditLogin})
			db.Close()

			out := filepath.Join(t.TempDir(), "b.backup")
			var stdout, stderr bytes.Buffer
			if err := run(ctx, keyFlag("backup", "--data", dir, "--out", out, "--quiet"), &stdout, &stderr); err != nil {
				t.Fatalf("backup: %v %s", err, stderr.String())
			}
			want := fmt.Sprintf("encrypted: %v, server keys: true", c.keyFile != "")
			if !strings.Contains(stdout.String(), want) {
				t.Fatalf("%q does not say %q", stdout.String(), want)
			}
			if err := run(ctx, keyFlag("backup", "--data", dir, "--out", out), &stdout, &stderr); err == nil {
				t.Fatal("a backup overwrote an existing file")
			}
			if c.keyFile != "" {
				// Inside the encrypted backup the keys are wrapped as well.
				bf, err := os.Open(out)
				if err != nil {
					t.Fatal(err)
				}
				opened, err := backup.Open(bf, key)
				bf.Close()
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(opened.ServerKeys, []byte(base64.StdEncoding.EncodeToString(orig.Sign.Seed()))) || !bytes.Contains(opened.ServerKeys, []byte(`"wrapped"`)) {
					t.Fatalf("the backup of an encrypted store carries its keys in clear: %s", opened.ServerKeys)
				}
			}
			restored := filepath.Join(t.TempDir(), "restored")
			if c.keyFile != "" {
				if err := run(ctx, []string{"restore", "--in", out, "--data", restored}, &stdout, &stderr); err == nil {
					t.Fatal("an encrypted backup restored without its key")
				}
				if _, err := os.Stat(restored); err == nil {
					t.Fatal("a refused restore left a data directory behind")
				}
			}
			stderr.Reset()
			if err := run(ctx, keyFlag("restore", "--in", out, "--data", restored), &stdout, &stderr); err != nil {
				t.Fatalf("restore: %v %s", err, stderr.String())
			}
			if strings.Contains(stderr.String(), "warning") {
				t.Fatalf("a backup with keys warned: %q", stderr.String())
			}

			// The restored directory has the same keys, private to the
			// server, and they open what the phone sealed before.
			fi, err := os.Stat(filepath.Join(restored, server.KeysFile))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("restored key file: %v %v", fi, err)
			}
			if c.keyFile != "" {
				raw, _ := os.ReadFile(filepath.Join(restored, server.KeysFile))
				if bytes.Contains(raw, []byte(base64.StdEncoding.EncodeToString(orig.Sign.Seed()))) {
					t.Fatal("the restored key file of an encrypted store is in clear")
				}
				if _, err := server.LoadKeys(restored); !errors.Is(err, server.ErrKeysWrapped) {
					t.Fatalf("the restored keys open without the store's key: %v", err)
				}
			}
			got, err := server.LoadKeysWithKey(restored, key)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Sign.Equal(orig.Sign) || !bytes.Equal(got.SealPub, orig.SealPub) || got.KeyID() != orig.KeyID() {
				t.Fatal("the restored server has other keys than the original")
			}
			opened, err := got.OpenRecord(unsent)
			if err != nil {
				t.Fatalf("a record sealed before the backup does not open after the restore: %v", err)
			}
			var env wire.SignedRecord
			if err := json.Unmarshal(opened, &env); err != nil || !seal.Verify(device.Public().(ed25519.PublicKey), env.Body, env.Sig) {
				t.Fatalf("the opened record: %v", err)
			}
			sig, _ := seal.Sign(got.Sign, []byte("bundle"))
			if !seal.Verify(orig.SignPub(), []byte("bundle"), sig) {
				t.Fatal("phones' pinned signing key does not verify the restored server's bundles")
			}

			stdout.Reset()
			if err := run(ctx, keyFlag("audit", "verify", "--data", restored), &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "intact") {
				t.Fatalf("verify the restored copy: %v %q", err, stdout.String())
			}
			if err := run(ctx, keyFlag("restore", "--in", out, "--data", restored), &stdout, &stderr); !errors.Is(err, backup.ErrNotEmpty) {
				t.Fatalf("restore over a restored directory: %v", err)
			}
			// A directory that has keys but no store is refused too: those
			// keys may be the only ones that open phones' records.
			keysOnly := t.TempDir()
			if _, err := server.LoadKeys(keysOnly); err != nil {
				t.Fatal(err)
			}
			if err := run(ctx, keyFlag("restore", "--in", out, "--data", keysOnly), &stdout, &stderr); !errors.Is(err, backup.ErrNotEmpty) {
				t.Fatalf("restore over server keys: %v", err)
			}
			if entries, _ := os.ReadDir(keysOnly); len(entries) != 1 {
				t.Fatalf("a refused restore changed the directory: %v", entries)
			}
		})
	}
}

// A backup made before backups carried the server keys still restores,
// with a warning that says what is missing and what to do.
func TestRestoreOldBackupWarns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openStore(dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Append(ctx, store.Audit{Actor: "t", Action: store.AuditLogin})
	old := filepath.Join(t.TempDir(), "old.backup")
	var b bytes.Buffer
	b.WriteString("BEREDSKAP-BACKUP v1 plain\n")
	_, err = db.Badger().Backup(&b, 0)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(old, b.Bytes(), 0o600)
	restored := filepath.Join(t.TempDir(), "restored")
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"restore", "--in", old, "--data", restored}, &stdout, &stderr); err != nil {
		t.Fatalf("restore: %v %s", err, stderr.String())
	}
	for _, want := range []string{"warning", "no server keys", "cannot be opened", server.KeysFile, restored} {
		if !strings.Contains(stderr.String(), want) {
			t.Fatalf("the warning %q does not say %q", stderr.String(), want)
		}
	}
	if _, err := os.Stat(filepath.Join(restored, server.KeysFile)); err == nil {
		t.Fatal("a restore without keys made a key file")
	}
	stdout.Reset()
	if err := run(ctx, []string{"audit", "verify", "--data", restored}, &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "intact") {
		t.Fatalf("verify the restored copy: %v %q", err, stdout.String())
	}
}

// The backup's help says that the server keys go in, and that an
// unencrypted backup is as secret as the data directory.
func TestBackupHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"backup", "-h"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	for _, want := range []string{server.KeysFile, "private keys", "plaintext health data"} {
		if !strings.Contains(stderr.String(), want) {
			t.Fatalf("help %q does not say %q", stderr.String(), want)
		}
	}
}

func TestBinderCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openStore(dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Oslo")
	if err := server.SeedDemo(ctx, db, auth.NewHasher(1, 8<<10, 1, 1), time.Now(), loc); err != nil {
		t.Fatal(err)
	}
	units, err := db.Units(ctx)
	if err != nil || len(units) == 0 {
		t.Fatalf("units %v %v", units, err)
	}
	db.Close()
	pdf := filepath.Join(t.TempDir(), "binder.pdf")
	cases := []struct {
		name string
		args []string
		want string // in the output, or in the error
		ok   bool
	}{
		{"printed", []string{"--unit", units[0].ID, "--out", pdf}, "20 patients", true},
		{"no unit", []string{"--out", pdf}, "--unit and --out are required", false},
		{"unknown unit", []string{"--unit", "nowhere", "--out", pdf}, "no unit", false},
		{"bad date", []string{"--unit", units[0].ID, "--date", "tomorrow", "--out", pdf}, "YYYY-MM-DD", false},
		{"bad language", []string{"--unit", units[0].ID, "--lang", "de", "--out", pdf}, "lang must be", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			os.Remove(pdf)
			err := run(ctx, append([]string{"binder", "--data", dir}, c.args...), &out, &errOut)
			if c.ok != (err == nil) {
				t.Fatalf("err %v, want ok=%v", err, c.ok)
			}
			got := out.String()
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, c.want) {
				t.Fatalf("%q does not say %q", got, c.want)
			}
			b, readErr := os.ReadFile(pdf)
			if c.ok != (readErr == nil) {
				t.Fatalf("file: %v", readErr)
			}
			if c.ok && !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %.20q", b)
			}
		})
	}
}
