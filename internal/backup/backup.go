// Package backup writes and restores whole-store backups. Badger's
// backup stream is plaintext even when the store is encrypted at rest, so
// a backup of an encrypted store is encrypted too (age, with a passphrase
// derived from the store's key file): the backup file never holds more in
// clear than the store did.
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

	"filippo.io/age"

	"beredskap/internal/store"
)

// Headers of the two kinds of backup file.
const (
	headerPlain     = "BEREDSKAP-BACKUP v1 plain\n"
	headerEncrypted = "BEREDSKAP-BACKUP v1 age\n"
)

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
// store's encryption key), plaintext otherwise. progress, when not nil, is
// told the bytes written so far.
func Write(ctx context.Context, db *store.DB, w io.Writer, key []byte, progress func(int64)) (int64, error) {
	cw := &countingWriter{w: w, progress: progress}
	if len(key) == 0 {
		if _, err := io.WriteString(cw, headerPlain); err != nil {
			return cw.n, fmt.Errorf("backup: %w", err)
		}
		if _, err := db.Badger().Backup(cw, 0); err != nil {
			return cw.n, fmt.Errorf("backup: %w", err)
		}
		return cw.n, ctx.Err()
	}
	if _, err := io.WriteString(cw, headerEncrypted); err != nil {
		return cw.n, fmt.Errorf("backup: %w", err)
	}
	rcpt, err := age.NewScryptRecipient(passphrase(key))
	if err != nil {
		return cw.n, fmt.Errorf("backup: %w", err)
	}
	enc, err := age.Encrypt(cw, rcpt)
	if err != nil {
		return cw.n, fmt.Errorf("backup: %w", err)
	}
	if _, err := db.Badger().Backup(enc, 0); err != nil {
		return cw.n, fmt.Errorf("backup: %w", err)
	}
	if err := enc.Close(); err != nil {
		return cw.n, fmt.Errorf("backup: %w", err)
	}
	return cw.n, ctx.Err()
}

// ErrNotEmpty means a restore was pointed at a directory that holds
// something: a restore never overwrites a store.
var ErrNotEmpty = errors.New("the target directory is not empty")

// Restore reads a backup into a new store in dir (which must be empty or
// absent). key is the encryption key for both the backup (if it is
// encrypted) and the new store (if given).
func Restore(ctx context.Context, r io.Reader, dir string, key []byte) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("restore into %s: %w", dir, ErrNotEmpty)
	}
	br := bufio.NewReader(r)
	header, err := br.ReadString('\n')
	if err != nil {
		return fmt.Errorf("restore: not a Beredskap backup: %w", err)
	}
	var src io.Reader = br
	switch header {
	case headerPlain:
	case headerEncrypted:
		if len(key) == 0 {
			return errors.New("restore: the backup is encrypted: give the store's encryption key file")
		}
		id, err := age.NewScryptIdentity(passphrase(key))
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		if src, err = age.Decrypt(br, id); err != nil {
			return fmt.Errorf("restore: wrong key or damaged backup: %w", err)
		}
	default:
		return errors.New("restore: not a Beredskap backup")
	}
	// Restore beside the target and rename at the end, so that a failure
	// halfway never leaves something that looks like a store.
	tmp := dir + ".restoring"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	db, err := store.Open(tmp, store.Options{EncryptionKey: key})
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := db.Badger().Load(src, 256); err != nil {
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
