package shift

import (
	"context"
	"errors"
)

// HardwareKey is the phone's secure hardware, reached through WebAuthn's
// PRF extension: a secret that only this phone's authenticator can
// produce, mixed into the key that wraps the data key. With it, a copy of
// the phone's storage is useless without the phone itself; a six-digit
// PIN alone falls to an offline brute force in hours.
type HardwareKey interface {
	// Enroll makes a credential for the user and returns its id, the PRF
	// salt and the PRF output; ErrNoHardware when the platform has no
	// authenticator with PRF.
	Enroll(ctx context.Context, userID []byte, userName string) (credID, salt, secret []byte, err error)
	// Secret asks the authenticator for the PRF output again.
	Secret(ctx context.Context, credID, salt []byte) ([]byte, error)
}

// ErrNoHardware means the phone offers no authenticator with PRF: the PIN
// alone protects the shift.
var ErrNoHardware = errors.New("no platform authenticator with PRF")

// ErrHardwareMissing means the shift was sealed with the phone's secure
// hardware and the authenticator did not answer (removed, refused).
var ErrHardwareMissing = errors.New("the phone's security key did not answer")

// hardwareRecord is kept in clear beside the wrapped key: which credential
// to ask, and with which salt. Neither is secret.
type hardwareRecord struct {
	CredID []byte `json:"cred_id"`
	Salt   []byte `json:"salt"`
}

const metaHardware = "hw"
