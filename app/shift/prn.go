package shift

import (
	"slices"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// PRN doses on the phone: what the warnings before an as-needed dose
// count, and which doses wait for their effect to be evaluated. The rules
// themselves are care's (care.CheckPRNDose), which the desk's findings
// apply to the same doses once they have synced.

// PRNDose is an as-needed dose the phone knows of, from the bundle (the
// server's, given on any phone up to the bundle's issue) or from its own
// records (given on this phone since, sent or not).
type PRNDose struct {
	ID         string
	Medication string
	At         time.Time
	// Local says the phone's own records hold it.
	Local bool
}

// PRNDosesOf returns the doses of the patient's PRN medication m given in
// the 24 hours before at, from both sources, each once (a dose this phone
// gave and synced before the bundle was fetched is in both), oldest
// first. A dose counts by its drug, as the desk counts: the same drug
// under another PRN entry, or given without one, counts too.
func PRNDosesOf(b *wire.Bundle, local []LocalRecord, patientID string, m care.PRNMedication, at time.Time) []PRNDose {
	seen := map[string]bool{}
	var out []PRNDose
	add := func(d PRNDose) {
		if seen[d.ID] || !care.SameDrug(d.Medication, m.Medication) || at.Sub(d.At) >= 24*time.Hour {
			return
		}
		seen[d.ID] = true
		out = append(out, d)
	}
	for _, r := range local {
		if r.Type == care.RecordMedication && r.PatientID == patientID && r.PRNID != "" && r.Status == care.DoseGiven &&
			r.AdministeredAt != nil && r.State != OutboxRejected {
			add(PRNDose{ID: r.ID, Medication: r.Medication, At: *r.AdministeredAt, Local: true})
		}
	}
	if b != nil {
		for _, d := range b.PRNDoses {
			if d.PatientID == patientID {
				add(PRNDose{ID: d.ID, Medication: d.Medication, At: d.AdministeredAt})
			}
		}
	}
	slices.SortFunc(out, func(a, b PRNDose) int { return a.At.Compare(b.At) })
	return out
}

// CheckPRN applies the PRN medication's rules to a dose about to be given
// at at, counting the doses of PRNDosesOf: whether it comes inside the
// minimum interval after another, and whether it makes more than the
// maximum in 24 hours. The phone shows what it finds before saving and
// asks why the dose is given anyway.
func CheckPRN(b *wire.Bundle, local []LocalRecord, patientID string, m care.PRNMedication, at time.Time) care.PRNCheck {
	doses := PRNDosesOf(b, local, patientID, m, at)
	times := make([]time.Time, 0, len(doses))
	for _, d := range doses {
		times = append(times, d.At)
	}
	return care.CheckPRNDose(m, times, at)
}

// PendingEffect is a PRN dose this phone gave whose effect is not yet
// evaluated: due from DueAt, the medication's evaluation time after the
// dose.
type PendingEffect struct {
	Dose  LocalRecord
	DueAt time.Time
}

// Due reports whether the evaluation is due at now.
func (p PendingEffect) Due(now time.Time) bool { return !now.Before(p.DueAt) }

// PendingEffects returns the patient's PRN doses given on this phone with
// no prn_effect record evaluating them, oldest first; the evaluation time
// is the bundle's PRN medication's, or care.DefaultPRNEffectAfter when
// the bundle no longer has it.
func PendingEffects(b *wire.Bundle, local []LocalRecord, patientID string) []PendingEffect {
	evaluated := map[string]bool{}
	for _, r := range local {
		if r.Type == care.RecordPRNEffect && r.State != OutboxRejected {
			evaluated[r.AdministrationID] = true
		}
	}
	var pt care.Patient
	if b != nil {
		pt, _ = b.Patient(patientID)
	}
	var out []PendingEffect
	for _, r := range local {
		if r.Type != care.RecordMedication || r.PatientID != patientID || r.PRNID == "" || r.Status != care.DoseGiven ||
			r.AdministeredAt == nil || evaluated[r.ID] || r.State == OutboxRejected {
			continue
		}
		m, _ := pt.PRNByID(r.PRNID)
		out = append(out, PendingEffect{Dose: r, DueAt: r.AdministeredAt.Add(m.EffectAfter())})
	}
	slices.SortFunc(out, func(a, b PendingEffect) int { return a.DueAt.Compare(b.DueAt) })
	return out
}
