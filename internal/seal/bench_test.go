package seal

import "testing"

// BenchmarkKEK measures one PIN guess against the phone's parameters: what
// an attacker with a copy of the phone's storage pays per try, natively.
func BenchmarkKEK(b *testing.B) {
	salt := make([]byte, 16)
	for b.Loop() {
		if _, err := KEK("123456", salt, DefaultKDF, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealRecord measures signing and sealing one record on the
// phone.
func BenchmarkSealRecord(b *testing.B) {
	_, dev, _ := NewSigningKey()
	pub, _, _ := NewBoxKey()
	body := make([]byte, 600)
	for b.Loop() {
		if _, err := SealRecord(body, dev, pub); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenRecord measures what the server pays to open one synced
// record's envelope, with OpenBox (x/crypto's OpenAnonymous) and with the
// server's BoxOpener.
func BenchmarkOpenRecord(b *testing.B) {
	pub, priv, _ := NewBoxKey()
	sealed, err := SealTo(pub, make([]byte, 1200))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("OpenBox", func(b *testing.B) {
		for b.Loop() {
			if _, err := OpenBox(pub, priv, sealed); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("BoxOpener", func(b *testing.B) {
		o, err := NewBoxOpener(pub, priv)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := o.Open(sealed); err != nil {
				b.Fatal(err)
			}
		}
	})
}
