package demo

import (
	"testing"
	"time"

	"beredskap/internal/care"
)

// TestDemoPRNFollowsTheRules: every demo patient's as-needed medications
// pass the import's rules, so that the demo shows what an import allows.
func TestDemoPRNFollowsTheRules(t *testing.T) {
	m := Build(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), time.UTC)
	n := 0
	for _, p := range m.Patients {
		if err := care.ValidatePRN(p.PRN); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		n += len(p.PRN)
	}
	if n < len(m.Patients) {
		t.Errorf("%d PRN medications for %d patients", n, len(m.Patients))
	}
}
