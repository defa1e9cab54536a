package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"beredskap/internal/care"
)

// identifierSystem names Beredskap's record ids, so that the record system
// can import a Bundle twice and recognise what it already has.
const identifierSystem = "urn:beredskap:record"

func ptr[T any](v T) *T { return &v }

func ref(kind, id, display string) *fhir.Reference {
	r := &fhir.Reference{Reference: ptr(kind + "/" + id)}
	if display != "" {
		r.Display = ptr(display)
	}
	return r
}

func text(s string) fhir.CodeableConcept { return fhir.CodeableConcept{Text: ptr(s)} }

func identifiers(id string) []fhir.Identifier {
	return []fhir.Identifier{{System: ptr(identifierSystem), Value: ptr(id)}}
}

// FHIR writes the records as a FHIR R4 Bundle of type collection:
// MedicationAdministration for medication records, Encounter for visit
// status, Communication for notes, AdverseEvent for deviations and
// AuditEvent for emergency access.
func FHIR(items []Item, names Names, now time.Time) ([]byte, error) {
	b := fhir.Bundle{
		Id:        ptr(fmt.Sprintf("beredskap-%d", now.Unix())),
		Type:      fhir.BundleTypeCollection,
		Timestamp: ptr(now.UTC().Format(time.RFC3339)),
		Total:     ptr(len(items)),
	}
	for _, it := range items {
		res, err := resource(it, names)
		if err != nil {
			return nil, fmt.Errorf("fhir: record %s: %w", it.Stored.ID, err)
		}
		raw, err := json.Marshal(res)
		if err != nil {
			return nil, fmt.Errorf("fhir: record %s: %w", it.Stored.ID, err)
		}
		b.Entry = append(b.Entry, fhir.BundleEntry{FullUrl: ptr("urn:uuid:" + it.Stored.ID), Resource: raw})
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("fhir: %w", err)
	}
	return clean(raw)
}

func resource(it Item, names Names) (any, error) {
	s, r := it.Stored, it.Record
	patient := ref("Patient", s.PatientID, names.Patients[s.PatientID])
	author := ref("Practitioner", s.AuthorID, names.Users[s.AuthorID])
	var encounter *fhir.Reference
	if r.VisitID != "" {
		encounter = ref("Encounter", r.VisitID, "")
	}
	switch r.Type {
	case care.RecordMedication:
		ma := fhir.MedicationAdministration{
			Id: ptr(s.ID), Identifier: identifiers(s.ID),
			Status:                    "completed",
			MedicationCodeableConcept: text(r.Medication),
			Subject:                   *patient,
			Context:                   encounter,
			Performer:                 []fhir.MedicationAdministrationPerformer{{Actor: *author}},
			Dosage:                    &fhir.MedicationAdministrationDosage{Text: ptr(r.Dose)},
		}
		if r.AdministeredAt != nil {
			ma.EffectiveDateTime = r.AdministeredAt.UTC().Format(time.RFC3339)
		}
		if r.Route != "" {
			ma.Dosage.Route = ptr(text(r.Route))
		}
		if r.Status != care.DoseGiven {
			ma.Status = "not-done"
			ma.StatusReason = []fhir.CodeableConcept{text(r.Status + ": " + r.Reason)}
		}
		if r.ScheduleID != "" {
			ma.Request = ref("MedicationRequest", r.ScheduleID, "")
		}
		if r.CosignerName != "" {
			ma.Performer = append(ma.Performer, fhir.MedicationAdministrationPerformer{
				Function: ptr(text("double check")), Actor: fhir.Reference{Display: ptr(r.CosignerName)}})
		}
		return ma, nil
	case care.RecordVisitStatus:
		status := map[string]fhir.EncounterStatus{
			care.VisitStarted: fhir.EncounterStatusInProgress, care.VisitCompleted: fhir.EncounterStatusFinished,
			care.VisitNotHome: fhir.EncounterStatusCancelled, care.VisitCancelled: fhir.EncounterStatusCancelled,
		}[r.Status]
		e := fhir.Encounter{
			Id: ptr(s.ID), Identifier: identifiers(s.ID), Status: status,
			Class:       fhir.Coding{System: ptr("http://terminology.hl7.org/CodeSystem/v3-ActCode"), Code: ptr("HH"), Display: ptr("home health")},
			Subject:     patient,
			PartOf:      encounter,
			Participant: []fhir.EncounterParticipant{{Individual: author}},
		}
		if r.At != nil {
			e.Period = &fhir.Period{Start: ptr(r.At.UTC().Format(time.RFC3339))}
		}
		if r.Status == care.VisitNotHome {
			e.ReasonCode = []fhir.CodeableConcept{text("patient not at home")}
		}
		return e, nil
	case care.RecordNote:
		return fhir.Communication{
			Id: ptr(s.ID), Identifier: identifiers(s.ID), Status: fhir.EventStatusCompleted,
			Subject: patient, Encounter: encounter, Sender: author,
			Sent:    ptr(r.CreatedAt.UTC().Format(time.RFC3339)),
			Payload: []fhir.CommunicationPayload{{ContentString: r.Text}},
		}, nil
	case care.RecordDeviation:
		severity := map[string]string{care.SeverityLow: "mild", care.SeverityMedium: "moderate", care.SeverityHigh: "severe"}[r.Severity]
		desc := r.Description
		if r.ActionTaken != "" {
			desc += "\nAction taken: " + r.ActionTaken
		}
		return fhir.AdverseEvent{
			Id: ptr(s.ID), Identifier: ptr(identifiers(s.ID)[0]), Actuality: fhir.AdverseEventActualityActual,
			Category: []fhir.CodeableConcept{text(r.Category)},
			Event:    ptr(text(desc)),
			Subject:  *patient, Encounter: encounter, Recorder: author,
			Date:     ptr(r.CreatedAt.UTC().Format(time.RFC3339)),
			Severity: &fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/adverse-event-severity"), Code: ptr(severity)}}, Text: ptr(r.Severity)},
		}, nil
	case care.RecordAccess:
		at := r.CreatedAt
		if r.At != nil {
			at = *r.At
		}
		purpose := fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/v3-ActReason"), Code: ptr("ETREAT"), Display: ptr("Emergency Treatment")}}}
		return fhir.AuditEvent{
			Id:             ptr(s.ID),
			Type:           fhir.Coding{System: ptr("http://dicom.nema.org/resources/ontology/DCM"), Code: ptr("110110"), Display: ptr("Patient Record")},
			Recorded:       at.UTC().Format(time.RFC3339),
			PurposeOfEvent: []fhir.CodeableConcept{purpose},
			Agent:          []fhir.AuditEventAgent{{Who: author, Requestor: true, PurposeOfUse: []fhir.CodeableConcept{purpose}}},
			Source:         fhir.AuditEventSource{Observer: *ref("Device", s.DeviceID, "")},
			Entity:         []fhir.AuditEventEntity{{What: patient, Description: ptr(r.Reason)}},
		}, nil
	}
	return nil, fmt.Errorf("no FHIR resource for record type %q", r.Type)
}

// clean removes empty objects, empty arrays and empty strings, which the
// model package writes for choice elements and required structs left
// unset, and which FHIR JSON does not allow.
func clean(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("fhir: %w", err)
	}
	v, _ = prune(v)
	return json.Marshal(v)
}

func prune(v any) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if p, keep := prune(val); keep {
				t[k] = p
			} else {
				delete(t, k)
			}
		}
		return t, len(t) > 0
	case []any:
		out := t[:0]
		for _, val := range t {
			if p, keep := prune(val); keep {
				out = append(out, p)
			}
		}
		return out, len(out) > 0
	case string:
		return t, t != ""
	case nil:
		return nil, false
	}
	return v, true
}
