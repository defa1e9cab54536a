package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/export"
	"beredskap/internal/reconcile"
	"beredskap/internal/store"
)

// exportChunk is how much of an export is gathered before it is sent and
// flushed to the client: large enough that writes are few, small enough
// that the office's progress moves.
const exportChunk = 64 << 10

// exportStall is how long one chunk may take to reach a client. The
// server's WriteTimeout (two minutes for the whole answer) would cut a
// million-record export off; each chunk gets this long instead, so a
// client that stops reading is still let go.
const exportStall = 2 * time.Minute

// exportRecords answers GET /api/v1/export/csv and /export/fhir: every
// record the filters select, written as it is read from the store, so
// that memory does not grow with the number of records.
//
// What can fail before the first byte (a bad filter, the store, the
// audit log) is answered as a JSON error, as everywhere else. Once the
// answer has started its status cannot change, and a line saying that
// the export broke off would read as data: the connection is aborted
// instead, so that the download fails visibly (the browser reports a
// network error, curl "transfer closed with outstanding read data"), and
// the log and the audit log say after how many records.
//
// Every export leaves two audit entries, tied by the export's id: one
// before the first byte (an export that cannot be audited is not made,
// and a server killed in the middle still shows that records left) and
// one at the end with the outcome and the number of records sent.
func (s *Server) exportRecords(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, units, ok := s.office(w, r)
		if !ok {
			return
		}
		f, err := recordFilter(r, units)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		// A drill's records are never exported to the record system,
		// whatever the filter asks.
		f.Drill = store.DrillNone
		n, _, err := s.loadNames(r, units)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		names := export.Names{Patients: n.patients, Users: n.users}
		now := s.cfg.Now()
		id := uuid.NewString()
		detail := fmt.Sprintf("export=%s format=%s query=%q", id, format, r.URL.RawQuery)
		if err := s.db.Append(r.Context(), store.Audit{Actor: c.ID, Action: store.AuditExport, Detail: detail + " status=started"}); err != nil {
			s.writeError(w, r, fmt.Errorf("audit export: %w", err))
			return
		}
		ctype, ext := "text/csv; charset=utf-8", "csv"
		if format == "fhir" {
			ctype, ext = "application/fhir+json; charset=utf-8", "json"
		}
		out := &exportStream{w: w, rc: http.NewResponseController(w), start: func(h http.Header) {
			h.Set("Content-Type", ctype)
			h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="beredskap-%s.%s"`, now.UTC().Format("20060102-1504"), ext))
		}}
		sent, err := s.writeExport(r.Context(), bufio.NewWriterSize(out, exportChunk), format, f, names, now)
		// The last entry is written even when the client went away (its
		// context has then ended): it is the one that says how it ended.
		actx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
		defer cancel()
		end := func(status string) {
			if err := s.db.Append(actx, store.Audit{Actor: c.ID, Action: store.AuditExport,
				Detail: fmt.Sprintf("%s status=%s records=%d", detail, status, sent)}); err != nil {
				s.log.Error("audit append failed", "err", err, "export", id)
			}
		}
		switch {
		case err == nil:
			end("complete")
		case !out.started:
			end("failed")
			if r.Context().Err() == nil {
				s.writeError(w, r, err)
			}
		default:
			end("incomplete")
			if r.Context().Err() != nil {
				s.log.Info("export not finished: the client went away", "export", id, "format", format, "records", sent)
			} else {
				s.log.Error("export broke off", "export", id, "format", format, "records", sent, "err", err)
			}
			panic(http.ErrAbortHandler) // net/http's way to abort an answer: no last chunk, the download fails
		}
	}
}

// writeExport writes every record f selects to w in the format, and
// flushes; sent counts the records handed to w. The records are decoded
// and their rows or entries made on every core (export.Parallel), while
// the store reads the next ones.
func (s *Server) writeExport(ctx context.Context, w *bufio.Writer, format string, f store.RecordFilter, names export.Names, now time.Time) (sent int, err error) {
	// The co-signatures are read while the walk starts: a dose that
	// needs them waits for them on its worker, and the first bytes wait
	// for the first rows (before them, a failure is still a JSON error).
	// The map is not written once ready is closed.
	var cosigns map[[2]string][]store.StoredRecord
	var cosignErr error
	ready := make(chan struct{})
	go func() {
		defer close(ready)
		cosigns, cosignErr = s.exportCosigns(ctx, f.Units)
	}()
	defer func() { <-ready }() // no read of the store outlives the answer
	cosigners := func(sr store.StoredRecord) ([]string, error) {
		if sr.Type != care.RecordMedication || sr.CosignCode == "" {
			return nil, nil
		}
		<-ready
		if cosignErr != nil {
			return nil, cosignErr
		}
		var ids []string
		for _, c := range cosigns[[2]string{sr.PatientID, sr.CosignCode}] {
			if reconcile.Linked(sr, c) {
				ids = append(ids, c.AuthorID)
			}
		}
		return ids, nil
	}
	workers := runtime.GOMAXPROCS(0)
	var xw *export.Parallel
	if format == "csv" {
		xw, err = export.NewParallelCSV(w, names, workers, cosigners)
	} else {
		xw, err = export.NewParallelFHIR(w, names, now, workers, cosigners)
	}
	if err != nil {
		return 0, err
	}
	if err := s.db.WalkRecords(ctx, f, xw.Add); err != nil {
		// Nothing more, the format's end least of all: the answer is cut
		// off, not closed as if complete.
		return xw.Abort(), err
	}
	if sent, err = xw.Close(); err != nil {
		return sent, err
	}
	// An export without a dose to co-sign did not wait for them: it
	// fails all the same when they could not be read.
	<-ready
	if cosignErr != nil {
		return sent, cosignErr
	}
	if err := w.Flush(); err != nil {
		return sent, fmt.Errorf("export: %w", err)
	}
	return sent, nil
}

// exportCosigns reads the live cosign records of the units (all units
// when nil), whatever their time, by patient and code, before the export
// walks its records: a co-signer's record may have come before or after
// the dose's, or outside the export's window. They are few, one for each
// dose that needs a second signature.
func (s *Server) exportCosigns(ctx context.Context, units []string) (map[[2]string][]store.StoredRecord, error) {
	out := map[[2]string][]store.StoredRecord{}
	cursor := ""
	for {
		page, next, err := s.db.ListRecords(ctx, store.RecordFilter{Units: units, Type: care.RecordCosign, Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, fmt.Errorf("export: cosigns: %w", err)
		}
		for _, c := range page {
			if c.State != store.StateVoid && !c.Quarantined {
				k := [2]string{c.PatientID, c.CosignCode}
				out[k] = append(out[k], c)
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// exportStream is the ResponseWriter as the export writes to it: the
// status and headers go out with the first bytes, not before, so that
// what fails earlier is still a JSON error; each chunk gets its own
// write deadline and is flushed to the client.
type exportStream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	start   func(h http.Header)
	started bool
}

func (e *exportStream) Write(p []byte) (int, error) {
	if !e.started {
		e.started = true
		e.start(e.w.Header())
		e.w.WriteHeader(http.StatusOK)
	}
	// Not every ResponseWriter has deadlines (httptest's recorder has
	// none); one without lives under the server's own timeouts.
	if err := e.rc.SetWriteDeadline(time.Now().Add(exportStall)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return 0, fmt.Errorf("export: %w", err)
	}
	n, err := e.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	if err := e.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}
