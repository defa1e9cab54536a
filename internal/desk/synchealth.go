package desk

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// SyncHealthSource is what the sync-health view reads: the phones and
// their reports, the shifts issued to them, the people, the outages and
// the announcements with their read marks.
type SyncHealthSource interface {
	store.Accounts
	store.Devices
	store.Bundles
	store.Outages
	store.Announcements
	store.SyncHealth
}

// SyncHealthInput says whose phones to look at, and when.
type SyncHealthInput struct {
	// Units are the units to look at (every unit when nil).
	Units []string
	Now   time.Time
	// OfflineFor is how long a bundle is valid: the shifts that may
	// still have been valid when the outage began were issued at most
	// this long before it.
	OfflineFor time.Duration
}

// phone is a device with what the view knows of it.
type phone struct {
	dev     store.Device
	report  *store.OutboxReport
	contact time.Time // zero: never heard from
}

// SyncHealth computes the view. Its window starts when the last declared
// outage began (the last 24 hours when none was ever declared):
//
//   - a phone is waiting when its latest report, made in the window, says
//     records wait in its outbox;
//   - a phone is unseen when it held a shift that was valid as the outage
//     began, is not revoked, the server has heard nothing from it since
//     then, and its worker has not moved to a phone registered after its
//     last contact and heard from since (a login on a wiped phone
//     registers a new device, which sends what the old one left);
//   - the important announcements posted in the window, or in the last
//     24 hours when the window is shorter, list who of their
//     intended readers (the workers and nurses of the units they are
//     addressed to) has read them and who has not.
func SyncHealth(ctx context.Context, db SyncHealthSource, in SyncHealthInput) (wire.SyncHealth, error) {
	now := in.Now.UTC()
	out := wire.SyncHealth{Waiting: []wire.PhoneHealth{}, Unseen: []wire.PhoneHealth{},
		Announcements: []wire.AnnouncementSeen{}, Generated: now, Units: []string{}}
	if in.Units != nil {
		out.Units = append(out.Units, in.Units...)
	}
	inScope := func(units []string) []string {
		if in.Units == nil {
			return append([]string{}, units...)
		}
		var mine []string
		for _, u := range units {
			if slices.Contains(in.Units, u) {
				mine = append(mine, u)
			}
		}
		return mine
	}

	outages, err := db.Outages(ctx)
	if err != nil {
		return out, fmt.Errorf("sync health: outages: %w", err)
	}
	windowStart := now.Add(-24 * time.Hour)
	var outage *store.Outage
	if len(outages) > 0 {
		outage = &outages[0]
		windowStart = outage.Start
		out.Outage = &wire.Outage{ID: outage.ID, Start: outage.Start, End: outage.End, StartedBy: outage.StartedBy, Note: outage.Note}
	}

	accounts, err := db.Accounts(ctx)
	if err != nil {
		return out, fmt.Errorf("sync health: accounts: %w", err)
	}
	workers := map[string]store.Account{}
	for _, a := range accounts {
		if a.Role.WorksShifts() && len(inScope(a.Units)) > 0 {
			workers[a.ID] = a
		}
	}
	if out.Outage != nil {
		if a, ok := findAccount(accounts, outage.StartedBy); ok {
			out.Outage.StartedName = a.Name
		}
	}

	devices, err := db.Devices(ctx)
	if err != nil {
		return out, fmt.Errorf("sync health: devices: %w", err)
	}
	reports, err := db.OutboxReports(ctx)
	if err != nil {
		return out, fmt.Errorf("sync health: reports: %w", err)
	}
	byDevice := map[string]*store.OutboxReport{}
	for i := range reports {
		byDevice[reports[i].DeviceID] = &reports[i]
	}
	byWorker := map[string][]phone{}
	for _, d := range devices {
		if _, ok := workers[d.UserID]; !ok {
			continue
		}
		p := phone{dev: d, report: byDevice[d.ID], contact: d.LastSeen}
		if p.report != nil && p.report.Reported.After(p.contact) {
			p.contact = p.report.Reported
		}
		byWorker[d.UserID] = append(byWorker[d.UserID], p)
	}

	view := func(p phone) wire.PhoneHealth {
		a := workers[p.dev.UserID]
		v := wire.PhoneHealth{DeviceID: p.dev.ID, DeviceLabel: p.dev.Label, WorkerID: a.ID, WorkerName: a.Name,
			Username: a.Username, Units: inScope(a.Units), Revoked: p.dev.Revoked}
		if !p.contact.IsZero() {
			t := p.contact.UTC()
			v.LastContact = &t
		}
		if r := p.report; r != nil {
			n, at := r.Waiting, r.Reported.UTC()
			v.Waiting, v.OldestWaiting, v.Reported = &n, r.OldestWaiting, &at
		}
		return v
	}

	ids := make([]string, 0, len(byWorker))
	for id := range byWorker {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, w := range ids {
		phones := byWorker[w]
		var held map[string]bool
		if outage != nil {
			held, err = heldAtStart(ctx, db, w, outage.Start, in.OfflineFor)
			if err != nil {
				return out, err
			}
		}
		for _, p := range phones {
			if r := p.report; r != nil && r.Waiting > 0 && !r.Reported.Before(windowStart) {
				out.Waiting = append(out.Waiting, view(p))
				out.Counts.WaitingRecords += r.Waiting
			}
			if outage == nil || p.dev.Revoked != nil || !p.contact.Before(outage.Start) || !held[p.dev.ID] {
				continue
			}
			replaced := slices.ContainsFunc(phones, func(o phone) bool {
				return o.dev.ID != p.dev.ID && o.dev.Created.After(p.contact) && !o.contact.Before(outage.Start)
			})
			if !replaced {
				out.Unseen = append(out.Unseen, view(p))
			}
		}
	}
	// The longest-waiting records first; the phones silent longest first.
	sort.SliceStable(out.Waiting, func(i, j int) bool {
		a, b := out.Waiting[i].OldestWaiting, out.Waiting[j].OldestWaiting
		switch {
		case a == nil || b == nil:
			return a != nil
		default:
			return a.Before(*b)
		}
	})
	sort.SliceStable(out.Unseen, func(i, j int) bool {
		a, b := out.Unseen[i].LastContact, out.Unseen[j].LastContact
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		default:
			return a.Before(*b)
		}
	})

	// The announcements: those of the outage, and those of the day before
	// it ends (the warning posted before the network went).
	annSince := windowStart
	if day := now.Add(-24 * time.Hour); day.Before(annSince) {
		annSince = day
	}
	if err := announcementsSeen(ctx, db, &out, workers, annSince, now, inScope); err != nil {
		return out, err
	}
	out.Counts.Waiting = len(out.Waiting)
	out.Counts.Unseen = len(out.Unseen)
	return out, nil
}

// heldAtStart names the worker's devices that held a shift valid when
// the outage began.
func heldAtStart(ctx context.Context, db store.Bundles, worker string, start time.Time, offlineFor time.Duration) (map[string]bool, error) {
	since := start.Add(-offlineFor)
	if offlineFor <= 0 {
		since = start.Add(-24 * time.Hour)
	}
	issued, err := db.IssuedBundles(ctx, worker, since)
	if err != nil {
		return nil, fmt.Errorf("sync health: bundles of %s: %w", worker, err)
	}
	held := map[string]bool{}
	for _, b := range issued {
		if b.UserID == worker && b.DeviceID != "" && !b.IssuedAt.After(start) && b.ExpiresAt.After(start) {
			held[b.DeviceID] = true
		}
	}
	return held, nil
}

// announcementsSeen lists the important announcements posted in the
// window for the caller's units, with who has read them.
func announcementsSeen(ctx context.Context, db SyncHealthSource, out *wire.SyncHealth, workers map[string]store.Account,
	since, now time.Time, inScope func([]string) []string) error {
	anns, err := db.Announcements(ctx, since)
	if err != nil {
		return fmt.Errorf("sync health: announcements: %w", err)
	}
	var important []care.Announcement
	var ids []string
	for _, a := range anns {
		if a.Level != care.LevelImportant || a.Posted.After(now) || a.Posted.Before(since) {
			continue
		}
		if len(a.Units) > 0 && len(inScope(a.Units)) == 0 {
			continue
		}
		important = append(important, a)
		ids = append(ids, a.ID)
	}
	if len(important) == 0 {
		return nil
	}
	reads, err := db.AnnouncementReads(ctx, ids)
	if err != nil {
		return fmt.Errorf("sync health: read marks: %w", err)
	}
	readAt := map[string]map[string]time.Time{}
	for _, r := range reads {
		if readAt[r.AnnouncementID] == nil {
			readAt[r.AnnouncementID] = map[string]time.Time{}
		}
		readAt[r.AnnouncementID][r.UserID] = r.At
	}
	unread := map[string]bool{}
	for i := len(important) - 1; i >= 0; i-- { // newest first
		a := important[i]
		seen := wire.AnnouncementSeen{ID: a.ID, Text: a.Text, Author: a.Author, Posted: a.Posted, Units: a.Units,
			Read: []wire.ReaderStatus{}, Unread: []wire.ReaderStatus{}}
		for _, w := range workers {
			if w.Disabled || !a.AddressedTo(w.ID, inScope(w.Units)) {
				continue
			}
			st := wire.ReaderStatus{UserID: w.ID, Name: w.Name, Username: w.Username}
			if at, ok := readAt[a.ID][w.ID]; ok {
				t := at.UTC()
				st.At = &t
				seen.Read = append(seen.Read, st)
			} else {
				seen.Unread = append(seen.Unread, st)
				unread[w.ID] = true
			}
		}
		sort.Slice(seen.Read, func(i, j int) bool { return seen.Read[i].At.Before(*seen.Read[j].At) })
		sort.Slice(seen.Unread, func(i, j int) bool {
			if seen.Unread[i].Name != seen.Unread[j].Name {
				return seen.Unread[i].Name < seen.Unread[j].Name
			}
			return seen.Unread[i].UserID < seen.Unread[j].UserID
		})
		out.Announcements = append(out.Announcements, seen)
	}
	out.Counts.Unread = len(unread)
	return nil
}

func findAccount(accounts []store.Account, id string) (store.Account, bool) {
	for _, a := range accounts {
		if a.ID == id {
			return a, true
		}
	}
	return store.Account{}, false
}
