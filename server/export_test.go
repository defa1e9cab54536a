package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"beredskap/internal/store"
	"beredskap/internal/wire"
)

func TestExports(t *testing.T) {
	e := newEnv(t)
	synced(t, e)
	tok := e.login("admin").Token
	code, raw := e.call("GET", "/api/v1/export/csv", tok, nil, nil)
	if code != 200 || strings.Count(string(raw), "\n") != 7 || !strings.HasPrefix(string(raw), "id,type,state,") {
		t.Fatalf("csv %d %s", code, raw)
	}
	code, raw = e.call("GET", "/api/v1/export/fhir?type=note", tok, nil, nil)
	if code != 200 {
		t.Fatalf("fhir %d %s", code, raw)
	}
	b, err := fhir.UnmarshalBundle(raw)
	if err != nil || len(b.Entry) != 6 {
		t.Fatalf("bundle %v, %v", len(b.Entry), err)
	}
	var head struct{ ResourceType string }
	json.Unmarshal(b.Entry[0].Resource, &head)
	if head.ResourceType != "Communication" {
		t.Fatalf("resource %s", head.ResourceType)
	}
	var ar wire.AuditResponse
	e.call("GET", "/api/v1/audit", tok, nil, &ar)
	exports := 0
	for _, en := range ar.Entries {
		if en.Action == store.AuditExport {
			exports++
		}
	}
	if exports != 2 {
		t.Fatalf("%d export entries in the audit log", exports)
	}
}
