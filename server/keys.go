package server

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/curve25519"

	"beredskap/internal/seal"
)

// KeysFile is the name of the server's key file in the data directory.
// Backups carry it, because phones pin the signing key and seal their
// records to the sealing key: new keys would strand every unsent record.
const KeysFile = "server-keys.json"

// Keys are the server's long-lived key pairs: ed25519 to sign bundles and
// X25519 to open records sealed by phones.
type Keys struct {
	Sign    ed25519.PrivateKey
	SealPub []byte
	sealKey []byte
	opener  *seal.BoxOpener
}

// SignPub is the public half of the signing key.
func (k *Keys) SignPub() ed25519.PublicKey { return k.Sign.Public().(ed25519.PublicKey) }

// KeyID names the current key pair for clients that cache it.
func (k *Keys) KeyID() string {
	return seal.KeyID(append(append([]byte{}, k.SignPub()...), k.SealPub...))
}

// OpenRecord opens a record sealed to this server.
func (k *Keys) OpenRecord(sealed []byte) ([]byte, error) {
	return k.opener.Open(sealed)
}

type keyFile struct {
	SignSeed []byte `json:"sign_seed"`
	SealKey  []byte `json:"seal_key"`
}

// LoadKeys reads the key file in dir, creating it with fresh keys on first
// start. The file is written to a temporary name, synced and renamed, so a
// crash never leaves half a key behind.
func LoadKeys(dir string) (*Keys, error) {
	path := filepath.Join(dir, KeysFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if entries, _ := os.ReadDir(filepath.Join(dir, "db")); len(entries) > 0 {
			// A store without its keys was copied or restored by hand. New
			// keys would leave every record the phones sealed to the old
			// one unreadable, and the phones would not trust the bundles.
			return nil, fmt.Errorf("load keys: %s holds a store but no %s: restore both with beredskap restore, or copy the key file back", dir, KeysFile)
		}
		return createKeys(dir, path)
	}
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	k, err := parseKeys(b)
	if err != nil {
		return nil, fmt.Errorf("load keys %s: %w", path, err)
	}
	return k, nil
}

// ReadKeysFile returns the bytes of the key file in dir, checked but never
// created: a backup must not invent keys the phones do not know. The error
// wraps fs.ErrNotExist when there is no key file.
func ReadKeysFile(dir string) ([]byte, error) {
	path := filepath.Join(dir, KeysFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read keys: %w", err)
	}
	if _, err := parseKeys(b); err != nil {
		return nil, fmt.Errorf("read keys %s: %w", path, err)
	}
	return b, nil
}

// WriteKeysFile puts a key file (as read by ReadKeysFile) into dir, mode
// 0600, durably and atomically. It refuses to replace a key file that is
// already there: those keys may be the only ones that open phones' records.
func WriteKeysFile(dir string, b []byte) error {
	if _, err := parseKeys(b); err != nil {
		return fmt.Errorf("write keys: %w", err)
	}
	path := filepath.Join(dir, KeysFile)
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("write keys: %s already exists", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write keys: %w", err)
	}
	if err := writeFileSync(path, b, 0o600); err != nil {
		return fmt.Errorf("write keys: %w", err)
	}
	return nil
}

// File returns the key file's bytes, for a backup of a running server.
func (k *Keys) File() []byte {
	if k == nil {
		return nil
	}
	// Marshalling two byte slices cannot fail.
	b, _ := json.Marshal(keyFile{SignSeed: k.Sign.Seed(), SealKey: k.sealKey})
	return b
}

func parseKeys(b []byte) (*Keys, error) {
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return nil, err
	}
	if len(kf.SignSeed) != ed25519.SeedSize || len(kf.SealKey) != seal.BoxKeySize {
		return nil, errors.New("wrong key sizes")
	}
	pub, err := curve25519.X25519(kf.SealKey, curve25519.Basepoint)
	if err != nil {
		return nil, err
	}
	return newKeys(ed25519.NewKeyFromSeed(kf.SignSeed), pub, kf.SealKey)
}

func createKeys(dir, path string) (*Keys, error) {
	_, signKey, err := seal.NewSigningKey()
	if err != nil {
		return nil, err
	}
	sealPub, sealKey, err := seal.NewBoxKey()
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(keyFile{SignSeed: signKey.Seed(), SealKey: sealKey})
	if err != nil {
		return nil, fmt.Errorf("create keys: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create keys: %w", err)
	}
	if err := writeFileSync(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("create keys: %w", err)
	}
	return newKeys(signKey, sealPub, sealKey)
}

// writeFileSync writes b to path durably: temp file, fsync, rename, fsync
// of the directory.
func writeFileSync(path string, b []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func newKeys(sign ed25519.PrivateKey, sealPub, sealKey []byte) (*Keys, error) {
	o, err := seal.NewBoxOpener(sealPub, sealKey)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	return &Keys{Sign: sign, SealPub: sealPub, sealKey: sealKey, opener: o}, nil
}
