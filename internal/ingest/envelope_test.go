package ingest

import (
	"encoding/json"
	"reflect"
	"testing"

	"beredskap/internal/wire"
)

// envelopeCases are envelopes in the form phones write and in every form
// near it that encoding/json reads differently or refuses.
var envelopeCases = []string{
	`{"body":"eyJpZCI6IngifQ==","sig":"c2lnbmF0dXJl"}`,
	`{"body":"","sig":""}`,
	`{"body":"eA==","sig":"eA=="}`,
	`{"body":"eA","sig":"eA=="}`,                 // unpadded: refused
	`{"body":"e=A=","sig":"eA=="}`,               // padding inside: refused
	`{"body":"eA==","sig":"eA=="} `,              // trailing space: accepted
	`{"body":"eA==","sig":"eA=="}x`,              // trailing data: refused
	`{ "body":"eA==","sig":"eA=="}`,              // white space
	`{"sig":"eA==","body":"eA=="}`,               // other order
	`{"Body":"eA==","SIG":"eA=="}`,               // keys in other case
	`{"body":"eA==","body":"eQ==","sig":"eA=="}`, // a key twice
	`{"body":"eA==","sig":"eA==","x":1}`,         // another field
	`{"body":"e\u0041==","sig":"eA=="}`,          // an escape
	`{"body":"e\/A=","sig":"eA=="}`,              // an escaped slash
	"{\"body\":\"eA=\n=\",\"sig\":\"eA==\"}",     // a raw newline
	"{\"body\":\"eA=\\n=\",\"sig\":\"eA==\"}",    // an escaped newline
	"{\"body\":\"eA\r\n==\",\"sig\":\"eA==\"}",   // raw line breaks, which base64 skips
	"{\"body\":\"eA==\",\"sig\":\"eA=\r=\"}",     // a raw carriage return in the signature
	"{\"body\":\"eA\t==\",\"sig\":\"eA==\"}",     // a raw tab
	`{"body":"eA=="x,"sig":"eA=="}`,              // data after the string
	`{"body":null,"sig":"eA=="}`,
	`{"body":"eA==","sig":"eA=="`,
	`{"body":"eA==","sig":"eA==}`,
	`{"body":"eA==",sig:"eA=="}`,
	`{"body":"eA=="}`,
	`["eA==","eA=="]`,
	`{"body":"eA==","sig":"eA=="}{}`,
	``,
}

// The envelope decodes as encoding/json decodes it, whatever its form:
// the same body and signature when json accepts it, an error when json
// refuses it.
func TestDecodeEnvelopeAsJSON(t *testing.T) {
	for _, c := range envelopeCases {
		sameAsJSON(t, []byte(c))
	}
}

// The phones' own form takes the direct path.
func TestDecodeEnvelopePlainForm(t *testing.T) {
	b, err := json.Marshal(wire.SignedRecord{Body: []byte(`{"id":"x","text":"ø"}`), Sig: make([]byte, 64)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := plainEnvelope(b); !ok {
		t.Fatalf("%s did not take the direct path", b)
	}
	sameAsJSON(t, b)
}

func FuzzDecodeEnvelope(f *testing.F) {
	for _, c := range envelopeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(sameAsJSON)
}

func sameAsJSON(t *testing.T, b []byte) {
	t.Helper()
	var want wire.SignedRecord
	wantErr := json.Unmarshal(b, &want)
	got, err := decodeEnvelope(b)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: error %v, json: %v", b, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: %#v, json: %#v", b, got, want)
	}
}
