package care

import (
	"crypto/rand"
	"strings"
)

// RecordCosign is a second signer's signature on an administration, made
// on her own phone: it names the administration by the code the first
// phone showed (CosignCode), its patient and its dose (ScheduleID, or
// PRNID for an as-needed dose), and carries her handwritten signature
// (SignatureSVG). The server links it to the administration with the same
// code, patient and dose, whichever arrives first.
const RecordCosign RecordType = "cosign"

// Who signs and who co-signs. A dose that needs a second signature (a
// scheduled dose with DoubleCheck, or a dose of a controlled drug, marked
// Controlled in the plan) is given and signed by whoever holds the visit:
// a worker or a nurse of the patient's unit, as any other dose. The second
// signature counts as verified only when it comes from her own phone (a
// cosign record) and she is a nurse (Role.Cosigns) of the patient's unit,
// with a shift bundle that lists the patient and was valid when the dose
// was given, and not the person who gave it. A name and drawing on the
// first phone (a colleague without her phone) is kept, and shown as
// unverified.

// Cosigns reports whether users with this role may co-sign a dose: nurses
// only, since the double check of a controlled drug or a high-risk dose is
// a nurse's responsibility in the seeds' medication routines.
func (r Role) Cosigns() bool { return r == RoleNurse }

// NeedsCosign reports whether a dose needs a second signature: a
// double-check dose, or a controlled drug.
func (d ScheduledDose) NeedsCosign() bool { return d.DoubleCheck || d.Controlled }

// CosignCodeLength is how many characters a co-signing code has. A code
// is four random characters (20 bits: two doses of one patient's same
// dose never share it in practice), three that tag the dose (its patient
// and scheduled or as-needed dose, hashed), so that the co-signer's phone
// finds the dose in its own bundle from the code alone, offline, and one
// check character, so that a mistyped code is refused on her phone
// instead of co-signing nothing.
const CosignCodeLength = 8

// cosignAlphabet holds digits and capital letters without 0, 1, I and O,
// which read alike.
const cosignAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// CosignDoseRef names the dose a code is for: the scheduled dose's id, or
// "prn:" and the PRN medication's id.
func CosignDoseRef(scheduleID, prnID string) string {
	if scheduleID != "" {
		return scheduleID
	}
	return "prn:" + prnID
}

// cosignTag is the three characters of a code that tag its dose: 15 bits
// of the FNV-1a hash of its patient and dose. A tag only narrows the
// search of the co-signer's bundle (the link is the whole code, patient
// and dose), so it needs no cryptographic hash, and FNV costs the phone's
// app nothing where SHA-256 linked in tens of kilobytes.
func cosignTag(patientID, doseRef string) string {
	h := uint32(2166136261)
	for _, s := range []string{patientID, "\x00", doseRef} {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint32(s[i])) * 16777619
		}
	}
	v := int(h >> 17) // 15 bits
	return string([]byte{cosignAlphabet[v>>10&31], cosignAlphabet[v>>5&31], cosignAlphabet[v&31]})
}

// cosignCheck is the check character of a code's first seven: their
// values weighted by odd numbers, so that any one character typed wrong
// changes it, and so does nearly every swap of two neighbours.
func cosignCheck(s string) byte {
	sum := 0
	for i := 0; i < CosignCodeLength-1; i++ {
		sum += (2*i + 1) * strings.IndexByte(cosignAlphabet, s[i])
	}
	return cosignAlphabet[sum%len(cosignAlphabet)]
}

// NewCosignCode returns a new co-signing code for a dose of the patient
// (doseRef of CosignDoseRef).
func NewCosignCode(patientID, doseRef string) string {
	b := make([]byte, 4)
	// crypto/rand.Read never fails (Go 1.24 and later).
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = cosignAlphabet[int(b[i])%len(cosignAlphabet)] // 256 is a multiple of 32: no bias
	}
	s := string(b) + cosignTag(patientID, doseRef)
	return s + string(cosignCheck(s))
}

// CosignCodeFor reports whether the code was made for the patient's dose:
// what the co-signer's phone looks for in its bundle.
func CosignCodeFor(code, patientID, doseRef string) bool {
	return IsCosignCode(code) && code[4:7] == cosignTag(patientID, doseRef)
}

// NormalizeCosignCode returns a typed code in its canonical form: capital
// letters, without the spaces and dashes it is shown with; ok is false
// when it is not a code (a character typed wrong, one too many or few).
func NormalizeCosignCode(s string) (code string, ok bool) {
	b := make([]byte, 0, len(s))
	for _, c := range []byte(strings.ToUpper(s)) {
		if c != ' ' && c != '-' {
			b = append(b, c)
		}
	}
	return string(b), IsCosignCode(string(b))
}

// IsCosignCode reports whether s is a co-signing code in canonical form,
// its check character right.
func IsCosignCode(s string) bool {
	if len(s) != CosignCodeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(cosignAlphabet, s[i]) < 0 {
			return false
		}
	}
	return s[CosignCodeLength-1] == cosignCheck(s)
}

// FormatCosignCode shows a code in two groups of four, easier to read out.
func FormatCosignCode(s string) string {
	if len(s) != CosignCodeLength {
		return s
	}
	return s[:4] + "-" + s[4:]
}

// validateCosign checks a cosign record: a valid code, exactly one of the
// scheduled or as-needed dose, and her signature.
func (r *Record) validateCosign() error {
	if !IsCosignCode(r.CosignCode) {
		return invalid("cosign_code", "must be a co-signing code of 8 characters")
	}
	if (r.ScheduleID == "") == (r.PRNID == "") {
		return invalidKey("schedule_id", "a co-signature names either a scheduled dose or an as-needed medication", KeyRequired)
	}
	if !CosignCodeFor(r.CosignCode, r.PatientID, CosignDoseRef(r.ScheduleID, r.PRNID)) {
		return invalid("cosign_code", "is not the code of this patient's dose")
	}
	for _, f := range []struct{ name, v string }{{"medication", r.Medication}, {"dose", r.Dose}} {
		if err := checkText(f.name, f.v, MaxShortBytes); err != nil {
			return err
		}
	}
	return checkSignature("signature_svg", r.SignatureSVG, true)
}

// validateCosignCode checks the code a medication record may carry.
func (r *Record) validateCosignCode() error {
	switch {
	case r.CosignCode == "":
		return nil
	case !IsCosignCode(r.CosignCode):
		return invalid("cosign_code", "must be a co-signing code of 8 characters")
	case r.ScheduleID == "" && r.PRNID == "":
		return invalidKey("schedule_id", "a dose waiting for a co-signature is scheduled or as needed", KeyRequired)
	case !CosignCodeFor(r.CosignCode, r.PatientID, CosignDoseRef(r.ScheduleID, r.PRNID)):
		return invalid("cosign_code", "is not the code of this patient's dose")
	}
	return nil
}
