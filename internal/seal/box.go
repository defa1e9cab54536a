package seal

import (
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/nacl/box"
)

// BoxKeySize is the size of an X25519 public or private key.
const BoxKeySize = 32

// NewBoxKey returns a fresh X25519 key pair for anonymous sealed boxes.
func NewBoxKey() (pub, priv []byte, err error) {
	p, s, err := box.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("new box key: %w", err)
	}
	return p[:], s[:], nil
}

// SealTo seals msg to the recipient's X25519 public key with an anonymous
// sealed box: only the holder of the private key can open it, not even the
// sender.
func SealTo(recipient, msg []byte) ([]byte, error) {
	if len(recipient) != BoxKeySize {
		return nil, errors.New("seal to: recipient key must be 32 bytes")
	}
	out, err := box.SealAnonymous(nil, msg, (*[32]byte)(recipient), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("seal to: %w", err)
	}
	return out, nil
}

// OpenBox opens an anonymous sealed box with the recipient's key pair.
func OpenBox(pub, priv, sealed []byte) ([]byte, error) {
	if len(pub) != BoxKeySize || len(priv) != BoxKeySize {
		return nil, errors.New("open box: keys must be 32 bytes")
	}
	if len(sealed) < box.AnonymousOverhead {
		return nil, ErrOpen
	}
	msg, ok := box.OpenAnonymous(nil, sealed, (*[32]byte)(pub), (*[32]byte)(priv))
	if !ok {
		return nil, ErrOpen
	}
	return msg, nil
}
