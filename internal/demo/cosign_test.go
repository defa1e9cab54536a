package demo

import (
	"testing"
	"time"
)

// TestDemoHasControlledDrugs: the demo plan marks controlled drugs, both
// scheduled and as needed, so that co-signing on the co-signer's own
// phone can be tried; ordinary drugs stay unmarked.
func TestDemoHasControlledDrugs(t *testing.T) {
	m := Build(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), time.UTC)
	doses, prns := 0, 0
	for _, d := range m.Doses {
		if d.Controlled {
			doses++
			if !d.NeedsCosign() {
				t.Errorf("controlled %s needs no co-signature", d.Medication)
			}
		}
		if d.Medication == "Paracet 1 g" && d.Controlled {
			t.Errorf("paracetamol marked controlled")
		}
	}
	for _, p := range m.Patients {
		for _, pr := range p.PRN {
			if pr.Controlled {
				prns++
			}
		}
	}
	if doses == 0 || prns == 0 {
		t.Errorf("%d controlled doses, %d controlled PRN medications in the demo", doses, prns)
	}
}
