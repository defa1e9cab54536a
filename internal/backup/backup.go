// Package backup writes and restores whole-store backups. Badger's
// backup stream is plaintext even when the store is encrypted at rest, so
// a backup of an encrypted store is encrypted too (age, with a passphrase
// derived from the store's key file): the backup file never holds more in
// clear than the store did. A backup also carries the server's key file,
// as it lives beside the store (wrapped under a key derived from the
// store's key when the store is encrypted; see keys.LoadKeysWithKey): a
// restored server must keep the keys that phones pin and seal their
// records to.
package backup

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"filippo.io/age"

	"beredskap/internal/store"
)

// Headers of the kinds of backup file. Version 2 carries the server's key
// file ahead of the store (see Write); version 1 holds the store only and
// is still restored.
const (
	headerPlain       = "BEREDSKAP-BACKUP v2 plain\n"
	headerEncrypted   = "BEREDSKAP-BACKUP v2 age\n"
	headerPlainV1     = "BEREDSKAP-BACKUP v1 plain\n"
	headerEncryptedV1 = "BEREDSKAP-BACKUP v1 age\n"
)

// keysLine starts the server-keys section: "server-keys N\n", then N bytes.
const keysLine = "server-keys "

// maxServerKeys bounds the key section, so a damaged backup cannot make a
// restore allocate without limit; a key file is about 100 bytes.
const maxServerKeys = 64 << 10

// passphrase turns the store's encryption key into the backup's age
// passphrase; the label keeps it from being the key itself.
func passphrase(key []byte) string {
	h := sha256.Sum256(append([]byte("beredskap backup v1\x00"), key...))
	return hex.EncodeToString(h[:])
}

// countingWriter counts bytes for progress.
type countingWriter struct {
	w        io.Writer
	n        int64
	progress func(int64)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if c.progress != nil {
		c.progress(c.n)
	}
	return n, err
}

// Write streams a backup of db to w: encrypted when key is given (the
// store's encryption key), plaintext otherwise. serverKeys is the server's
// key file as kept beside the store, wrapped when the store is encrypted
// (nil if it has none yet); it goes into the backup as it is, in either
// case. Unencrypted, the backup then holds the server's private keys in
// clear beside the plaintext health data, which needs the same protection
// anyway; leaving the keys out would make a restored server unable to open
// phones' unsent records. progress, when not nil, is told the bytes
// written so far.
func Write(ctx context.Context, db store.Maintenance, w io.Writer, key, serverKeys []byte, progress func(int64)) (int64, error) {
	if len(serverKeys) > maxServerKeys {
		return 0, fmt.Errorf("backup: the server key file is %d bytes, more than %d", len(serverKeys), maxServerKeys)
	}
	cw := &countingWriter{w: w, progress: progress}
	header := headerPlain
	if len(key) > 0 {
		header = headerEncrypted
	}
	if _, err := io.WriteString(cw, header); err != nil {
		return cw.n, fmt.Errorf("backup: %w", err)
	}
	var payload io.Writer = cw
	var enc io.WriteCloser
	if len(key) > 0 {
		rcpt, err := age.NewScryptRecipient(passphrase(key))
		if err != nil {
			return cw.n, fmt.Errorf("backup: %w", err)
		}
		if enc, err = age.Encrypt(cw, rcpt); err != nil {
			return cw.n, fmt.Errorf("backup: %w", err)
		}
		payload = enc
	}
	if _, err := fmt.Fprintf(payload, "%s%d\n", keysLine, len(serverKeys)); err != nil {
		return cw.n, fmt.Errorf("backup: %w", err)
	}
	if _, err := payload.Write(serverKeys); err != nil {
		return cw.n, fmt.Errorf("backup: %w", err)
	}
	if err := db.Backup(ctx, payload); err != nil {
		return cw.n, fmt.Errorf("backup: %w", err)
	}
	if enc != nil {
		if err := enc.Close(); err != nil {
			return cw.n, fmt.Errorf("backup: %w", err)
		}
	}
	return cw.n, ctx.Err()
}

// ErrNotEmpty means a restore was pointed at a directory that holds
// something: a restore never overwrites a store.
var ErrNotEmpty = errors.New("the target directory is not empty")

// File is a backup opened for restore: its header is checked, it is
// decrypted, and the server keys are read; the store follows.
type File struct {
	// Version is the backup format: 1 (store only) or 2 (with server keys).
	Version int
	// ServerKeys is the server's key file as it was backed up; nil when the
	// backup has none (version 1, or a server that had not started yet).
	ServerKeys []byte

	store io.Reader
	key   []byte
}

// Open reads a backup up to its store. key is the store's encryption key,
// needed when the backup is encrypted.
func Open(r io.Reader, key []byte) (*File, error) {
	br := bufio.NewReader(r)
	header, err := br.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("restore: not a Beredskap backup: %w", err)
	}
	f := &File{Version: 2, key: key}
	encrypted := false
	switch header {
	case headerPlain:
	case headerEncrypted:
		encrypted = true
	case headerPlainV1:
		f.Version = 1
	case headerEncryptedV1:
		f.Version, encrypted = 1, true
	default:
		return nil, errors.New("restore: not a Beredskap backup")
	}
	src := br
	if encrypted {
		if len(key) == 0 {
			return nil, errors.New("restore: the backup is encrypted: give the store's encryption key file")
		}
		id, err := age.NewScryptIdentity(passphrase(key))
		if err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		dec, err := age.Decrypt(br, id)
		if err != nil {
			return nil, fmt.Errorf("restore: wrong key or damaged backup: %w", err)
		}
		src = bufio.NewReader(dec)
	}
	f.store = src
	if f.Version == 1 {
		return f, nil
	}
	line, err := src.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("restore: damaged backup: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, keysLine), "\n"))
	if !strings.HasPrefix(line, keysLine) || err != nil || n < 0 || n > maxServerKeys {
		return nil, errors.New("restore: damaged backup: no server-keys section")
	}
	if n > 0 {
		f.ServerKeys = make([]byte, n)
		if _, err := io.ReadFull(src, f.ServerKeys); err != nil {
			return nil, fmt.Errorf("restore: damaged backup: %w", err)
		}
	}
	return f, nil
}

// Load reads the backup's store into db, a new store of any
// implementation. Call it (or Restore) once.
func (f *File) Load(ctx context.Context, db store.Maintenance) error {
	return db.Load(ctx, f.store)
}

// CheckedLoader is a store that loads a backup and checks the server
// keys it then holds in one transaction (PostgreSQL's, whose tables hold
// the server keys): see LoadChecked.
type CheckedLoader interface {
	LoadChecked(ctx context.Context, r io.Reader, section []byte, check func(held []byte) error) error
}

// LoadChecked reads the backup's store into db as Load does, with the
// backup's key section; check is given the server keys the loaded store
// holds, and when it fails nothing is loaded. Call it (or Load, or
// Restore) once.
func (f *File) LoadChecked(ctx context.Context, db CheckedLoader, check func(held []byte) error) error {
	return db.LoadChecked(ctx, f.store, f.ServerKeys, check)
}

// Target is a new store a backup is restored into.
type Target interface {
	store.Maintenance
	io.Closer
}

// Opener opens (creating it) the store in dir, encrypted at rest with key
// when it is given: the implementation a backup is restored into.
type Opener func(dir string, key []byte) (Target, error)

// Restore reads the backup's store into a new store that open makes in
// dir (which must be empty or absent), encrypted with the key given to
// Open, if any. Call it once.
func (f *File) Restore(ctx context.Context, dir string, open Opener) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("restore into %s: %w", dir, ErrNotEmpty)
	}
	// Restore beside the target and rename at the end, so that a failure
	// halfway never leaves something that looks like a store.
	tmp := dir + ".restoring"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	db, err := open(tmp, f.key)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := f.Load(ctx, db); err != nil {
		db.Close()
		os.RemoveAll(tmp)
		return fmt.Errorf("restore: %w", err)
	}
	if err := db.Close(); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("restore: %w", err)
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return ctx.Err()
}
