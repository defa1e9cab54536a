package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
)

// The desk's data: a region after a four-day outage, every record put
// through the store (PutRecords, batches of deskBatch) as
// BenchmarkRecordsList does, with the plan, the bundles and the accounts
// the records refer to. The plan grows with the number of records: about
// 25 records per patient over the four days, 12 units, one worker per
// eight visits of a shift, one phone per worker.
//
// The shares, and the findings they make (internal/reconcile/findings.go):
//
//   - Every patient has three visits a day (morning, midday, evening) and
//     0–2 scheduled doses at each (2.5 a day, about a quarter of them
//     double-check medicines: OxyNorm, Fragmin).
//   - Visit status: 93 % of visits have one (completed 90 %, not at home
//     5 %, started 5 %); a note is written at 35 % of those and at half of
//     the others, so 3.5 % of visits have neither: undocumented_visit.
//   - Deviations at 1.5 % of visits.
//   - Doses: 90 % given, 3 % refused, 2 % not given, 5 % never documented
//     (missing_administration). 0.3 % of the given doses are recorded a
//     second time 5–40 minutes later (double_administration); 4 % of the
//     double-check doses given carry no second signer (missing_cosignature).
//   - 0.5 % of worker shifts open one patient of the unit outside their
//     own list (an access record and a note under an emergency reason; one
//     in ten sends the note without the access record): emergency_access.
//   - Syncing: a phone sends a shift's records 1–40 minutes after each is
//     made, except on 1 % of shifts, when it comes back 9–20 hours later
//     (late_sync, beyond the 8 offline hours); on 0.3 % of shifts the
//     phone's clock is a day behind, outside its bundle's window
//     (outside_window, and late as well).
//   - One phone in 300 is revoked on the last day: that day's records are
//     quarantined. One in 100 skips 1–3 numbers once (sequence_gap), one
//     in 500 gives two records the same number (duplicate_seq).
//   - Reconciliation: of records received more than 12 hours before the
//     seed, 70 % are entered and 3 % void; of later ones 20 % and 1 %.
//   - The remainder up to the number asked for (3–5 %) are notes
//     about a patient outside any visit.
//
// The desk finds more than the seed made on purpose, as it should: a void
// record documents nothing, so a voided status, note or dose record makes
// its visit or dose undocumented or missing too, and a clock a day behind
// puts a dose beside the day before's (double_administration). The seed's
// own counts are logged by the memory benchmark, the desk's by dashboard.
//
// The outage is declared (open) from 06:00 on the first day, so that the
// desk's default window covers all four days.
const (
	deskUnits    = 12
	deskDays     = 4
	deskBatch    = 1000
	deskPerPat   = 24.7 // records per patient over the four days, before the top-up
	deskPerShift = 8    // visits per worker and shift
)

type deskMed struct {
	name, dose, route string
	double            bool
}

// deskMeds are the doses of each visit slot; a patient's doses of a slot
// are a run of this list, never the same medicine twice in one slot, so
// that a double administration is only ever the one the seed meant.
var deskMeds = [3][]deskMed{
	{{"Metformin", "500 mg", "oral", false}, {"Levaxin", "50 µg", "oral", false}, {"Albyl-E", "75 mg", "oral", false}},
	{{"Paracetamol", "1 g", "oral", false}, {"OxyNorm", "5 mg", "oral", true}},
	{{"Zopiklon", "3,75 mg", "oral", false}, {"Fragmin", "5000 IE", "subkutant", true}, {"Furix", "40 mg", "oral", false}},
}

// deskSlots is when each slot's visits may start (local time, minutes
// after midnight) and how far they spread; deskShifts are the bundles:
// the day shift covers the first two slots, the evening shift the third.
var (
	deskSlots  = [3]struct{ start, spread int }{{7*60 + 30, 120}, {11*60 + 30, 120}, {17 * 60, 150}}
	deskShifts = [2]struct{ issued int }{{7 * 60}, {15*60 + 30}}
)

const deskShiftHours = 8

// deskSignature is a quick handwritten signature, about 2 KB of SVG path
// data (the pad keeps points 2 units apart; a slow, full signature is
// twice that, signaturePath). Medication records carry one, double-check
// doses two.
var deskSignature = func() string {
	var b strings.Builder
	b.WriteString("M120 140")
	for i := range 220 {
		fmt.Fprintf(&b, " L%d %d", 120+(i*3)%360, 60+(i*11)%110)
	}
	return b.String()
}()

// deskData is a seeded store, closed, for the server binary: a data
// directory (dir), or a PostgreSQL database.
type deskData struct {
	dir     string
	records int // records stored (the number asked for)
	took    time.Duration
	counts  map[string]int // what the seed made on purpose, by finding kind
	phases  []string       // how long each part of the seed took
	copied  time.Duration  // when it came from the cache: how long the copy took
	extra   []deskMetric   // more figures of the seed, reported beside seed-s
}

// deskMetric is one figure for b.ReportMetric.
type deskMetric struct {
	value float64
	unit  string
}

type deskWorker struct {
	user     care.User
	device   string
	seq      uint64
	gapAt    int // skip numbers at this record of the phone, or -1
	dupAt    int // reuse the previous number at this record, or -1
	revoked  bool
	recorded int
}

// seedDesk makes the data directory for n records. It is closed when it
// returns; the directory is removed when tb ends.
func seedDesk(tb testing.TB, n int) *deskData {
	tb.Helper()
	start := time.Now()
	d := servertest.New(tb)
	data := seedDeskStore(tb, d.DB, d.Hasher, d.Loc, n, start)
	data.dir = d.Dir
	return data
}

// seedDeskStore puts the desk's data for n records into db, which holds
// the demo municipality (its admin reconciles), and closes it; the time
// reported is since start. Badger's seed (seedDesk) and PostgreSQL's
// (desk_postgres_test.go) are this one.
func seedDeskStore(tb testing.TB, db store.Store, hasher *auth.Hasher, loc *time.Location, n int, start time.Time) *deskData {
	tb.Helper()
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(16, uint64(n)))
	now := time.Now()
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	day := func(k int) time.Time { return today.AddDate(0, 0, k-deskDays) }
	outage := day(0).Add(6 * time.Hour)
	counts := map[string]int{}

	admin, err := db.AccountByUsername(ctx, "admin")
	if err != nil {
		tb.Fatal(err)
	}

	// The plan: units, patients, workers (one per eight visits of a
	// shift), visits and doses.
	patients := int(0.95 * float64(n) / deskPerPat)
	units := make([]care.Unit, deskUnits)
	for i := range units {
		units[i] = care.Unit{ID: uuid.NewString(), Name: fmt.Sprintf("Hjemmetjenesten sone %d", i+1)}
	}
	type patient struct {
		care.Patient
		day, evening *deskWorker // their workers
		index, unit  int
	}
	byUnit := make([][]*patient, deskUnits)
	var plan store.Plan
	plan.Units = units
	for i := range patients {
		u := i % deskUnits
		p := &patient{Patient: care.Patient{ID: uuid.NewString(), UnitID: units[u].ID, Name: fmt.Sprintf("Pasient %d", i+1),
			BirthDate: "1938-04-12", Address: fmt.Sprintf("Storgata %d, 0182 Oslo", i%400+1),
			AccessInfo: "Nøkkelboks ved døra, kode 4711", Priority: care.Priority(1 + i%3)}, index: len(byUnit[u]), unit: u}
		byUnit[u] = append(byUnit[u], p)
		plan.Patients = append(plan.Patients, p.Patient)
	}
	var workers []*deskWorker
	newWorker := func(u int, role care.Role) *deskWorker {
		w := &deskWorker{user: care.User{ID: uuid.NewString(), Username: fmt.Sprintf("desk%d", len(workers)+1),
			Name: fmt.Sprintf("Ansatt %d", len(workers)+1), Role: role, Units: []string{units[u].ID}},
			device: uuid.NewString(), gapAt: -1, dupAt: -1}
		// Every hundredth phone skips, every five hundredth repeats a
		// number, and one in 300 is revoked.
		switch i := len(workers); {
		case i%100 == 3:
			w.gapAt = 1 + rnd.IntN(40)
		case i%500 == 11:
			w.dupAt = 1 + rnd.IntN(40)
		}
		w.revoked = len(workers)%300 == 7
		workers = append(workers, w)
		return w
	}
	for u, ps := range byUnit {
		// Day workers see 4 patients twice (8 visits), evening workers 8
		// patients once; every sixth worker is a nurse, who cosigns.
		var dayW, eveW *deskWorker
		for j, p := range ps {
			if j%(deskPerShift/2) == 0 {
				role := care.RoleWorker
				if len(workers)%6 == 5 {
					role = care.RoleNurse
				}
				dayW = newWorker(u, role)
			}
			if j%deskPerShift == 0 {
				eveW = newWorker(u, care.RoleWorker)
			}
			p.day, p.evening = dayW, eveW
		}
	}
	nurse := func() *deskWorker {
		for range 20 {
			if w := workers[rnd.IntN(len(workers))]; w.user.Role == care.RoleNurse {
				return w
			}
		}
		return workers[0]
	}

	type visit struct {
		care.Visit
		slot  int
		doses []care.ScheduledDose
		meds  []deskMed
	}
	var visits []visit
	for k := range deskDays {
		for slot := range 3 {
			for _, ps := range byUnit {
				for _, p := range ps {
					w := p.day
					if slot == 2 {
						w = p.evening
					}
					at := day(k).Add(time.Duration(deskSlots[slot].start+rnd.IntN(deskSlots[slot].spread)) * time.Minute)
					v := visit{Visit: care.Visit{ID: uuid.NewString(), PatientID: p.ID, WorkerID: w.user.ID, UnitID: p.UnitID,
						Start: at, DurationMinutes: 20 + 5*rnd.IntN(6), Tasks: []string{"Tilsyn", "Legemidler"}}, slot: slot}
					count := []int{p.index % 3, (p.index / 3) % 2, (p.index / 6) % 3}[slot]
					for m := range count {
						med := deskMeds[slot][(p.index+m)%len(deskMeds[slot])]
						v.doses = append(v.doses, care.ScheduledDose{ID: uuid.NewString(), PatientID: p.ID, VisitID: v.ID,
							Medication: med.name, Dose: med.dose, Route: med.route, Due: at, DoubleCheck: med.double})
						v.meds = append(v.meds, med)
					}
					plan.Visits = append(plan.Visits, v.Visit)
					plan.Doses = append(plan.Doses, v.doses...)
					visits = append(visits, v)
				}
			}
		}
	}
	var phases []string
	phase := func(what string) {
		phases = append(phases, fmt.Sprintf("%s %.1f s", what, time.Since(start).Seconds()))
	}
	phase("plan made")
	if err := db.ApplyPlan(ctx, plan); err != nil {
		tb.Fatal(err)
	}
	phase("plan applied")
	// The workers' accounts (one password hash for all: nobody logs in as
	// them) and, per worker and day, the bundle of their shift.
	hash, err := hasher.Hash("demo")
	if err != nil {
		tb.Fatal(err)
	}
	shiftOf := map[*deskWorker]int{}
	for _, ps := range byUnit {
		for _, p := range ps {
			shiftOf[p.day], shiftOf[p.evening] = 0, 1
		}
	}
	bundles := map[string]store.IssuedBundle{} // by worker id and day
	bundleKey := func(w *deskWorker, k int) string { return fmt.Sprintf("%s/%d", w.user.ID, k) }
	for _, w := range workers {
		for k := range deskDays {
			issued := day(k).Add(time.Duration(deskShifts[shiftOf[w]].issued) * time.Minute)
			bundles[bundleKey(w, k)] = store.IssuedBundle{ID: uuid.NewString(), UserID: w.user.ID, DeviceID: w.device,
				IssuedAt: issued.UTC(), ExpiresAt: issued.Add(deskShiftHours * time.Hour).UTC(), Bytes: 40_000}
		}
	}
	// They go in beside the records: each is a transaction of its own,
	// and many at once share the store's commits.
	var side sync.WaitGroup
	var sideErr error
	side.Add(1)
	go func() {
		defer side.Done()
		sideErr = parallel(64, len(workers), func(i int) error {
			w := workers[i]
			if err := db.PutAccount(ctx, store.Account{User: w.user, PasswordHash: hash}); err != nil {
				return err
			}
			for k := range deskDays {
				if err := db.PutIssuedBundle(ctx, bundles[bundleKey(w, k)]); err != nil {
					return err
				}
			}
			return nil
		})
	}()
	if err := db.StartOutage(ctx, store.Outage{ID: uuid.NewString(), Start: outage.UTC(), StartedBy: admin.ID, Note: "Journalsystemet nede"}); err != nil {
		tb.Fatal(err)
	}

	// The records, visit by visit, in batches to the writer.
	batches := make(chan []store.StoredRecord, 4)
	var wg sync.WaitGroup
	var putErr error
	var putTime time.Duration
	wg.Add(1)
	go func() {
		defer wg.Done()
		for batch := range batches {
			if putErr != nil {
				continue
			}
			t0 := time.Now()
			putErr = db.PutRecords(ctx, batch, nil)
			putTime += time.Since(t0)
		}
	}()
	var batch []store.StoredRecord
	made := 0
	emit := func(rec care.Record, w *deskWorker, unit, bundle string, recv time.Time, emergency bool) {
		if made == n {
			return
		}
		w.recorded++
		switch {
		case w.recorded == w.gapAt:
			w.seq += uint64(2 + rnd.IntN(3))
			counts["sequence_gap"]++
		case w.recorded == w.dupAt && w.seq > 0:
			counts["duplicate_seq"]++
		default:
			w.seq++
		}
		rec.ID, rec.DeviceID, rec.AuthorID, rec.Seq = uuid.Must(uuid.NewV7()).String(), w.device, w.user.ID, w.seq
		if err := rec.Validate(); err != nil {
			tb.Fatalf("seed record: %v", err)
		}
		body, err := json.Marshal(rec)
		if err != nil {
			tb.Fatal(err)
		}
		sum := sha256.Sum256(body)
		if latest := now.Add(-time.Minute); recv.After(latest) {
			recv = latest
		}
		sr := store.StoredRecord{ID: rec.ID, Type: rec.Type, DeviceID: w.device, AuthorID: w.user.ID, PatientID: rec.PatientID,
			UnitID: unit, VisitID: rec.VisitID, ScheduleID: rec.ScheduleID, Medication: rec.Medication, Status: rec.Status,
			AdministeredAt: rec.AdministeredAt, Seq: rec.Seq, CreatedAt: rec.CreatedAt.UTC(), Received: recv.UTC(),
			BodyHash: hex.EncodeToString(sum[:]), BundleID: bundle, Emergency: emergency,
			Uncosigned: rec.Type == care.RecordMedication && rec.CosignerSignatureSVG == "", State: store.StateNew,
			Body: body, Sig: make([]byte, 64)}
		if w.revoked && !rec.CreatedAt.Before(day(deskDays-1)) {
			sr.Quarantined, sr.HeldFor = true, store.HeldDeviceRevoked
			counts["quarantined"]++
		} else {
			entered, void := 0.2, 0.01
			if now.Sub(recv) > 12*time.Hour {
				entered, void = 0.7, 0.03
			}
			switch r := rnd.Float64(); {
			case r < void:
				sr.State, sr.VoidReason = store.StateVoid, "Ført på feil pasient"
			case r < void+entered:
				sr.State, sr.EHRRef, sr.EnteredBy = store.StateEntered, fmt.Sprintf("EPJ-%d", made), w.user.ID
			}
			if sr.State != store.StateNew {
				sr.ReconciledBy = admin.ID
				sr.ReconciledAt = recv.Add(time.Duration(1+rnd.IntN(300)) * time.Minute).UTC()
				if sr.ReconciledAt.After(now) {
					sr.ReconciledAt = now.UTC()
				}
			}
		}
		batch = append(batch, sr)
		made++
		if len(batch) == deskBatch {
			batches <- batch
			batch = nil
		}
	}
	ptr := func(t time.Time) *time.Time { t = t.UTC(); return &t }

	// A shift's sync delay and clock, drawn once per worker and day.
	type shiftKey struct {
		w *deskWorker
		k int
	}
	type shiftFate struct {
		late, skewed, emergency bool
	}
	fates := map[shiftKey]shiftFate{}
	fate := func(w *deskWorker, k int) shiftFate {
		key := shiftKey{w, k}
		f, ok := fates[key]
		if !ok {
			f = shiftFate{late: rnd.Float64() < 0.01, skewed: rnd.Float64() < 0.003, emergency: rnd.Float64() < 0.005}
			fates[key] = f
			if f.late || f.skewed {
				counts["late_sync_shifts"]++
			}
			if f.skewed {
				counts["outside_window_shifts"]++
			}
		}
		return f
	}
	patientByID := map[string]*patient{}
	for _, ps := range byUnit {
		for _, p := range ps {
			patientByID[p.ID] = p
		}
	}
	for vi, v := range visits {
		if made == n {
			break
		}
		k := vi / (len(visits) / deskDays)
		p := patientByID[v.PatientID]
		w := p.day
		if v.slot == 2 {
			w = p.evening
		}
		f := fate(w, k)
		b := bundles[bundleKey(w, k)]
		// created is when the phone says it made a record, recv when the
		// server got it.
		times := func(at time.Time) (created, recv time.Time) {
			recv = at.Add(time.Duration(1+rnd.IntN(40)) * time.Minute)
			if f.late {
				recv = at.Add(time.Duration(9*60+rnd.IntN(11*60)) * time.Minute)
			}
			created = at
			if f.skewed {
				created = at.Add(-24 * time.Hour)
			}
			return created, recv
		}
		at := v.Start.Add(time.Duration(rnd.IntN(v.DurationMinutes)) * time.Minute)
		hasStatus := rnd.Float64() < 0.93
		if hasStatus {
			status := care.VisitCompleted
			switch r := rnd.Float64(); {
			case r < 0.05:
				status = care.VisitNotHome
			case r < 0.10:
				status = care.VisitStarted
			}
			c, r := times(at)
			emit(care.Record{Type: care.RecordVisitStatus, PatientID: p.ID, VisitID: v.ID, CreatedAt: c, Status: status, At: ptr(c)}, w, p.UnitID, b.ID, r, false)
		}
		if note := rnd.Float64(); (hasStatus && note < 0.35) || (!hasStatus && note < 0.5) {
			c, r := times(at.Add(2 * time.Minute))
			emit(care.Record{Type: care.RecordNote, PatientID: p.ID, VisitID: v.ID, CreatedAt: c, Text: noteText}, w, p.UnitID, b.ID, r, false)
		} else if !hasStatus {
			counts["undocumented_visit"]++
		}
		for di, dose := range v.doses {
			med := v.meds[di]
			u := rnd.Float64()
			if u < 0.05 {
				counts["missing_administration"]++
				continue
			}
			given := at.Add(time.Duration(rnd.IntN(10)) * time.Minute)
			rec := care.Record{Type: care.RecordMedication, PatientID: p.ID, VisitID: v.ID, ScheduleID: dose.ID,
				Medication: med.name, Dose: med.dose, Route: med.route, Status: care.DoseGiven, SignatureSVG: deskSignature}
			switch {
			case u < 0.08:
				rec.Status, rec.Reason = care.DoseRefused, "Pasienten ville ikke ta tabletten"
			case u < 0.10:
				rec.Status, rec.Reason = care.DoseNotGiven, "Medisinen var ikke levert fra apoteket"
			}
			if med.double && rec.Status == care.DoseGiven {
				if rnd.Float64() < 0.04 {
					counts["missing_cosignature"]++
				} else {
					co := nurse()
					rec.CosignerID, rec.CosignerName, rec.CosignerSignatureSVG = co.user.ID, co.user.Name, deskSignature
				}
			}
			c, r := times(given)
			rec.CreatedAt, rec.AdministeredAt = c, ptr(c)
			emit(rec, w, p.UnitID, b.ID, r, false)
			if rec.Status == care.DoseGiven && rnd.Float64() < 0.003 {
				counts["double_administration"]++
				c, r := times(given.Add(time.Duration(5+rnd.IntN(36)) * time.Minute))
				rec.CreatedAt, rec.AdministeredAt = c, ptr(c)
				emit(rec, w, p.UnitID, b.ID, r, false)
			}
		}
		if rnd.Float64() < 0.015 {
			c, r := times(at.Add(5 * time.Minute))
			severity := []string{care.SeverityLow, care.SeverityMedium, care.SeverityHigh}[rnd.IntN(3)]
			emit(care.Record{Type: care.RecordDeviation, PatientID: p.ID, VisitID: v.ID, CreatedAt: c, Category: "Fall", Severity: severity,
				Description: "Pasienten hadde falt i gangen, ingen synlige skader.", ActionTaken: "Hjalp pasienten opp, varslet sykepleier."},
				w, p.UnitID, b.ID, r, false)
		}
		// Once a shift, an emergency opening of a patient of the unit who
		// is not on the worker's list, at the shift's first visit.
		if f.emergency {
			other := byUnit[p.unit][rnd.IntN(len(byUnit[p.unit]))]
			if other.day != w && other.evening != w {
				reason := "Kollega syk, pasienten hadde ikke fått besøk"
				c, r := times(at.Add(30 * time.Minute))
				if rnd.IntN(10) != 0 {
					emit(care.Record{Type: care.RecordAccess, PatientID: other.ID, CreatedAt: c, Reason: reason, At: ptr(c), EmergencyReason: reason},
						w, other.UnitID, b.ID, r, true)
				}
				emit(care.Record{Type: care.RecordNote, PatientID: other.ID, CreatedAt: c.Add(10 * time.Minute), Text: noteText, EmergencyReason: reason},
					w, other.UnitID, b.ID, r.Add(10*time.Minute), true)
				counts["emergency_access"]++
			}
			f.emergency = false
			fates[shiftKey{w, k}] = f
		}
	}
	// The top-up: notes about a patient outside any visit.
	for made < n {
		p := plan.Patients[rnd.IntN(len(plan.Patients))]
		pp := patientByID[p.ID]
		k := rnd.IntN(deskDays)
		b := bundles[bundleKey(pp.day, k)]
		at := b.IssuedAt.Add(time.Duration(rnd.IntN(7*60)) * time.Minute)
		emit(care.Record{Type: care.RecordNote, PatientID: p.ID, CreatedAt: at, Text: noteText}, pp.day, p.UnitID, b.ID,
			at.Add(time.Duration(1+rnd.IntN(40))*time.Minute), false)
		counts["top_up_notes"]++
	}
	if len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	wg.Wait()
	if putErr != nil {
		tb.Fatal(putErr)
	}
	phase(fmt.Sprintf("records (%.1f s in PutRecords)", putTime.Seconds()))
	side.Wait()
	if sideErr != nil {
		tb.Fatal(sideErr)
	}
	phase("accounts and bundles")
	stored, err := db.CountRecords(ctx)
	if err != nil || stored != n {
		tb.Fatalf("stored %d records of %d (%v)", stored, n, err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	counts["patients"], counts["workers"], counts["visits"], counts["doses"] = len(plan.Patients), len(workers), len(plan.Visits), len(plan.Doses)
	return &deskData{records: n, took: time.Since(start), counts: counts, phases: phases}
}

// parallel runs fn for 0..n-1 on up to width goroutines and returns the
// first error.
func parallel(width, n int, fn func(i int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, width)
	next := make(chan int)
	for range width {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	return <-errs
}
