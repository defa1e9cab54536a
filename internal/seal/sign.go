package seal

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// NewSigningKey returns a fresh ed25519 key pair.
func NewSigningKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("new signing key: %w", err)
	}
	return pub, priv, nil
}

// Sign signs msg with priv; a key of the wrong size gives an error rather
// than the standard library's panic.
func Sign(priv ed25519.PrivateKey, msg []byte) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("sign: private key is %d bytes", len(priv))
	}
	return ed25519.Sign(priv, msg), nil
}

// Verify reports whether sig is pub's signature over msg. Malformed keys
// and signatures are simply not valid.
func Verify(pub, msg, sig []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(ed25519.PublicKey(pub), msg, sig)
}

// KeyID is a short, stable name for a public key: the first 8 bytes of its
// SHA-256, in hex. It lets clients and logs tell keys apart across rotation.
func KeyID(pub []byte) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}
