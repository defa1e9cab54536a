package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/export"
	"beredskap/internal/i18n"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// exportItems are records whose text is made to trip a counter: line
// ends and quotes in CSV cells, the FHIR entry opening inside a note.
func exportItems(n int) []export.Item {
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	texts := []string{"plain", "two\nlines", `"quoted"` + "\n" + `and "" more`, `{"fullUrl":"urn:uuid:x"}`, "\r\n", `a,"b`}
	var out []export.Item
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("r%05d", i)
		r := care.Record{ID: id, Type: care.RecordNote, DeviceID: "d", AuthorID: "u", PatientID: "p", CreatedAt: at, Text: texts[i%len(texts)]}
		out = append(out, export.Item{Stored: store.StoredRecord{ID: id, Type: r.Type, DeviceID: "d", AuthorID: "u", PatientID: "p",
			UnitID: "n", CreatedAt: at, Received: at, State: store.StateNew}, Record: r})
	}
	return out
}

// TestExportCounter holds the office's count of records to what the
// server's writers write, however the bytes are cut into chunks.
func TestExportCounter(t *testing.T) {
	names := export.Names{Patients: map[string]string{"p": "Olav"}, Users: map[string]string{"u": "Nils"}}
	for _, n := range []int{0, 1, 7, 500} {
		var csvOut, fhirOut bytes.Buffer
		cw, err := export.NewCSV(&csvOut, names)
		if err != nil {
			t.Fatal(err)
		}
		fw, err := export.NewFHIR(&fhirOut, names, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range exportItems(n) {
			if err := cw.Write(it); err != nil {
				t.Fatal(err)
			}
			if err := fw.Write(it); err != nil {
				t.Fatal(err)
			}
		}
		if err := cw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := fw.Close(); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			format string
			raw    []byte
		}{{"csv", csvOut.Bytes()}, {"fhir", fhirOut.Bytes()}} {
			for _, chunk := range []int{1, 2, 5, 10, 11, 12, 64 << 10, -1} {
				rnd := rand.New(rand.NewPCG(uint64(n), uint64(chunk+1)))
				counter := exportCounter{format: c.format}
				for rest := c.raw; len(rest) > 0; {
					k := chunk
					if k < 0 {
						k = 1 + rnd.IntN(40) // cuts anywhere
					}
					k = min(k, len(rest))
					counter.add(rest[:k])
					rest = rest[k:]
				}
				if counter.records() != n || counter.bytes != int64(len(c.raw)) {
					t.Errorf("%s of %d records in chunks of %d: counted %d records, %d bytes", c.format, n, chunk, counter.records(), counter.bytes)
				}
			}
		}
	}
}

func TestExportNumbers(t *testing.T) {
	cases := []struct {
		lang       string
		n          int
		bytes      int64
		want, size string
	}{
		{"nb", 0, 0, "0", "0,0"},
		{"nb", 999, 1_250_000, "999", "1,2"},
		{"sv", 1000, 999_999_999, "1\u00a0000", "1000,0"},
		{"da", 31417, 52_000, "31\u00a0417", "0,1"},
		{"en", 1234567, 1_050_000, "1,234,567", "1.1"},
	}
	for _, c := range cases {
		if got := groupDigits(c.lang, c.n); got != c.want {
			t.Errorf("groupDigits(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
		if got := megabytes(c.lang, c.bytes); got != c.size {
			t.Errorf("megabytes(%s, %d) = %q, want %q", c.lang, c.bytes, got, c.size)
		}
	}
}

// TestExportKeysExist checks the keys the export bar composes.
func TestExportKeysExist(t *testing.T) {
	for _, lang := range i18n.Languages() {
		for _, k := range []string{"export.format.csv", "export.format.fhir"} {
			if !i18n.Has(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}

// TestExportOutcome: what the bar says during and after an export, for
// each way it can end, in every language.
func TestExportOutcome(t *testing.T) {
	for _, lang := range i18n.Languages() {
		s := shift.NewShift(shift.NewAPI(""), vault.NewMemory(), shift.Options{})
		s.Prefs().SetLang(context.Background(), lang)
		e := &officeExport{shift: s}
		e.format, e.records, e.bytes = "fhir", 1500, 2_500_000
		if got, want := e.progressText(), i18n.T(lang, "export.progress", "FHIR", groupDigits(lang, 1500), megabytes(lang, 2_500_000)); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
		e.total = 31417
		if got, want := e.progressText(), i18n.T(lang, "export.progress_of", "FHIR", groupDigits(lang, 1500), groupDigits(lang, 31417), megabytes(lang, 2_500_000)); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
		refused := &wire.Error{Code: wire.CodeInsufficientStorage, Key: "error.insufficient_storage"}
		cases := []struct {
			name     string
			err      error
			answered bool
			want     string
		}{
			{"saved", nil, true, i18n.T(lang, "export.saved", groupDigits(lang, 1500))},
			{"broken", errors.Join(errExportBroken, errors.New("TypeError: network error")), true, i18n.T(lang, "export.broken", groupDigits(lang, 1500))},
			{"unreachable", errors.Join(errExportBroken, errors.New("TypeError: Failed to fetch")), false, i18n.T(lang, "office.offline")},
			{"cancelled", context.Canceled, true, i18n.T(lang, "export.cancelled")},
			{"refused", refused, false, shift.ErrorText(lang, refused)},
		}
		for _, c := range cases {
			e.format, e.records = "csv", 1500
			e.finish(c.err, false, c.answered)
			if e.outcome != c.want || e.failed != (c.err != nil) || e.format != "" {
				t.Errorf("%s %s: %q (failed %v), want %q", lang, c.name, e.outcome, e.failed, c.want)
			}
		}
		e.format = "csv"
		e.finish(context.Canceled, true, true)
		if want := i18n.T(lang, "export.stalled", groupDigits(lang, 1500)); e.outcome != want {
			t.Errorf("%s stalled: %q, want %q", lang, e.outcome, want)
		}
	}
}
