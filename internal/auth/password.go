// Package auth holds what the server needs to know who is asking: password
// hashes, session tokens and the limits on password guessing.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Hasher hashes and checks passwords with Argon2id. Hashes are stored in
// the PHC string format, with their parameters, so that raising them later
// leaves old hashes checkable.
type Hasher struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
	// slots bounds concurrent hashing: each run takes MemoryKiB of RAM,
	// and a burst of logins must not exhaust the server.
	slots chan struct{}
}

// NewHasher returns a Hasher with the given cost that runs at most
// concurrent hashes at once.
func NewHasher(time, memoryKiB uint32, threads uint8, concurrent int) *Hasher {
	if concurrent < 1 {
		concurrent = 1
	}
	return &Hasher{Time: time, MemoryKiB: memoryKiB, Threads: threads, slots: make(chan struct{}, concurrent)}
}

// DefaultHasher is the server's cost: Argon2id, 64 MiB, three passes.
func DefaultHasher() *Hasher { return NewHasher(3, 64<<10, 1, 4) }

// ErrMismatch means the password does not match the hash.
var ErrMismatch = errors.New("password does not match")

var b64 = base64.RawStdEncoding

// Hash returns the PHC string of a new Argon2id hash of password.
func (h *Hasher) Hash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	sum := h.key(password, salt, h.Time, h.MemoryKiB, h.Threads)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.MemoryKiB, h.Time, h.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

// Check compares password with a stored PHC hash in constant time.
func (h *Hasher) Check(encoded, password string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("check password: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return errors.New("check password: unsupported argon2 version")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<20 || t > 32 {
		return errors.New("check password: bad parameters")
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("check password: salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return errors.New("check password: bad hash")
	}
	got := h.key(password, salt, t, m, p)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

func (h *Hasher) key(password string, salt []byte, t, m uint32, p uint8) []byte {
	if h.slots != nil {
		h.slots <- struct{}{}
		defer func() { <-h.slots }()
	}
	return argon2.IDKey([]byte(password), salt, t, m, p, 32)
}
