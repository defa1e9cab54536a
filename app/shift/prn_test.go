package shift

import (
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

var (
	prnNoon = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	oxa     = care.PRNMedication{ID: "prn-oxa", Medication: "Oxazepam", Dose: "10 mg", Indications: []string{"Uro"},
		MinIntervalMinutes: 240, MaxPer24h: 2, EffectAfterMinutes: 30}
)

func hoursAgo(h float64) time.Time { return prnNoon.Add(-time.Duration(h * float64(time.Hour))) }

// localPRN is a PRN dose in the phone's own records.
func localPRN(id, patient, medication string, at time.Time, state string) LocalRecord {
	return LocalRecord{Record: care.Record{ID: id, Type: care.RecordMedication, PatientID: patient, PRNID: "prn-oxa",
		Medication: medication, Status: care.DoseGiven, AdministeredAt: &at}, State: state}
}

func prnBundle(doses ...wire.PRNDose) *wire.Bundle {
	return &wire.Bundle{Patients: []care.Patient{{ID: "p1", PRN: []care.PRNMedication{oxa}}}, PRNDoses: doses}
}

// TestCheckPRN: the warning before a PRN dose counts the server's doses
// from the bundle and the phone's own, each once, of the same drug and
// patient only, and warns of the interval and of the daily maximum.
func TestCheckPRN(t *testing.T) {
	cases := []struct {
		name          string
		bundle        []wire.PRNDose
		local         []LocalRecord
		soon, overMax bool
		inDay         int
	}{
		{"nothing given", nil, nil, false, false, 0},
		{"the server's dose 5 hours ago", []wire.PRNDose{{ID: "a", PatientID: "p1", Medication: "Oxazepam", AdministeredAt: hoursAgo(5)}}, nil,
			false, false, 1},
		{"the server's dose an hour ago, from another phone", []wire.PRNDose{{ID: "a", PatientID: "p1", Medication: "Oxazepam", AdministeredAt: hoursAgo(1)}}, nil,
			true, false, 1},
		{"the phone's own dose an hour ago, not yet sent", nil, []LocalRecord{localPRN("b", "p1", "Oxazepam", hoursAgo(1), OutboxWaiting)},
			true, false, 1},
		{"one from each source make the day's maximum", []wire.PRNDose{{ID: "a", PatientID: "p1", Medication: "Oxazepam", AdministeredAt: hoursAgo(20)}},
			[]LocalRecord{localPRN("b", "p1", "oxazepam ", hoursAgo(6), OutboxSent)}, false, true, 2},
		{"a dose in both sources counts once", []wire.PRNDose{{ID: "b", PatientID: "p1", Medication: "Oxazepam", AdministeredAt: hoursAgo(6)}},
			[]LocalRecord{localPRN("b", "p1", "Oxazepam", hoursAgo(6), OutboxSent)}, false, false, 1},
		{"older than a day does not count", []wire.PRNDose{{ID: "a", PatientID: "p1", Medication: "Oxazepam", AdministeredAt: hoursAgo(24)},
			{ID: "c", PatientID: "p1", Medication: "Oxazepam", AdministeredAt: hoursAgo(30)}}, nil, false, false, 0},
		{"another patient's and another drug's do not count", []wire.PRNDose{{ID: "a", PatientID: "p2", Medication: "Oxazepam", AdministeredAt: hoursAgo(1)}},
			[]LocalRecord{localPRN("b", "p1", "Paracetamol", hoursAgo(1), OutboxWaiting), localPRN("c", "p2", "Oxazepam", hoursAgo(1), OutboxWaiting)},
			false, false, 0},
		{"a dose the server refused does not count", nil, []LocalRecord{localPRN("b", "p1", "Oxazepam", hoursAgo(1), OutboxRejected)},
			false, false, 0},
		{"too soon and over the maximum at once", []wire.PRNDose{{ID: "a", PatientID: "p1", Medication: "Oxazepam", AdministeredAt: hoursAgo(10)}},
			[]LocalRecord{localPRN("b", "p1", "Oxazepam", hoursAgo(2), OutboxWaiting)}, true, true, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CheckPRN(prnBundle(c.bundle...), c.local, "p1", oxa, prnNoon)
			if got.TooSoon != c.soon || got.OverMax != c.overMax || got.InDay != c.inDay {
				t.Errorf("check %+v, want too soon %v, over max %v, %d in the day", got, c.soon, c.overMax, c.inDay)
			}
			if got.TooSoon && !got.NextAllowed.Equal(got.Last.Add(4*time.Hour)) {
				t.Errorf("next allowed %v after the last at %v", got.NextAllowed, got.Last)
			}
			if got.Warn() != (c.soon || c.overMax) {
				t.Errorf("warn %v", got.Warn())
			}
		})
	}
}

// TestPendingEffects: a PRN dose given on the phone asks for its effect
// from its evaluation time until a prn_effect record names it.
func TestPendingEffects(t *testing.T) {
	given := localPRN("b", "p1", "Oxazepam", hoursAgo(1), OutboxWaiting)
	b := prnBundle()
	ps := PendingEffects(b, []LocalRecord{given}, "p1")
	if len(ps) != 1 || !ps[0].DueAt.Equal(hoursAgo(0.5)) || !ps[0].Due(prnNoon) || ps[0].Due(hoursAgo(0.75)) {
		t.Fatalf("pending %+v", ps)
	}
	eff := LocalRecord{Record: care.Record{ID: "e", Type: care.RecordPRNEffect, PatientID: "p1", AdministrationID: "b", Effect: care.EffectGood}}
	if ps := PendingEffects(b, []LocalRecord{given, eff}, "p1"); len(ps) != 0 {
		t.Errorf("still pending after its evaluation: %+v", ps)
	}
	// A PRN medication the bundle no longer has: the default time.
	gone := given
	gone.PRNID = "prn-gone"
	if ps := PendingEffects(b, []LocalRecord{gone}, "p1"); len(ps) != 1 || !ps[0].DueAt.Equal(hoursAgo(1).Add(care.DefaultPRNEffectAfter)) {
		t.Errorf("pending %+v", ps)
	}
}
