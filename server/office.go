package server

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// office checks that the caller reconciles (coordinator or admin) and
// returns the units they see: a coordinator their own, an admin all (nil).
func (s *Server) office(w http.ResponseWriter, r *http.Request) (caller, []string, bool) {
	c := callerFrom(r.Context())
	if !c.Role.Reconciles() {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "only coordinators and admins see records").WithKey(keyForbidden))
		return c, nil, false
	}
	if c.Role == care.RoleAdmin {
		return c, nil, true
	}
	return c, append([]string{}, c.Units...), true
}

// inScope reports whether a unit is one the caller sees.
func inScope(units []string, unit string) bool { return units == nil || slices.Contains(units, unit) }

// window reads since and until (RFC 3339). Without them it is the active
// outage (start to now), or the last one if it ended in the past two days,
// or the last 24 hours.
func (s *Server) window(r *http.Request) (since, until time.Time, err error) {
	now := s.cfg.Now().UTC()
	since, until = now.Add(-24*time.Hour), now
	if outages, err := s.db.Outages(r.Context()); err == nil && len(outages) > 0 {
		o := outages[0]
		switch {
		case o.End == nil:
			since = o.Start
		case now.Sub(*o.End) < 48*time.Hour:
			since, until = o.Start, *o.End
		}
	}
	if v := r.URL.Query().Get("since"); v != "" {
		if since, err = time.Parse(time.RFC3339, v); err != nil {
			return since, until, care.Invalid("since", "since must be an RFC 3339 time", care.KeyDate)
		}
	}
	if v := r.URL.Query().Get("until"); v != "" {
		if until, err = time.Parse(time.RFC3339, v); err != nil {
			return since, until, care.Invalid("until", "until must be an RFC 3339 time", care.KeyDate)
		}
	}
	if !since.Before(until) {
		return since, until, care.Invalid("until", "since must be before until", "")
	}
	return since.UTC(), until.UTC(), nil
}

// names resolves patient and user ids for the caller's units.
type names struct {
	patients map[string]string
	users    map[string]string
}

// pageNames names the patients and users a page of records mentions,
// each read once, as loadNames would name them (patients of the caller's
// units, every user): a page costs what it shows, not what the
// municipality holds.
func (s *Server) pageNames(r *http.Request, units []string, page []store.StoredRecord) (names, error) {
	ctx := r.Context()
	n := names{patients: map[string]string{}, users: map[string]string{}}
	seen := map[string]bool{}
	for _, sr := range page {
		if id := sr.PatientID; id != "" && !seen["p/"+id] {
			seen["p/"+id] = true
			p, err := s.db.Patient(ctx, id)
			switch {
			case err == nil && inScope(units, p.UnitID):
				n.patients[id] = p.Name
			case err != nil && !errors.Is(err, store.ErrNotFound):
				return n, err
			}
		}
		for _, id := range []string{sr.AuthorID, sr.ReconciledBy, sr.EnteredBy} {
			if id == "" || seen["u/"+id] {
				continue
			}
			seen["u/"+id] = true
			a, err := s.db.Account(ctx, id)
			switch {
			case err == nil:
				n.users[id] = a.Name
			case !errors.Is(err, store.ErrNotFound):
				return n, err
			}
		}
	}
	return n, nil
}

func (s *Server) loadNames(r *http.Request, units []string) (names, wire.Directory, error) {
	ctx := r.Context()
	n := names{patients: map[string]string{}, users: map[string]string{}}
	dir := wire.Directory{Units: []care.Unit{}, Users: []wire.Person{}, Patients: []wire.Person{}}
	all, err := s.db.Units(ctx)
	if err != nil {
		return n, dir, err
	}
	for _, u := range all {
		if !inScope(units, u.ID) {
			continue
		}
		dir.Units = append(dir.Units, u)
		ps, err := s.db.PatientsByUnit(ctx, u.ID)
		if err != nil {
			return n, dir, err
		}
		for _, p := range ps {
			n.patients[p.ID] = p.Name
			dir.Patients = append(dir.Patients, wire.Person{ID: p.ID, Name: p.Name, Unit: p.UnitID})
		}
	}
	accounts, err := s.db.Accounts(ctx)
	if err != nil {
		return n, dir, err
	}
	for _, a := range accounts {
		n.users[a.ID] = a.Name // names of every user: reconcilers may be from elsewhere
		if units == nil || slices.ContainsFunc(a.Units, func(u string) bool { return slices.Contains(units, u) }) {
			dir.Users = append(dir.Users, wire.Person{ID: a.ID, Name: a.Name, Role: a.Role})
		}
	}
	return n, dir, nil
}
