package server

import (
	"testing"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

func TestPriorityList(t *testing.T) {
	e := newEnv(t)
	var pr wire.PriorityResponse
	if code, raw := e.call("GET", "/api/v1/priority", e.login("kari").Token, nil, &pr); code != 200 || len(pr.Patients) != 40 {
		t.Fatalf("%d %s", code, raw)
	}
	for i := 1; i < len(pr.Patients); i++ {
		if pr.Patients[i].Patient.Priority < pr.Patients[i-1].Patient.Priority {
			t.Fatalf("priority %d after %d", pr.Patients[i].Patient.Priority, pr.Patients[i-1].Patient.Priority)
		}
	}
	if pr.Patients[0].Patient.Priority != care.PriorityVital || pr.Patients[0].FirstVisit == nil || pr.Patients[0].Worker == "" {
		t.Fatalf("first entry %+v", pr.Patients[0])
	}
	unit := pr.Patients[0].Patient.UnitID
	e.call("GET", "/api/v1/priority?unit="+unit, e.login("admin").Token, nil, &pr)
	if len(pr.Patients) != 20 {
		t.Fatalf("one unit: %d", len(pr.Patients))
	}
}
