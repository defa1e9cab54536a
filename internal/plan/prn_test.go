package plan

import (
	"context"
	"strings"
	"testing"

	"beredskap/internal/care"
)

// TestPRNInPlan: a patient's as-needed medications come in with the
// person card, from JSON and from CSV, each with an id of its own; one
// that breaks a rule is a problem where it is, and nothing is stored.
func TestPRNInPlan(t *testing.T) {
	ctx := context.Background()
	patient := `{"source_id":"EPJ-9","unit":"Hjemmetjenesten Nord","name":"Liv Berg","address":"Veien 1","access_info":"Ring på","priority":2,"prn":[%s]}`
	oxa := `{"source_id":"PRN-1","medication":"Oxazepam","dose":"10 mg","route":"oral","indications":["uro","søvnvansker"],"min_interval_minutes":240,"max_per_24h":3}`
	cases := []struct {
		name   string
		prn    string
		column string // "" means stored
	}{
		{"valid", oxa, ""},
		{"no prn at all", ``, ""},
		{"negative interval", strings.Replace(oxa, `240`, `-30`, 1), "patients[0].prn[0].min_interval_minutes"},
		{"no daily maximum", strings.Replace(oxa, `,"max_per_24h":3`, ``, 1), "patients[0].prn[0].max_per_24h"},
		{"no indication", strings.Replace(oxa, `"uro","søvnvansker"`, ``, 1), "patients[0].prn[0].indications"},
		{"no source id", strings.Replace(oxa, `"source_id":"PRN-1",`, ``, 1), "patients[0].prn[0].source_id"},
		{"a source id twice", oxa + "," + oxa, "patients[0].prn[1].source_id"},
		{"evaluation after a day", strings.Replace(oxa, `}`, `,"effect_after_minutes":2000}`, 1), "patients[0].prn[0].effect_after_minutes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, dir := demoStore(t)
			body := `{"patients":[` + strings.Replace(patient, "%s", c.prn, 1) + `]}`
			pl, problems := ParseJSON(strings.NewReader(body))
			if len(problems) > 0 {
				t.Fatal(problems)
			}
			rep, err := Apply(ctx, db, dir, pl)
			if err != nil {
				t.Fatal(err)
			}
			if c.column == "" {
				if !rep.Stored {
					t.Fatalf("not stored: %+v", rep)
				}
				return
			}
			if rep.Stored || len(rep.Problems) == 0 || rep.Problems[0].Column != c.column {
				t.Fatalf("report %+v, want a problem in %s", rep, c.column)
			}
		})
	}

	db, dir := demoStore(t)
	pl, problems := ParseJSON(strings.NewReader(`{"patients":[` + strings.Replace(patient, "%s", oxa, 1) + `]}`))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if rep, err := Apply(ctx, db, dir, pl); err != nil || !rep.Stored {
		t.Fatalf("%+v %v", rep, err)
	}
	p, err := db.Patient(ctx, IDFor("patient", "EPJ-9"))
	if err != nil {
		t.Fatal(err)
	}
	want := care.PRNMedication{ID: IDFor("prn", "EPJ-9/PRN-1"), SourceID: "PRN-1", Medication: "Oxazepam", Dose: "10 mg", Route: "oral",
		Indications: []string{"uro", "søvnvansker"}, MinIntervalMinutes: 240, MaxPer24h: 3}
	if len(p.PRN) != 1 || !samePRN(p.PRN[0], want) {
		t.Fatalf("stored PRN %+v, want %+v", p.PRN, want)
	}
}

func samePRN(a, b care.PRNMedication) bool {
	return a.ID == b.ID && a.SourceID == b.SourceID && a.Medication == b.Medication && a.Dose == b.Dose && a.Route == b.Route &&
		strings.Join(a.Indications, ";") == strings.Join(b.Indications, ";") && a.MinIntervalMinutes == b.MinIntervalMinutes &&
		a.MaxPer24h == b.MaxPer24h && a.EffectAfterMinutes == b.EffectAfterMinutes
}

// TestPRNInCSV: a prn row joins its patient's row of the same file; one
// whose patient is not in the file is a problem on its own line.
func TestPRNInCSV(t *testing.T) {
	head := "kind,source_id,unit,name,address,priority,patient_source_id,medication,dose,indications,min_interval_minutes,max_per_24h,effect_after_minutes\n"
	csv := head + "patient,EPJ-9,Hjemmetjenesten Nord,Liv Berg,Veien 1,2,,,,,,,\n" +
		"prn,PRN-1,,,,,EPJ-9,Paracetamol,1 g,smerte;feber,360,4,60\n"
	pl, problems := ParseCSV(strings.NewReader(csv), oslo(), nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if len(pl.Patients) != 1 || len(pl.Patients[0].PRN) != 1 {
		t.Fatalf("patients %+v", pl.Patients)
	}
	got := pl.Patients[0].PRN[0]
	if got.Medication != "Paracetamol" || strings.Join(got.Indications, ";") != "smerte;feber" || got.MinIntervalMinutes != 360 ||
		got.MaxPer24h != 4 || got.EffectAfterMinutes != 60 {
		t.Fatalf("prn %+v", got)
	}
	_, problems = ParseCSV(strings.NewReader(head+"prn,PRN-1,,,,,EPJ-404,Paracetamol,1 g,smerte,360,4,\n"), oslo(), nil)
	if len(problems) != 1 || problems[0].Line != 2 || problems[0].Column != "patient_source_id" {
		t.Fatalf("problems %v", problems)
	}
}
