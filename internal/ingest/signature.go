package ingest

import (
	"crypto/ed25519"
	"fmt"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// stdlibRules are crypto/ed25519's verification rules: small-order and
// non-canonical public keys allowed, the cofactorless equation compared
// byte for byte with R. A signature verifies here exactly when it
// verifies with seal.Verify, which the phone and every other check of a
// stored signature use; only the speed differs.
var stdlibRules = &voi.Options{Verify: voi.VerifyOptionsStdLib}

// DeviceKey checks signatures by one device's Ed25519 key. The key is
// expanded once, its point decoded and its multiples tabulated, so each
// signature of a sync request costs about half of crypto/ed25519's
// Verify, which redoes that work for every signature; with the sealed
// box, this check is the protocol's public-key work per record.
type DeviceKey struct {
	key *voi.ExpandedPublicKey
}

// NewDeviceKey expands pub. A key that is not 32 bytes or not a point
// on the curve gives an error: no signature verifies with it.
func NewDeviceKey(pub []byte) (DeviceKey, error) {
	if len(pub) != ed25519.PublicKeySize {
		return DeviceKey{}, fmt.Errorf("device key: %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	k, err := voi.NewExpandedPublicKey(voi.PublicKey(pub))
	if err != nil {
		return DeviceKey{}, fmt.Errorf("device key: %w", err)
	}
	return DeviceKey{key: k}, nil
}

// Verify reports whether sig is the device's signature over body. The
// zero DeviceKey (of a key NewDeviceKey refused) verifies nothing.
func (k DeviceKey) Verify(body, sig []byte) bool {
	if k.key == nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	return voi.VerifyExpandedWithOptions(k.key, body, sig, stdlibRules)
}
