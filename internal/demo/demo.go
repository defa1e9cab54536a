// Package demo builds the demo municipality, Fjordvik kommune, that the
// server loads into an empty data directory: two home-care units, their
// staff, forty person cards, today's visits and doses, the emergency
// routines and the coordinator's morning announcements. Everything is fixed
// tables, so the same day always gives the same data and reloading is
// idempotent.
package demo

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
)

// Password is the password of every demo user; the server prints it at start
// and accepts it only in demo mode.
const Password = "demo"

// Municipality is the demo data set.
type Municipality struct {
	Units         []care.Unit
	Users         []care.User // no passwords here
	Patients      []care.Patient
	Visits        []care.Visit
	Doses         []care.ScheduledDose
	Routines      []care.Routine
	Announcements []care.Announcement
}

// namespace seeds every demo id. Name-based ids let a reload find the rows
// it wrote before instead of duplicating them.
var namespace = uuid.MustParse("6b2f0c9e-4a57-4d1e-8f3b-9c1d2e7a5b40")

func id(name string) string { return uuid.NewSHA1(namespace, []byte(name)).String() }

// mobile derives a stable, fictional Norwegian mobile number from a key, so
// relatives keep their number across reloads without a table of 40 numbers.
func mobile(key string) string {
	h := uuid.NewSHA1(namespace, []byte("phone/"+key))
	lead := "9"
	if h[4]&1 == 1 {
		lead = "4"
	}
	s := fmt.Sprintf("%s%07d", lead, binary.BigEndian.Uint32(h[:4])%10_000_000)
	return "+47 " + s[:3] + " " + s[3:5] + " " + s[5:]
}

// Build returns the demo municipality for the calendar day of `day` in loc
// (Europe/Oslo in practice). A nil loc means day's own location.
func Build(day time.Time, loc *time.Location) Municipality {
	if loc == nil {
		loc = day.Location()
	}
	y, mo, d := day.In(loc).Date()
	date := fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
	at := func(hour, minute int) time.Time { return time.Date(y, mo, d, hour, minute, 0, 0, loc) }

	var m Municipality
	unitIDs := make([]string, len(unitSpecs))
	for k, u := range unitSpecs {
		unitIDs[k] = id("unit/" + u.slug)
		m.Units = append(m.Units, care.Unit{ID: unitIDs[k], Name: u.name})
	}

	userIDs := map[string]string{}
	userUnit := map[string]unitKey{}
	for _, u := range userSpecs {
		uid := id("user/" + u.username)
		userIDs[u.username] = uid
		userUnit[u.username] = u.units[0]
		units := make([]string, 0, len(u.units))
		for _, k := range u.units {
			units = append(units, unitIDs[k])
		}
		m.Users = append(m.Users, care.User{ID: uid, Username: u.username, Name: u.name,
			Role: u.role, Units: units, Lang: "nb"})
	}

	patientIdx := map[string]int{}
	perUnit := make([]int, len(unitSpecs))
	for i, ps := range patientSpecs {
		patientIdx[ps.key] = i
		m.Patients = append(m.Patients, buildPatient(ps, unitIDs[ps.unit], perUnit[ps.unit], i))
		perUnit[ps.unit]++
	}

	for _, sh := range shifts {
		workerID, ok := userIDs[sh.worker]
		if !ok {
			panic("demo: shift for unknown user " + sh.worker)
		}
		for _, pv := range sh.visits {
			i, ok := patientIdx[pv.patient]
			if !ok {
				panic("demo: visit for unknown patient " + pv.patient)
			}
			ps := patientSpecs[i]
			if ps.unit != userUnit[sh.worker] {
				panic("demo: " + sh.worker + " visits " + pv.patient + " outside the unit")
			}
			plan := planFor(ps.need, pv.slot)
			if plan.minutes == 0 {
				panic("demo: " + pv.patient + " has no visit in that slot")
			}
			hh, mm := clock(pv.at)
			// Plan items carry source ids, and their ids derive from them as
			// an import's do: a coordinator who imports a demo item's source
			// id names that item, with its unit's checks.
			source := fmt.Sprintf("FJV-visit-%s-%s-%s", date, sh.worker, pv.at)
			v := care.Visit{
				ID:              care.IDFor("visit", source),
				SourceID:        source,
				PatientID:       m.Patients[i].ID,
				WorkerID:        workerID,
				UnitID:          unitIDs[ps.unit],
				Start:           at(hh, mm),
				DurationMinutes: plan.minutes,
				Tasks:           slices.Clone(plan.tasks),
			}
			m.Visits = append(m.Visits, v)
			for j, md := range plan.meds {
				source := fmt.Sprintf("FJV-dose-%s-%s-%s-%d", date, pv.patient, pv.at, j)
				m.Doses = append(m.Doses, care.ScheduledDose{
					ID:            care.IDFor("dose", source),
					SourceID:      source,
					PatientID:     v.PatientID,
					VisitID:       v.ID,
					Medication:    md.name,
					Dose:          md.dose,
					Route:         md.route,
					Due:           v.Start.Add(time.Duration(md.after) * time.Minute),
					DoubleCheck:   md.double,
					Controlled:    md.controlled,
					WindowMinutes: md.window,
				})
			}
		}
	}

	m.Routines = routines()
	m.Announcements = announcements(date, at(7, 0), userIDs["kari"], unitIDs)
	return m
}

// clock parses a table time "HH:MM"; the tables are fixed, so a bad entry is
// a programming error caught by the tests.
func clock(s string) (hour, minute int) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		panic("demo: bad time " + s)
	}
	return t.Hour(), t.Minute()
}

func buildPatient(ps patientSpec, unitID string, nth, i int) care.Patient {
	u := unitSpecs[ps.unit]
	var relatives []care.Contact
	if ps.spouse != "" {
		relatives = append(relatives, care.Contact{Name: ps.spouse, Relation: "Ektefelle", Phone: mobile(ps.spouse)})
	}
	if ps.kin != "" {
		relatives = append(relatives, care.Contact{Name: ps.kin, Relation: ps.kinRel, Phone: mobile(ps.kin)})
	}
	nurse := u.nurses[nth%len(u.nurses)]
	prof := profileFor(ps.need)
	p := care.Patient{
		ID:               care.IDFor("patient", "FJV-"+ps.key),
		UnitID:           unitID,
		Name:             ps.name,
		BirthDate:        ps.born,
		Address:          ps.street + ", " + u.postcode,
		AccessInfo:       ps.access,
		Relatives:        relatives,
		ResponsibleNurse: care.Contact{Name: nurse.name, Relation: "Primærkontakt, " + u.name, Phone: nurse.phone},
		GP:               care.Contact{Name: gps[i%len(gps)], Relation: gpOffice, Phone: gpPhone},
		Allergies:        append([]string{}, ps.allergies...),
		Warnings:         append(prof.warnings, ps.warnings...),
		Equipment:        prof.equipment,
		Priority:         prof.priority,
		LivesAlone:       ps.spouse == "",
		SourceID:         "FJV-" + ps.key,
		PRN:              prnFor(ps.need, "FJV-"+ps.key),
	}
	if p.Warnings == nil {
		p.Warnings = []string{}
	}
	if p.Equipment == nil {
		p.Equipment = []care.Equipment{}
	}
	// The flags mirror the equipment so the priority list and the person
	// card can never disagree.
	for _, e := range p.Equipment {
		switch e.Name {
		case eqAlarm.Name:
			p.SafetyAlarm = true
		case eqDispenser.Name:
			p.MedicationDispenser = true
		}
		if e.LifeCritical {
			p.Priority = care.PriorityVital
		}
	}
	return p
}

// announcements are the coordinator's morning messages; the seeds ask for a
// status to the units at fixed times, so the demo starts the day with one.
func announcements(date string, posted time.Time, kari string, unitIDs []string) []care.Announcement {
	mk := func(n int, level, text string) care.Announcement {
		return care.Announcement{
			ID:       id(fmt.Sprintf("announcement/%s/%d", date, n)),
			Units:    slices.Clone(unitIDs),
			Level:    level,
			Text:     text,
			AuthorID: kari,
			Author:   "Kari Lunde",
			Posted:   posted,
		}
	}
	return []care.Announcement{
		mk(1, "important", "Planlagt vedlikehold av journalsystemet i dag kl. 10–12. "+
			"Skriv notater, avvik og legemiddelsignering i Beredskap så lenge; alt føres inn i EPJ etterpå. "+
			"Neste statusmelding kommer kl. 10."),
		mk(2, "info", "God morgen! Hent vakten din i Beredskap før du drar ut, og sjekk at telefonen og powerbanken i bilen er ladet."),
	}
}
