package server

import (
	"bytes"
	"fmt"
	"net/http"

	"beredskap/internal/export"
	"beredskap/internal/store"
)

// exportItems reads every record the filter selects, with bodies.
func (s *Server) exportItems(r *http.Request, f store.RecordFilter) ([]export.Item, error) {
	var items []export.Item
	f.Cursor, f.Limit = "", 1000
	for {
		page, next, err := s.db.ListRecords(r.Context(), f)
		if err != nil {
			return nil, err
		}
		for _, sr := range page {
			full, err := s.db.StoredRecordByID(r.Context(), sr.ID)
			if err != nil {
				return nil, err
			}
			rec, err := full.Record()
			if err != nil {
				return nil, err
			}
			items = append(items, export.Item{Stored: full, Record: rec})
		}
		if next == "" {
			return items, nil
		}
		f.Cursor = next
	}
}

// exportRecords answers GET /api/v1/export/csv and /export/fhir.
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
		items, err := s.exportItems(r, f)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		n, _, err := s.loadNames(r, units)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		names := export.Names{Patients: n.patients, Users: n.users}
		now := s.cfg.Now()
		var body []byte
		ctype, ext := "text/csv; charset=utf-8", "csv"
		switch format {
		case "csv":
			var buf bytes.Buffer
			if err := export.CSV(&buf, items, names); err != nil {
				s.writeError(w, r, err)
				return
			}
			body = buf.Bytes()
		default:
			if body, err = export.FHIR(items, names, now); err != nil {
				s.writeError(w, r, err)
				return
			}
			ctype, ext = "application/fhir+json; charset=utf-8", "json"
		}
		s.audit(r, store.Audit{Actor: c.ID, Action: store.AuditExport, Detail: fmt.Sprintf("format=%s records=%d query=%q", format, len(items), r.URL.RawQuery)})
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="beredskap-%s.%s"`, now.UTC().Format("20060102-1504"), ext))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}
}
