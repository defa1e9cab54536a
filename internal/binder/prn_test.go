package binder

import (
	"strings"
	"testing"

	"beredskap/internal/care"
)

// TestPRNOnTheSigningSheet: a patient's as-needed medications are on her
// signing sheet with what they are given for and their limits, also on a
// day without scheduled doses; a controlled one asks for a second
// signature; every language prints them without a catalogue key.
func TestPRNOnTheSigningSheet(t *testing.T) {
	d := testData()
	for i := range d.Patients {
		switch d.Patients[i].ID {
		case "p-signe": // no doses today
			d.Patients[i].PRN = []care.PRNMedication{{ID: "prn-1", Medication: "Oksazepam", Dose: "10 mg", Route: "oral",
				Indications: []string{"uro", "søvnvansker"}, MinIntervalMinutes: 240, MaxPer24h: 2, Controlled: true}}
		case "p-aashild":
			d.Patients[i].PRN = []care.PRNMedication{{ID: "prn-2", Medication: "Ibuprofen", Dose: "400 mg", Route: "oral",
				Indications: []string{"smerter"}, MaxPer24h: 3}}
		}
	}
	r := render(t, d)
	sheet := func(patient string) string {
		p, ok := signingSheetOf(r, patient)
		if !ok {
			t.Fatalf("no signing sheet for %s", patient)
		}
		return p
	}
	signe := sheet("Signe Dæhlie")
	for _, want := range []string{"Ved behov etter plan", "Oksazepam", "Gis ved: uro, søvnvansker",
		"10 mg · minst 4 t mellom doser · høyst 2 per døgn", "JA"} {
		if !strings.Contains(signe, want) {
			t.Errorf("Signe's sheet lacks %q: %s", want, signe)
		}
	}
	aashild := sheet("Åshild Bråten")
	for _, want := range []string{"Paracetamol", "Ibuprofen", "Gis ved: smerter", "400 mg · høyst 3 per døgn"} {
		if !strings.Contains(aashild, want) {
			t.Errorf("Åshild's sheet lacks %q: %s", want, aashild)
		}
	}
	if strings.Contains(aashild, "JA") {
		t.Errorf("Åshild's sheet asks for a second signature with no controlled or double-check dose: %s", aashild)
	}
	// A scheduled controlled drug needs the second signature as a double
	// check does.
	c := testData()
	c.Doses[0].Controlled = true // Åshild's Paracetamol
	if p, _ := signingSheetOf(render(t, c), "Åshild Bråten"); !strings.Contains(p, "JA") {
		t.Errorf("a scheduled controlled dose does not ask for a second signature: %s", p)
	}
	// Without PRN medications Signe has no sheet.
	if _, ok := signingSheetOf(render(t, testData()), "Signe Dæhlie"); ok {
		t.Error("a patient without doses or PRN medications got a signing sheet")
	}
	for _, lang := range []string{"nb", "sv", "da", "en"} {
		d.Lang = lang
		text := render(t, d).all()
		if !strings.Contains(text, "Oksazepam") || strings.Contains(text, "prn.") || strings.Contains(text, "binder.") || strings.Contains(text, "%!") {
			t.Errorf("%s: the PRN rows are not printed in the language: %s", lang, text)
		}
	}
}

// signingSheetOf returns the text of a patient's signing sheet.
func signingSheetOf(r rendered, patient string) (string, bool) {
	for _, p := range r.pages {
		if strings.Contains(p, "Signeringsliste for legemidler") && strings.Contains(p, patient) {
			return p, true
		}
	}
	return "", false
}
