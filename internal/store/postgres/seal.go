package postgres

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"

	"beredskap/internal/store"
)

// Sealing: the application encrypts what PostgreSQL would otherwise
// keep in clear in its files, its WAL and its backups. Each value is
// sealed with XChaCha20-Poly1305 under a key derived from the store's
// key by HKDF-SHA256, with a random 24-byte nonce of its own (random
// nonces of that size never repeat in practice, whatever the number of
// values), and with its table and its row's id as associated data: a
// sealed value copied into another row, or another table, does not open.
//
// A sealed value is a version byte (1), the nonce, then the ciphertext
// with its tag.

const (
	sealedV1 = 1
	// plainV0 marks a value stored unsealed, which only the test that
	// proves sealing matters writes (Options.plaintext); a store that
	// seals refuses it.
	plainV0 = 0
)

// sealInfo names the key derived for sealing columns; other keys
// derived from the same secret get other names.
const (
	sealInfo = "beredskap postgres column seal v1"
	macInfo  = "beredskap postgres row name v1"
)

type sealer struct {
	aead      cipher.AEAD
	plaintext bool
	// mac names rows by a secret's HMAC where the name itself must
	// not be stored (login_buckets' keys).
	mac []byte
}

func newSealer(key []byte, plaintext bool) (*sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("the encryption key must be 32 bytes, not %d", len(key))
	}
	sub, err := hkdf.Key(sha256.New, key, nil, sealInfo, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("derive the sealing key: %w", err)
	}
	aead, err := chacha20poly1305.NewX(sub)
	if err != nil {
		return nil, fmt.Errorf("sealing key: %w", err)
	}
	mac, err := hkdf.Key(sha256.New, key, nil, macInfo, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("derive the naming key: %w", err)
	}
	return &sealer{aead: aead, plaintext: plaintext, mac: mac}, nil
}

// name is the HMAC-SHA256 of what a row must be found by but not name.
func (s *sealer) name(what string) []byte {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte(what))
	return m.Sum(nil)
}

// ad is the associated data of a value: its table and its row's id.
func ad(table, id string) []byte { return appendAD(nil, table, id) }

// appendAD appends the associated data of table's row id to dst.
func appendAD[ID string | []byte](dst []byte, table string, id ID) []byte {
	return append(append(append(dst, table...), 0), id...)
}

func (s *sealer) seal(table, id string, plain []byte) []byte {
	if s.plaintext {
		return append([]byte{plainV0}, plain...)
	}
	n := s.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(plain)+s.aead.Overhead())
	out[0] = sealedV1
	rand.Read(out[1 : 1+n])
	return s.aead.Seal(out, out[1:1+n], plain, ad(table, id))
}

var errUnsealed = errors.New("value stored unsealed")

func (s *sealer) open(table, id string, sealed []byte) ([]byte, error) {
	plain, err := s.openTo(nil, ad(table, id), sealed)
	if err != nil {
		return nil, fmt.Errorf("open %s %s: %w", table, id, err)
	}
	return plain, nil
}

// openTo opens sealed, whose associated data is ad, appending what it
// holds to dst; it does not name the value in its errors.
func (s *sealer) openTo(dst, ad, sealed []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, errors.New("empty value")
	}
	switch sealed[0] {
	case plainV0:
		if !s.plaintext {
			return nil, errUnsealed
		}
		return append(dst, sealed[1:]...), nil
	case sealedV1:
	default:
		return nil, fmt.Errorf("unknown seal version %d", sealed[0])
	}
	n := s.aead.NonceSize()
	if len(sealed) < 1+n+s.aead.Overhead() {
		return nil, errors.New("value too short")
	}
	plain, err := s.aead.Open(dst, sealed[1:1+n], sealed[1+n:], ad)
	if err != nil {
		return nil, fmt.Errorf("not sealed by this key for this row: %w", err)
	}
	return plain, nil
}

// openedSize is how many bytes sealed holds opened (0 for a value too
// short to be sealed).
func (s *sealer) openedSize(sealed []byte) int {
	if len(sealed) > 0 && sealed[0] == plainV0 {
		return len(sealed) - 1
	}
	return max(0, len(sealed)-1-s.aead.NonceSize()-s.aead.Overhead())
}

func (s *sealer) sealJSON(table, id string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", table, id, err)
	}
	return s.seal(table, id, b), nil
}

func (s *sealer) openJSON(table, id string, sealed []byte, v any) error {
	b, err := s.open(table, id, sealed)
	if err != nil {
		return err
	}
	if err := store.DecodeJSON(b, v); err != nil {
		return fmt.Errorf("decode %s %s: %w", table, id, err)
	}
	return nil
}
