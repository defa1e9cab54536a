// Package reconcile computes what coordinators must look at after an
// outage (findings) from the records that came in, the plan and the
// bundles issued, and loads what that takes from the store.
package reconcile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Input is everything findings are computed from, for one window (the
// outage) and one set of units.
type Input struct {
	// Since and Until bound the outage window.
	Since, Until time.Time
	// Now is when the findings are computed: doses and visits whose time
	// has not passed are not missing yet.
	Now time.Time
	// OfflineFor is the bundles' validity: a record received later than
	// that after it was made synced late.
	OfflineFor time.Duration
	Records    []store.StoredRecord
	Doses      []care.ScheduledDose
	Visits     []care.Visit
	Bundles    map[string]store.IssuedBundle
	// DeviceSeqs holds every sequence number received from each device.
	DeviceSeqs map[string][]uint64
	// SharedSeqs holds, per device, the sequence numbers that more than
	// one record carries, with those records' ids (stored in any window).
	SharedSeqs map[string]map[uint64][]string
	// UnitOf maps patients to their units.
	UnitOf map[string]string
	// PRN holds each patient's as-needed medications, from the plan.
	PRN map[string][]care.PRNMedication
}

// Compute returns the findings, oldest first. Void records count for
// nothing; quarantined records are findings of their own and count for
// nothing else until a coordinator has looked at them.
func Compute(in Input) []wire.Finding {
	out := append(PatientFindings(in), DeviceFindings(in)...)
	Sort(out)
	return out
}

// Sort puts findings oldest first, by id within the same time.
func Sort(fs []wire.Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return Before(fs[i], fs[j]) })
}

// Before is the order of the findings list: by time, then by id.
func Before(a, b wire.Finding) bool {
	if !a.At.Equal(b.At) {
		return a.At.Before(b.At)
	}
	return a.ID < b.ID
}

// DeviceFindings returns what the devices' sequence numbers say: gaps and
// numbers carried by more than one record. They depend on each device's
// records and numbers only.
func DeviceFindings(in Input) []wire.Finding {
	return append(sequenceGaps(in.Records, in.DeviceSeqs), duplicateSeqs(in.Records, in.SharedSeqs)...)
}

// PatientFindings returns every other finding. Each depends only on one
// patient's records, doses and visits (a record names a visit or dose of
// its own patient: ingest refuses any other), and on the bundles the
// records came with; so the findings of all patients are the union of
// each patient's, which is what lets the desk keep them patient by
// patient. The order is not sorted.
func PatientFindings(in Input) []wire.Finding {
	var live []store.StoredRecord
	var out []wire.Finding
	for _, r := range in.Records {
		switch {
		case r.State == store.StateVoid:
		case r.Quarantined:
			from := "from revoked device " + r.DeviceID
			f := finding(wire.FindingQuarantined, []store.StoredRecord{r}, "")
			keyed(&f, "finding.quarantined_device", "type", string(r.Type), "device", r.DeviceID)
			if r.HeldFor == store.HeldAuthorDisabled {
				from = "by disabled user " + r.AuthorID
				keyed(&f, "finding.quarantined_author", "type", string(r.Type), "author", r.AuthorID)
			}
			f.Message = fmt.Sprintf("%s record %s is held for review", r.Type, from)
			out = append(out, f)
		default:
			live = append(live, r)
		}
	}
	out = append(out, doubleAdministrations(live, in.Doses)...)
	out = append(out, missingAdministrations(live, in)...)
	out = append(out, cosignFindings(live, in)...)
	out = append(out, undocumentedVisits(live, in)...)
	out = append(out, outsideWindow(live, in.Bundles)...)
	out = append(out, emergencyAccess(live)...)
	out = append(out, lateSyncs(live, in.OfflineFor)...)
	out = append(out, prnFindings(live, in)...)
	return out
}

// Covers says whether a window [since, until) shows a finding: one about
// the plan (a dose or visit left undocumented) when its time lies in the
// window; any other when one of its records (or, for a sequence gap, of
// its device's) was received at or after since, the latest of them at
// lastReceived. A finding is shown whole, with every record that makes it
// up, even those received before the window began: two signatures for one
// dose are both shown though one of them synced the day before.
func Covers(f wire.Finding, lastReceived, since, until time.Time) bool {
	switch f.Kind {
	case wire.FindingMissingAdministration, wire.FindingUndocumentedVisit:
		return !f.At.Before(since) && f.At.Before(until)
	}
	return !lastReceived.Before(since)
}

// finding names its records, their patient and unit, and gets an id that
// stays the same while the same records make it up.
func finding(kind string, recs []store.StoredRecord, msg string) wire.Finding {
	f := wire.Finding{Kind: kind, Message: msg}
	for _, r := range recs {
		f.RecordIDs = append(f.RecordIDs, r.ID)
		if f.At.IsZero() || r.CreatedAt.Before(f.At) {
			f.At = r.CreatedAt
		}
	}
	if len(recs) > 0 {
		f.PatientID, f.UnitID = recs[0].PatientID, recs[0].UnitID
	}
	sort.Strings(f.RecordIDs)
	f.ID = findingID(kind, f.RecordIDs...)
	return f
}

// keyed sets the catalogue key of a finding's message and its named
// values, given as name, value pairs.
func keyed(f *wire.Finding, key string, args ...string) {
	f.Key, f.Args = key, make(map[string]string, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		f.Args[args[i]] = args[i+1]
	}
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func findingID(kind string, parts ...string) string {
	h := sha256.Sum256([]byte(kind + "\x00" + strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:8])
}

// doubleAdministrations finds doses given twice: two "given" for one
// scheduled dose, or the same medication given to the same patient twice
// inside one dose window.
func doubleAdministrations(recs []store.StoredRecord, doses []care.ScheduledDose) []wire.Finding {
	windows := map[string]time.Duration{}
	for _, d := range doses {
		windows[d.ID] = d.Window()
	}
	var given []store.StoredRecord
	for _, r := range recs {
		if r.Type == care.RecordMedication && r.Status == care.DoseGiven && r.AdministeredAt != nil {
			given = append(given, r)
		}
	}
	sort.SliceStable(given, func(i, j int) bool { return given[i].AdministeredAt.Before(*given[j].AdministeredAt) })

	// Union-find over the given records: same schedule, or same patient and
	// medication within the window of the earlier one.
	parent := make([]int, len(given))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) { parent[find(a)] = find(b) }
	bySchedule := map[string]int{}
	lastOf := map[string]int{}
	for i, r := range given {
		if r.ScheduleID != "" {
			if j, ok := bySchedule[r.ScheduleID]; ok {
				union(i, j)
			}
			bySchedule[r.ScheduleID] = i
		}
		key := r.PatientID + "\x00" + normalizeMedication(r.Medication)
		if j, ok := lastOf[key]; ok {
			w := care.DefaultDoseWindow
			if d, ok := windows[given[j].ScheduleID]; ok {
				w = d
			}
			// Two as-needed doses too close together are the PRN
			// medication's own finding (prn_interval), by its interval.
			bothPRN := r.PRNID != "" && given[j].PRNID != ""
			if !bothPRN && r.AdministeredAt.Sub(*given[j].AdministeredAt) <= w {
				union(i, j)
			}
		}
		lastOf[key] = i
	}
	groups := map[int][]store.StoredRecord{}
	var roots []int
	for i := range given {
		root := find(i)
		if _, ok := groups[root]; !ok {
			roots = append(roots, root)
		}
		groups[root] = append(groups[root], given[i])
	}
	var out []wire.Finding
	for _, root := range roots {
		g := groups[root]
		if len(g) < 2 {
			continue
		}
		f := finding(wire.FindingDoubleAdministration, g,
			fmt.Sprintf("%s given %d times between %s and %s", g[0].Medication, len(g),
				g[0].AdministeredAt.UTC().Format(time.RFC3339), g[len(g)-1].AdministeredAt.UTC().Format(time.RFC3339)))
		f.ScheduleID = g[0].ScheduleID
		keyed(&f, "finding.double_administration", "medication", g[0].Medication, "count", strconv.Itoa(len(g)),
			"first_at", rfc3339(*g[0].AdministeredAt), "last_at", rfc3339(*g[len(g)-1].AdministeredAt))
		out = append(out, f)
	}
	return out
}

func normalizeMedication(m string) string {
	return strings.Join(strings.Fields(strings.ToLower(m)), " ")
}

// missingAdministrations finds scheduled doses of the window, whose time
// has passed, with no record at all (given, refused, withheld or not
// given all count as documented).
func missingAdministrations(recs []store.StoredRecord, in Input) []wire.Finding {
	documented := map[string]bool{}
	for _, r := range recs {
		if r.Type == care.RecordMedication && r.ScheduleID != "" {
			documented[r.ScheduleID] = true
		}
	}
	var out []wire.Finding
	for _, d := range in.Doses {
		if d.Due.Before(in.Since) || !d.Due.Before(in.Until) || in.Now.Before(d.Due.Add(d.Window())) || documented[d.ID] {
			continue
		}
		f := wire.Finding{
			ID: findingID(wire.FindingMissingAdministration, d.ID), Kind: wire.FindingMissingAdministration,
			RecordIDs: []string{}, PatientID: d.PatientID, UnitID: in.UnitOf[d.PatientID], VisitID: d.VisitID, ScheduleID: d.ID, At: d.Due,
			Message: fmt.Sprintf("%s %s due %s has no record", d.Medication, d.Dose, d.Due.UTC().Format(time.RFC3339)),
		}
		keyed(&f, "finding.missing_administration", "medication", d.Medication, "dose", d.Dose, "due_at", rfc3339(d.Due))
		out = append(out, f)
	}
	return out
}

// undocumentedVisits finds planned visits of the window, already over,
// with neither a status nor a note.
func undocumentedVisits(recs []store.StoredRecord, in Input) []wire.Finding {
	documented := map[string]bool{}
	for _, r := range recs {
		if r.VisitID != "" && (r.Type == care.RecordVisitStatus || r.Type == care.RecordNote) {
			documented[r.VisitID] = true
		}
	}
	var out []wire.Finding
	for _, v := range in.Visits {
		if v.Start.Before(in.Since) || !v.Start.Before(in.Until) || in.Now.Before(v.End()) || documented[v.ID] {
			continue
		}
		f := wire.Finding{
			ID: findingID(wire.FindingUndocumentedVisit, v.ID), Kind: wire.FindingUndocumentedVisit,
			RecordIDs: []string{}, PatientID: v.PatientID, UnitID: v.UnitID, VisitID: v.ID, At: v.Start,
			Message: fmt.Sprintf("visit at %s by %s has no status or note", v.Start.UTC().Format(time.RFC3339), v.WorkerID),
		}
		keyed(&f, "finding.undocumented_visit", "start_at", rfc3339(v.Start), "worker", v.WorkerID)
		out = append(out, f)
	}
	return out
}

// outsideWindow finds records whose device time falls before their
// bundle was issued or after it expired: a phone clock that was wrong,
// or a bundle used longer than allowed.
func outsideWindow(recs []store.StoredRecord, bundles map[string]store.IssuedBundle) []wire.Finding {
	var out []wire.Finding
	for _, r := range recs {
		b, ok := bundles[r.BundleID]
		if !ok {
			continue
		}
		if r.CreatedAt.Before(b.IssuedAt) || !r.CreatedAt.Before(b.ExpiresAt) {
			f := finding(wire.FindingOutsideWindow, []store.StoredRecord{r},
				fmt.Sprintf("made at %s (device time), outside its bundle's %s–%s", r.CreatedAt.UTC().Format(time.RFC3339),
					b.IssuedAt.UTC().Format(time.RFC3339), b.ExpiresAt.UTC().Format(time.RFC3339)))
			keyed(&f, "finding.outside_window", "made_at", rfc3339(r.CreatedAt), "issued_at", rfc3339(b.IssuedAt), "expires_at", rfc3339(b.ExpiresAt))
			out = append(out, f)
		}
	}
	return out
}

// emergencyAccess reports every opening of a patient outside the
// author's own list, with what the author then wrote about that patient.
// Records written under an emergency reason with no access record by the
// same author for the same patient (one never sent, or voided) are
// reported too, one finding per author and patient, so that no emergency
// access goes unseen.
func emergencyAccess(recs []store.StoredRecord) []wire.Finding {
	type access struct{ author, patient string }
	written := map[access][]store.StoredRecord{}
	var order []access
	for _, r := range recs {
		if !r.Emergency || r.Type == care.RecordAccess {
			continue
		}
		k := access{r.AuthorID, r.PatientID}
		if _, ok := written[k]; !ok {
			order = append(order, k)
		}
		written[k] = append(written[k], r)
	}
	opened := map[access]bool{}
	var out []wire.Finding
	for _, r := range recs {
		if r.Type != care.RecordAccess {
			continue
		}
		k := access{r.AuthorID, r.PatientID}
		opened[k] = true
		group := append([]store.StoredRecord{r}, written[k]...)
		f := finding(wire.FindingEmergencyAccess, group, fmt.Sprintf("emergency access by %s", r.AuthorID))
		f.At = r.CreatedAt
		keyed(&f, "finding.emergency_access", "author", r.AuthorID)
		out = append(out, f)
	}
	for _, k := range order {
		if opened[k] {
			continue
		}
		f := finding(wire.FindingEmergencyAccess, written[k],
			fmt.Sprintf("emergency access by %s with no access record", k.author))
		keyed(&f, "finding.emergency_no_access", "author", k.author)
		out = append(out, f)
	}
	return out
}

// lateSyncs finds records received more than the offline validity after
// they were made.
func lateSyncs(recs []store.StoredRecord, offline time.Duration) []wire.Finding {
	var out []wire.Finding
	for _, r := range recs {
		if offline > 0 && r.Received.Sub(r.CreatedAt) > offline {
			late := r.Received.Sub(r.CreatedAt).Round(time.Minute)
			f := finding(wire.FindingLateSync, []store.StoredRecord{r}, fmt.Sprintf("received %s after it was made", late))
			keyed(&f, "finding.late_sync", "minutes", strconv.FormatInt(int64(late/time.Minute), 10),
				"made_at", rfc3339(r.CreatedAt), "received_at", rfc3339(r.Received))
			out = append(out, f)
		}
	}
	return out
}

// Caps on what one sequence_gap finding lists, so that its size stays
// small whatever numbers a device sent: MissingSeqs holds the first
// maxListedSeqs missing numbers, the message the first maxListedGaps runs.
const (
	maxListedSeqs = 1000
	maxListedGaps = 100
)

// seqGap is a run of sequence numbers a device never sent, first to last
// inclusive.
type seqGap struct{ first, last uint64 }

func (g seqGap) size() uint64 { return g.last - g.first + 1 }

func (g seqGap) String() string {
	if g.first == g.last {
		return strconv.FormatUint(g.first, 10)
	}
	return fmt.Sprintf("%d–%d", g.first, g.last)
}

// missingRuns returns, in order, the runs of numbers from 1 up to the
// largest of seqs that seqs lacks. Its time and memory depend on how many
// numbers were sent, never on how large they are.
func missingRuns(seqs []uint64) []seqGap {
	sorted := slices.Clone(seqs)
	slices.Sort(sorted)
	var gaps []seqGap
	next := uint64(1) // the lowest number not seen yet
	for _, s := range sorted {
		if s > next {
			gaps = append(gaps, seqGap{next, s - 1})
		}
		if s >= next {
			if s == math.MaxUint64 {
				break
			}
			next = s + 1
		}
	}
	return gaps
}

// sequenceGaps finds devices whose sequence numbers skip: a record may
// have been lost on the phone.
func sequenceGaps(recs []store.StoredRecord, seqs map[string][]uint64) []wire.Finding {
	type dev struct {
		author, unit string
		first        time.Time
	}
	devices := map[string]*dev{}
	var order []string
	for _, r := range recs {
		d, ok := devices[r.DeviceID]
		if !ok {
			d = &dev{author: r.AuthorID, unit: r.UnitID, first: r.CreatedAt}
			devices[r.DeviceID] = d
			order = append(order, r.DeviceID)
		}
		if r.CreatedAt.Before(d.first) {
			d.first = r.CreatedAt
		}
	}
	sort.Strings(order)
	var out []wire.Finding
	for _, id := range order {
		gaps := missingRuns(seqs[id])
		if len(gaps) == 0 {
			continue
		}
		var total uint64 // cannot overflow: at most the largest number sent
		var missing []uint64
		for _, g := range gaps {
			total += g.size()
			for s := g.first; len(missing) < maxListedSeqs; s++ {
				missing = append(missing, s)
				if s == g.last {
					break
				}
			}
		}
		// While every missing number is listed, the id is made from them
		// as it always was, so that resolutions already recorded still
		// apply; past the cap it is made from the runs.
		parts := []string{id}
		if total == uint64(len(missing)) {
			for _, m := range missing {
				parts = append(parts, strconv.FormatUint(m, 10))
			}
		} else {
			for _, g := range gaps {
				parts = append(parts, fmt.Sprintf("%d-%d", g.first, g.last))
			}
		}
		shown := make([]string, 0, min(len(gaps), maxListedGaps))
		for _, g := range gaps[:min(len(gaps), maxListedGaps)] {
			shown = append(shown, g.String())
		}
		d := devices[id]
		msg := fmt.Sprintf("device %s of %s never sent record numbers %s", id, d.author, strings.Join(shown, ", "))
		if len(gaps) > maxListedGaps {
			msg += fmt.Sprintf(" and %d more gaps", len(gaps)-maxListedGaps)
		}
		if len(gaps) > maxListedGaps || total > uint64(len(missing)) {
			msg += fmt.Sprintf(" (%d numbers in all)", total)
		}
		f := wire.Finding{
			ID: findingID(wire.FindingSequenceGap, parts...), Kind: wire.FindingSequenceGap,
			RecordIDs: []string{}, UnitID: d.unit, DeviceID: id, MissingSeqs: missing, At: d.first,
			Message: msg,
		}
		keyed(&f, "finding.sequence_gap", "device", id, "author", d.author, "numbers", strings.Join(shown, ", "),
			"more_gaps", strconv.Itoa(max(0, len(gaps)-maxListedGaps)), "total", strconv.FormatUint(total, 10))
		out = append(out, f)
	}
	return out
}

// duplicateSeqs finds sequence numbers that two or more different records
// from one device carry. A phone numbers its records one by one and never
// reuses a number (a record sent again is the same record, a duplicate,
// not stored twice), so this means two phones signing with one device
// key: a copied key, or a phone restored from a copy of another's
// storage. Every record of the scope that shares a number is named, void
// and quarantined ones too, since the copy may be the one that was voided.
// The id is made from the device, the number and every record id that
// carries it, in any unit, so that a third record reopens the finding and
// a coordinator of another unit resolves the same one.
func duplicateSeqs(recs []store.StoredRecord, shared map[string]map[uint64][]string) []wire.Finding {
	inScope := map[string]store.StoredRecord{}
	var devices []string
	for _, r := range recs {
		seqs, ok := shared[r.DeviceID]
		if !ok || len(seqs[r.Seq]) < 2 {
			continue
		}
		if !slices.Contains(devices, r.DeviceID) {
			devices = append(devices, r.DeviceID)
		}
		inScope[r.ID] = r
	}
	sort.Strings(devices)
	var out []wire.Finding
	for _, dev := range devices {
		numbers := make([]uint64, 0, len(shared[dev]))
		for seq := range shared[dev] {
			numbers = append(numbers, seq)
		}
		slices.Sort(numbers)
		for _, seq := range numbers {
			ids := slices.Clone(shared[dev][seq])
			slices.Sort(ids)
			var group []store.StoredRecord
			for _, id := range ids {
				if r, ok := inScope[id]; ok {
					group = append(group, r)
				}
			}
			if len(group) == 0 {
				continue
			}
			f := finding(wire.FindingDuplicateSeq, group,
				fmt.Sprintf("device %s of %s sent %d different records numbered %d: its key may be in use on another phone",
					dev, group[0].AuthorID, len(ids), seq))
			f.ID = findingID(wire.FindingDuplicateSeq, append([]string{dev, strconv.FormatUint(seq, 10)}, ids...)...)
			f.DeviceID = dev
			keyed(&f, "finding.duplicate_seq", "device", dev, "author", group[0].AuthorID, "count", strconv.Itoa(len(ids)),
				"seq", strconv.FormatUint(seq, 10))
			out = append(out, f)
		}
	}
	return out
}
