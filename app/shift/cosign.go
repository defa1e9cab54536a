package shift

import (
	"time"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// Co-signing on the co-signer's own phone (care/cosign.go): the giver's
// phone makes a code for a dose that needs a second signature and keeps it
// in the administration; the co-signer types it on hers, which finds the
// dose in its own bundle (the code tags its patient and dose) and writes a
// cosign record. Both work offline; the server links the two.

// CosignDose is a dose the co-signer's bundle holds that a code names.
type CosignDose struct {
	Patient    care.Patient
	ScheduleID string
	PRNID      string
	Medication string
	Dose       string
	Route      string
	// Due is the scheduled dose's time; zero for an as-needed dose.
	Due time.Time
}

// CosignCode returns a new code for a dose of the patient that needs a
// second signature: the scheduled dose's id, or the PRN medication's.
func CosignCode(patientID, scheduleID, prnID string) string {
	return care.NewCosignCode(patientID, care.CosignDoseRef(scheduleID, prnID))
}

// FindCosignDoses returns the doses of the bundle a code was made for:
// scheduled doses that need a second signature and controlled PRN
// medications, of any patient the bundle holds (own list and unit part).
// Nearly always one; more only when two doses' tags meet, and the
// co-signer then picks by what she sees. A code that is not a code (a
// character typed wrong) finds none.
func FindCosignDoses(b *wire.Bundle, code string) []CosignDose {
	if b == nil || !care.IsCosignCode(code) {
		return nil
	}
	var out []CosignDose
	for _, d := range b.Medications {
		if !d.NeedsCosign() || !care.CosignCodeFor(code, d.PatientID, care.CosignDoseRef(d.ID, "")) {
			continue
		}
		pt, _ := b.Patient(d.PatientID)
		out = append(out, CosignDose{Patient: pt, ScheduleID: d.ID, Medication: d.Medication, Dose: d.Dose, Route: d.Route, Due: d.Due})
	}
	for _, pt := range b.Patients {
		for _, m := range pt.PRN {
			if m.Controlled && care.CosignCodeFor(code, pt.ID, care.CosignDoseRef("", m.ID)) {
				out = append(out, CosignDose{Patient: pt, PRNID: m.ID, Medication: m.Medication, Dose: m.Dose, Route: m.Route})
			}
		}
	}
	return out
}

// CosignRecord is the cosign record the co-signer's phone writes for a
// dose found by its code, with her signature (SVG path data); the outbox
// fills in its id, device, author, number and time, and signs it.
func CosignRecord(d CosignDose, code, signature string) care.Record {
	return care.Record{Type: care.RecordCosign, PatientID: d.Patient.ID, ScheduleID: d.ScheduleID, PRNID: d.PRNID,
		Medication: d.Medication, Dose: d.Dose, CosignCode: code, SignatureSVG: signature}
}

// WaitingCosigns returns the phone's own administrations of the patient
// that showed a code, newest first, so that the visit shows the code again
// while the co-signer has not signed (the giver's phone does not learn
// when she has: her record goes to the server, not here).
func WaitingCosigns(local []LocalRecord, patientID string) []LocalRecord {
	var out []LocalRecord
	for i := len(local) - 1; i >= 0; i-- {
		r := local[i]
		if r.Type == care.RecordMedication && r.PatientID == patientID && r.CosignCode != "" && r.State != OutboxRejected {
			out = append(out, r)
		}
	}
	return out
}
