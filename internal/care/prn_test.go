package care

import (
	"strings"
	"testing"
	"time"
)

func TestPRNMedicationValidate(t *testing.T) {
	valid := PRNMedication{ID: "x", SourceID: "PRN-1", Medication: "Oxazepam", Dose: "10 mg", Indications: []string{"Uro"},
		MinIntervalMinutes: 240, MaxPer24h: 3, EffectAfterMinutes: 30}
	cases := []struct {
		name   string
		mutate func(*PRNMedication)
		field  string // "" means valid
	}{
		{"valid", nil, ""},
		{"no minimum interval", func(m *PRNMedication) { m.MinIntervalMinutes = 0 }, ""},
		{"default evaluation time", func(m *PRNMedication) { m.EffectAfterMinutes = 0 }, ""},
		{"negative interval", func(m *PRNMedication) { m.MinIntervalMinutes = -1 }, "prn[0].min_interval_minutes"},
		{"interval over a day", func(m *PRNMedication) { m.MinIntervalMinutes = MaxPRNIntervalMinutes + 1 }, "prn[0].min_interval_minutes"},
		{"no daily maximum", func(m *PRNMedication) { m.MaxPer24h = 0 }, "prn[0].max_per_24h"},
		{"daily maximum too high", func(m *PRNMedication) { m.MaxPer24h = MaxPRNPer24h + 1 }, "prn[0].max_per_24h"},
		{"negative evaluation time", func(m *PRNMedication) { m.EffectAfterMinutes = -5 }, "prn[0].effect_after_minutes"},
		{"no medication", func(m *PRNMedication) { m.Medication = " " }, "prn[0].medication"},
		{"no dose", func(m *PRNMedication) { m.Dose = "" }, "prn[0].dose"},
		{"no indication", func(m *PRNMedication) { m.Indications = nil }, "prn[0].indications"},
		{"a blank indication", func(m *PRNMedication) { m.Indications = []string{"Uro", " "} }, "prn[0].indications[1]"},
		{"indication too long", func(m *PRNMedication) { m.Indications = []string{strings.Repeat("a", MaxNameBytes+1)} }, "prn[0].indications[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := valid
			m.Indications = append([]string{}, valid.Indications...)
			if c.mutate != nil {
				c.mutate(&m)
			}
			err := ValidatePRN([]PRNMedication{m})
			ps := Problems(err)
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("unexpected %v", err)
			case c.field != "" && (len(ps) == 0 || ps[0].Field != c.field):
				t.Fatalf("problems %v, want one in %s", err, c.field)
			}
		})
	}
	if err := ValidatePRN([]PRNMedication{valid, valid}); err == nil || Problems(err)[0].Field != "prn[1].source_id" {
		t.Errorf("the same id twice: %v", err)
	}
}

func TestCheckPRNDose(t *testing.T) {
	m := PRNMedication{Medication: "Oxazepam", MinIntervalMinutes: 240, MaxPer24h: 2}
	noon := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ago := func(h int) time.Time { return noon.Add(-time.Duration(h) * time.Hour) }
	cases := []struct {
		name          string
		given         []time.Time
		soon, overMax bool
	}{
		{"first", nil, false, false},
		{"exactly the interval", []time.Time{ago(4)}, false, false},
		{"inside the interval", []time.Time{ago(3)}, true, false},
		{"the third in a day", []time.Time{ago(23), ago(5)}, false, true},
		{"a day ago no longer counts", []time.Time{ago(24), ago(5)}, false, false},
		{"a dose recorded later in time, inside the interval", []time.Time{noon.Add(time.Hour)}, true, false},
	}
	for _, c := range cases {
		got := CheckPRNDose(m, c.given, noon)
		if got.TooSoon != c.soon || got.OverMax != c.overMax {
			t.Errorf("%s: %+v, want too soon %v, over max %v", c.name, got, c.soon, c.overMax)
		}
	}
}

func TestPRNRecordValidate(t *testing.T) {
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		typ    RecordType
		mutate func(*Record)
		field  string
	}{
		{"a PRN dose with its indication", RecordMedication, func(r *Record) { r.PRNID, r.Indication = "prn-1", "Uro" }, ""},
		{"a PRN dose given anyway, with the reason", RecordMedication, func(r *Record) {
			r.PRNID, r.Indication, r.OverrideReason = "prn-1", "Uro", "Legen sa ja"
		}, ""},
		{"a PRN dose without indication", RecordMedication, func(r *Record) { r.PRNID = "prn-1" }, "indication"},
		{"a refused PRN dose needs no indication", RecordMedication, func(r *Record) { r.PRNID, r.Status, r.Reason = "prn-1", DoseRefused, "Ville ikke" }, ""},
		{"an indication without a PRN medication", RecordMedication, func(r *Record) { r.Indication = "Uro" }, "prn_id"},
		{"both scheduled and as needed", RecordMedication, func(r *Record) { r.PRNID, r.Indication, r.ScheduleID = "prn-1", "Uro", "d1" }, "prn_id"},
		{"indication too long", RecordMedication, func(r *Record) { r.PRNID, r.Indication = "prn-1", strings.Repeat("u", MaxNameBytes+1) }, "indication"},
		{"an effect", RecordPRNEffect, nil, ""},
		{"an effect without its administration", RecordPRNEffect, func(r *Record) { r.AdministrationID = "" }, "administration_id"},
		{"an effect of no known kind", RecordPRNEffect, func(r *Record) { r.Effect = "fine" }, "effect"},
		{"an effect without time", RecordPRNEffect, func(r *Record) { r.At = nil }, "at"},
		{"an effect with a remark too long", RecordPRNEffect, func(r *Record) { r.Text = strings.Repeat("a", MaxTextBytes+1) }, "text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validRecord(c.typ)
			if c.typ == RecordPRNEffect {
				r.AdministrationID, r.Effect, r.At = "0190b6a2-0000-7000-8000-000000000002", EffectPartial, &at
			}
			if c.mutate != nil {
				c.mutate(&r)
			}
			err := r.Validate()
			var v *ValidationError
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("unexpected %v", err)
			case c.field != "" && (err == nil || !asValidation(err, &v) || v.Field != c.field):
				t.Fatalf("error %v, want one in %s", err, c.field)
			}
		})
	}
}

func asValidation(err error, v **ValidationError) bool {
	ps := Problems(err)
	if len(ps) == 0 {
		return false
	}
	*v = ps[0]
	return true
}
