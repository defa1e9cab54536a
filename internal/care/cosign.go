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

// CosignCodeLength is how many characters a co-signing code has: 8 of
// 32 give 40 bits, so that a code typed wrong finds no other dose of the
// same patient, and short enough to read out and type on a phone.
const CosignCodeLength = 8

// cosignAlphabet holds digits and capital letters without 0, 1, I and O,
// which read alike.
const cosignAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// NewCosignCode returns a random co-signing code.
func NewCosignCode() string {
	b := make([]byte, CosignCodeLength)
	// crypto/rand.Read never fails (Go 1.24 and later).
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = cosignAlphabet[int(b[i])%len(cosignAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b)
}

// NormalizeCosignCode returns a typed code in its canonical form: capital
// letters, without the spaces and dashes it is shown with; ok is false
// when it is not a code.
func NormalizeCosignCode(s string) (code string, ok bool) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	return s, IsCosignCode(s)
}

// IsCosignCode reports whether s is a co-signing code in canonical form.
func IsCosignCode(s string) bool {
	if len(s) != CosignCodeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(cosignAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
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
	for _, f := range []struct{ name, v string }{{"medication", r.Medication}, {"dose", r.Dose}} {
		if err := checkText(f.name, f.v, MaxShortBytes); err != nil {
			return err
		}
	}
	return checkSignature("signature_svg", r.SignatureSVG, true)
}

// validateCosignCode checks the code a medication record may carry.
func (r *Record) validateCosignCode() error {
	if r.CosignCode != "" && !IsCosignCode(r.CosignCode) {
		return invalid("cosign_code", "must be a co-signing code of 8 characters")
	}
	return nil
}
