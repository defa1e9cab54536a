package server

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/binder"
	"beredskap/internal/care"
	"beredskap/internal/desk"
	"beredskap/internal/i18n"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Drills (issue 19, item 2): a coordinator starts a preparedness drill
// for some of her units over a window, ends it early, marks when the
// exercise's network came back, and reads its report. Phones learn of it
// through the bundle; every record of a covered unit and time is a drill
// record (ingest), kept apart from the real documentation.

// The limits of a drill's window: a drill is an exercise of a shift or
// a day, planned at most a month ahead.
const (
	MaxDrillHours     = 24
	MaxDrillAheadDays = 30
)

// Message keys of drills' errors.
const (
	keyDrillStart  = "error.field.drill_start"  // field, days
	keyDrillEnd    = "error.field.drill_end"    // field, hours
	keyDrillOver   = "error.drill_over"         // no args
	keyDrillBack   = "error.drill_network_back" // no args
	keyDrillRecord = "error.drill_record"       // no args
)

// drillFrom validates a request to start a drill against the caller's
// units and the units there are, and makes it a drill.
func (s *Server) drillFrom(r *http.Request, req wire.DrillRequest, c caller, units []string, now time.Time) (store.Drill, error) {
	title := strings.TrimSpace(req.Title)
	if title == "" {
		return store.Drill{}, care.Invalid("title", "title is required", care.KeyRequired)
	}
	if err := care.CheckLength("title", title, care.MaxShortBytes); err != nil {
		return store.Drill{}, err
	}
	scenario := strings.TrimSpace(req.Scenario)
	if err := care.CheckLength("scenario", scenario, care.MaxNoteBytes); err != nil {
		return store.Drill{}, err
	}
	if len(req.Units) == 0 {
		return store.Drill{}, care.Invalid("units", "units is empty", care.KeyRequired)
	}
	all, err := s.db.Units(r.Context())
	if err != nil {
		return store.Drill{}, err
	}
	var ids []string
	for _, u := range req.Units {
		if !slices.ContainsFunc(all, func(x care.Unit) bool { return x.ID == u }) {
			return store.Drill{}, care.Invalid("units", "unknown unit "+u, care.KeyUnknown, u)
		}
		if !inScope(units, u) {
			return store.Drill{}, unitNotYours(u)
		}
		if !slices.Contains(ids, u) {
			ids = append(ids, u)
		}
	}
	start := now
	if req.Start != nil {
		start = req.Start.UTC()
	}
	days := strconv.Itoa(MaxDrillAheadDays)
	// A minute's grace for the office computer's clock.
	if start.Before(now.Add(-time.Minute)) || start.After(now.Add(MaxDrillAheadDays*24*time.Hour)) {
		return store.Drill{}, care.Invalid("start", "start must be now or later, at most "+days+" days ahead", keyDrillStart, days)
	}
	if start.Before(now) {
		start = now
	}
	end := req.End.UTC()
	hours := strconv.Itoa(MaxDrillHours)
	if req.End.IsZero() {
		return store.Drill{}, care.Invalid("end", "end is required", care.KeyRequired)
	}
	if !end.After(start) || end.Sub(start) > MaxDrillHours*time.Hour {
		return store.Drill{}, care.Invalid("end", "end must be after the start and at most "+hours+" hours after it", keyDrillEnd, hours)
	}
	return store.Drill{ID: uuid.NewString(), Units: ids, Title: title, Scenario: scenario, Start: start, End: end,
		StartedBy: c.ID, Created: now}, nil
}

// drillNames names the accounts for the drills' views.
func (s *Server) drillNames(r *http.Request) (map[string]string, error) {
	accts, err := s.db.Accounts(r.Context())
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(accts))
	for _, a := range accts {
		names[a.ID] = a.Name
	}
	return names, nil
}

// drillVisible reports whether the caller sees the drill: one of its
// units is hers.
func drillVisible(units []string, d store.Drill) bool {
	return slices.ContainsFunc(d.Units, func(u string) bool { return inScope(units, u) })
}

// scopedDrill loads a drill the caller may see: an unknown id is 404,
// another unit's drill 403.
func (s *Server) scopedDrill(w http.ResponseWriter, r *http.Request, units []string) (store.Drill, bool) {
	d, err := s.db.Drill(r.Context(), r.PathValue("id"))
	if err == nil && !drillVisible(units, d) {
		err = wire.Errorf(wire.CodeForbidden, "drill %s is for other units", d.ID).WithKey(keyForbidden)
	}
	if err != nil {
		s.writeError(w, r, err)
		return d, false
	}
	return d, true
}

// drillView is the desk's view of a drill, with its records counted.
func (s *Server) drillView(r *http.Request, d store.Drill, names map[string]string) (wire.Drill, error) {
	v := desk.DrillView(d, names)
	n, err := s.cfg.Counter.MatchingRecords(r.Context(), store.RecordFilter{Drill: d.ID})
	if err != nil {
		return v, err
	}
	v.Records = n
	return v, nil
}

// officeDrill is the office caller and the drill the path names, which
// she may see; on false the error is written.
func (s *Server) officeDrill(w http.ResponseWriter, r *http.Request) (caller, []string, store.Drill, bool) {
	c, units, ok := s.office(w, r)
	if !ok {
		return c, nil, store.Drill{}, false
	}
	d, ok := s.scopedDrill(w, r, units)
	return c, units, d, ok
}

// writeDrill answers with the desk's view of d.
func (s *Server) writeDrill(w http.ResponseWriter, r *http.Request, status int, d store.Drill) {
	names, err := s.drillNames(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.drillView(r, d, names)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

func (s *Server) startDrill(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	var req wire.DrillRequest
	if err := decode(w, r, 64<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.cfg.Now().UTC()
	d, err := s.drillFrom(r, req, c, units, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a := store.Audit{Time: now, Actor: c.ID, Action: store.AuditDrillStart, Subject: d.ID,
		Detail: fmt.Sprintf("units=%s start=%s end=%s title=%q", strings.Join(d.Units, ","), d.Start.Format(time.RFC3339), d.End.Format(time.RFC3339), d.Title)}
	if err := s.db.CreateDrill(r.Context(), d, a); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeDrill(w, r, http.StatusCreated, d)
}

func (s *Server) listDrills(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	all, err := s.db.Drills(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	names, err := s.drillNames(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := wire.DrillsResponse{Drills: []wire.Drill{}}
	for _, d := range all {
		if !drillVisible(units, d) {
			continue
		}
		v, err := s.drillView(r, d, names)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out.Drills = append(out.Drills, v)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getDrill(w http.ResponseWriter, r *http.Request) {
	if _, _, d, ok := s.officeDrill(w, r); ok {
		s.writeDrill(w, r, http.StatusOK, d)
	}
}

// changeDrill ends a drill early (end) or marks its network back
// (network-back), in one audited change of the stored drill.
func (s *Server) changeDrill(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, _, _, ok := s.officeDrill(w, r)
		if !ok {
			return
		}
		now := s.cfg.Now().UTC()
		a := store.Audit{Time: now, Actor: c.ID, Subject: r.PathValue("id")}
		var change func(*store.Drill) error
		switch action {
		case "end":
			a.Action = store.AuditDrillEnd
			change = func(d *store.Drill) error {
				if !now.Before(d.End) {
					return wire.Errorf(wire.CodeConflict, "the drill is over").WithKey(keyDrillOver)
				}
				// A drill ended before it began is called off: its window
				// is empty.
				d.End, d.Ended, d.EndedBy = now, &now, c.ID
				if now.Before(d.Start) {
					d.End = d.Start
				}
				return nil
			}
		default:
			a.Action = store.AuditDrillNetworkBack
			change = func(d *store.Drill) error {
				switch {
				case !d.Covers(d.Units[0], now):
					return wire.Errorf(wire.CodeConflict, "the drill is not under way").WithKey(keyDrillOver)
				case d.NetworkBack != nil:
					return wire.Errorf(wire.CodeConflict, "the network was marked back at %s", d.NetworkBack.Format(time.RFC3339)).WithKey(keyDrillBack)
				}
				d.NetworkBack, d.NetworkBackBy = &now, c.ID
				return nil
			}
		}
		d, err := s.db.ChangeDrill(r.Context(), r.PathValue("id"), change, a)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeDrill(w, r, http.StatusOK, d)
	}
}

// drillReport is GET /api/v1/drills/{id}/report: who took part, what was
// recorded, the findings of its records and the time to sync after
// network back.
func (s *Server) drillReport(w http.ResponseWriter, r *http.Request) {
	_, _, d, ok := s.officeDrill(w, r)
	if !ok {
		return
	}
	rep, err := desk.DrillReport(r.Context(), s.db, d, s.cfg.Now().UTC(), s.cfg.OfflineFor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// drillReportPDF is GET /api/v1/drills/{id}/report.pdf?lang=: the report
// printed, in the caller's language unless lang says another, with
// local times. It names patients, so it is audited as an export.
func (s *Server) drillReportPDF(w http.ResponseWriter, r *http.Request) {
	c, _, d, ok := s.officeDrill(w, r)
	if !ok {
		return
	}
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = i18n.Pick(c.Lang)
	}
	if !slices.Contains(i18n.Languages(), lang) {
		s.writeError(w, r, care.Invalid("lang", "lang must be one of "+strings.Join(i18n.Languages(), ", "), care.KeyOneOf, strings.Join(i18n.Languages(), ", ")))
		return
	}
	now := s.cfg.Now().UTC()
	rep, err := desk.DrillReport(r.Context(), s.db, d, now, s.cfg.OfflineFor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	unitNames := map[string]string{}
	if all, err := s.db.Units(r.Context()); err == nil {
		for _, u := range all {
			unitNames[u.ID] = u.Name
		}
	}
	var buf bytes.Buffer
	err = binder.RenderDrillReport(r.Context(), &buf, binder.DrillReportData{Report: rep, UnitNames: unitNames,
		Location: s.cfg.Location, Lang: lang, Generated: now})
	if err != nil {
		if r.Context().Err() != nil || errors.Is(err, r.Context().Err()) {
			return
		}
		s.writeError(w, r, fmt.Errorf("render drill report: %w", err))
		return
	}
	s.audit(r, store.Audit{Actor: c.ID, Action: store.AuditExport, Subject: d.ID, Detail: "format=drill-report lang=" + lang})
	loc := s.cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="drill-`+d.Start.In(loc).Format("2006-01-02")+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}
