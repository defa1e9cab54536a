// Package keys holds the server's long-lived key pairs and their file in
// the data directory: created on first start, wrapped under the store's
// encryption key, carried by backups and written back by a restore,
// always durably (internal/durable).
package keys

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/hkdf"

	"beredskap/internal/durable"
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
	// NeedsWrap says the key file was read in clear beside an encrypted
	// store; see WrapKeysFile.
	NeedsWrap bool
	sealKey   []byte
	opener    *seal.BoxOpener
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
	SignSeed []byte `json:"sign_seed,omitempty"`
	SealKey  []byte `json:"seal_key,omitempty"`
	// Wrapped holds the two keys above, as JSON, sealed (XChaCha20-
	// Poly1305) under a key derived from the store's encryption key: an
	// encrypted store's key file holds neither key in clear.
	Wrapped []byte `json:"wrapped,omitempty"`
}

// wrapLabel names what the wrapping key is for, in HKDF and as the
// associated data, so that it is never the store's key itself nor any
// other key derived from it.
const wrapLabel = "beredskap server-keys wrap v1"

// ErrKeysWrapped means the key file is wrapped and no (or the wrong)
// encryption key was given.
var ErrKeysWrapped = errors.New("server keys are wrapped")

func wrappingKey(storeKey []byte) ([]byte, error) {
	k := make([]byte, seal.KeySize)
	if _, err := io.ReadFull(hkdf.New(sha256.New, storeKey, nil, []byte(wrapLabel)), k); err != nil {
		return nil, fmt.Errorf("derive the key-file key: %w", err)
	}
	return k, nil
}

// LoadKeys reads the key file of an unencrypted store in dir, creating it
// with fresh keys on first start; see LoadKeysWithKey.
func LoadKeys(dir string) (*Keys, error) { return LoadKeysWithKey(dir, nil) }

// LoadKeysWithKey reads the key file in dir, creating it with fresh keys
// on first start. storeKey is the store's encryption key (nil for an
// unencrypted store): new keys are then written wrapped under a key
// derived from it, and a wrapped file that it does not open is refused.
// A key file in clear beside an encrypted store (from before keys were
// wrapped) is read, and Keys.NeedsWrap says so: call WrapKeysFile once
// the store has opened with storeKey, so that a mistyped key never wraps
// the file. The file is written to a temporary name, synced and renamed,
// so a crash never leaves half a key behind.
func LoadKeysWithKey(dir string, storeKey []byte) (*Keys, error) {
	path := filepath.Join(dir, KeysFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if entries, _ := os.ReadDir(filepath.Join(dir, "db")); len(entries) > 0 {
			// A store without its keys was copied or restored by hand. New
			// keys would leave every record the phones sealed to the old
			// one unreadable, and the phones would not trust the bundles.
			return nil, fmt.Errorf("load keys: %s holds a store but no %s: restore both with beredskap restore, or copy the key file back", dir, KeysFile)
		}
		return createKeys(dir, path, storeKey)
	}
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	k, err := parseKeys(b, storeKey)
	if err != nil {
		return nil, fmt.Errorf("load keys %s: %w", path, err)
	}
	return k, nil
}

// WrapKeysFile rewrites a key file in clear in dir wrapped under storeKey
// (see LoadKeysWithKey), durably and atomically.
func WrapKeysFile(dir string, k *Keys, storeKey []byte) error {
	b, err := k.FileFor(storeKey)
	if err != nil {
		return fmt.Errorf("wrap keys: %w", err)
	}
	if err := durable.WriteFile(filepath.Join(dir, KeysFile), b, 0o600); err != nil {
		return fmt.Errorf("wrap keys: %w", err)
	}
	k.NeedsWrap = false
	return nil
}

// ReadKeysFile returns the key file in dir for a backup, checked but
// never created: a backup must not invent keys the phones do not know.
// With storeKey (an encrypted store) the answer is wrapped, even when the
// file on disk is not wrapped yet. The error wraps fs.ErrNotExist when
// there is no key file.
func ReadKeysFile(dir string, storeKey []byte) ([]byte, error) {
	path := filepath.Join(dir, KeysFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read keys: %w", err)
	}
	k, err := parseKeys(b, storeKey)
	if err != nil {
		return nil, fmt.Errorf("read keys %s: %w", path, err)
	}
	if !k.NeedsWrap {
		return b, nil
	}
	return k.FileFor(storeKey)
}

// WriteKeysFile puts a key file (as read by ReadKeysFile) into dir, mode
// 0600, durably and atomically, wrapped when storeKey is given (a key file
// in clear from an older backup is wrapped on the way). It refuses to
// replace a key file that is already there: those keys may be the only
// ones that open phones' records.
func WriteKeysFile(dir string, b, storeKey []byte) error {
	k, err := parseKeys(b, storeKey)
	if err != nil {
		return fmt.Errorf("write keys: %w", err)
	}
	if k.NeedsWrap {
		if b, err = k.FileFor(storeKey); err != nil {
			return fmt.Errorf("write keys: %w", err)
		}
	}
	path := filepath.Join(dir, KeysFile)
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("write keys: %s already exists", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write keys: %w", err)
	}
	if err := durable.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write keys: %w", err)
	}
	return nil
}

// File returns the key file's bytes in clear.
func (k *Keys) File() []byte {
	if k == nil {
		return nil
	}
	// Marshalling two byte slices cannot fail.
	b, _ := json.Marshal(keyFile{SignSeed: k.Sign.Seed(), SealKey: k.sealKey})
	return b
}

// FileFor returns the key file's bytes as they are kept beside a store
// with storeKey: wrapped under it, or in clear when storeKey is empty (an
// unencrypted store). A backup of a running server carries this.
func (k *Keys) FileFor(storeKey []byte) ([]byte, error) {
	if k == nil {
		return nil, nil
	}
	if len(storeKey) == 0 {
		return k.File(), nil
	}
	wk, err := wrappingKey(storeKey)
	if err != nil {
		return nil, err
	}
	sealed, err := seal.Seal(wk, k.File(), []byte(wrapLabel))
	if err != nil {
		return nil, fmt.Errorf("wrap keys: %w", err)
	}
	return json.Marshal(keyFile{Wrapped: sealed})
}

// parseKeys reads a key file, unwrapping it with storeKey when it is
// wrapped. A file in clear is read with or without storeKey; with one,
// NeedsWrap is set.
func parseKeys(b, storeKey []byte) (*Keys, error) {
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return nil, err
	}
	wrapped := kf.Wrapped != nil
	if wrapped {
		if len(storeKey) == 0 {
			return nil, fmt.Errorf("%w under the store's encryption key: give --encryption-key-file", ErrKeysWrapped)
		}
		wk, err := wrappingKey(storeKey)
		if err != nil {
			return nil, err
		}
		inner, err := seal.Open(wk, kf.Wrapped, []byte(wrapLabel))
		if err != nil {
			return nil, fmt.Errorf("%w and do not open with this encryption key: is --encryption-key-file the key of this store?", ErrKeysWrapped)
		}
		kf = keyFile{}
		if err := json.Unmarshal(inner, &kf); err != nil || kf.Wrapped != nil {
			return nil, errors.New("the wrapped keys are damaged")
		}
	}
	if len(kf.SignSeed) != ed25519.SeedSize || len(kf.SealKey) != seal.BoxKeySize {
		return nil, errors.New("wrong key sizes")
	}
	pub, err := curve25519.X25519(kf.SealKey, curve25519.Basepoint)
	if err != nil {
		return nil, err
	}
	k, err := newKeys(ed25519.NewKeyFromSeed(kf.SignSeed), pub, kf.SealKey)
	if err != nil {
		return nil, err
	}
	k.NeedsWrap = !wrapped && len(storeKey) > 0
	return k, nil
}

// Generate makes fresh server keys.
func Generate() (*Keys, error) {
	_, signKey, err := seal.NewSigningKey()
	if err != nil {
		return nil, err
	}
	sealPub, sealKey, err := seal.NewBoxKey()
	if err != nil {
		return nil, err
	}
	return newKeys(signKey, sealPub, sealKey)
}

// Parse reads a key file's bytes (as FileFor writes them), unwrapping
// them with storeKey.
func Parse(b, storeKey []byte) (*Keys, error) {
	k, err := parseKeys(b, storeKey)
	if err != nil {
		return nil, fmt.Errorf("read keys: %w", err)
	}
	return k, nil
}

// Vault is where a store shared by several servers keeps their keys
// (store.KeyVault).
type Vault interface {
	ServerKeys(ctx context.Context, proposed []byte) ([]byte, error)
}

// FromVault returns the keys v holds, wrapped under storeKey, after
// proposing fresh ones for a store that holds none yet: every server on
// the store gets the same keys, whichever of them started first.
func FromVault(ctx context.Context, v Vault, storeKey []byte) (*Keys, error) {
	if len(storeKey) == 0 {
		return nil, errors.New("load keys: a shared store needs the encryption key the keys are wrapped under")
	}
	fresh, err := Generate()
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	proposed, err := fresh.FileFor(storeKey)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	held, err := v.ServerKeys(ctx, proposed)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	k, err := parseKeys(held, storeKey)
	if err != nil {
		return nil, fmt.Errorf("load keys from the store: %w", err)
	}
	if k.NeedsWrap {
		return nil, errors.New("load keys from the store: they are held in clear")
	}
	return k, nil
}

func createKeys(dir, path string, storeKey []byte) (*Keys, error) {
	k, err := Generate()
	if err != nil {
		return nil, err
	}
	b, err := k.FileFor(storeKey)
	if err != nil {
		return nil, fmt.Errorf("create keys: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create keys: %w", err)
	}
	if err := durable.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("create keys: %w", err)
	}
	return k, nil
}

func newKeys(sign ed25519.PrivateKey, sealPub, sealKey []byte) (*Keys, error) {
	o, err := seal.NewBoxOpener(sealPub, sealKey)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	return &Keys{Sign: sign, SealPub: sealPub, sealKey: sealKey, opener: o}, nil
}
