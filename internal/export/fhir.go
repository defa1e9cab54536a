package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"beredskap/internal/care"
)

// identifierSystem names Beredskap's record ids, so that the record system
// can import a Bundle twice and recognise what it already has.
const identifierSystem = "urn:beredskap:record"

// codeSystem names Beredskap's own codes, where FHIR and the common
// terminologies have none for what a phone records (a PRN dose's effect).
const codeSystem = "urn:beredskap:code"

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

// FHIRWriter writes the records as a FHIR R4 Bundle of type collection,
// one entry at a time: MedicationAdministration for medication records,
// Encounter for visit status, Communication for notes, AdverseEvent for
// deviations, AuditEvent for emergency access, Observation for a PRN
// dose's effect and Provenance for a co-signature.
//
// The Bundle carries no total: R4's invariant bdl-1 allows Bundle.total
// only in search and history bundles, and a stream does not know it
// before the end anyway.
type FHIRWriter struct {
	w     io.Writer
	names Names
	open  []byte // the Bundle's opening, written with the first entry
	n     int
	buf   []byte // one entry at a time
}

// NewFHIR returns the writer of a Bundle made at now. Nothing is written
// to w before the first entry or Close.
func NewFHIR(w io.Writer, names Names, now time.Time) (*FHIRWriter, error) {
	id, err := json.Marshal(fmt.Sprintf("beredskap-%d", now.Unix()))
	if err != nil {
		return nil, fmt.Errorf("fhir: %w", err)
	}
	open := append([]byte(`{"resourceType":"Bundle","id":`), id...)
	open = append(open, `,"type":"collection","timestamp":"`+now.UTC().Format(time.RFC3339)+`"`...)
	return &FHIRWriter{w: w, names: names, open: open}, nil
}

// Write writes the entry of one record.
func (f *FHIRWriter) Write(it Item) error {
	// The entry is built in one buffer kept from entry to entry.
	buf := f.buf[:0]
	if f.n == 0 {
		buf = append(buf, f.opening()...)
	} else {
		buf = append(buf, ',')
	}
	buf, err := appendEntry(buf, it, f.names)
	if err != nil {
		return err
	}
	f.buf = buf
	if _, err := f.w.Write(buf); err != nil {
		return fmt.Errorf("fhir: record %s: %w", it.Stored.ID, err)
	}
	f.n++
	return nil
}

// opening is what comes before the first entry: the Bundle's opening and
// its "entry" (FHIR JSON allows no empty array: it opens with the first).
func (f *FHIRWriter) opening() []byte {
	return append(append([]byte{}, f.open...), `,"entry":[`...)
}

// ending is what comes after the last of n entries.
func (f *FHIRWriter) ending(n int) []byte {
	if n == 0 {
		return append(append([]byte{}, f.open...), '}')
	}
	return []byte("]}")
}

// appendEntry appends the Bundle entry of one record to buf.
func appendEntry(buf []byte, it Item, names Names) ([]byte, error) {
	res, err := resource(it, names)
	if err != nil {
		return buf, fmt.Errorf("fhir: record %s: %w", it.Stored.ID, err)
	}
	// The model's own MarshalJSON: through json.Marshal its output would
	// be scanned once more to be checked and compacted.
	raw, err := res.MarshalJSON()
	if err != nil {
		return buf, fmt.Errorf("fhir: record %s: %w", it.Stored.ID, err)
	}
	buf = append(buf, `{"fullUrl":`...)
	if buf, err = appendJSONString(buf, "urn:uuid:"+it.Stored.ID); err != nil {
		return buf, fmt.Errorf("fhir: record %s: %w", it.Stored.ID, err)
	}
	buf = append(buf, `,"resource":`...)
	// The resource is pruned straight into the entry's buffer.
	if buf, err = cleanInto(buf, raw); err != nil {
		return buf, fmt.Errorf("fhir: record %s: %w", it.Stored.ID, err)
	}
	return append(buf, '}'), nil
}

// appendJSONString appends s as json.Marshal writes it: a string of
// letters, digits and -.:_ (a record id always is) as it is, in quotes,
// anything else through json.Marshal.
func appendJSONString(dst []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == ':' || c == '_') {
			q, err := json.Marshal(s)
			return append(dst, q...), err
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"'), nil
}

// Close writes the end of the Bundle.
func (f *FHIRWriter) Close() error {
	if _, err := f.w.Write(f.ending(f.n)); err != nil {
		return fmt.Errorf("fhir: %w", err)
	}
	return nil
}

func resource(it Item, names Names) (json.Marshaler, error) {
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
		if r.PRNID != "" {
			// An as-needed dose: its order is the PRN medication of the
			// plan, and reasonCode ("a code indicating why the medication
			// was given", R4) carries the indication it was given for.
			// Why it was given despite the phone's warning (too soon, over
			// the day's maximum) is a note on the administration.
			ma.Request = ref("MedicationRequest", r.PRNID, "")
			if r.Indication != "" {
				ma.ReasonCode = []fhir.CodeableConcept{text(r.Indication)}
			}
			if r.OverrideReason != "" {
				ma.Note = []fhir.Annotation{{AuthorReference: author, Text: "Given despite the as-needed rule's warning: " + r.OverrideReason}}
			}
		}
		if r.CosignerName != "" {
			ma.Performer = append(ma.Performer, fhir.MedicationAdministrationPerformer{
				Function: ptr(text("double check")), Actor: fhir.Reference{Display: ptr(r.CosignerName)}})
		}
		// A co-signer on her own phone is a performer whose function is
		// "verifier" of R4's med-admin-perform-function code system ("a
		// person ... that has confirmed the accuracy of the
		// administration"), named as the author is.
		for _, id := range it.Cosigners {
			ma.Performer = append(ma.Performer, fhir.MedicationAdministrationPerformer{
				Function: &fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/med-admin-perform-function"),
					Code: ptr("verifier"), Display: ptr("Verifier")}}, Text: ptr("double check on the co-signer's own phone")},
				Actor: *ref("Practitioner", id, names.Users[id])})
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
	case care.RecordPRNEffect:
		// The effect of an as-needed dose is its own Observation, partOf
		// the MedicationAdministration (R4 allows that reference there),
		// rather than a note on the administration: it is a separate act,
		// made later, perhaps by another worker on another phone, synced
		// as its own record, and the export writes record by record, so it
		// cannot go back and amend an administration already written.
		at := r.CreatedAt
		if r.At != nil {
			at = *r.At
		}
		o := fhir.Observation{
			Id: ptr(s.ID), Identifier: identifiers(s.ID), Status: fhir.ObservationStatusFinal,
			PartOf: []fhir.Reference{*ref("MedicationAdministration", r.AdministrationID, "")},
			Category: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/observation-category"),
				Code: ptr("therapy"), Display: ptr("Therapy")}}}},
			Code:              fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(codeSystem), Code: ptr("prn-effect")}}, Text: ptr("Effect of an as-needed dose")},
			Subject:           patient,
			Encounter:         encounter,
			EffectiveDateTime: ptr(at.UTC().Format(time.RFC3339)),
			Performer:         []fhir.Reference{*author},
			ValueCodeableConcept: &fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(codeSystem + ":prn-effect"), Code: ptr(r.Effect)}},
				Text: ptr(r.Effect)},
		}
		if r.Text != "" {
			o.Note = []fhir.Annotation{{Text: r.Text}}
		}
		return o, nil
	case care.RecordCosign:
		// A co-signature made on the co-signer's own phone is also a
		// performer of the administration it co-signs (Item.Cosigners);
		// as its own record it is a Provenance of the dose's order (the
		// phone knows the dose, not the administration's id), its agent
		// the co-signer as "verifier" of R4's provenance-participant-type,
		// so that it is exported even when the administration is not.
		order := r.ScheduleID
		if order == "" {
			order = r.PRNID
		}
		return fhir.Provenance{
			Id:       ptr(s.ID),
			Target:   []fhir.Reference{*ref("MedicationRequest", order, r.Medication)},
			Recorded: r.CreatedAt.UTC().Format(time.RFC3339),
			Activity: ptr(text("co-signature, code " + r.CosignCode)),
			Agent: []fhir.ProvenanceAgent{{Type: &fhir.CodeableConcept{Coding: []fhir.Coding{{
				System: ptr("http://terminology.hl7.org/CodeSystem/provenance-participant-type"), Code: ptr("verifier"), Display: ptr("Verifier")}}},
				Who: *author}},
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
// unset, and which FHIR JSON does not allow. It works on the bytes
// json.Marshal wrote, in one pass and in their order: decoding into maps
// and encoding again took most of an export's time.
func clean(raw []byte) ([]byte, error) {
	return cleanInto(make([]byte, 0, len(raw)), raw)
}

// cleanInto is clean appending to dst; an empty value appends nothing.
func cleanInto(dst, raw []byte) ([]byte, error) {
	out, next, _, err := pruneValue(dst, raw, 0)
	if err != nil {
		return nil, fmt.Errorf("fhir: %w", err)
	}
	if next = skipSpace(raw, next); next != len(raw) {
		return nil, fmt.Errorf("fhir: %d bytes after the JSON value", len(raw)-next)
	}
	return out, nil
}

var errBadJSON = errors.New("malformed JSON")

func skipSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the string that starts at src[i].
func stringEnd(src []byte, i int) (int, error) {
	for i++; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errBadJSON
}

// pruneValue appends the value at src[i] to dst unless it is empty (null,
// "", {} or [], after pruning what it holds), and returns where the value
// ended in src and whether it was kept.
func pruneValue(dst, src []byte, i int) (out []byte, next int, keep bool, err error) {
	i = skipSpace(src, i)
	if i >= len(src) {
		return dst, i, false, errBadJSON
	}
	switch c := src[i]; c {
	case '{', '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		mark := len(dst)
		dst = append(dst, c)
		kept := 0
		i = skipSpace(src, i+1)
		if i < len(src) && src[i] == closer {
			return dst[:mark], i + 1, false, nil
		}
		for {
			member := len(dst)
			if kept > 0 {
				dst = append(dst, ',')
			}
			if c == '{' {
				i = skipSpace(src, i)
				if i >= len(src) || src[i] != '"' {
					return dst, i, false, errBadJSON
				}
				end, err := stringEnd(src, i)
				if err != nil {
					return dst, i, false, err
				}
				dst = append(dst, src[i:end]...)
				if i = skipSpace(src, end); i >= len(src) || src[i] != ':' {
					return dst, i, false, errBadJSON
				}
				dst = append(dst, ':')
				i++
			}
			var ok bool
			if dst, i, ok, err = pruneValue(dst, src, i); err != nil {
				return dst, i, false, err
			}
			if ok {
				kept++
			} else {
				dst = dst[:member]
			}
			if i = skipSpace(src, i); i >= len(src) {
				return dst, i, false, errBadJSON
			}
			switch src[i] {
			case ',':
				i++
				continue
			case closer:
				if kept == 0 {
					return dst[:mark], i + 1, false, nil
				}
				return append(dst, closer), i + 1, true, nil
			}
			return dst, i, false, errBadJSON
		}
	case '"':
		end, err := stringEnd(src, i)
		if err != nil {
			return dst, i, false, err
		}
		if end == i+2 {
			return dst, end, false, nil
		}
		return append(dst, src[i:end]...), end, true, nil
	default: // a number, true, false or null
		end := i
		for end < len(src) && !strings.ContainsRune(",]} \t\n\r", rune(src[end])) {
			end++
		}
		if string(src[i:end]) == "null" {
			return dst, end, false, nil
		}
		return append(dst, src[i:end]...), end, true, nil
	}
}
