package reconcile

import (
	"slices"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// oxazepam is p1's PRN medication: at least 4 hours apart, at most 3 in
// 24 hours, its effect evaluated after 30 minutes.
var oxazepam = care.PRNMedication{ID: "prn-oxa", Medication: "Oxazepam", Dose: "10 mg", Indications: []string{"uro"},
	MinIntervalMinutes: 240, MaxPer24h: 3, EffectAfterMinutes: 30}

// prnGiven is a PRN dose of prn given at h:m.
func prnGiven(prn, medication string, h, m int) func(*store.StoredRecord) {
	t := at(h, m)
	return func(r *store.StoredRecord) {
		r.PRNID, r.Medication, r.Status, r.AdministeredAt = prn, medication, care.DoseGiven, &t
	}
}

// effect is a prn_effect record for the administration.
func effect(admin string) func(*store.StoredRecord) {
	return func(r *store.StoredRecord) { r.AdministrationID = admin }
}

func TestPRNFindings(t *testing.T) {
	cases := []struct {
		name  string
		nowH  int // the hour findings are computed at; 0 means 16:00
		build func(s *scenario)
		want  []string
	}{
		{"two doses far enough apart, both evaluated", 0, func(s *scenario) {
			a := s.rec(care.RecordMedication, "p1", 8, 0, prnGiven("prn-oxa", "Oxazepam", 8, 0))
			s.rec(care.RecordPRNEffect, "p1", 8, 35, effect(a))
			b := s.rec(care.RecordMedication, "p1", 12, 0, prnGiven("prn-oxa", "Oxazepam", 12, 0))
			s.rec(care.RecordPRNEffect, "p1", 12, 40, effect(b))
		}, nil},
		{"two doses inside the interval, from two phones", 0, func(s *scenario) {
			a := s.rec(care.RecordMedication, "p1", 8, 0, prnGiven("prn-oxa", "Oxazepam", 8, 0))
			s.rec(care.RecordPRNEffect, "p1", 8, 35, effect(a))
			b := s.rec(care.RecordMedication, "p1", 9, 0, func(r *store.StoredRecord) {
				prnGiven("prn-oxa", "oxazepam", 9, 0)(r)
				r.DeviceID, r.AuthorID = "dev2", "nils"
			})
			s.rec(care.RecordPRNEffect, "p1", 9, 35, effect(b))
		}, []string{"prn_interval:r01,r03"}},
		{"two PRN doses inside the interval are not also a double administration", 0, func(s *scenario) {
			a := s.rec(care.RecordMedication, "p1", 8, 0, prnGiven("prn-oxa", "Oxazepam", 8, 0))
			b := s.rec(care.RecordMedication, "p1", 8, 20, prnGiven("prn-oxa", "Oxazepam", 8, 20))
			s.rec(care.RecordPRNEffect, "p1", 8, 35, effect(a))
			s.rec(care.RecordPRNEffect, "p1", 8, 55, effect(b))
		}, []string{"prn_interval:r01,r02"}},
		{"a scheduled and a PRN dose of one drug in one window is a double administration", 0, func(s *scenario) {
			s.dose("d1", "p1", "", "Oxazepam", 8, 0)
			s.rec(care.RecordMedication, "p1", 8, 0, given("d1", "Oxazepam", 8, 0))
			a := s.rec(care.RecordMedication, "p1", 8, 30, prnGiven("prn-oxa", "Oxazepam", 8, 30))
			s.rec(care.RecordPRNEffect, "p1", 9, 5, effect(a))
		}, []string{"double_administration:r01,r02"}},
		{"a fourth dose in 24 hours", 0, func(s *scenario) {
			for _, h := range []int{0, 4, 8, 12} {
				a := s.rec(care.RecordMedication, "p1", h, 0, prnGiven("prn-oxa", "Oxazepam", h, 0))
				s.rec(care.RecordPRNEffect, "p1", h, 40, effect(a))
			}
		}, []string{"prn_max_exceeded:r01,r03,r05,r07"}},
		{"no effect recorded, after the evaluation time and its grace", 0, func(s *scenario) {
			s.rec(care.RecordMedication, "p1", 8, 0, prnGiven("prn-oxa", "Oxazepam", 8, 0))
		}, []string{"prn_effect_missing:r01"}},
		{"no effect recorded, not yet due", 9, func(s *scenario) {
			s.rec(care.RecordMedication, "p1", 8, 30, prnGiven("prn-oxa", "Oxazepam", 8, 30))
		}, nil},
		{"a voided evaluation does not count", 0, func(s *scenario) {
			a := s.rec(care.RecordMedication, "p1", 8, 0, prnGiven("prn-oxa", "Oxazepam", 8, 0))
			s.rec(care.RecordPRNEffect, "p1", 8, 35, func(r *store.StoredRecord) { effect(a)(r); r.State = store.StateVoid })
		}, []string{"prn_effect_missing:r01"}},
		{"another patient's evaluation does not count", 0, func(s *scenario) {
			a := s.rec(care.RecordMedication, "p1", 8, 0, prnGiven("prn-oxa", "Oxazepam", 8, 0))
			s.rec(care.RecordPRNEffect, "p2", 8, 35, effect(a))
		}, []string{"prn_effect_missing:r01"}},
		{"a refused PRN dose needs no evaluation", 0, func(s *scenario) {
			s.rec(care.RecordMedication, "p1", 8, 0, func(r *store.StoredRecord) {
				prnGiven("prn-oxa", "Oxazepam", 8, 0)(r)
				r.Status = care.DoseRefused
			})
		}, nil},
		{"a PRN medication no longer in the plan: default evaluation time, no interval", 0, func(s *scenario) {
			s.rec(care.RecordMedication, "p1", 8, 0, prnGiven("prn-gone", "Morfin", 8, 0))
			s.rec(care.RecordMedication, "p1", 9, 0, prnGiven("prn-gone", "Morfin", 9, 0))
		}, []string{"prn_effect_missing:r01", "prn_effect_missing:r02"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newScenario()
			s.in.PRN = map[string][]care.PRNMedication{"p1": {oxazepam}}
			if c.nowH != 0 {
				s.in.Now = at(c.nowH, 0)
			}
			c.build(s)
			// Only the dose findings: the scenarios' clock and phones
			// are not what is tested here.
			var fs []wire.Finding
			for _, f := range Compute(s.in) {
				if strings.HasPrefix(f.Kind, "prn_") || f.Kind == wire.FindingDoubleAdministration {
					fs = append(fs, f)
				}
			}
			got := describe(fs)
			if !slices.Equal(got, c.want) {
				t.Errorf("findings = %v, want %v", got, c.want)
			}
		})
	}
}

// TestPRNEffectDeadline: the finding appears exactly at the deadline
// PRNDeadlines names, which is what the desk waits for.
func TestPRNEffectDeadline(t *testing.T) {
	s := newScenario()
	s.in.PRN = map[string][]care.PRNMedication{"p1": {oxazepam}}
	s.rec(care.RecordMedication, "p1", 8, 0, prnGiven("prn-oxa", "Oxazepam", 8, 0))
	ds := PRNDeadlines(s.in.Records, s.in.PRN)
	if want := at(9, 0); len(ds) != 1 || !ds[0].Equal(want) { // 30 minutes and 30 of grace
		t.Fatalf("deadlines = %v, want [%v]", ds, want)
	}
	for _, c := range []struct {
		now  time.Time
		want int
	}{{ds[0].Add(-time.Nanosecond), 0}, {ds[0], 1}} {
		s.in.Now = c.now
		n := 0
		for _, f := range Compute(s.in) {
			if f.Kind == wire.FindingPRNEffectMissing {
				n++
				if f.Key != "finding.prn_effect_missing" || f.Args["due_at"] != "2026-11-23T09:00:00Z" {
					t.Errorf("finding = %+v", f)
				}
			}
		}
		if n != c.want {
			t.Errorf("at %v: %d prn_effect_missing, want %d", c.now, n, c.want)
		}
	}
}
