package reconcile

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// prnDose is a PRN dose given, with the rule of its medication in the
// plan (ok false: the plan no longer has it).
type prnDose struct {
	r    store.StoredRecord
	at   time.Time
	rule care.PRNMedication
	ok   bool
}

// prnDoses returns the PRN doses given among the live records, grouped by
// patient and drug, each group in the order they were given (by id within
// the same time, so that the order does not depend on how the records
// were read).
func prnDoses(live []store.StoredRecord, prn map[string][]care.PRNMedication) [][]prnDose {
	groups := map[string][]prnDose{}
	var keys []string
	for _, r := range live {
		if r.Type != care.RecordMedication || r.PRNID == "" || r.Status != care.DoseGiven || r.AdministeredAt == nil {
			continue
		}
		d := prnDose{r: r, at: *r.AdministeredAt}
		d.rule, d.ok = prnRule(prn[r.PatientID], r)
		k := r.PatientID + "\x00" + care.NormalizeMedication(r.Medication)
		if _, seen := groups[k]; !seen {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], d)
	}
	sort.Strings(keys)
	out := make([][]prnDose, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		sort.Slice(g, func(i, j int) bool {
			if !g[i].at.Equal(g[j].at) {
				return g[i].at.Before(g[j].at)
			}
			return g[i].r.ID < g[j].r.ID
		})
		out = append(out, g)
	}
	return out
}

// prnRule finds the plan's rule for a PRN dose: the medication its prn_id
// names, or else the patient's PRN medication of the same drug.
func prnRule(ms []care.PRNMedication, r store.StoredRecord) (care.PRNMedication, bool) {
	for _, m := range ms {
		if m.ID == r.PRNID {
			return m, true
		}
	}
	for _, m := range ms {
		if care.SameDrug(m.Medication, r.Medication) {
			return m, true
		}
	}
	return care.PRNMedication{}, false
}

// prnFindings finds PRN doses given closer than their medication's
// minimum interval (prn_interval, one finding for each such pair of
// consecutive doses, whichever phones gave them), doses that made more
// than the maximum in the 24 hours up to them (prn_max_exceeded, one
// finding for each such dose, naming every dose of those 24 hours), and
// doses whose effect no prn_effect record evaluates by the evaluation
// time and its grace (prn_effect_missing). The rule applied is the later
// dose's: the one the giver was bound by.
func prnFindings(live []store.StoredRecord, in Input) []wire.Finding {
	// An evaluation counts for a dose of its own patient only, so that
	// each patient's findings depend on that patient's records alone (what
	// lets the desk keep them patient by patient).
	evaluated := map[[2]string]bool{}
	for _, r := range live {
		if r.Type == care.RecordPRNEffect && r.AdministrationID != "" {
			evaluated[[2]string{r.PatientID, r.AdministrationID}] = true
		}
	}
	var out []wire.Finding
	for _, g := range prnDoses(live, in.PRN) {
		start := 0
		for i, d := range g {
			if i > 0 && d.ok && d.rule.MinIntervalMinutes > 0 && d.at.Sub(g[i-1].at) < d.rule.MinInterval() {
				prev := g[i-1]
				f := finding(wire.FindingPRNInterval, []store.StoredRecord{prev.r, d.r},
					fmt.Sprintf("%s given at %s and again at %s, less than the %d minutes apart its plan allows",
						d.r.Medication, rfc3339(prev.at), rfc3339(d.at), d.rule.MinIntervalMinutes))
				keyed(&f, "finding.prn_interval", "medication", d.r.Medication, "first_at", rfc3339(prev.at),
					"second_at", rfc3339(d.at), "minutes", strconv.Itoa(d.rule.MinIntervalMinutes))
				out = append(out, f)
			}
			for d.at.Sub(g[start].at) >= 24*time.Hour {
				start++
			}
			if n := i - start + 1; d.ok && d.rule.MaxPer24h > 0 && n > d.rule.MaxPer24h {
				day := make([]store.StoredRecord, 0, n)
				for _, e := range g[start : i+1] {
					day = append(day, e.r)
				}
				f := finding(wire.FindingPRNMaxExceeded, day,
					fmt.Sprintf("%s given %d times in the 24 hours up to %s; its plan allows %d",
						d.r.Medication, n, rfc3339(d.at), d.rule.MaxPer24h))
				keyed(&f, "finding.prn_max_exceeded", "medication", d.r.Medication, "count", strconv.Itoa(n),
					"max", strconv.Itoa(d.rule.MaxPer24h), "first_at", rfc3339(g[start].at), "last_at", rfc3339(d.at))
				out = append(out, f)
			}
			due := PRNEffectDeadline(d.r, d.rule)
			if evaluated[[2]string{d.r.PatientID, d.r.ID}] || in.Now.Before(due) {
				continue
			}
			f := finding(wire.FindingPRNEffectMissing, []store.StoredRecord{d.r},
				fmt.Sprintf("%s given at %s has no effect evaluation (due by %s)", d.r.Medication, rfc3339(d.at), rfc3339(due)))
			keyed(&f, "finding.prn_effect_missing", "medication", d.r.Medication, "given_at", rfc3339(d.at), "due_at", rfc3339(due))
			out = append(out, f)
		}
	}
	return out
}

// PRNEffectDeadline is when a PRN dose without an effect evaluation
// becomes a prn_effect_missing finding: its evaluation time after the
// dose (the plan's, or care.DefaultPRNEffectAfter) and the grace.
func PRNEffectDeadline(r store.StoredRecord, rule care.PRNMedication) time.Time {
	if r.AdministeredAt == nil {
		return time.Time{}
	}
	return r.AdministeredAt.Add(rule.EffectAfter() + care.PRNEffectGrace)
}

// PRNDeadlines returns the times at which the PRN findings of the records
// change by time alone (an evaluation's deadline passing), so that the
// desk can keep them without looking at every dose on every request.
func PRNDeadlines(recs []store.StoredRecord, prn map[string][]care.PRNMedication) []time.Time {
	var out []time.Time
	for _, r := range recs {
		if r.Type != care.RecordMedication || r.PRNID == "" || r.Status != care.DoseGiven || r.AdministeredAt == nil {
			continue
		}
		rule, _ := prnRule(prn[r.PatientID], r)
		out = append(out, PRNEffectDeadline(r, rule))
	}
	return out
}
