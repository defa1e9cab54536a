package export

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"beredskap/internal/care"
)

// TestFHIRPRN: an as-needed dose carries its indication in reasonCode,
// its order as the PRN medication, the reason it was given despite a
// warning as a note; its effect is an Observation partOf the
// administration. The CSV carries both in its last columns.
func TestFHIRPRN(t *testing.T) {
	at := t0
	later := t0.Add(45 * time.Minute)
	its := []Item{
		item("r-prn", care.Record{Type: care.RecordMedication, PRNID: "prn-oxa", Medication: "Oxazepam", Dose: "10 mg", Route: "oral",
			Status: care.DoseGiven, AdministeredAt: &at, SignatureSVG: "M1 1 L2 2", Indication: "Uro", OverrideReason: "Legen sa ja på telefon"}),
		item("r-eff", care.Record{Type: care.RecordPRNEffect, AdministrationID: "r-prn", Effect: care.EffectPartial, At: &later, Text: "Roligere"}),
	}
	b, err := fhir.UnmarshalBundle(fhirOf(t, its))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Entry) != 2 {
		t.Fatalf("%d entries", len(b.Entry))
	}
	ma, err := fhir.UnmarshalMedicationAdministration(b.Entry[0].Resource)
	if err != nil {
		t.Fatal(err)
	}
	if len(ma.ReasonCode) != 1 || *ma.ReasonCode[0].Text != "Uro" {
		t.Errorf("reasonCode %+v", ma.ReasonCode)
	}
	if ma.Request == nil || *ma.Request.Reference != "MedicationRequest/prn-oxa" {
		t.Errorf("request %+v", ma.Request)
	}
	if len(ma.Note) != 1 || !strings.Contains(ma.Note[0].Text, "Legen sa ja på telefon") {
		t.Errorf("note %+v", ma.Note)
	}
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(b.Entry[1].Resource, &head); err != nil || head.ResourceType != "Observation" {
		t.Fatalf("second entry %s", b.Entry[1].Resource)
	}
	o, err := fhir.UnmarshalObservation(b.Entry[1].Resource)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != fhir.ObservationStatusFinal || len(o.PartOf) != 1 || *o.PartOf[0].Reference != "MedicationAdministration/r-prn" ||
		o.ValueCodeableConcept == nil || *o.ValueCodeableConcept.Coding[0].Code != care.EffectPartial ||
		o.EffectiveDateTime == nil || *o.EffectiveDateTime != "2026-11-23T10:15:00Z" || len(o.Note) != 1 || o.Subject == nil {
		t.Errorf("Observation %s", b.Entry[1].Resource)
	}
	csv := string(csvOf(t, its))
	if !strings.Contains(csv, ",prn-oxa,Uro,Legen sa ja på telefon,,") || !strings.Contains(csv, ",r-prn,partial") {
		t.Errorf("csv:\n%s", csv)
	}
}
