package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// ReadinessSource is what the readiness view reads: the plan, the shifts
// issued and the phones they went to.
type ReadinessSource interface {
	store.Schedule
	store.Bundles
	store.Devices
}

// ReadinessInput says whose readiness to compute and for which window.
type ReadinessInput struct {
	// Units are the units to look at (every unit when nil).
	Units []string
	// Now and Until bound the window: visits that are not over by Now
	// and start before Until.
	Now, Until time.Time
	// Location is the municipality's time zone: "today" and the span of
	// visits a bundle carries are local days.
	Location *time.Location
	// OfflineFor is how long a bundle is valid: bundles issued earlier
	// than Now - OfflineFor cannot still be valid and are not read.
	OfflineFor time.Duration
	// Users and Patients name ids for the lists (missing names stay empty).
	Users, Patients map[string]string
}

// DefaultReadinessUntil is the end of tonight: the next 07:00 local time
// after now (that same morning's when now is in the night). Seven is when
// the seeds' day shifts start, so the window holds what is left of today
// and the night after it, and a night shift sees the rest of its night.
func DefaultReadinessUntil(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	seven := time.Date(l.Year(), l.Month(), l.Day(), 7, 0, 0, 0, loc)
	if !l.Before(seven) {
		seven = time.Date(l.Year(), l.Month(), l.Day()+1, 7, 0, 0, 0, loc)
	}
	return seven.UTC()
}

// bundleSpanStart is the first moment whose visits a bundle issued at
// issued carries: the local midnight of its issue (internal/bundle.Build
// takes the visits from that midnight to the later of the next midnight
// and the bundle's expiry).
func bundleSpanStart(issued time.Time, loc *time.Location) time.Time {
	l := issued.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// Readiness computes the readiness view. A phone holds a visit in a valid
// shift when a bundle of the visit's worker, issued to a device that is
// not revoked, is unexpired now, carried the visit's patient on the
// worker's own list, carried visits from the visit's start (its local
// day), and is still valid when the visit starts. Those whose shift
// expires before the visit ends are listed once per worker, as the
// worker's shift that lasts longest expiring before their last visit
// ends.
func Readiness(ctx context.Context, db ReadinessSource, in ReadinessInput) (wire.Readiness, error) {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	now, until := in.Now.UTC(), in.Until.UTC()
	l := now.In(loc)
	dayStart := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).UTC()
	out := wire.Readiness{From: now, Until: until, DayStart: dayStart,
		Uncovered: []wire.ReadinessVisit{}, Expiring: []wire.ReadinessShift{},
		NotFetched: []wire.ReadinessWorker{}, Remind: []wire.Person{}}

	units := in.Units
	if units == nil {
		all, err := db.Units(ctx)
		if err != nil {
			return out, fmt.Errorf("readiness: units: %w", err)
		}
		for _, u := range all {
			units = append(units, u.ID)
		}
	}
	out.Units = append([]string{}, units...)

	// Visits that are not over by now: one that started up to a day ago
	// may still run (a visit lasts at most a day, care.Visit.CheckLimits).
	var visits []care.Visit
	for _, u := range units {
		vs, err := db.VisitsByUnit(ctx, u, now.Add(-24*time.Hour), until)
		if err != nil {
			return out, fmt.Errorf("readiness: visits of %s: %w", u, err)
		}
		for _, v := range vs {
			if v.WorkerID != "" && v.End().After(now) && v.Start.Before(until) {
				visits = append(visits, v)
			}
		}
	}
	sort.SliceStable(visits, func(i, j int) bool {
		if !visits[i].Start.Equal(visits[j].Start) {
			return visits[i].Start.Before(visits[j].Start)
		}
		return visits[i].ID < visits[j].ID
	})
	out.Counts.Visits = len(visits)

	byWorker := map[string][]care.Visit{}
	var workers []string
	for _, v := range visits {
		if _, ok := byWorker[v.WorkerID]; !ok {
			workers = append(workers, v.WorkerID)
		}
		byWorker[v.WorkerID] = append(byWorker[v.WorkerID], v)
	}

	since := dayStart
	if in.OfflineFor > 0 && now.Add(-in.OfflineFor).Before(since) {
		since = now.Add(-in.OfflineFor)
	}
	revoked := map[string]bool{}
	deviceRevoked := func(id string) (bool, error) {
		if id == "" {
			return true, nil // a bundle from before devices were recorded: no phone to trust
		}
		if r, ok := revoked[id]; ok {
			return r, nil
		}
		d, err := db.Device(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			revoked[id] = true
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("readiness: device %s: %w", id, err)
		}
		revoked[id] = d.Revoked != nil
		return revoked[id], nil
	}

	// A worker is reminded when fetching now would help: a shift fetched
	// now is valid until fresh and holds the visits that start before it.
	// One whose trouble begins later (tomorrow's visits, an evening shift
	// seen in the morning) is listed but not reminded: a fetch now would
	// expire before it, and the reminder would be wrong.
	fresh := now.Add(in.OfflineFor)
	helps := func(start time.Time) bool { return in.OfflineFor <= 0 || start.Before(fresh) }
	remind := map[string]bool{}
	for _, w := range workers {
		issued, err := db.IssuedBundles(ctx, w, since)
		if err != nil {
			return out, fmt.Errorf("readiness: bundles of %s: %w", w, err)
		}
		var valid []store.IssuedBundle
		var lastFetch *time.Time
		fetchedToday := false
		for _, b := range issued {
			if b.UserID != w {
				continue
			}
			if lastFetch == nil || b.IssuedAt.After(*lastFetch) {
				t := b.IssuedAt
				lastFetch = &t
			}
			rev, err := deviceRevoked(b.DeviceID)
			if err != nil {
				return out, err
			}
			if rev {
				continue // a revoked phone is wiped at its next contact and must not be relied on
			}
			if !b.IssuedAt.Before(dayStart) {
				fetchedToday = true
			}
			if b.ExpiresAt.After(now) {
				valid = append(valid, b)
			}
		}

		var longest *store.IssuedBundle
		for i := range valid {
			if longest == nil || valid[i].ExpiresAt.After(longest.ExpiresAt) {
				longest = &valid[i]
			}
		}
		vs := byWorker[w]
		lastEnd := vs[0].End()
		for _, v := range vs {
			if v.End().After(lastEnd) {
				lastEnd = v.End()
			}
			if slices.ContainsFunc(valid, func(b store.IssuedBundle) bool { return holds(b, v, loc) }) {
				continue
			}
			rv := wire.ReadinessVisit{VisitID: v.ID, PatientID: v.PatientID, PatientName: in.Patients[v.PatientID],
				WorkerID: w, WorkerName: in.Users[w], UnitID: v.UnitID, Start: v.Start.UTC(), End: v.End().UTC()}
			if longest != nil {
				t := longest.ExpiresAt.UTC()
				rv.ShiftExpires = &t
			}
			out.Uncovered = append(out.Uncovered, rv)
			if helps(v.Start) {
				remind[w] = true
			}
		}
		if longest != nil && longest.ExpiresAt.Before(lastEnd) {
			out.Expiring = append(out.Expiring, wire.ReadinessShift{WorkerID: w, WorkerName: in.Users[w],
				BundleID: longest.ID, DeviceID: longest.DeviceID, IssuedAt: longest.IssuedAt.UTC(),
				ExpiresAt: longest.ExpiresAt.UTC(), LastVisitEnd: lastEnd.UTC()})
			if fresh.After(longest.ExpiresAt) {
				remind[w] = true
			}
		}
		// A shift fetched before midnight that is still valid (a night
		// shift) counts as today's: the list is of workers with no shift.
		if !fetchedToday && len(valid) == 0 {
			out.NotFetched = append(out.NotFetched, wire.ReadinessWorker{WorkerID: w, WorkerName: in.Users[w],
				Visits: len(vs), FirstVisit: vs[0].Start.UTC(), LastFetch: lastFetch})
			if helps(vs[0].Start) {
				remind[w] = true
			}
		}
	}
	sort.SliceStable(out.Expiring, func(i, j int) bool { return out.Expiring[i].ExpiresAt.Before(out.Expiring[j].ExpiresAt) })
	sort.SliceStable(out.NotFetched, func(i, j int) bool { return out.NotFetched[i].FirstVisit.Before(out.NotFetched[j].FirstVisit) })
	for _, w := range workers { // in the order of their first visit
		if remind[w] {
			out.Remind = append(out.Remind, wire.Person{ID: w, Name: in.Users[w]})
		}
	}
	out.Counts.Uncovered = len(out.Uncovered)
	out.Counts.Expiring = len(out.Expiring)
	out.Counts.NotFetched = len(out.NotFetched)
	out.Counts.Remind = len(out.Remind)
	return out, nil
}

// holds reports whether bundle b, valid now, lets its phone open visit v
// offline: v's patient is on the bundle's own list, the bundle carried
// visits from v's start, and the bundle has not expired when v starts.
func holds(b store.IssuedBundle, v care.Visit, loc *time.Location) bool {
	return slices.Contains(b.OwnPatients, v.PatientID) &&
		!v.Start.Before(bundleSpanStart(b.IssuedAt, loc)) &&
		b.ExpiresAt.After(v.Start)
}
