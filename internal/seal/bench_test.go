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
