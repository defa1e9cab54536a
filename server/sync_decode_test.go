package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"beredskap/internal/wire"
)

const (
	decDevice = "0190b6a2-0000-7000-8000-0000000000d1"
	decRecord = "0190b6a2-0000-7000-8000-000000000001"
)

// syncBodies are sync request bodies in the form phones send and in
// every form near it that encoding/json reads differently or refuses.
func syncBodies() []string {
	plain, _ := json.Marshal(wire.SyncRequest{DeviceID: decDevice, Records: []wire.SealedRecord{
		{ID: decRecord, Sealed: []byte("sealed box one")}, {ID: "x", Sealed: []byte{0, 1, 2, 0xff}}}})
	rec := `{"id":"` + decRecord + `","sealed":"eA=="}`
	head := `{"device_id":"` + decDevice + `","records":[`
	return []string{
		string(plain),
		head + rec + `]}`,
		head + rec + `,` + rec + `]}`,    // one id twice
		head + `{"id":"","sealed":""}]}`, // empty strings
		head + rec + `]} `,               // trailing white space
		head + rec + `]}x`,               // trailing data
		head + rec + `]}{}`,              // a second value
		head + rec + `,]}`,               // trailing comma
		head + rec + `]`,                 // cut short
		head + `]}`,                      // no records
		`{"device_id":"` + decDevice + `","records":null}`,
		`{"device_id":"` + decDevice + `"}`,
		`{"records":[` + rec + `],"device_id":"` + decDevice + `"}`, // other order
		`{"Device_ID":"` + decDevice + `","records":[` + rec + `]}`, // other case
		`{ "device_id":"` + decDevice + `","records":[` + rec + `]}`,
		head + `{"id":"` + decRecord + `","sealed":"eA==","x":1}]}`, // unknown field
		`{"device_id":"` + decDevice + `","x":1,"records":[` + rec + `]}`,
		head + `{"sealed":"eA==","id":"` + decRecord + `"}]}`,
		head + `{"id":"` + decRecord + `","sealed":"eA"}]}`,             // unpadded
		head + `{"id":"` + decRecord + `","sealed":"%%%"}]}`,            // not base64
		head + `{"id":"` + decRecord + `","sealed":"eA=\n="}]}`,         // escaped newline
		head + "{\"id\":\"" + decRecord + "\",\"sealed\":\"eA=\n=\"}]}", // raw newline
		head + `{"id":"` + decRecord + `","sealed":null}]}`,
		head + `{"id":"` + decRecord + `","sealed":12}]}`,
		head + `{"id":"\u0030190","sealed":"eA=="}]}`,    // an escape in an id
		head + `{"id":"ø","sealed":"eA=="}]}`,            // non-ASCII id
		head + "{\"id\":\"\xff\",\"sealed\":\"eA==\"}]}", // invalid UTF-8
		head + "{\"id\":\"a\tb\",\"sealed\":\"eA==\"}]}", // a control character
		`{"device_id":12,"records":[` + rec + `]}`,
		`{"device_id":"` + decDevice + `","device_id":"other","records":[` + rec + `]}`,
		// Sync health's optional fields after the records.
		head + rec + `],"outbox":{"waiting":2,"oldest_waiting":"2026-12-01T08:00:00Z"},"read":[{"id":"a1","at":"2026-12-01T09:00:00Z"}]}`,
		head + rec + `],"outbox":{"waiting":0}}`,
		head + rec + `],"read":[]}`,
		head + rec + `],"outbox":null}`,
		head + rec + `],"Outbox":{"waiting":1}}`,                        // other case
		head + rec + `],"outbox":{"waiting":1},"outbox":{"waiting":3}}`, // a key twice
		head + rec + `],"outbox":{"waiting":1,"x":2}}`,                  // an unknown field inside
		head + rec + `],"x":1}`,                                         // an unknown field after
		head + rec + `],"device_id":"other"}`,                           // the device again
		head + rec + `],"records":[]}`,                                  // the records again
		head + rec + `],"outbox":{"waiting":"2"}}`,                      // a string count
		head + rec + `],"outbox":{"waiting":1}`,                         // cut short
		head + rec + `],"outbox":{"waiting":1}} {}`,                     // a second value
		head + rec + `],}`,                                              // trailing comma
		head + `],"outbox":{"waiting":1}}`,                              // no records
		`{"device_id":`,
		`[]`,
		`null`,
		``,
		head + rec + `]}` + strings.Repeat(" ", int(wire.MaxSyncBytes)),                                      // too large after the value
		head + `{"id":"` + decRecord + `","sealed":"` + strings.Repeat("A", int(wire.MaxSyncBytes)) + `"}]}`, // too large
		`{"device_id":x` + strings.Repeat(" ", int(wire.MaxSyncBytes)),                                       // broken, then too large
	}
}

// The sync request decodes as decode decodes it, whatever the body: the
// same request when decode accepts it, the same error answer (code,
// message, key and arguments) when it refuses it.
func TestDecodeSyncAsDecode(t *testing.T) {
	for _, body := range syncBodies() {
		sameAsDecode(t, []byte(body))
	}
}

// The phones' own form takes the direct path.
func TestDecodeSyncPlainForm(t *testing.T) {
	b, err := json.Marshal(wire.SyncRequest{DeviceID: decDevice, Records: []wire.SealedRecord{{ID: decRecord, Sealed: []byte("box")}}})
	if err != nil {
		t.Fatal(err)
	}
	var req wire.SyncRequest
	if !plainSyncRequest(b, &req) {
		t.Fatalf("%s did not take the direct path", b)
	}
	sameAsDecode(t, b)

	// With sync health's report and read marks, as a phone sends them.
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	b, err = json.Marshal(wire.SyncRequest{DeviceID: decDevice, Records: []wire.SealedRecord{{ID: decRecord, Sealed: []byte("box")}},
		Outbox: &wire.OutboxReport{Waiting: 3, OldestWaiting: &at}, Read: []wire.AnnouncementRead{{ID: "a1", At: at}}})
	if err != nil {
		t.Fatal(err)
	}
	req = wire.SyncRequest{}
	if !plainSyncRequest(b, &req) || req.Outbox == nil || req.Outbox.Waiting != 3 || len(req.Read) != 1 {
		t.Fatalf("%s did not take the direct path: %+v", b, req)
	}
	sameAsDecode(t, b)
}

func FuzzDecodeSync(f *testing.F) {
	for _, body := range syncBodies() {
		if len(body) < 4096 {
			f.Add([]byte(body))
		}
	}
	f.Fuzz(sameAsDecode)
}

func sameAsDecode(t *testing.T, body []byte) {
	t.Helper()
	read := func(fn func(w http.ResponseWriter, r *http.Request, req *wire.SyncRequest) error) (wire.SyncRequest, error) {
		r := httptest.NewRequest("POST", "/api/v1/sync", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var req wire.SyncRequest
		err := fn(httptest.NewRecorder(), r, &req)
		return req, err
	}
	want, wantErr := read(func(w http.ResponseWriter, r *http.Request, req *wire.SyncRequest) error {
		return decode(w, r, wire.MaxSyncBytes, req)
	})
	got, err := read(decodeSync)
	short := body
	if len(short) > 200 {
		short = short[:200]
	}
	if !reflect.DeepEqual(err, wantErr) {
		t.Fatalf("%q: error %v, decode: %v", short, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: %#v, decode: %#v", short, got, want)
	}
}
