package kept_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/kept"
	"beredskap/internal/reconcile"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

var ctx = context.Background()

const offlineFor = 8 * time.Hour

// world drives a real store through the keeper's watch with random
// events, and keeps what a generator needs to make sensible ones: the
// records ingest would accept (a record names a visit or dose of its own
// patient), sometimes odd (late, outside its bundle, a number skipped or
// used twice, held for review).
type world struct {
	t      *testing.T
	rnd    *rand.Rand
	now    time.Time
	db     store.Store
	k      *kept.Keeper
	plan   store.Plan
	seqs   map[string]uint64
	recIDs []string
	// prnGiven holds the PRN doses made so far, by patient, for effect
	// records to evaluate.
	prnGiven map[string][]string
	// waiting holds the administrations made with a co-signing code, for
	// cosign records to co-sign.
	waiting []store.StoredRecord
	// crnd draws what co-signatures add (controlled drugs, codes, cosign
	// records), apart from rnd, so that the rest of each sequence stays
	// what it was before they existed.
	crnd *rand.Rand
	n    int
}

var (
	units    = []string{"nord", "sor"}
	patients = []string{"p1", "p2", "p3", "p4", "p5"}
	devices  = []struct{ id, author string }{{"d1", "anna"}, {"d2", "bo"}, {"d3", "cai"}, {"d4", "anna"}}
	meds     = []string{"Paracet", "paracet ", "Insulin", "Marevan"}
)

func newWorld(t *testing.T, seed uint64) *world {
	raw, err := badger.Open(t.TempDir(), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return newWorldOn(t, seed, raw)
}

// newWorldOn is newWorld on a store of the caller's.
func newWorldOn(t *testing.T, seed uint64, raw store.Store) *world {
	w := &world{t: t, rnd: rand.New(rand.NewPCG(seed, seed*7+1)), crnd: rand.New(rand.NewPCG(seed, seed*13+5)), now: time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC),
		seqs: map[string]uint64{}, prnGiven: map[string][]string{}}
	w.k = kept.New(raw, kept.Options{OfflineFor: offlineFor, Now: func() time.Time { return w.now }})
	w.db = w.k.Watch(raw)
	w.plan.Units = []care.Unit{{ID: "nord", Name: "Nord"}, {ID: "sor", Name: "Sør"}}
	for i, p := range patients {
		w.plan.Patients = append(w.plan.Patients, care.Patient{ID: p, UnitID: units[i%2], Name: p, PRN: w.prnPlan(i)})
	}
	for i := range 12 {
		w.addDose(i)
	}
	for i := range 10 {
		p := patients[w.rnd.IntN(len(patients))]
		w.plan.Visits = append(w.plan.Visits, care.Visit{ID: fmt.Sprintf("v%d", i), PatientID: p, WorkerID: "anna", UnitID: w.unitOf(p),
			Start: w.now.Add(time.Duration(w.rnd.IntN(16*60)) * time.Minute), DurationMinutes: 15 + w.rnd.IntN(45)})
	}
	if err := w.db.ApplyPlan(ctx, w.plan); err != nil {
		t.Fatal(err)
	}
	for i, d := range devices {
		// Each phone's shift lists one unit's patients: a cosign for
		// another unit's patient comes from outside the unit.
		b := store.IssuedBundle{ID: fmt.Sprintf("b%d", i), UserID: d.author, IssuedAt: w.now, ExpiresAt: w.now.Add(offlineFor)}
		for j, p := range patients {
			if j%2 == i%2 {
				b.UnitPatients = append(b.UnitPatients, p)
			}
		}
		if err := w.db.PutIssuedBundle(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// prnPlan gives most patients an as-needed medication or two, named as
// the scheduled doses are (meds), so that PRN and scheduled doses of one
// drug meet.
func (w *world) prnPlan(i int) []care.PRNMedication {
	var out []care.PRNMedication
	for j := range w.rnd.IntN(3) {
		id := fmt.Sprintf("prn-%d-%d", i, j)
		if j == 1 { // the import's ids are UUIDs
			id = uuid.NewSHA1(uuid.NameSpaceURL, []byte(id)).String()
		}
		out = append(out, care.PRNMedication{ID: id, Medication: meds[w.rnd.IntN(len(meds))], Dose: "1", Indications: []string{"pain"},
			MinIntervalMinutes: []int{0, 60, 240}[w.rnd.IntN(3)], MaxPer24h: 1 + w.rnd.IntN(3),
			EffectAfterMinutes: []int{0, 30, 60}[w.rnd.IntN(3)], Controlled: w.crnd.IntN(3) == 0})
	}
	return out
}

func (w *world) addDose(i int) {
	p := patients[w.rnd.IntN(len(patients))]
	id := fmt.Sprintf("dose%d", i)
	if i%2 == 0 { // ids from the import are UUIDs, which the desk keeps in sixteen bytes
		id = uuid.NewSHA1(uuid.NameSpaceURL, []byte(id)).String()
	}
	w.plan.Doses = append(w.plan.Doses, care.ScheduledDose{ID: id, PatientID: p, Medication: meds[w.rnd.IntN(len(meds))],
		Dose: "1", Due: w.now.Add(time.Duration(w.rnd.IntN(14*60)) * time.Minute), DoubleCheck: w.rnd.IntN(3) == 0,
		Controlled: w.crnd.IntN(4) == 0, WindowMinutes: []int{0, 0, 30, 90}[w.rnd.IntN(4)]})
}

func (w *world) unitOf(p string) string {
	for _, pt := range w.plan.Patients {
		if pt.ID == p {
			return pt.UnitID
		}
	}
	return ""
}

// record makes one record as a phone would have sent it.
func (w *world) record() store.StoredRecord {
	w.n++
	dev := w.rnd.IntN(len(devices))
	d := devices[dev]
	p := patients[w.rnd.IntN(len(patients))]
	created := w.now.Add(-time.Duration(w.rnd.IntN(90)) * time.Minute)
	w.seqs[d.id]++
	if w.rnd.IntN(12) == 0 {
		w.seqs[d.id]++ // a record lost on the phone
	}
	seq := w.seqs[d.id]
	if w.rnd.IntN(15) == 0 && seq > 1 {
		seq = 1 + w.rnd.Uint64N(seq-1) // a copied key
	}
	id := fmt.Sprintf("r%03d", w.n)
	if w.n%2 == 0 { // phones' ids are UUIDs, which the desk keeps in sixteen bytes
		id = uuid.NewSHA1(uuid.NameSpaceOID, []byte(id)).String()
	}
	r := store.StoredRecord{ID: id, DeviceID: d.id, AuthorID: d.author, PatientID: p, UnitID: w.unitOf(p),
		Seq: seq, CreatedAt: created, Received: w.now, BundleID: fmt.Sprintf("b%d", dev), State: store.StateNew,
		BodyHash: fmt.Sprintf("h%d", w.n), Body: []byte(`{}`), Sig: []byte("s")}
	switch w.rnd.IntN(30) {
	case 0, 1, 2:
		r.CreatedAt = w.now.Add(-10 * time.Hour) // late, and before its bundle
	case 3, 4, 5:
		r.BundleID = "unknown"
	case 6:
		r.CreatedAt = time.Date(1601, 2, 3, 4, 5, 6, 7, time.UTC) // a phone's clock far wrong
	case 7:
		r.CreatedAt = time.Date(2301, 2, 3, 4, 5, 6, 7, time.UTC)
	}
	switch w.rnd.IntN(8) {
	case 6:
		// An as-needed dose, of a PRN medication the plan has (or had).
		r.Type, r.Status = care.RecordMedication, []string{care.DoseGiven, care.DoseGiven, care.DoseGiven, care.DoseRefused}[w.rnd.IntN(4)]
		r.PRNID, r.Medication = "prn-gone", meds[w.rnd.IntN(len(meds))]
		for _, pt := range w.plan.Patients {
			if pt.ID == p && len(pt.PRN) > 0 && w.rnd.IntN(6) != 0 {
				m := pt.PRN[w.rnd.IntN(len(pt.PRN))]
				r.PRNID, r.Medication = m.ID, m.Medication
			}
		}
		given := created.Add(-time.Duration(w.rnd.IntN(30)) * time.Minute)
		r.AdministeredAt = &given
		w.prnGiven[p] = append(w.prnGiven[p], r.ID)
		w.maybeWaiting(&r)
	case 7:
		// An evaluation of a PRN dose's effect, mostly of one made before.
		r.Type = care.RecordPRNEffect
		r.AdministrationID = uuid.NewSHA1(uuid.NameSpaceDNS, []byte(id)).String()
		from := p
		if w.rnd.IntN(6) == 0 {
			from = patients[w.rnd.IntN(len(patients))] // a wrong link: another patient's dose
		}
		if ds := w.prnGiven[from]; len(ds) > 0 && w.rnd.IntN(5) != 0 {
			r.AdministrationID = ds[w.rnd.IntN(len(ds))]
		}
	case 0, 1, 2:
		r.Type = care.RecordMedication
		r.Medication = meds[w.rnd.IntN(len(meds))]
		r.Status = []string{care.DoseGiven, care.DoseGiven, care.DoseRefused, care.DoseWithheld}[w.rnd.IntN(4)]
		if doses := w.dosesOf(p); len(doses) > 0 && w.rnd.IntN(4) != 0 {
			dose := doses[w.rnd.IntN(len(doses))]
			r.ScheduleID, r.Medication = dose.ID, dose.Medication
			given := dose.Due.Add(time.Duration(w.rnd.IntN(120)-60) * time.Minute)
			r.AdministeredAt = &given
		} else if w.rnd.IntN(2) == 0 {
			given := created
			r.AdministeredAt = &given
		}
		r.Uncosigned = w.rnd.IntN(3) == 0
		w.maybeWaiting(&r)
	case 3:
		r.Type = []care.RecordType{care.RecordNote, care.RecordVisitStatus}[w.rnd.IntN(2)]
		if visits := w.visitsOf(p); len(visits) > 0 {
			r.VisitID = visits[w.rnd.IntN(len(visits))].ID
		}
	case 4:
		r.Type = care.RecordDeviation
		if w.crnd.IntN(2) == 0 {
			w.cosign(&r)
		}
	default:
		r.Type = care.RecordAccess
		r.Emergency = true
	}
	if w.rnd.IntN(8) == 0 && r.Type != care.RecordAccess {
		r.Emergency = true
	}
	if w.rnd.IntN(9) == 0 {
		// Written in a drill: never a real finding, counted apart.
		r.DrillID = []string{"drill-a", "drill-b"}[w.rnd.IntN(2)]
	}
	if w.rnd.IntN(14) == 0 {
		r.Quarantined = true
		r.HeldFor = []string{store.HeldDeviceRevoked, store.HeldAuthorDisabled}[w.rnd.IntN(2)]
	}
	return r
}

// maybeWaiting gives an administration a co-signing code now and then,
// as a phone does for a dose that needs a second signature.
func (w *world) maybeWaiting(r *store.StoredRecord) {
	if w.crnd.IntN(2) == 0 {
		return
	}
	r.CosignCode, r.Uncosigned = fmt.Sprintf("CODE%d", w.crnd.IntN(3)), true
	w.waiting = append(w.waiting, *r)
}

// cosign makes r a cosign record: mostly of an administration that waits
// for one, by a nurse or a worker, with a shift of hers (sometimes one
// unknown, as one from another unit would be: sync refuses a cosign for a
// patient no shift of hers lists), sometimes of no administration, or of
// another patient's; the giver herself at times.
func (w *world) cosign(r *store.StoredRecord) {
	r.Type = care.RecordCosign
	r.AuthorRole = []string{string(care.RoleNurse), string(care.RoleNurse), string(care.RoleWorker), ""}[w.crnd.IntN(4)]
	r.ScheduleID, r.CosignCode = "dose-gone", "CODE9"
	if len(w.waiting) > 0 && w.crnd.IntN(5) != 0 {
		a := w.waiting[w.crnd.IntN(len(w.waiting))]
		r.ScheduleID, r.PRNID, r.CosignCode = a.ScheduleID, a.PRNID, a.CosignCode
		if w.crnd.IntN(5) != 0 {
			r.PatientID, r.UnitID = a.PatientID, a.UnitID
		}
	}
	if w.crnd.IntN(6) == 0 {
		r.BundleID = fmt.Sprintf("b%d", w.crnd.IntN(len(devices))) // another phone's shift
	}
}

func (w *world) dosesOf(p string) []care.ScheduledDose {
	var out []care.ScheduledDose
	for _, d := range w.plan.Doses {
		if d.PatientID == p {
			out = append(out, d)
		}
	}
	return out
}

func (w *world) visitsOf(p string) []care.Visit {
	var out []care.Visit
	for _, v := range w.plan.Visits {
		if v.PatientID == p {
			out = append(out, v)
		}
	}
	return out
}

// step applies one random event and says what it was.
func (w *world) step() string {
	switch w.rnd.IntN(9) {
	case 0, 1, 2:
		var recs []store.StoredRecord
		for range 1 + w.rnd.IntN(6) {
			recs = append(recs, w.record())
		}
		if err := w.db.PutRecords(ctx, recs, nil); err != nil {
			w.t.Fatal(err)
		}
		for _, r := range recs {
			w.recIDs = append(w.recIDs, r.ID)
		}
		return fmt.Sprintf("put %d records", len(recs))
	case 3:
		if len(w.recIDs) == 0 {
			return "nothing to reconcile"
		}
		id := w.recIDs[w.rnd.IntN(len(w.recIDs))]
		action := []string{store.ActionEntered, store.ActionVoid}[w.rnd.IntN(2)]
		_, err := w.db.Reconcile(ctx, []string{id}, store.Reconciliation{Action: action, By: "kari", At: w.now, EHRRef: "x", Reason: "y"})
		if err != nil && !isExpected(err) {
			w.t.Fatal(err)
		}
		return action + " " + id
	case 4:
		w.now = w.now.Add(time.Duration(w.rnd.IntN(180)) * time.Minute)
		return "time is " + w.now.Format("15:04")
	case 5:
		before := w.now.Add(-time.Duration(w.rnd.IntN(120)) * time.Minute)
		if _, err := w.db.PurgeReconciled(ctx, before, w.now); err != nil {
			w.t.Fatal(err)
		}
		return "purge before " + before.Format("15:04")
	case 6:
		// The plan changes: a dose moves or gets another window or double
		// check, a new dose, a visit moves, a patient changes unit.
		i := w.rnd.IntN(len(w.plan.Doses))
		w.plan.Doses[i].WindowMinutes = []int{0, 15, 60}[w.rnd.IntN(3)]
		w.plan.Doses[i].DoubleCheck = !w.plan.Doses[i].DoubleCheck
		if w.crnd.IntN(3) == 0 {
			w.plan.Doses[i].Controlled = !w.plan.Doses[i].Controlled
		}
		w.addDose(len(w.plan.Doses))
		v := w.rnd.IntN(len(w.plan.Visits))
		w.plan.Visits[v].Start = w.plan.Visits[v].Start.Add(time.Duration(w.rnd.IntN(120)-60) * time.Minute)
		if w.rnd.IntN(3) == 0 {
			p := w.rnd.IntN(len(w.plan.Patients))
			w.plan.Patients[p].UnitID = units[w.rnd.IntN(2)]
		}
		if w.rnd.IntN(2) == 0 {
			// A patient's PRN medications change: new rules, or none.
			p := w.rnd.IntN(len(w.plan.Patients))
			w.plan.Patients[p].PRN = w.prnPlan(p)
		}
		if err := w.db.ApplyPlan(ctx, w.plan); err != nil {
			w.t.Fatal(err)
		}
		return "plan changed"
	case 7:
		fs, _, err := w.k.All(ctx)
		if err != nil || len(fs) == 0 {
			return "nothing to resolve"
		}
		f := fs[w.rnd.IntN(len(fs))]
		if err := w.db.ResolveFinding(ctx, f.ID, store.FindingResolution{By: "kari", Comment: "ok", At: w.now, Unit: f.UnitID}); err != nil {
			w.t.Fatal(err)
		}
		return "resolved " + f.ID
	default:
		return "a request"
	}
}

func isExpected(err error) bool {
	return err != nil && (errors.Is(err, store.ErrAlreadyReconciled) || errors.Is(err, store.ErrNotFound))
}

// recomputed is the reference: every finding computed at once from the
// whole store, as the desk did on every request before it kept them,
// with, for each, the latest time one of its records (for a sequence gap,
// of its device's) was received.
// verifiedCosigns counts the verified co-signatures recomputed() saw.
var verifiedCosigns int

func (w *world) recomputed() ([]wire.Finding, map[string]time.Time, reconcile.Input) {
	in, err := reconcile.Load(ctx, w.db, reconcile.Scope{Until: w.now, Now: w.now, OfflineFor: offlineFor})
	if err != nil {
		w.t.Fatal(err)
	}
	fs := reconcile.Compute(in)
	for _, r := range in.Records {
		for _, c := range reconcile.CosignLinks(in.Records)[r.ID] {
			if reconcile.CosignProblem(r, c, in.Bundles) == reconcile.CosignVerified {
				verifiedCosigns++
			}
		}
	}
	received := map[string]time.Time{}
	newest := map[string]time.Time{}
	for _, r := range in.Records {
		received[r.ID] = r.Received
		if r.Received.After(newest[r.DeviceID]) {
			newest[r.DeviceID] = r.Received
		}
	}
	last := map[string]time.Time{}
	for _, f := range fs {
		var t time.Time
		for _, id := range f.RecordIDs {
			if received[id].After(t) {
				t = received[id]
			}
		}
		if f.Kind == wire.FindingSequenceGap {
			t = newest[f.DeviceID]
		}
		last[f.ID] = t
	}
	return fs, last, in
}

func asJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestKeptFindingsMatchRecomputation applies random sequences of events
// (records, reconciliations, voids, purges, plan changes, resolutions,
// time passing) and compares, after each, the kept findings with a full
// recomputation: every finding, field by field, and what each window,
// unit and filter shows, and the dashboard's counts.
func TestKeptFindingsMatchRecomputation(t *testing.T) {
	seeds, steps := 40, 60
	if testing.Short() {
		seeds = 8
	}
	kinds := map[string]bool{}
	for seed := range seeds {
		w := newWorld(t, uint64(seed)+1)
		var history []string
		for range steps {
			history = append(history, w.step())
			want, last, in := w.recomputed()
			got, gotLast, err := w.k.All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if asJSON(t, got) != asJSON(t, want) {
				t.Fatalf("seed %d after %v:\nkept       %s\nrecomputed %s", seed, history, asJSON(t, got), asJSON(t, want))
			}
			for i, f := range got {
				kinds[f.Kind] = true
				if !gotLast[i].Equal(last[f.ID]) {
					t.Fatalf("seed %d: finding %s last received %v, want %v", seed, f.ID, gotLast[i], last[f.ID])
				}
			}
			w.checkQueries(want, last, in)
		}
		// A keeper started afresh on the same store (the server
		// restarted) keeps the same.
		w.checkRestart()
	}
	// The generator must reach every kind, and co-sign some doses
	// properly, or the comparison proves less than it says.
	if verifiedCosigns == 0 {
		t.Error("no administration co-signed by a nurse on her own phone in any sequence")
	}
	for _, k := range []string{wire.FindingQuarantined, wire.FindingDoubleAdministration, wire.FindingMissingAdministration,
		wire.FindingMissingCosignature, wire.FindingUndocumentedVisit, wire.FindingOutsideWindow, wire.FindingEmergencyAccess,
		wire.FindingLateSync, wire.FindingSequenceGap, wire.FindingDuplicateSeq,
		wire.FindingPRNInterval, wire.FindingPRNMaxExceeded, wire.FindingPRNEffectMissing, wire.FindingCosignerUnverified} {
		if !kinds[k] {
			t.Errorf("no %s finding in any sequence", k)
		}
	}
}

// checkQueries compares the pages, totals and dashboards the keeper
// answers with what filtering the recomputed findings gives.
func (w *world) checkQueries(all []wire.Finding, last map[string]time.Time, in reconcile.Input) {
	t := w.t
	res, err := w.db.FindingResolutions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	windows := [][2]time.Time{{w.now.Add(-24 * time.Hour), w.now}, {w.now.Add(-90 * time.Minute), w.now.Add(-30 * time.Minute)},
		{w.now.Add(-3 * time.Hour), w.now.Add(6 * time.Hour)}}
	scopes := [][]string{nil, {"nord"}, {"sor", "nord"}, {}}
	for _, win := range windows {
		for _, sc := range scopes {
			q := kept.Query{Units: sc, Since: win[0], Until: win[1], Limit: 1 + w.rnd.IntN(7)}
			switch w.rnd.IntN(4) {
			case 0:
				if len(all) > 0 {
					q.Kind = all[w.rnd.IntN(len(all))].Kind
				}
			case 1:
				q.Status = kept.StatusOpen
			case 2:
				q.Status = kept.StatusResolved
			case 3:
				q.Patient = patients[w.rnd.IntN(len(patients))]
			}
			var want []wire.Finding
			for _, f := range all {
				_, done := res[f.ID]
				switch {
				case sc != nil && !slices.Contains(sc, f.UnitID):
				case q.Kind != "" && f.Kind != q.Kind:
				case q.Patient != "" && f.PatientID != q.Patient:
				case q.Status == kept.StatusOpen && done:
				case q.Status == kept.StatusResolved && !done:
				case !reconcile.Covers(f, last[f.ID], q.Since, q.Until):
				default:
					if done {
						r := res[f.ID]
						f.Resolved = &wire.Resolution{By: r.By, Comment: r.Comment, At: r.At}
					}
					want = append(want, f)
				}
			}
			var got []wire.Finding
			for {
				page, err := w.k.Findings(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != len(want) {
					t.Fatalf("query %+v: total %d, want %d", q, page.Total, len(want))
				}
				got = append(got, page.Findings...)
				if page.Next == "" {
					break
				}
				q.Cursor = page.Next
			}
			if asJSON(t, got) != asJSON(t, want) {
				t.Fatalf("query %+v:\ngot  %s\nwant %s", q, asJSON(t, got), asJSON(t, want))
			}
			w.checkDashboard(sc, win[0], win[1], all, last, res, in)
		}
	}
}

func (w *world) checkDashboard(units []string, since, until time.Time, all []wire.Finding, last map[string]time.Time,
	res map[string]store.FindingResolution, in reconcile.Input) {
	want := wire.Dashboard{Since: since, Until: until, States: map[string]int{}, Types: map[string]int{}, Findings: map[string]int{}}
	for _, r := range in.Records {
		if r.Received.Before(since) || (units != nil && !slices.Contains(units, r.UnitID)) {
			continue
		}
		want.Records++
		st := r.State
		if r.Quarantined && st == store.StateNew {
			st = store.StateQuarantined
		}
		want.States[st]++
		want.Types[string(r.Type)]++
	}
	for _, f := range all {
		if (units != nil && !slices.Contains(units, f.UnitID)) || !reconcile.Covers(f, last[f.ID], since, until) {
			continue
		}
		want.Findings[f.Kind]++
		if _, done := res[f.ID]; !done {
			want.Open++
		}
	}
	got, err := w.k.Dashboard(ctx, units, since, until)
	if err != nil {
		w.t.Fatal(err)
	}
	if asJSON(w.t, got) != asJSON(w.t, want) {
		w.t.Fatalf("dashboard %v %v–%v:\ngot  %s\nwant %s", units, since, until, asJSON(w.t, got), asJSON(w.t, want))
	}
	// The records count answers what the list would page through.
	filters := []store.RecordFilter{{Units: units, Since: since},
		{Units: units, Patient: patients[w.rnd.IntN(len(patients))]},
		{Author: devices[w.rnd.IntN(len(devices))].author, Type: care.RecordMedication},
		{Units: units, State: store.StateQuarantined}, {State: store.StateEntered, Unit: "sor"}, {Patient: "nobody"},
		{Units: units, Drill: store.DrillNone}, {Drill: store.DrillAny}, {Units: units, Drill: "drill-b"}, {Drill: "drill-none"}}
	for _, f := range filters {
		want := 0
		cursor := ""
		for {
			f.Cursor, f.Limit = cursor, 1000
			page, next, err := w.db.ListRecords(ctx, f)
			if err != nil {
				w.t.Fatal(err)
			}
			want += len(page)
			if cursor = next; cursor == "" {
				break
			}
		}
		f.Cursor, f.Limit = "", 0
		n, err := w.k.MatchingRecords(ctx, f)
		if err != nil || n != want {
			w.t.Fatalf("matching records %+v = %d, %v; the list has %d", f, n, err, want)
		}
	}
}

// checkRestart builds a second keeper on the world's store and compares
// what it keeps with the first.
func (w *world) checkRestart() {
	w.t.Helper()
	raw := w.db.(interface{ Unwrap() store.Store }).Unwrap()
	again := kept.New(raw, kept.Options{OfflineFor: offlineFor, Now: func() time.Time { return w.now }})
	a, _, err := w.k.All(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	b, _, err := again.All(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	if asJSON(w.t, a) != asJSON(w.t, b) {
		w.t.Fatalf("kept %s\nrebuilt %s", asJSON(w.t, a), asJSON(w.t, b))
	}
}

// countdown is a context that reports itself cancelled from the nth time
// it is asked on: a purge stopped part way, deterministically.
type countdown struct {
	context.Context
	left int
}

func (c *countdown) Err() error {
	if c.left--; c.left < 0 {
		return context.Canceled
	}
	return nil
}

// TestInterruptedPurge: a purge that stops part way (its process died, or
// it was cancelled) leaves the desk matching the store, both the keeper
// that watched it and one started afresh.
func TestInterruptedPurge(t *testing.T) {
	w := newWorld(t, 99)
	var recs []store.StoredRecord
	for range 700 {
		recs = append(recs, w.record())
	}
	if err := w.db.PutRecords(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	if _, err := w.db.Reconcile(ctx, ids, store.Reconciliation{Action: store.ActionEntered, By: "kari", At: w.now, EHRRef: "x"}); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(time.Hour)
	var purged int
	var err error
	for left := 1; left < 200; left++ {
		purged, err = w.db.PurgeReconciled(&countdown{Context: ctx, left: left}, w.now, w.now)
		if purged > 0 {
			break
		}
	}
	if err == nil || purged == 0 || purged == len(recs) {
		t.Fatalf("purge was not interrupted part way: %d of %d purged, %v", purged, len(recs), err)
	}
	want, _, _ := w.recomputed()
	got, _, err := w.k.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if asJSON(t, got) != asJSON(t, want) {
		t.Fatalf("after %d of %d purged:\nkept       %s\nrecomputed %s", purged, len(recs), asJSON(t, got), asJSON(t, want))
	}
	n, err := w.k.MatchingRecords(ctx, store.RecordFilter{})
	if err != nil || n != len(recs)-purged {
		t.Fatalf("kept %d records, %v; the store holds %d", n, err, len(recs)-purged)
	}
	w.checkRestart()
}

// TestWritesWhileBuilding: records synced while the desk builds itself
// from the store (a server just started, phones already sending) are
// kept once each, whether the build read them or not.
func TestWritesWhileBuilding(t *testing.T) {
	w := newWorld(t, 7)
	raw := w.db.(interface{ Unwrap() store.Store }).Unwrap()
	for range 20 {
		var recs []store.StoredRecord
		for range 200 {
			recs = append(recs, w.record())
		}
		if err := raw.PutRecords(ctx, recs, nil); err != nil {
			t.Fatal(err)
		}
	}
	built := make(chan error, 1)
	go func() {
		_, err := w.k.MatchingRecords(ctx, store.RecordFilter{})
		built <- err
	}()
	for range 40 {
		var recs []store.StoredRecord
		for range 20 {
			recs = append(recs, w.record())
		}
		if err := w.db.PutRecords(ctx, recs, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-built; err != nil {
		t.Fatal(err)
	}
	n, err := w.k.MatchingRecords(ctx, store.RecordFilter{})
	if err != nil || n != 20*200+40*20 {
		t.Fatalf("kept %d records, %v; the store holds %d", n, err, 20*200+40*20)
	}
	want, _, _ := w.recomputed()
	got, _, err := w.k.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if asJSON(t, got) != asJSON(t, want) {
		t.Fatalf("kept %d findings, recomputed %d", len(got), len(want))
	}
}

// heldStore commits records and then waits before answering, as a write
// whose answer is slow to come back does.
type heldStore struct {
	store.Store
	committed, answer chan struct{}
}

func (h *heldStore) PutRecords(ctx context.Context, recs []store.StoredRecord, audit []store.Audit) error {
	err := h.Store.PutRecords(ctx, recs, audit)
	close(h.committed)
	<-h.answer
	return err
}

// TestWriteAnsweredAfterTheBuild: a write the store committed before the
// desk was built, but answered after (the build read its records), is
// not kept twice.
func TestWriteAnsweredAfterTheBuild(t *testing.T) {
	w := newWorld(t, 11)
	raw := w.db.(interface{ Unwrap() store.Store }).Unwrap()
	held := &heldStore{Store: raw, committed: make(chan struct{}), answer: make(chan struct{})}
	k := kept.New(held, kept.Options{OfflineFor: offlineFor, Now: func() time.Time { return w.now }})
	db := k.Watch(held)
	recs := []store.StoredRecord{w.record(), w.record(), w.record()}
	done := make(chan error, 1)
	go func() { done <- db.PutRecords(ctx, recs, nil) }()
	<-held.committed
	if n, err := k.MatchingRecords(ctx, store.RecordFilter{}); err != nil || n != 3 {
		t.Fatalf("built with %d records, %v", n, err)
	}
	close(held.answer)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n, err := k.MatchingRecords(ctx, store.RecordFilter{}); err != nil || n != 3 {
		t.Fatalf("after the answer: %d records kept, %v; the store holds 3", n, err)
	}
}
