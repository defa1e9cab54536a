package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

var t0 = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

func item(id string, r care.Record) Item {
	r.ID, r.DeviceID, r.AuthorID, r.PatientID, r.CreatedAt, r.Seq = id, "dev1", "u-nils", "p-olav", t0, 1
	return Item{Stored: store.StoredRecord{ID: id, Type: r.Type, DeviceID: "dev1", AuthorID: "u-nils", PatientID: "p-olav",
		UnitID: "n", Seq: 1, CreatedAt: t0, Received: t0.Add(5 * time.Hour), State: store.StateNew}, Record: r}
}

func items() []Item {
	at := t0
	return []Item{
		item("r-given", care.Record{Type: care.RecordMedication, VisitID: "v1", ScheduleID: "d1", Medication: "Insulin Humalog", Dose: "8 IE", Route: "subkutant",
			Status: care.DoseGiven, AdministeredAt: &at, SignatureSVG: "M1 1 L2 2", CosignerName: "Kari Lunde", CosignerSignatureSVG: "M1 1 L3 3"}),
		item("r-refused", care.Record{Type: care.RecordMedication, Medication: "Paracet", Dose: "1 g", Status: care.DoseRefused, Reason: "Sov", AdministeredAt: &at, SignatureSVG: "M1 1 L2 2"}),
		item("r-visit", care.Record{Type: care.RecordVisitStatus, VisitID: "v1", Status: care.VisitNotHome, At: &at}),
		item("r-note", care.Record{Type: care.RecordNote, VisitID: "v1", Text: "=HYPERLINK(\"x\") spiste godt"}),
		item("r-dev", care.Record{Type: care.RecordDeviation, Category: "fall", Severity: care.SeverityHigh, Description: "Funnet på gulvet", ActionTaken: "Ringte lege"}),
		item("r-access", care.Record{Type: care.RecordAccess, Reason: "Besøket flyttet til meg", At: &at, EmergencyReason: "Besøket flyttet til meg"}),
	}
}

var names = Names{Patients: map[string]string{"p-olav": "Olav Berntsen"}, Users: map[string]string{"u-nils": "Nils Hauge"}}

// csvOf and fhirOf write items through the streaming writers.
func csvOf(t testing.TB, its []Item) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewCSV(&buf, names)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, its)
	return buf.Bytes()
}

func fhirOf(t testing.TB, its []Item) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewFHIR(&buf, names, t0.Add(6*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, its)
	return buf.Bytes()
}

func writeAll(t testing.TB, w Writer, its []Item) {
	t.Helper()
	for _, it := range its {
		if err := w.Write(it); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCSV(t *testing.T) {
	buf := bytes.NewBuffer(csvOf(t, items()))
	rows, err := csv.NewReader(buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(Columns, ",") || len(rows) != 7 {
		t.Fatalf("header %v, %d rows", rows[0], len(rows))
	}
	col := map[string]int{}
	for i, c := range Columns {
		col[c] = i
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		if len(r) != len(Columns) {
			t.Fatalf("row of %d cells", len(r))
		}
		byID[r[col["id"]]] = r
	}
	cases := []struct{ id, column, want string }{
		{"r-given", "patient_name", "Olav Berntsen"},
		{"r-given", "author_name", "Nils Hauge"},
		{"r-given", "administered_at", "2026-11-23T09:30:00Z"},
		{"r-given", "received_at", "2026-11-23T14:30:00Z"},
		{"r-given", "has_signature", "true"},
		{"r-given", "cosigner_name", "Kari Lunde"},
		{"r-refused", "reason", "Sov"},
		{"r-note", "text", `'=HYPERLINK("x") spiste godt`},
		{"r-dev", "severity", "high"},
		{"r-access", "emergency_reason", "Besøket flyttet til meg"},
		{"r-visit", "state", "new"},
	}
	for _, c := range cases {
		if got := byID[c.id][col[c.column]]; got != c.want {
			t.Errorf("%s %s = %q, want %q", c.id, c.column, got, c.want)
		}
	}
}

func TestFHIRBundle(t *testing.T) {
	raw := fhirOf(t, items())
	for _, bad := range []string{`{}`, `[]`, `""`, `"medicationReference"`, `"effectivePeriod"`, `"contentAttachment"`} {
		if bytes.Contains(raw, []byte(bad)) {
			t.Errorf("the bundle holds %s, which FHIR JSON does not allow here", bad)
		}
	}
	b, err := fhir.UnmarshalBundle(raw)
	if err != nil {
		t.Fatal(err)
	}
	// bdl-1: a collection carries no total.
	if b.Type != fhir.BundleTypeCollection || len(b.Entry) != 6 || b.Total != nil {
		t.Fatalf("bundle type %v, %d entries, total %v", b.Type, len(b.Entry), b.Total)
	}
	kinds := map[string]int{}
	for _, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			t.Fatal(err)
		}
		kinds[head.ResourceType]++
		switch head.ResourceType {
		case "MedicationAdministration":
			ma, err := fhir.UnmarshalMedicationAdministration(e.Resource)
			if err != nil {
				t.Fatal(err)
			}
			if ma.MedicationCodeableConcept.Text == nil || ma.Subject.Reference == nil || *ma.Subject.Reference != "Patient/p-olav" || ma.EffectiveDateTime == "" || len(ma.Performer) == 0 {
				t.Errorf("MedicationAdministration lacks required fields: %s", e.Resource)
			}
			switch head.ID {
			case "r-given":
				if ma.Status != "completed" || ma.Request == nil || len(ma.Performer) != 2 {
					t.Errorf("given: status %q, %d performers", ma.Status, len(ma.Performer))
				}
			case "r-refused":
				if ma.Status != "not-done" || len(ma.StatusReason) != 1 || !strings.Contains(*ma.StatusReason[0].Text, "Sov") {
					t.Errorf("refused: status %q reason %v", ma.Status, ma.StatusReason)
				}
			}
			if len(ma.Identifier) != 1 || *ma.Identifier[0].Value != head.ID {
				t.Errorf("identifier %v", ma.Identifier)
			}
		case "Encounter":
			enc, err := fhir.UnmarshalEncounter(e.Resource)
			if err != nil {
				t.Fatal(err)
			}
			if enc.Status != fhir.EncounterStatusCancelled || enc.Class.Code == nil || enc.Subject == nil || enc.Period == nil {
				t.Errorf("Encounter %s", e.Resource)
			}
		case "Communication":
			c, err := fhir.UnmarshalCommunication(e.Resource)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != fhir.EventStatusCompleted || len(c.Payload) != 1 || !strings.Contains(c.Payload[0].ContentString, "spiste godt") || c.Sender == nil {
				t.Errorf("Communication %s", e.Resource)
			}
		case "AdverseEvent":
			ae, err := fhir.UnmarshalAdverseEvent(e.Resource)
			if err != nil {
				t.Fatal(err)
			}
			if ae.Actuality != fhir.AdverseEventActualityActual || ae.Subject.Reference == nil || ae.Severity == nil || *ae.Severity.Coding[0].Code != "severe" {
				t.Errorf("AdverseEvent %s", e.Resource)
			}
		case "AuditEvent":
			au, err := fhir.UnmarshalAuditEvent(e.Resource)
			if err != nil {
				t.Fatal(err)
			}
			if au.Type.Code == nil || au.Recorded == "" || len(au.Agent) != 1 || au.Source.Observer.Reference == nil || len(au.Entity) != 1 || *au.Entity[0].Description != "Besøket flyttet til meg" {
				t.Errorf("AuditEvent %s", e.Resource)
			}
		}
	}
	want := map[string]int{"MedicationAdministration": 2, "Encounter": 1, "Communication": 1, "AdverseEvent": 1, "AuditEvent": 1}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d %s, want %d", kinds[k], k, n)
		}
	}
}

// TestSameAsBefore compares the streamed answers with what the in-memory
// writers made from the same records before exports streamed
// (testdata/before.*, written by that code): the CSV byte for byte, the
// FHIR Bundle as JSON, but for the total that bdl-1 forbids in a
// collection.
func TestSameAsBefore(t *testing.T) {
	wantCSV, err := os.ReadFile("testdata/before.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got := csvOf(t, items()); !bytes.Equal(got, wantCSV) {
		t.Errorf("csv differs from before:\n%s\nwant\n%s", got, wantCSV)
	}
	wantRaw, err := os.ReadFile("testdata/before.fhir.json")
	if err != nil {
		t.Fatal(err)
	}
	var want, got map[string]any
	if err := json.Unmarshal(wantRaw, &want); err != nil {
		t.Fatal(err)
	}
	delete(want, "total")
	if err := json.Unmarshal(fhirOf(t, items()), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bundle differs from before:\n%v\nwant\n%v", got, want)
	}
}

// TestEmptyExport: no records is a header alone, and a Bundle with no
// entry array (FHIR JSON allows no empty arrays).
func TestEmptyExport(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(csvOf(t, nil))).ReadAll()
	if err != nil || len(rows) != 1 || len(rows[0]) != len(Columns) {
		t.Fatalf("empty csv: %v, %v", rows, err)
	}
	raw := fhirOf(t, nil)
	var b map[string]any
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("empty bundle %s: %v", raw, err)
	}
	if _, ok := b["entry"]; ok || b["resourceType"] != "Bundle" || b["type"] != "collection" {
		t.Fatalf("empty bundle %s", raw)
	}
}

// TestStreamedEntries writes many records and reads the Bundle back with
// a streaming decoder, entry by entry, and the CSV with encoding/csv:
// every record once, in order.
func TestStreamedEntries(t *testing.T) {
	base := items()
	var its []Item
	for i := 0; i < 3000; i++ {
		it := base[i%len(base)]
		it.Stored.ID = fmt.Sprintf("r%05d", i)
		its = append(its, it)
	}
	rows, err := csv.NewReader(bytes.NewReader(csvOf(t, its))).ReadAll()
	if err != nil || len(rows) != len(its)+1 {
		t.Fatalf("csv: %d rows, %v", len(rows), err)
	}
	for i, r := range rows[1:] {
		if r[0] != its[i].Stored.ID {
			t.Fatalf("row %d is %s, want %s", i, r[0], its[i].Stored.ID)
		}
	}
	b, err := fhir.UnmarshalBundle(fhirOf(t, its))
	if err != nil || len(b.Entry) != len(its) {
		t.Fatalf("bundle: %d entries, %v", len(b.Entry), err)
	}
	for i, e := range b.Entry {
		if *e.FullUrl != "urn:uuid:"+its[i].Stored.ID {
			t.Fatalf("entry %d is %s", i, *e.FullUrl)
		}
	}
}

// benchItems are records of every type, as many as b.N asks for, made
// as they come.
func benchExport(b *testing.B, open func(w io.Writer) (Writer, error)) {
	base := items()
	w, err := open(io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.Write(base[i%len(base)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkExportCSV and BenchmarkExportFHIR measure the writers alone
// (the store's part is BenchmarkWalkRecords in internal/store/badger).
func BenchmarkExportCSV(b *testing.B) {
	benchExport(b, func(w io.Writer) (Writer, error) { return NewCSV(w, names) })
}

func BenchmarkExportFHIR(b *testing.B) {
	benchExport(b, func(w io.Writer) (Writer, error) { return NewFHIR(w, names, t0) })
}
