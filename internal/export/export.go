// Package export writes reconciled or pending records out for the record
// system: CSV with stable columns, and a FHIR R4 Bundle built with the
// samply FHIR R4 model types.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// Names resolves ids to the names people read.
type Names struct {
	Patients map[string]string
	Users    map[string]string
}

// Item is one record to export: what the server knows about it and the
// record the device signed.
type Item struct {
	Stored store.StoredRecord
	Record care.Record
	// Signed says that the record has the signer's drawing when Record
	// was read without it (Decode); a Record with its SignatureSVG says
	// so itself.
	Signed bool
	// Cosigners are the users who co-signed a medication record on their
	// own phones (cosign records linked to it, reconcile.Linked), in the
	// order their records came; the caller finds them.
	Cosigners []string
}

// signed says whether the record carries the signer's drawing.
func (it Item) signed() bool { return it.Signed || it.Record.SignatureSVG != "" }

// Columns are the CSV columns, in order. They are part of the export's
// contract: new columns are added at the end.
var Columns = []string{
	"id", "type", "state", "unit_id", "patient_id", "patient_name", "author_id", "author_name",
	"device_id", "seq", "created_at", "received_at", "visit_id", "schedule_id",
	"medication", "dose", "route", "status", "reason", "administered_at", "cosigner_name", "has_signature",
	"text", "category", "severity", "description", "action_taken", "at", "emergency_reason",
	"quarantined", "ehr_ref", "void_reason", "reconciled_by", "entered_by", "reconciled_at",
	// as-needed doses and their effect
	"prn_id", "indication", "override_reason", "administration_id", "effect",
	// co-signing on the co-signer's own phone: the code, and who
	// co-signed a medication record with it
	"cosign_code", "cosigned_by",
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func stampPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return stamp(*t)
}

// cell keeps a spreadsheet from reading a value as a formula: a cell that
// starts with =, +, -, @, tab or carriage return gets a leading quote.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Writer writes records out one at a time: the format's opening when it
// is made, each record as it comes, the closing at Close. What it holds
// between records does not grow with their number.
type Writer interface {
	Write(it Item) error
	// Close writes what ends the format and flushes; a Writer that was
	// not closed leaves an answer that is visibly incomplete.
	Close() error
}

// CSVWriter writes one row per record under a header of Columns.
type CSVWriter struct {
	cw    *csv.Writer
	names Names
	row   []string // reused: one row is held at a time
}

// NewCSV writes the header of Columns to w and returns the writer of the
// rows.
func NewCSV(w io.Writer, names Names) (*CSVWriter, error) {
	c := &CSVWriter{cw: csv.NewWriter(w), names: names, row: make([]string, len(Columns))}
	if err := c.cw.Write(Columns); err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	return c, nil
}

// Write writes the row of one record. csv.Writer buffers; the row reaches
// w when its buffer fills or at Close.
func (c *CSVWriter) Write(it Item) error {
	c.row = csvRow(c.row, it, c.names)
	if err := c.cw.Write(c.row); err != nil {
		return fmt.Errorf("csv: record %s: %w", it.Stored.ID, err)
	}
	return nil
}

// csvRow fills row (reused from record to record) with the cells of one
// record, in the order of Columns.
func csvRow(row []string, it Item, names Names) []string {
	s, r := it.Stored, it.Record
	row = append(row[:0],
		s.ID, string(s.Type), stateOf(s), s.UnitID, s.PatientID, names.Patients[s.PatientID], s.AuthorID, names.Users[s.AuthorID],
		s.DeviceID, strconv.FormatUint(s.Seq, 10), stamp(s.CreatedAt), stamp(s.Received), r.VisitID, r.ScheduleID,
		r.Medication, r.Dose, r.Route, r.Status, r.Reason, stampPtr(r.AdministeredAt), r.CosignerName, strconv.FormatBool(it.signed()),
		r.Text, r.Category, r.Severity, r.Description, r.ActionTaken, stampPtr(r.At), r.EmergencyReason,
		strconv.FormatBool(s.Quarantined), s.EHRRef, s.VoidReason, names.Users[s.ReconciledBy], names.Users[s.EnteredBy], stamp(s.ReconciledAt),
		r.PRNID, r.Indication, r.OverrideReason, r.AdministrationID, r.Effect,
		r.CosignCode, cosignerNames(it.Cosigners, names),
	)
	for i := range row {
		row[i] = cell(row[i])
	}
	return row
}

// Close flushes the rows still buffered.
func (c *CSVWriter) Close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// stateOf shows quarantine as a state of its own.
func stateOf(s store.StoredRecord) string {
	if s.Quarantined && s.State == store.StateNew {
		return store.StateQuarantined
	}
	return s.State
}

// cosignerNames names the users who co-signed on their own phones,
// joined with "; ".
func cosignerNames(ids []string, names Names) string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		n := names.Users[id]
		if n == "" {
			n = id
		}
		out = append(out, n)
	}
	return strings.Join(out, "; ")
}
