package server

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/desk"
	"beredskap/internal/i18n"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// MaxReadinessAhead is how far ahead the readiness view looks at most: a
// shift lasts hours, and the plan beyond two days is not yet what phones
// will carry.
const MaxReadinessAhead = 48 * time.Hour

// auditReadinessRemind is the audit action of the readiness reminder; the
// announcements it posts are audited by the store as well.
const auditReadinessRemind = "readiness.remind"

// keyUntilAhead is the catalogue key of an until outside the window.
const keyUntilAhead = "error.field.until_ahead" // field, hours

// readinessScope reads the unit and the window end of a readiness request
// and checks them against the caller.
func (s *Server) readinessScope(r *http.Request, units []string, unit string, until *time.Time) (desk.ReadinessInput, error) {
	now := s.cfg.Now().UTC()
	in := desk.ReadinessInput{Units: units, Now: now, Location: s.cfg.Location, OfflineFor: s.cfg.OfflineFor}
	if unit != "" {
		if !inScope(units, unit) {
			return in, unitNotYours(unit)
		}
		all, err := s.db.Units(r.Context())
		if err != nil {
			return in, err
		}
		if !slices.ContainsFunc(all, func(u care.Unit) bool { return u.ID == unit }) {
			return in, care.Invalid("unit", "no such unit", care.KeyUnknown, unit)
		}
		in.Units = []string{unit}
	}
	in.Until = desk.DefaultReadinessUntil(now, s.cfg.Location)
	if until != nil {
		if !until.After(now) || until.Sub(now) > MaxReadinessAhead {
			return in, care.Invalid("until", "until must be after now and at most 48 hours ahead", keyUntilAhead, strconv.Itoa(int(MaxReadinessAhead/time.Hour)))
		}
		in.Until = until.UTC()
	}
	return in, nil
}

// computeReadiness names the people and patients and computes the view.
func (s *Server) computeReadiness(r *http.Request, units []string, in desk.ReadinessInput) (wire.Readiness, error) {
	names, _, err := s.loadNames(r, units)
	if err != nil {
		return wire.Readiness{}, err
	}
	in.Users, in.Patients = names.users, names.patients
	return desk.Readiness(r.Context(), s.db, in)
}

// readiness answers "if the network dies now" for a unit (or all the
// caller's units) from now to until (default: the end of tonight).
func (s *Server) readiness(w http.ResponseWriter, r *http.Request) {
	_, units, ok := s.office(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	for k := range q {
		if k != "unit" && k != "until" {
			s.writeError(w, r, care.Invalid(k, "unknown parameter", care.KeyUnknown, k))
			return
		}
	}
	var until *time.Time
	if v := q.Get("until"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.writeError(w, r, care.Invalid("until", "until must be an RFC 3339 time", care.KeyDate))
			return
		}
		until = &t
	}
	in, err := s.readinessScope(r, units, q.Get("unit"), until)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.computeReadiness(r, units, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// remindReadiness posts an important announcement, asking them to fetch
// their shift again, to exactly the workers the readiness view names for
// the same unit and window (computed here again, never taken from the
// request): one announcement per language among them, addressed to
// those workers by id within the unit(s), so that each reads it in her
// own language. Nobody to remind posts nothing.
func (s *Server) remindReadiness(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	var req wire.ReadinessRemindRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.readinessScope(r, units, req.Unit, req.Until)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ready, err := s.computeReadiness(r, units, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := wire.ReadinessRemindResponse{Workers: ready.Remind, Announcements: []care.Announcement{}}
	if len(ready.Remind) == 0 {
		writeJSON(w, http.StatusOK, resp)
		return
	}
	byLang := map[string][]string{}
	for _, p := range ready.Remind {
		lang := i18n.Default
		if a, err := s.db.Account(r.Context(), p.ID); err == nil {
			lang = i18n.Pick(a.Lang)
		}
		byLang[lang] = append(byLang[lang], p.ID)
	}
	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	now := s.cfg.Now().UTC()
	local := in.Until.In(s.cfg.Location)
	var ids []string
	for _, lang := range langs {
		text := i18n.T(lang, "readiness.remind.text", weekdayInSentence(lang, local), i18n.Time(lang, local))
		a := care.Announcement{ID: uuid.NewString(), Units: ready.Units, Users: byLang[lang], Level: care.LevelImportant,
			Text: text, AuthorID: c.ID, Author: c.Name, Posted: now}
		if err := a.Validate(); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.db.PostAnnouncement(r.Context(), a); err != nil {
			s.writeError(w, r, err)
			return
		}
		resp.Announcements = append(resp.Announcements, a)
		ids = append(ids, a.ID)
	}
	workers := make([]string, 0, len(ready.Remind))
	for _, p := range ready.Remind {
		workers = append(workers, p.ID)
	}
	s.audit(r, store.Audit{Actor: c.ID, Action: auditReadinessRemind, Subject: strings.Join(ready.Units, ","),
		Detail: fmt.Sprintf("workers=%s announcements=%s until=%s uncovered=%d expiring=%d not_fetched=%d",
			strings.Join(workers, ","), strings.Join(ids, ","), in.Until.Format(time.RFC3339),
			ready.Counts.Uncovered, ready.Counts.Expiring, ready.Counts.NotFetched)})
	writeJSON(w, http.StatusOK, resp)
}

// weekdayInSentence is the weekday as it reads inside a sentence: lower
// case in Norwegian, Swedish and Danish (i18n.Weekday capitalises it for
// headings).
func weekdayInSentence(lang string, t time.Time) string {
	if lang == "en" {
		return i18n.Weekday(lang, t)
	}
	return strings.ToLower(i18n.Weekday(lang, t))
}
