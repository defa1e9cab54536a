package seal

import (
	"testing"
)

// FuzzOpen feeds arbitrary bytes to every opener: none may panic, and none
// may accept bytes that were not sealed with the right key.
func FuzzOpen(f *testing.F) {
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(i)
	}
	boxPub, boxPriv, err := NewBoxKey()
	if err != nil {
		f.Fatal(err)
	}
	good, _ := Seal(key, []byte("seed"), []byte("ad"))
	goodBox, _ := SealTo(boxPub, []byte(`{"body":"eA==","sig":"eA=="}`))
	f.Add(good, []byte("ad"))
	f.Add(goodBox, []byte(""))
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, data, ad []byte) {
		if pt, err := Open(key, data, ad); err == nil {
			// Only a genuine seal opens; re-sealing must round-trip.
			again, _ := Seal(key, pt, ad)
			if _, err := Open(key, again, ad); err != nil {
				t.Fatal("re-seal does not open")
			}
		}
		_, _ = OpenBox(boxPub, boxPriv, data)
		_, _ = OpenRecord(data, boxPub, boxPriv)
	})
}
