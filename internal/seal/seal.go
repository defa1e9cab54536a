// Package seal holds the cryptography that the phone and the server share:
// XChaCha20-Poly1305 for the data key's secrets, Argon2id to wrap the data
// key under a PIN, ed25519 signatures, and anonymous sealed boxes that make
// the outbox write-only. Every failure is an error, never a panic, because
// every input here may come from an attacker.
package seal

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the size of a data key and of a key-encryption key.
const KeySize = chacha20poly1305.KeySize

// ErrOpen means a sealed value could not be opened: wrong key, wrong
// associated data, or tampered or truncated bytes. Which one is not said.
var ErrOpen = errors.New("seal: message authentication failed")

// NewKey returns a fresh random 32-byte key.
func NewKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	return k, nil
}

// Seal encrypts plaintext under key with XChaCha20-Poly1305 and a random
// 24-byte nonce, which it puts in front of the ciphertext. The associated
// data is authenticated but not stored: Open needs the same bytes.
func Seal(key, plaintext, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return aead.Seal(out, out, plaintext, ad), nil
}

// Open reverses Seal. Any mismatch gives ErrOpen.
func Open(key, sealed, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	nonce, ct := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	pt, err := aead.Open(nil, nonce, ct, ad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// AssociatedData binds a sealed value to the user, the device and what it
// is for, so that a value copied into another slot, or onto another phone,
// does not open. Each part is length-prefixed so that no two triples give
// the same bytes.
func AssociatedData(userID, deviceID, purpose string) []byte {
	var b []byte
	for _, s := range []string{"beredskap/v1", userID, deviceID, purpose} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}
