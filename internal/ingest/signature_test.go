package ingest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"

	"beredskap/internal/seal"
)

// The device key check must give crypto/ed25519's verdict on every
// input, not only on honest signatures: the phone, audit tools and any
// system the records are handed to check with crypto/ed25519's rules,
// and a record the server took must verify there too. The cases are the
// ones where Ed25519 implementations part: small-order and mixed-order
// keys and R, non-canonical encodings of both, S not reduced, and the
// cofactored equation accepting what the cofactorless one refuses.
func TestDeviceKeyVerifiesAsCryptoEd25519(t *testing.T) {
	torsion := torsionPoints(t)
	if len(torsion) != 8 {
		t.Fatalf("found %d small-order points, want 8", len(torsion))
	}
	var a edKey
	a.generate(t)
	// Enough messages that a challenge falls in each class modulo 8,
	// for the small-order keys to be accepted with some.
	msgs := [][]byte{[]byte("{}"), make([]byte, 600)}
	for i := range 8 {
		msgs = append(msgs, fmt.Appendf(nil, `{"seq":%d}`, i))
	}

	// Public keys: the honest one, the eight small-order points, the
	// honest one with each small-order point added (mixed order), and
	// non-canonical encodings (y ≥ p) of the points with small y.
	var keys [][]byte
	keys = append(keys, a.pub)
	for _, tp := range torsion {
		keys = append(keys, encode(tp), encode(curve.NewEdwardsPoint().Add(a.point, tp)))
	}
	keys = append(keys, nonCanonical()...)
	keys = append(keys, make([]byte, 32), []byte{0xff, 1, 2})

	// Each signature is checked with every key, over the message it was
	// made for and over another.
	type signed struct{ msg, sig []byte }
	var cases []signed
	add := func(m, sig []byte) {
		cases = append(cases, signed{m, sig}, signed{msgs[0], sig})
	}
	for _, m := range msgs {
		add(m, ed25519.Sign(a.priv, m))
		for _, tp := range torsion {
			add(m, a.signWithR(t, m, tp))
			add(m, a.signAsMixed(t, m, tp))
		}
	}
	// R small-order or non-canonical with S = 0, 1 or unreduced.
	var ss [][]byte
	ss = append(ss, make([]byte, 32), scalarBytes(scalar.One()))
	lBytes := orderBytes()
	ss = append(ss, lBytes, addToL(scalarBytes(scalar.One())))
	var rs [][]byte
	for _, tp := range torsion {
		rs = append(rs, encode(tp))
	}
	rs = append(rs, nonCanonical()...)
	for _, r := range rs {
		for _, s := range ss {
			for _, m := range msgs {
				cases = append(cases, signed{m, append(append([]byte{}, r...), s...)})
			}
		}
	}
	// An honest signature with S + L in place of S, one cut short, none.
	honest := ed25519.Sign(a.priv, msgs[0])
	for _, sig := range [][]byte{append(append([]byte{}, honest[:32]...), addToL(honest[32:])...), honest[:63], nil} {
		add(msgs[0], sig)
	}

	var accepted, refused, smallOrderAccepted, mixedRefused int
	for ki, pub := range keys {
		k, err := NewDeviceKey(pub)
		for ci, c := range cases {
			want := seal.Verify(pub, c.msg, c.sig)
			got := err == nil && k.Verify(c.msg, c.sig)
			if got != want {
				t.Fatalf("key %x, message %q, case %d (%x): DeviceKey says %v, crypto/ed25519 %v (key error %v)",
					pub, c.msg, ci, c.sig, got, want, err)
			}
			switch {
			case want && ki > 0:
				smallOrderAccepted++
			case want:
				accepted++
			default:
				refused++
			}
		}
	}
	// The mixed-order R that only the cofactored equation accepts.
	for _, m := range msgs {
		for _, tp := range torsion[1:] {
			if sig := a.signWithR(t, m, tp); !ed25519.Verify(a.pub, m, sig) {
				mixedRefused++
			}
		}
	}
	// The table must hold both verdicts in each kind, or it proves nothing.
	if accepted < len(msgs) || smallOrderAccepted == 0 || refused == 0 || mixedRefused == 0 {
		t.Fatalf("accepted %d honest, %d with unusual keys, refused %d, %d mixed-order R refused: the cases do not reach both verdicts",
			accepted, smallOrderAccepted, refused, mixedRefused)
	}
	t.Logf("%d accepted, %d accepted with small-order or mixed keys, %d refused: all as crypto/ed25519", accepted, smallOrderAccepted, refused)
}

// Random bytes, and honest signatures with one bit flipped anywhere, get
// crypto/ed25519's verdict.
func TestDeviceKeyFlippedBits(t *testing.T) {
	var a edKey
	a.generate(t)
	k, err := NewDeviceKey(a.pub)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte(`{"id":"0190b6a2-0000-7000-8000-000000000001","type":"note"}`)
	sig := ed25519.Sign(a.priv, msg)
	if !k.Verify(msg, sig) {
		t.Fatal("an honest signature does not verify")
	}
	for bit := range 8 * len(sig) {
		bad := append([]byte{}, sig...)
		bad[bit/8] ^= 1 << (bit % 8)
		if k.Verify(msg, bad) != ed25519.Verify(a.pub, msg, bad) {
			t.Fatalf("bit %d of the signature flipped: verdicts differ", bit)
		}
		if k.Verify(msg, bad) {
			t.Fatalf("bit %d of the signature flipped and it still verifies", bit)
		}
	}
	for bit := range 8 * len(msg) {
		bad := append([]byte{}, msg...)
		bad[bit/8] ^= 1 << (bit % 8)
		if k.Verify(bad, sig) {
			t.Fatalf("bit %d of the body flipped and the signature still verifies", bit)
		}
	}
	for range 200 {
		pub, sig := make([]byte, 32), make([]byte, 64)
		rand.Read(pub)
		rand.Read(sig)
		k, err := NewDeviceKey(pub)
		if got := err == nil && k.Verify(msg, sig); got != seal.Verify(pub, msg, sig) {
			t.Fatalf("random key %x and signature %x: verdicts differ", pub, sig)
		}
	}
	if (DeviceKey{}).Verify(msg, sig) {
		t.Fatal("the zero DeviceKey verified a signature")
	}
	for _, pub := range [][]byte{nil, make([]byte, 31), make([]byte, 33)} {
		if _, err := NewDeviceKey(pub); err == nil {
			t.Fatalf("a %d-byte key was taken", len(pub))
		}
	}
}

func BenchmarkDeviceKey(b *testing.B) {
	var a edKey
	a.generate(b)
	msg := make([]byte, 600)
	sig := ed25519.Sign(a.priv, msg)
	b.Run("DeviceKey", func(b *testing.B) {
		k, err := NewDeviceKey(a.pub)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if !k.Verify(msg, sig) {
				b.Fatal("does not verify")
			}
		}
	})
	b.Run("expand", func(b *testing.B) {
		for b.Loop() {
			if _, err := NewDeviceKey(a.pub); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("crypto-ed25519", func(b *testing.B) {
		for b.Loop() {
			if !seal.Verify(a.pub, msg, sig) {
				b.Fatal("does not verify")
			}
		}
	})
}

// edKey is an Ed25519 key with its secret scalar, to sign what an honest
// signer never would.
type edKey struct {
	pub    []byte
	priv   ed25519.PrivateKey
	secret *scalar.Scalar
	point  *curve.EdwardsPoint
}

func (k *edKey) generate(tb testing.TB) {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	h := sha512.Sum512(priv.Seed())
	h[0] &= 248
	h[31] &= 127
	h[31] |= 64
	k.secret, err = scalar.NewFromBytesModOrder(h[:32])
	if err != nil {
		tb.Fatal(err)
	}
	k.point = curve.NewEdwardsPoint().MulBasepoint(curve.ED25519_BASEPOINT_TABLE, k.secret)
	if hex.EncodeToString(encode(k.point)) != hex.EncodeToString(pub) {
		tb.Fatal("the secret scalar does not give the public key")
	}
	k.pub, k.priv = pub, priv
}

// signWithR signs m with R = [r]B + t: the equation holds once both
// sides are multiplied by the cofactor, not as crypto/ed25519 checks it.
func (k *edKey) signWithR(tb testing.TB, m []byte, t *curve.EdwardsPoint) []byte {
	tb.Helper()
	r := randomScalar(tb)
	R := curve.NewEdwardsPoint().MulBasepoint(curve.ED25519_BASEPOINT_TABLE, r)
	R.Add(R, t)
	return k.finish(tb, encode(R), k.pub, r, m)
}

// signAsMixed signs m as the holder of the mixed-order key A + t would,
// with an honest R: crypto/ed25519 accepts it when the challenge kills t.
func (k *edKey) signAsMixed(tb testing.TB, m []byte, t *curve.EdwardsPoint) []byte {
	tb.Helper()
	r := randomScalar(tb)
	R := curve.NewEdwardsPoint().MulBasepoint(curve.ED25519_BASEPOINT_TABLE, r)
	return k.finish(tb, encode(R), encode(curve.NewEdwardsPoint().Add(k.point, t)), r, m)
}

// finish computes S = r + H(R ‖ A ‖ m)·a.
func (k *edKey) finish(tb testing.TB, rEnc, aEnc []byte, r *scalar.Scalar, m []byte) []byte {
	tb.Helper()
	h := sha512.New()
	h.Write(rEnc)
	h.Write(aEnc)
	h.Write(m)
	c, err := scalar.NewFromBytesModOrderWide(h.Sum(nil))
	if err != nil {
		tb.Fatal(err)
	}
	s := scalar.New().Mul(c, k.secret)
	s.Add(s, r)
	return append(append([]byte{}, rEnc...), scalarBytes(s)...)
}

func randomScalar(tb testing.TB) *scalar.Scalar {
	tb.Helper()
	s, err := scalar.New().SetRandom(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// torsionPoints finds the eight points of small order as [L]P of random
// points P: L kills P's prime-order part and leaves its torsion.
func torsionPoints(tb testing.TB) []*curve.EdwardsPoint {
	tb.Helper()
	lMinus1 := scalar.New().Neg(scalar.One())
	seen := map[string]*curve.EdwardsPoint{}
	for i := 0; len(seen) < 8 && i < 10000; i++ {
		var b [32]byte
		rand.Read(b[:])
		c, err := curve.NewCompressedEdwardsYFromBytes(b[:])
		if err != nil {
			tb.Fatal(err)
		}
		p, err := curve.NewEdwardsPoint().SetCompressedY(c)
		if err != nil {
			continue // not on the curve
		}
		t := curve.NewEdwardsPoint().Mul(p, lMinus1)
		t.Add(t, p)
		if !t.IsSmallOrder() {
			tb.Fatal("[L]P is not of small order")
		}
		seen[string(encode(t))] = t
	}
	out := make([]*curve.EdwardsPoint, 0, len(seen))
	out = append(out, curve.NewEdwardsPoint().Identity())
	for _, t := range seen {
		if !t.IsIdentity() {
			out = append(out, t)
		}
	}
	return out
}

// nonCanonical returns the encodings of y + p for y < 19, with either
// sign bit: the field elements that have two encodings.
func nonCanonical() [][]byte {
	var out [][]byte
	for y := range 19 {
		enc := make([]byte, 32)
		// p = 2^255 - 19: y + p is 0xed + y in the low byte, 0xff
		// above it and 0x7f on top.
		enc[0] = byte(0xed + y)
		for i := 1; i < 31; i++ {
			enc[i] = 0xff
		}
		enc[31] = 0x7f
		neg := append([]byte{}, enc...)
		neg[31] |= 0x80
		out = append(out, enc, neg)
	}
	return out
}

func encode(p *curve.EdwardsPoint) []byte {
	var c curve.CompressedEdwardsY
	c.SetEdwardsPoint(p)
	return append([]byte{}, c[:]...)
}

func scalarBytes(s *scalar.Scalar) []byte {
	b, err := s.MarshalBinary()
	if err != nil {
		panic(err) // a scalar always has its 32 bytes
	}
	return b
}

// orderBytes is L, the group's order, little-endian.
func orderBytes() []byte {
	return addToL(make([]byte, 32))
}

// addToL returns s + L, little-endian in 32 bytes: the same scalar, not
// reduced.
func addToL(s []byte) []byte {
	l, _ := hex.DecodeString("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
	out := make([]byte, 32)
	carry := 0
	for i := range 32 {
		v := int(s[i]) + int(l[i]) + carry
		out[i], carry = byte(v), v>>8
	}
	return out
}
