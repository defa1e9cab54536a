package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"beredskap/internal/keys"
)

// writeStoreKey writes a store encryption key file (64 hex digits) with
// the mode given and returns its path and bytes.
func writeStoreKey(t *testing.T, digit string, mode os.FileMode) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.key")
	if err := os.WriteFile(path, []byte(strings.Repeat(digit, 64)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	key, err := readKeyFile(path)
	if err != nil && mode&0o077 == 0 {
		t.Fatal(err)
	}
	return path, key
}

// serveOnce starts serve with the flags given (after --no-demo, a free
// port and a static directory), waits until it listens, stops it and
// returns what it logged.
func serveOnce(t *testing.T, extra ...string) string {
	t.Helper()
	static := t.TempDir()
	if err := os.WriteFile(filepath.Join(static, "app.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--no-demo", "--static-dir", static}, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, args, &stdout, &stderr) }()
	for !strings.Contains(stdout.String(), "running at") {
		select {
		case err := <-errc:
			t.Fatalf("serve ended before listening: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v\n%s", err, stderr.String())
	}
	return stderr.String()
}

// TestServeWrapsKeysInClear: a key file in clear beside an encrypted
// store (from before keys were wrapped) is wrapped at the next start,
// with the same keys, and the start says so.
func TestServeWrapsKeysInClear(t *testing.T) {
	keyFile, key := writeStoreKey(t, "c", 0o600)
	data := filepath.Join(t.TempDir(), "data")
	old, err := keys.LoadKeys(data)
	if err != nil {
		t.Fatal(err)
	}
	seed := base64.StdEncoding.EncodeToString(old.Sign.Seed())
	if raw, _ := os.ReadFile(filepath.Join(data, keys.KeysFile)); !bytes.Contains(raw, []byte(seed)) {
		t.Fatal("setup: the old key file is not in clear")
	}
	logged := serveOnce(t, "--data", data, "--encryption-key-file", keyFile)
	raw, err := os.ReadFile(filepath.Join(data, keys.KeysFile))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(seed)) || !bytes.Contains(raw, []byte(`"wrapped"`)) {
		t.Fatalf("the key file is still in clear after a start with an encryption key: %s", raw)
	}
	if !strings.Contains(logged, "now wrapped") {
		t.Fatalf("the start did not say it wrapped the key file:\n%s", logged)
	}
	got, err := keys.LoadKeysWithKey(data, key)
	if err != nil || !got.Sign.Equal(old.Sign) || !bytes.Equal(got.SealPub, old.SealPub) {
		t.Fatalf("the wrapped keys: %v", err)
	}
}

// TestServeRefusesKeysItCannotUnwrap: with a wrong encryption key, or
// none, serve refuses to start over an encrypted store's wrapped keys and
// says what is wrong; it never makes new keys.
func TestServeRefusesKeysItCannotUnwrap(t *testing.T) {
	right, _ := writeStoreKey(t, "c", 0o600)
	wrong, _ := writeStoreKey(t, "d", 0o600)
	data := filepath.Join(t.TempDir(), "data")
	serveOnce(t, "--data", data, "--encryption-key-file", right)
	before, _ := os.ReadFile(filepath.Join(data, keys.KeysFile))
	cases := []struct {
		name string
		args []string
	}{
		{"wrong key", []string{"--encryption-key-file", wrong}},
		{"no key", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--no-demo"}, c.args...)
			err := run(context.Background(), args, &stdout, &stderr)
			if !errors.Is(err, keys.ErrKeysWrapped) || !strings.Contains(err.Error(), "--encryption-key-file") {
				t.Fatalf("serve: %v, want a refusal naming --encryption-key-file", err)
			}
			if strings.Contains(stdout.String(), "running at") {
				t.Fatal("serve started")
			}
			if after, _ := os.ReadFile(filepath.Join(data, keys.KeysFile)); !bytes.Equal(after, before) {
				t.Fatal("the refused start changed the key file")
			}
		})
	}
}

// TestKeyFilesReadableByOthersAreRefused: an encryption key file (and a
// TLS private key) that group or others may read is refused, by serve and
// by every command that reads it, with the chmod that fixes it.
func TestKeyFilesReadableByOthersAreRefused(t *testing.T) {
	data := t.TempDir()
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o660} {
		keyFile, _ := writeStoreKey(t, "e", mode)
		cert, tlsKey, _ := selfSignedCert(t)
		if err := os.Chmod(tlsKey, mode); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			args []string
			file string
		}{
			{"serve --encryption-key-file", []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--no-demo", "--encryption-key-file", keyFile}, keyFile},
			{"serve --tls-key", []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--no-demo", "--tls-cert", cert, "--tls-key", tlsKey}, tlsKey},
			{"backup", []string{"backup", "--data", data, "--out", filepath.Join(t.TempDir(), "b"), "--encryption-key-file", keyFile}, keyFile},
			{"restore", []string{"restore", "--in", filepath.Join(t.TempDir(), "b"), "--data", filepath.Join(t.TempDir(), "r"), "--encryption-key-file", keyFile}, keyFile},
			{"user", []string{"user", "disable", "--data", data, "--username", "x", "--encryption-key-file", keyFile}, keyFile},
			{"audit", []string{"audit", "verify", "--data", data, "--encryption-key-file", keyFile}, keyFile},
		}
		for _, c := range cases {
			t.Run(c.name+" "+mode.String(), func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				err := run(context.Background(), c.args, &stdout, &stderr)
				if err == nil || !strings.Contains(err.Error(), "chmod 600 "+c.file) {
					t.Fatalf("err = %v, want one that says chmod 600 %s", err, c.file)
				}
			})
		}
	}
	// Owner-only modes are fine.
	for _, mode := range []os.FileMode{0o600, 0o400} {
		keyFile, _ := writeStoreKey(t, "e", mode)
		if _, err := readKeyFile(keyFile); err != nil {
			t.Fatalf("mode %v: %v", mode, err)
		}
	}
}
