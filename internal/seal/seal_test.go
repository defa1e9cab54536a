package seal

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The XChaCha20-Poly1305 vector of draft-irtf-cfrg-xchacha-03, appendix A.3.1.
func TestXChaChaKnownAnswer(t *testing.T) {
	key := mustHex(t, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
	nonce := mustHex(t, "404142434445464748494a4b4c4d4e4f5051525354555657")
	ad := mustHex(t, "50515253c0c1c2c3c4c5c6c7")
	pt := []byte("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.")
	want := mustHex(t, "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e"+
		"c0875924c1c7987947deafd8780acf49")
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		t.Fatal(err)
	}
	got := aead.Seal(nil, nonce, pt, ad)
	if !bytes.Equal(got, want) {
		t.Fatalf("ciphertext differs from the published vector:\n got %x\nwant %x", got, want)
	}
	// Open must accept the vector in Seal's layout (nonce first).
	opened, err := Open(key, append(append([]byte{}, nonce...), want...), ad)
	if err != nil || !bytes.Equal(opened, pt) {
		t.Fatalf("Open(vector) = %q, %v", opened, err)
	}
}

// RFC 8032 §7.1, test 1.
func TestEd25519KnownAnswer(t *testing.T) {
	seed := mustHex(t, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	pub := mustHex(t, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
	want := mustHex(t, "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
	priv := ed25519.NewKeyFromSeed(seed)
	sig, err := Sign(priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sig, want) {
		t.Fatalf("signature %x, want %x", sig, want)
	}
	if !Verify(pub, nil, sig) {
		t.Fatal("published signature does not verify")
	}
}

// The Argon2id vector of the reference implementation's test suite
// (v=0x13, t=2, m=2^16 KiB, p=1, "password", "somesalt").
func TestArgon2idKnownAnswer(t *testing.T) {
	got := argon2.IDKey([]byte("password"), []byte("somesalt"), 2, 1<<16, 1, 32)
	want := mustHex(t, "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7")
	if !bytes.Equal(got, want) {
		t.Fatalf("argon2id %x, want %x", got, want)
	}
}

func TestSealOpen(t *testing.T) {
	key, _ := NewKey()
	other, _ := NewKey()
	ad := AssociatedData("user-1", "device-1", "bundle")
	sealed, err := Seal(key, []byte("person card"), ad)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte{}, sealed...)
	flipped[len(flipped)-1] ^= 1
	nonceFlipped := append([]byte{}, sealed...)
	nonceFlipped[0] ^= 0x80

	cases := []struct {
		name   string
		key    []byte
		sealed []byte
		ad     []byte
		ok     bool
	}{
		{"round trip", key, sealed, ad, true},
		{"wrong key", other, sealed, ad, false},
		{"wrong purpose", key, sealed, AssociatedData("user-1", "device-1", "outbox"), false},
		{"wrong device", key, sealed, AssociatedData("user-1", "device-2", "bundle"), false},
		{"tampered tag", key, flipped, ad, false},
		{"tampered nonce", key, nonceFlipped, ad, false},
		{"truncated", key, sealed[:len(sealed)-1], ad, false},
		{"shorter than nonce", key, sealed[:10], ad, false},
		{"empty", key, nil, ad, false},
		{"short key", key[:16], sealed, ad, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pt, err := Open(c.key, c.sealed, c.ad)
			if c.ok {
				if err != nil || string(pt) != "person card" {
					t.Fatalf("Open = %q, %v", pt, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Open succeeded on %s", c.name)
			}
		})
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	key, _ := NewKey()
	a, _ := Seal(key, []byte("x"), nil)
	b, _ := Seal(key, []byte("x"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same message are identical: nonce reused")
	}
}

func TestAssociatedDataIsUnambiguous(t *testing.T) {
	if bytes.Equal(AssociatedData("ab", "c", "d"), AssociatedData("a", "bc", "d")) {
		t.Fatal("different triples give the same associated data")
	}
}

// testKDF keeps unit tests fast; DefaultKDF is measured in the browser.
var testKDF = KDF{Time: 2, MemoryKiB: 19 << 10, Threads: 1}

func TestWrapUnwrap(t *testing.T) {
	dk, _ := NewKey()
	ad := AssociatedData("u", "d", "data-key")
	w, err := WrapKey(dk, "123456", testKDF, nil, ad)
	if err != nil {
		t.Fatal(err)
	}
	hw := bytes.Repeat([]byte{7}, 32)
	whw, err := WrapKey(dk, "123456", testKDF, hw, ad)
	if err != nil {
		t.Fatal(err)
	}
	// Phones wrapped their key under 64 MiB before the default changed;
	// the parameters travel with the key, so those shifts still open.
	former, err := WrapKey(dk, "123456", KDF{Time: 3, MemoryKiB: 64 << 10, Threads: 1}, nil, ad)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		w    *WrappedKey
		pin  string
		hw   []byte
		ad   []byte
		want error
	}{
		{"right PIN", w, "123456", nil, ad, nil},
		{"wrong PIN", w, "123457", nil, ad, ErrWrongPIN},
		{"wrapped under the former 64 MiB default", former, "123456", nil, ad, nil},
		{"wrong associated data", w, "123456", nil, AssociatedData("u", "other", "data-key"), ErrWrongPIN},
		{"hardware: right PIN and secret", whw, "123456", hw, ad, nil},
		{"hardware: secret missing", whw, "123456", nil, ad, ErrWrongPIN},
		{"hardware: wrong PIN", whw, "000000", hw, ad, ErrWrongPIN},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := UnwrapKey(c.w, c.pin, c.hw, c.ad)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if c.want == nil && !bytes.Equal(got, dk) {
				t.Fatal("unwrapped key differs")
			}
		})
	}
}

// The phone's parameters stay above the floor that wrapping and
// unwrapping enforce, with one lane (wasm runs one thread).
func TestDefaultKDFAboveFloor(t *testing.T) {
	if err := DefaultKDF.Check(); err != nil {
		t.Fatal(err)
	}
	if DefaultKDF.MemoryKiB < MinKDF.MemoryKiB || DefaultKDF.Time < MinKDF.Time || DefaultKDF.Threads != 1 {
		t.Fatalf("DefaultKDF %+v is below %+v or has more than one lane", DefaultKDF, MinKDF)
	}
}

func TestWrapKeyRefusesWeakInput(t *testing.T) {
	dk, _ := NewKey()
	cases := []struct {
		name string
		pin  string
		kdf  KDF
		key  []byte
	}{
		{"short PIN", "12345", testKDF, dk},
		{"letters", "12345a", testKDF, dk},
		{"too little memory", "123456", KDF{Time: 3, MemoryKiB: 8 << 10, Threads: 1}, dk},
		{"one pass", "123456", KDF{Time: 1, MemoryKiB: 64 << 10, Threads: 1}, dk},
		{"absurd memory", "123456", KDF{Time: 3, MemoryKiB: 4 << 20, Threads: 1}, dk},
		{"short data key", "123456", testKDF, dk[:31]},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := WrapKey(c.key, c.pin, c.kdf, nil, nil); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestUnwrapRefusesTamperedParameters(t *testing.T) {
	dk, _ := NewKey()
	w, err := WrapKey(dk, "123456", testKDF, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		mutate func(*WrappedKey)
	}{
		{"memory lowered", func(w *WrappedKey) { w.KDF.MemoryKiB = 1024 }},
		{"memory raised to exhaust the phone", func(w *WrappedKey) { w.KDF.MemoryKiB = 1 << 30 }},
		{"salt cut", func(w *WrappedKey) { w.Salt = w.Salt[:4] }},
		{"sealed cut", func(w *WrappedKey) { w.Sealed = w.Sealed[:8] }},
		{"unknown version", func(w *WrappedKey) { w.Version = 9 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cp := *w
			cp.Salt = append([]byte{}, w.Salt...)
			c.mutate(&cp)
			if _, err := UnwrapKey(&cp, "123456", nil, nil); err == nil {
				t.Fatal("unwrapped a tampered key")
			}
		})
	}
	if _, err := UnwrapKey(nil, "123456", nil, nil); err == nil {
		t.Fatal("unwrapped nil")
	}
}

func TestSignVerify(t *testing.T) {
	pub, priv, err := NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	otherPub, _, _ := NewSigningKey()
	msg := []byte(`{"id":"x"}`)
	sig, err := Sign(priv, msg)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte{}, sig...)
	bad[3] ^= 1
	cases := []struct {
		name     string
		pub, msg []byte
		sig      []byte
		ok       bool
	}{
		{"valid", pub, msg, sig, true},
		{"other key", otherPub, msg, sig, false},
		{"changed message", pub, []byte(`{"id":"y"}`), sig, false},
		{"changed signature", pub, msg, bad, false},
		{"short signature", pub, msg, sig[:10], false},
		{"short key", pub[:5], msg, sig, false},
		{"nothing", nil, nil, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Verify(c.pub, c.msg, c.sig); got != c.ok {
				t.Fatalf("Verify = %v", got)
			}
		})
	}
	if _, err := Sign(priv[:10], msg); err == nil {
		t.Fatal("Sign accepted a short key")
	}
}

func TestSealedBox(t *testing.T) {
	pub, priv, err := NewBoxKey()
	if err != nil {
		t.Fatal(err)
	}
	opub, opriv, _ := NewBoxKey()
	sealed, err := SealTo(pub, []byte("note"))
	if err != nil {
		t.Fatal(err)
	}
	cut := sealed[:len(sealed)-2]
	flipped := append([]byte{}, sealed...)
	flipped[40] ^= 1
	lowOrder := append(make([]byte, BoxKeySize), sealed[BoxKeySize:]...) // ephemeral key 0: X25519 gives all zeros
	cases := []struct {
		name      string
		pub, priv []byte
		sealed    []byte
		ok        bool
	}{
		{"round trip", pub, priv, sealed, true},
		{"other recipient", opub, opriv, sealed, false},
		{"truncated", pub, priv, cut, false},
		{"tampered", pub, priv, flipped, false},
		{"tiny", pub, priv, []byte{1, 2, 3}, false},
		{"low-order ephemeral key", pub, priv, lowOrder, false},
		{"bad key length", pub[:3], priv, sealed, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := OpenBox(c.pub, c.priv, c.sealed)
			if c.ok != (err == nil) {
				t.Fatalf("OpenBox err = %v", err)
			}
			if c.ok && string(got) != "note" {
				t.Fatalf("got %q", got)
			}
			// The server's opener must agree with OpenBox on every box.
			o, err := NewBoxOpener(c.pub, c.priv)
			if err != nil {
				if len(c.pub) == BoxKeySize {
					t.Fatalf("NewBoxOpener: %v", err)
				}
				return
			}
			got2, err := o.Open(c.sealed)
			if c.ok != (err == nil) || string(got2) != string(got) {
				t.Fatalf("BoxOpener.Open = %q, %v; OpenBox = %q", got2, err, got)
			}
		})
	}
	if _, err := SealTo(pub[:31], []byte("x")); err == nil {
		t.Fatal("SealTo accepted a short key")
	}
}

func TestRecordEnvelope(t *testing.T) {
	devPub, devPriv, _ := NewSigningKey()
	boxPub, boxPriv, _ := NewBoxKey()
	body := []byte(`{"id":"018f0000-0000-7000-8000-000000000000","type":"note"}`)
	sealed, err := SealRecord(body, devPriv, boxPub)
	if err != nil {
		t.Fatal(err)
	}
	env, err := OpenRecord(sealed, boxPub, boxPriv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(env.Body, body) || !Verify(devPub, env.Body, env.Sig) {
		t.Fatal("envelope does not carry the signed body")
	}
	notJSON, _ := SealTo(boxPub, []byte("not json"))
	noSig, _ := SealTo(boxPub, []byte(`{"body":"eA=="}`))
	for name, s := range map[string][]byte{"not json": notJSON, "no signature": noSig, "garbage": []byte("xyz")} {
		if _, err := OpenRecord(s, boxPub, boxPriv); err == nil {
			t.Errorf("%s: OpenRecord succeeded", name)
		}
	}
}

func TestCheckPIN(t *testing.T) {
	cases := map[string]bool{"123456": true, "12345678901234": true, "12345": false, "": false, "12 456": false, "１２３４５６": false}
	for pin, ok := range cases {
		if (CheckPIN(pin) == nil) != ok {
			t.Errorf("CheckPIN(%q) ok=%v", pin, !ok)
		}
	}
}
