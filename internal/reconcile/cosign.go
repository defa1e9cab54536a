package reconcile

import (
	"fmt"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Co-signatures (care/cosign.go). A dose that needs a second signature
// (a double-check dose, or a controlled drug) is linked to the cosign
// records that carry its code, patient and dose, whichever came first:
// the link is computed from the records each time, never stored, so that
// the order of arrival does not matter and a cosign voided by a
// coordinator counts no more.

// Linked reports whether the cosign record c co-signs the administration
// a: the same patient, the code a's phone showed, and the same dose.
func Linked(a, c store.StoredRecord) bool {
	return a.Type == care.RecordMedication && c.Type == care.RecordCosign && a.CosignCode != "" &&
		c.CosignCode == a.CosignCode && c.PatientID == a.PatientID && c.ScheduleID == a.ScheduleID && c.PRNID == a.PRNID
}

// CosignLinks returns, for each administration among recs, the cosign
// records among recs linked to it, by the administration's id.
func CosignLinks(recs []store.StoredRecord) map[string][]store.StoredRecord {
	type key struct{ patient, code string }
	byCode := map[key][]store.StoredRecord{}
	for _, r := range recs {
		if r.Type == care.RecordCosign && r.CosignCode != "" {
			k := key{r.PatientID, r.CosignCode}
			byCode[k] = append(byCode[k], r)
		}
	}
	out := map[string][]store.StoredRecord{}
	for _, a := range recs {
		if a.Type != care.RecordMedication || a.CosignCode == "" {
			continue
		}
		for _, c := range byCode[key{a.PatientID, a.CosignCode}] {
			if Linked(a, c) {
				out[a.ID] = append(out[a.ID], c)
			}
		}
	}
	return out
}

// Cosign problems: why a linked cosign does not verify the dose.
const (
	CosignVerified    = ""
	CosignSelf        = "self"     // the giver co-signed her own dose
	CosignNotNurse    = "role"     // her role may not co-sign
	CosignOutsideUnit = "unit"     // no shift of hers that listed the patient
	CosignNoShift     = "no_shift" // no shift of hers covered the dose's time
)

// CosignClockSlack is how far outside her shift's validity a dose may
// have been given and still count as in it: a phone records a dose's time
// to the minute, as the giver typed or kept it, and two phones' clocks and
// the server's differ by minutes.
const CosignClockSlack = 5 * time.Minute

// CosignProblem says why the cosign c does not verify the administration
// a, or CosignVerified: she is not the giver, she held a co-signing role
// when her record was received, and her record came with a shift bundle
// of hers that was valid when the dose was given. Sync takes a cosign only
// for a patient a bundle of hers lists (own list or unit part: her units'
// patients), and names that bundle (ingest's authorizer), so that her
// bundle also says she is of the patient's unit; one from another unit is
// refused there, as any record is.
func CosignProblem(a, c store.StoredRecord, bundles map[string]store.IssuedBundle) string {
	switch {
	case c.AuthorID == a.AuthorID:
		return CosignSelf
	case !care.Role(c.AuthorRole).Cosigns():
		return CosignNotNurse
	}
	b, ok := bundles[c.BundleID]
	if !ok || b.UserID != c.AuthorID {
		return CosignOutsideUnit
	}
	if a.AdministeredAt == nil || a.AdministeredAt.Add(CosignClockSlack).Before(b.IssuedAt) || !a.AdministeredAt.Before(b.ExpiresAt.Add(CosignClockSlack)) {
		return CosignNoShift
	}
	return CosignVerified
}

// needsCosign returns the medication and dose of an administration that
// needs a second signature, with its scheduled dose if it has one; ok is
// false for every other record.
func needsCosign(r store.StoredRecord, doses map[string]care.ScheduledDose, prn map[string][]care.PRNMedication) (medication, dose string, d care.ScheduledDose, ok bool) {
	if r.Type != care.RecordMedication || r.Status != care.DoseGiven {
		return "", "", d, false
	}
	if d, ok := doses[r.ScheduleID]; ok && r.ScheduleID != "" && d.NeedsCosign() {
		return d.Medication, d.Dose, d, true
	}
	if r.PRNID != "" {
		for _, m := range prn[r.PatientID] {
			if m.ID == r.PRNID && m.Controlled {
				return m.Medication, m.Dose, d, true
			}
		}
	}
	return "", "", d, false
}

// cosignFindings finds doses that need a second signature and were given
// without one that can be trusted. missing_cosignature: no second signer
// at all (no name and drawing on the giver's phone, no cosign record
// linked). cosigner_unverified: a second signer is named, but by the
// giver's phone only (a colleague without her phone), or every linked
// cosign fails CosignProblem. The two never name the same dose, so that a
// coordinator resolves one finding for it. Neither rejects anything: the
// dose may really have been given.
func cosignFindings(recs []store.StoredRecord, in Input) []wire.Finding {
	doses := map[string]care.ScheduledDose{}
	for _, d := range in.Doses {
		doses[d.ID] = d
	}
	links := CosignLinks(recs)
	var out []wire.Finding
	for _, r := range recs {
		med, amount, d, ok := needsCosign(r, doses, in.PRN)
		if !ok {
			continue
		}
		cosigns := links[r.ID]
		if r.Uncosigned && len(cosigns) == 0 {
			f := finding(wire.FindingMissingCosignature, []store.StoredRecord{r},
				fmt.Sprintf("%s %s given without the second signer its double check needs", med, amount))
			f.ScheduleID, f.VisitID = d.ID, d.VisitID
			keyed(&f, "finding.missing_cosignature", "medication", med, "dose", amount)
			out = append(out, f)
			continue
		}
		problem, by := "phone", "" // a second signer named on the giver's phone only
		for i, c := range cosigns {
			p := CosignProblem(r, c, in.Bundles)
			if p == CosignVerified {
				problem = CosignVerified
				break
			}
			if i == 0 {
				problem, by = p, c.AuthorID
			}
		}
		if problem == CosignVerified {
			continue
		}
		f := finding(wire.FindingCosignerUnverified, append([]store.StoredRecord{r}, cosigns...),
			fmt.Sprintf("%s %s: no co-signature from a nurse of the unit on her own phone during her shift (%s)", med, amount, problem))
		f.At = r.CreatedAt
		f.ScheduleID, f.VisitID = d.ID, r.VisitID
		switch problem {
		case CosignSelf:
			keyed(&f, "finding.cosigner_unverified_self", "medication", med, "dose", amount, "author", by)
		case CosignNotNurse:
			keyed(&f, "finding.cosigner_unverified_role", "medication", med, "dose", amount, "author", by)
		case CosignOutsideUnit:
			keyed(&f, "finding.cosigner_unverified_unit", "medication", med, "dose", amount, "author", by)
		case CosignNoShift:
			keyed(&f, "finding.cosigner_unverified_shift", "medication", med, "dose", amount, "author", by)
		default:
			keyed(&f, "finding.cosigner_unverified", "medication", med, "dose", amount)
		}
		out = append(out, f)
	}
	return out
}
