package plan

import (
	"context"
	"strings"
	"testing"
)

// TestControlledInPlan: a dose and a PRN medication marked controlled,
// from JSON and from CSV (the column is optional: files without it read
// as before), reach the store with their mark.
func TestControlledInPlan(t *testing.T) {
	ctx := context.Background()
	db, dir := demoStore(t)
	body := `{"patients":[{"source_id":"EPJ-9","unit":"Hjemmetjenesten Nord","name":"Liv Berg","address":"Veien 1","priority":2,
		"prn":[{"source_id":"PRN-1","medication":"Morfin","dose":"5 mg","indications":["smerte"],"max_per_24h":6,"controlled":true}]}],
		"medications":[{"source_id":"D-1","patient_source_id":"EPJ-9","medication":"Oksykodon","dose":"5 mg","route":"oral",
		"due":"2026-12-01T08:00:00Z","controlled":true},
		{"source_id":"D-2","patient_source_id":"EPJ-9","medication":"Paracet","dose":"1 g","route":"oral","due":"2026-12-01T08:00:00Z"}]}`
	pl, problems := ParseJSON(strings.NewReader(body))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if rep, err := Apply(ctx, db, dir, pl); err != nil || !rep.Stored {
		t.Fatalf("%+v %v", rep, err)
	}
	p, err := db.Patient(ctx, IDFor("patient", "EPJ-9"))
	if err != nil || len(p.PRN) != 1 || !p.PRN[0].Controlled {
		t.Fatalf("patient %+v %v", p.PRN, err)
	}
	for id, want := range map[string]bool{"D-1": true, "D-2": false} {
		d, err := db.Dose(ctx, IDFor("dose", id))
		if err != nil || d.Controlled != want || !d.NeedsCosign() != !want {
			t.Fatalf("dose %s %+v %v, want controlled %v", id, d, err, want)
		}
	}

	head := "kind,source_id,unit,name,address,priority,patient_source_id,medication,dose,route,due,indications,max_per_24h,controlled\n"
	csv := head + "patient,EPJ-9,Hjemmetjenesten Nord,Liv Berg,Veien 1,2,,,,,,,,\n" +
		"prn,PRN-1,,,,,EPJ-9,Morfin,5 mg,,,smerte,6,ja\n" +
		"dose,D-1,,,,,EPJ-9,Oksykodon,5 mg,oral,2026-12-01 08:00,,,x\n" +
		"dose,D-2,,,,,EPJ-9,Paracet,1 g,oral,2026-12-01 08:00,,,\n"
	cp, problems := ParseCSV(strings.NewReader(csv), oslo(), nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if len(cp.Patients) != 1 || !cp.Patients[0].PRN[0].Controlled || len(cp.Medications) != 2 ||
		!cp.Medications[0].Controlled || cp.Medications[1].Controlled {
		t.Fatalf("plan %+v", cp)
	}
	_, problems = ParseCSV(strings.NewReader(head+"dose,D-1,,,,,EPJ-9,Oksykodon,5 mg,oral,2026-12-01 08:00,,,maybe\n"), oslo(), nil)
	if len(problems) != 1 || problems[0].Column != "controlled" {
		t.Fatalf("problems %v", problems)
	}
}
