package seal

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/hkdf"
)

// KDF holds Argon2id parameters. They travel with the wrapped key so that
// they can be raised later without stranding keys wrapped before.
type KDF struct {
	Time      uint32 `json:"t"`
	MemoryKiB uint32 `json:"m"`
	Threads   uint8  `json:"p"`
}

// DefaultKDF is what the phone uses to wrap the data key: Argon2id with
// 32 MiB, three passes, one lane (wasm runs one thread, so more lanes would
// only help an attacker). It is calibrated on the phone, not on a desk: in
// Chromium slowed 4× as a mid-range phone, an unlock takes 1.0–1.3 s,
// inside the 0.5–1.5 s the design asks for (64 MiB took 2.3 s there, and
// its block stays in the WebAssembly heap, which never shrinks). The
// README and server/bench/notes.md give the figures and what an attacker
// pays per guess.
var DefaultKDF = KDF{Time: 3, MemoryKiB: 32 << 10, Threads: 1}

// MinKDF is the floor below which a wrapped key is refused: OWASP's
// Argon2id minimum of 19 MiB and two passes.
var MinKDF = KDF{Time: 2, MemoryKiB: 19 << 10, Threads: 1}

// Check refuses parameters below MinKDF or absurdly large ones (which would
// let a tampered wrapped key exhaust the phone's memory).
func (k KDF) Check() error {
	switch {
	case k.Threads < 1 || k.Threads > 4:
		return fmt.Errorf("kdf: %d lanes out of range", k.Threads)
	case k.MemoryKiB < MinKDF.MemoryKiB || k.MemoryKiB > 512<<10:
		return fmt.Errorf("kdf: %d KiB out of range", k.MemoryKiB)
	case k.Time < MinKDF.Time || k.Time > 20:
		return fmt.Errorf("kdf: %d passes out of range", k.Time)
	}
	return nil
}

// MinPINLength is the shortest PIN accepted.
const MinPINLength = 6

// ErrWrongPIN means the PIN did not unwrap the key. No PIN hash or verifier
// is stored anywhere: a wrong PIN is known only because unwrapping fails.
var ErrWrongPIN = errors.New("wrong PIN")

// CheckPIN says whether pin is acceptable: digits only, at least
// MinPINLength of them, at most 32.
func CheckPIN(pin string) error {
	if len(pin) < MinPINLength {
		return fmt.Errorf("PIN must have at least %d digits", MinPINLength)
	}
	if len(pin) > 32 {
		return errors.New("PIN is too long")
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return errors.New("PIN must be digits only")
		}
	}
	return nil
}

// WrappedKey is the data key sealed under a key derived from the PIN. It is
// stored on the phone; it holds nothing that tells a right PIN from a wrong
// one without a full Argon2id run and an AEAD open.
type WrappedKey struct {
	Version int    `json:"v"`
	KDF     KDF    `json:"kdf"`
	Salt    []byte `json:"salt"`
	Sealed  []byte `json:"sealed"`
	// Hardware says a second factor (WebAuthn PRF output) was mixed into
	// the key-encryption key; unwrapping then needs the same bytes.
	Hardware bool `json:"hw,omitempty"`
}

// KEK derives the key-encryption key: HKDF-SHA256 over Argon2id(PIN, salt)
// followed by the optional hardware secret.
func KEK(pin string, salt []byte, k KDF, hardware []byte) ([]byte, error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	if len(salt) < 16 {
		return nil, errors.New("kdf: salt shorter than 16 bytes")
	}
	ikm := argon2.IDKey([]byte(pin), salt, k.Time, k.MemoryKiB, k.Threads, 32)
	ikm = append(ikm, hardware...)
	kek := make([]byte, KeySize)
	if _, err := io.ReadFull(hkdf.New(sha256.New, ikm, salt, []byte("beredskap kek v1")), kek); err != nil {
		return nil, fmt.Errorf("kdf: %w", err)
	}
	return kek, nil
}

// WrapKey seals dataKey under KEK(pin) with a fresh 16-byte salt.
func WrapKey(dataKey []byte, pin string, k KDF, hardware, ad []byte) (*WrappedKey, error) {
	if err := CheckPIN(pin); err != nil {
		return nil, err
	}
	if len(dataKey) != KeySize {
		return nil, errors.New("wrap key: data key must be 32 bytes")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("wrap key: salt: %w", err)
	}
	kek, err := KEK(pin, salt, k, hardware)
	if err != nil {
		return nil, fmt.Errorf("wrap key: %w", err)
	}
	sealed, err := Seal(kek, dataKey, ad)
	if err != nil {
		return nil, fmt.Errorf("wrap key: %w", err)
	}
	return &WrappedKey{Version: 1, KDF: k, Salt: salt, Sealed: sealed, Hardware: len(hardware) > 0}, nil
}

// UnwrapKey returns the data key, or ErrWrongPIN when the PIN (or hardware
// secret, or associated data) does not open it.
func UnwrapKey(w *WrappedKey, pin string, hardware, ad []byte) ([]byte, error) {
	if w == nil || w.Version != 1 {
		return nil, errors.New("unwrap key: unknown wrapped key version")
	}
	kek, err := KEK(pin, w.Salt, w.KDF, hardware)
	if err != nil {
		return nil, fmt.Errorf("unwrap key: %w", err)
	}
	k, err := Open(kek, w.Sealed, ad)
	if err != nil {
		return nil, ErrWrongPIN
	}
	if len(k) != KeySize {
		return nil, errors.New("unwrap key: wrong data key size")
	}
	return k, nil
}
