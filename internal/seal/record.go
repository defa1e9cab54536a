package seal

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"

	"beredskap/internal/wire"
)

// SealRecord signs the record JSON with the device key and seals the signed
// envelope to the server: the bytes sent as "sealed" in a sync. The phone
// keeps nothing that can open them.
func SealRecord(body []byte, device ed25519.PrivateKey, serverSealKey []byte) ([]byte, error) {
	sig, err := Sign(device, body)
	if err != nil {
		return nil, fmt.Errorf("seal record: %w", err)
	}
	env, err := json.Marshal(wire.SignedRecord{Body: body, Sig: sig})
	if err != nil {
		return nil, fmt.Errorf("seal record: %w", err)
	}
	return SealTo(serverSealKey, env)
}

// OpenRecord opens a sealed record with the server's box key pair and
// returns the signed envelope. It does not check the signature: only the
// caller knows which device key should have made it.
func OpenRecord(sealed, pub, priv []byte) (wire.SignedRecord, error) {
	var env wire.SignedRecord
	msg, err := OpenBox(pub, priv, sealed)
	if err != nil {
		return env, fmt.Errorf("open record: %w", err)
	}
	if err := json.Unmarshal(msg, &env); err != nil {
		return env, fmt.Errorf("open record: envelope: %w", err)
	}
	if len(env.Body) == 0 || len(env.Sig) == 0 {
		return env, errors.New("open record: envelope lacks body or signature")
	}
	return env, nil
}
