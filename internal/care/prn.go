package care

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PRNMedication is an as-needed (PRN, "ved behov") medication in a
// patient's plan: given when one of its indications is present, no sooner
// than MinIntervalMinutes after the last dose, at most MaxPer24h times in
// any 24 hours, and followed by an evaluation of its effect
// EffectAfterMinutes after it was given. It lives on the person card
// (Patient.PRN), so that it travels in the plan's patient data and in the
// bundle's patients without a table or a list of its own.
type PRNMedication struct {
	// ID names the medication in records (a medication record's prn_id):
	// IDFor("prn", patient's source id + "/" + SourceID).
	ID          string   `json:"id"`
	SourceID    string   `json:"source_id,omitempty"`
	Medication  string   `json:"medication"`
	Dose        string   `json:"dose"`
	Route       string   `json:"route,omitempty"`
	Indications []string `json:"indications"`
	// MinIntervalMinutes is the least time between two doses; 0 means no
	// minimum.
	MinIntervalMinutes int `json:"min_interval_minutes,omitempty"`
	// MaxPer24h is how many doses any 24 hours may hold.
	MaxPer24h int `json:"max_per_24h"`
	// EffectAfterMinutes is when the effect is evaluated; 0 means
	// DefaultPRNEffectAfter.
	EffectAfterMinutes int `json:"effect_after_minutes,omitempty"`
	// Controlled marks a controlled drug: every dose needs a second
	// signature (care/cosign.go).
	Controlled bool `json:"controlled,omitempty"`
}

// DefaultPRNEffectAfter is when a PRN dose's effect is evaluated when the
// plan does not say: 45 minutes, between the half hour oral analgesics
// and anxiolytics need to act and the hour after which a worker has
// usually left the home.
const DefaultPRNEffectAfter = 45 * time.Minute

// PRNEffectGrace is how long after its evaluation time a PRN dose may go
// without a recorded effect before the desk shows it (prn_effect_missing):
// time to finish what the worker is doing and write it, and for a phone
// that asked offline to sync it.
const PRNEffectGrace = 30 * time.Minute

// Bounds of a PRN medication's numbers.
const (
	MaxPRNIntervalMinutes = 24 * 60
	MaxPRNPer24h          = 48
	MaxPRNEffectMinutes   = 12 * 60
	// MaxPRNPerPatient bounds a person card's PRN list.
	MaxPRNPerPatient = MaxListItems
)

// EffectAfter returns when after a dose its effect is evaluated.
func (m PRNMedication) EffectAfter() time.Duration {
	if m.EffectAfterMinutes > 0 {
		return time.Duration(m.EffectAfterMinutes) * time.Minute
	}
	return DefaultPRNEffectAfter
}

// MinInterval returns the least time between two doses (0: none).
func (m PRNMedication) MinInterval() time.Duration {
	return time.Duration(m.MinIntervalMinutes) * time.Minute
}

// HasIndication reports whether s is one of the medication's indications.
func (m PRNMedication) HasIndication(s string) bool { return slices.Contains(m.Indications, s) }

// Validate checks a PRN medication of a plan: a medication, a dose, 1 to
// MaxListItems indications, an interval of 0–1440 minutes, a daily
// maximum of 1–48 and an evaluation time of 0–720 minutes, every text
// within its limit. Every problem is returned, joined; field names are
// prefixed with prefix (e.g. "prn[0]").
func (m PRNMedication) Validate(prefix string) error {
	name := func(f string) string { return prefix + "." + f }
	var errs []error
	if err := checkFields(field{name("id"), m.ID, MaxIDBytes}, field{name("source_id"), m.SourceID, MaxIDBytes},
		field{name("medication"), m.Medication, MaxNameBytes}, field{name("dose"), m.Dose, MaxShortBytes},
		field{name("route"), m.Route, MaxShortBytes}); err != nil {
		errs = append(errs, err)
	}
	if err := CheckList(name("indications"), m.Indications, MaxNameBytes); err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(m.Medication) == "" {
		errs = append(errs, required(name("medication")))
	}
	if strings.TrimSpace(m.Dose) == "" {
		errs = append(errs, required(name("dose")))
	}
	if len(m.Indications) == 0 {
		errs = append(errs, required(name("indications")))
	}
	for i, ind := range m.Indications {
		if strings.TrimSpace(ind) == "" {
			errs = append(errs, required(fmt.Sprintf("%s[%d]", name("indications"), i)))
		}
	}
	rng := func(f string, v, lo, hi int) {
		if v < lo || v > hi {
			errs = append(errs, invalidKey(name(f), fmt.Sprintf("must be %d–%d", lo, hi), KeyRange, strconv.Itoa(lo), strconv.Itoa(hi)))
		}
	}
	rng("min_interval_minutes", m.MinIntervalMinutes, 0, MaxPRNIntervalMinutes)
	rng("max_per_24h", m.MaxPer24h, 1, MaxPRNPer24h)
	rng("effect_after_minutes", m.EffectAfterMinutes, 0, MaxPRNEffectMinutes)
	return errors.Join(errs...)
}

// ValidatePRN checks a person card's PRN list: each medication valid,
// at most MaxPRNPerPatient, and no id twice.
func ValidatePRN(ms []PRNMedication) error {
	if len(ms) > MaxPRNPerPatient {
		return limitError("prn", MaxPRNPerPatient, "items")
	}
	var errs []error
	seen := map[string]bool{}
	for i, m := range ms {
		if err := m.Validate(fmt.Sprintf("prn[%d]", i)); err != nil {
			errs = append(errs, err)
		}
		if m.ID != "" && seen[m.ID] {
			errs = append(errs, invalidKey(fmt.Sprintf("prn[%d].source_id", i), "appears twice", KeyInvalid))
		}
		seen[m.ID] = true
	}
	return errors.Join(errs...)
}

// PRNByID returns the patient's PRN medication with the id, and false when
// the plan has none.
func (p Patient) PRNByID(id string) (PRNMedication, bool) {
	for _, m := range p.PRN {
		if m.ID == id {
			return m, true
		}
	}
	return PRNMedication{}, false
}

// SameDrug reports whether two medication names name the same drug, as
// the double-dose rules compare them: case and spacing aside.
func SameDrug(a, b string) bool { return NormalizeMedication(a) == NormalizeMedication(b) }

// NormalizeMedication is a medication name as the dose rules compare it.
func NormalizeMedication(m string) string {
	return strings.Join(strings.Fields(strings.ToLower(m)), " ")
}

// PRNCheck is what the rules of a PRN medication say about a dose about
// to be given at a time, given the doses of the same drug already given.
// The phone shows it before saving; the desk's findings apply the same
// rules to the doses that came in.
type PRNCheck struct {
	// TooSoon says the last dose was less than the minimum interval ago;
	// Last is that dose's time.
	TooSoon bool
	Last    time.Time
	// NextAllowed is when the interval allows the next dose.
	NextAllowed time.Time
	// OverMax says the dose would make more than MaxPer24h in the 24 hours
	// up to it; InDay is how many the 24 hours before it already hold.
	OverMax bool
	InDay   int
}

// Warn reports whether the check found anything.
func (c PRNCheck) Warn() bool { return c.TooSoon || c.OverMax }

// CheckPRNDose applies the medication's rules to a dose at `at`, after
// the doses given at the times in given (any order; doses after `at`
// count as well for the interval, not for the day).
func CheckPRNDose(m PRNMedication, given []time.Time, at time.Time) PRNCheck {
	var c PRNCheck
	iv := m.MinInterval()
	for _, g := range given {
		d := at.Sub(g)
		if d < 0 {
			d = -d
		}
		if iv > 0 && d < iv && (c.Last.IsZero() || g.After(c.Last)) {
			c.TooSoon, c.Last = true, g
		}
		if !g.After(at) && at.Sub(g) < 24*time.Hour {
			c.InDay++
		}
	}
	if c.TooSoon {
		c.NextAllowed = c.Last.Add(iv)
	}
	c.OverMax = m.MaxPer24h > 0 && c.InDay+1 > m.MaxPer24h
	return c
}

// PRN effects: what a PRN dose did, evaluated after its set time.
const (
	EffectGood    = "good"    // the complaint is relieved
	EffectPartial = "partial" // somewhat better
	EffectNone    = "none"    // no change
	EffectWorse   = "worse"   // worse: call the nurse or GP
)

// PRNEffects lists the effects a prn_effect record may carry.
func PRNEffects() []string { return []string{EffectGood, EffectPartial, EffectNone, EffectWorse} }

// validatePRNAdministration checks what a PRN dose adds to a medication
// record: its indication, and the override reason's length.
func (r *Record) validatePRNAdministration() error {
	if r.PRNID == "" {
		if r.Indication != "" || r.OverrideReason != "" {
			return invalidKey("prn_id", "is required with an indication or an override reason", KeyRequired)
		}
		return nil
	}
	if r.ScheduleID != "" {
		return invalid("prn_id", "a dose is either scheduled or as needed, not both")
	}
	if r.Status == DoseGiven && strings.TrimSpace(r.Indication) == "" {
		return invalidKey("indication", "is required for an as-needed dose", KeyRequired)
	}
	return nil
}

// validatePRNEffect checks a prn_effect record: the administration it
// evaluates, a known effect and its time.
func (r *Record) validatePRNEffect() error {
	if !IsUUID(r.AdministrationID) {
		return invalid("administration_id", "must be the UUID of the administration")
	}
	if !oneOf(r.Effect, PRNEffects()) {
		return notOneOf("effect", PRNEffects())
	}
	if r.At == nil || r.At.IsZero() {
		return required("at")
	}
	return checkText("text", r.Text, MaxTextBytes)
}
