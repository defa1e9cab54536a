package demo

import "beredskap/internal/care"

// need is a patient's main care need. It decides equipment, priority, the
// tasks of each visit and the doses given on it, so that a person card, its
// visits and its medication always tell the same story.
type need int

const (
	needOxygen need = iota
	needRespirator
	needInsulin
	needPalliative
	needTubeFeeding
	needDementia
	needHeart
	needWound
	needOpioid
	needDiabetes
	needCare
	needCheck
	needStockings
	needMedicine
	needBed
)

// slot is which of the day's visits to a patient a shift entry is.
type slot int

const (
	morning slot = iota
	midday
)

type med struct {
	name, dose, route string
	after             int // minutes after the visit starts
	double            bool
	controlled        bool // a controlled drug (A- or B-preparat)
	window            int  // minutes; 0 means care.DefaultDoseWindow
}

type visitPlan struct {
	minutes int
	tasks   []string
	meds    []med
}

type profile struct {
	equipment []care.Equipment
	warnings  []string
	priority  care.Priority
}

// Equipment that appears on several cards. The notes say what to do when the
// power goes, which is what the worker needs at the door.
var (
	eqOxygen = care.Equipment{Name: "Oksygenkonsentrator", PowerDependent: true, LifeCritical: true,
		Note: "Reserveflasker i gangen; bytt til flaske ved strømbrudd"}
	eqRespirator = care.Equipment{Name: "Hjemmerespirator", PowerDependent: true, LifeCritical: true,
		Note: "Internt batteri ca. 6 t, ekstra batteri ved sengen"}
	eqSuction = care.Equipment{Name: "Sugeapparat", PowerDependent: true, LifeCritical: true,
		Note: "Lad etter bruk; manuelt sugeapparat i skuffen"}
	eqFeedingPump = care.Equipment{Name: "Ernæringspumpe", PowerDependent: true, LifeCritical: true,
		Note: "Sondemat kan gis med sprøyte hvis pumpen stopper"}
	eqBed = care.Equipment{Name: "Elektrisk seng", PowerDependent: true,
		Note: "Kan ikke heves eller senkes uten strøm"}
	eqAirMattress = care.Equipment{Name: "Trykkavlastende madrass", PowerDependent: true,
		Note: "Luftmadrass – snu pasienten oftere ved strømbrudd"}
	eqDispenser = care.Equipment{Name: "Medisindispenser (Evondos)", PowerDependent: true,
		Note: "Varsler ikke uten strøm og nett – gi dosen manuelt"}
	eqAlarm = care.Equipment{Name: "Trygghetsalarm", PowerDependent: true,
		Note: "Batteri i basestasjonen ca. 24 t"}
)

// profileFor returns fresh slices on every call so that one Build can never
// alias another's data.
func profileFor(n need) profile {
	switch n {
	case needOxygen:
		return profile{[]care.Equipment{eqOxygen, eqAlarm}, []string{"Oksygen i bruk – ingen åpen flamme"}, care.PriorityVital}
	case needRespirator:
		return profile{[]care.Equipment{eqRespirator, eqSuction, eqBed}, []string{"Respiratoravhengig – skal ikke være alene ved strømbrudd"}, care.PriorityVital}
	case needInsulin:
		return profile{nil, []string{"Insulinavhengig diabetes – følg med på føling"}, care.PriorityVital}
	case needPalliative:
		return profile{[]care.Equipment{eqBed, eqAirMattress}, []string{"Palliativ pasient – se tiltaksplan"}, care.PriorityVital}
	case needTubeFeeding:
		return profile{[]care.Equipment{eqFeedingPump, eqAlarm}, nil, care.PriorityVital}
	case needDementia:
		return profile{[]care.Equipment{eqDispenser, eqAlarm}, []string{"Demens – kan bli urolig"}, care.PriorityHigh}
	case needHeart:
		return profile{[]care.Equipment{eqAlarm}, nil, care.PriorityHigh}
	case needWound, needOpioid, needDiabetes:
		return profile{nil, nil, care.PriorityHigh}
	case needCheck:
		return profile{[]care.Equipment{eqAlarm}, nil, care.PriorityNormal}
	case needBed:
		return profile{[]care.Equipment{eqBed}, nil, care.PriorityNormal}
	default:
		return profile{nil, nil, care.PriorityNormal}
	}
}

// planFor returns the visit in the given slot for a need; zero minutes means
// the need has no visit in that slot.
func planFor(n need, s slot) visitPlan {
	var (
		furosemid = med{name: "Furosemid 40 mg", dose: "1 tablett", route: "oral"}
		paracet   = med{name: "Paracet 1 g", dose: "2 tabletter à 500 mg", route: "oral"}
		humalog   = func(ie string) med {
			return med{name: "Insulin Humalog", dose: ie, route: "subkutant", after: 5, window: 30}
		}
		morfin = med{name: "Morfin", dose: "5 mg", route: "subkutant", after: 15, double: true, controlled: true}
	)
	if s == midday {
		switch n {
		case needRespirator:
			return visitPlan{30, []string{"Tilsyn", "Suging ved behov", "Lunsj"}, nil}
		case needInsulin:
			return visitPlan{20, []string{"Måle blodsukker", "Insulin", "Lunsj"}, []med{humalog("6 IE")}}
		case needPalliative:
			return visitPlan{30, []string{"Tilsyn", "Smertelindring", "Leiring"}, []med{morfin}}
		case needTubeFeeding:
			return visitPlan{30, []string{"Sondeernæring", "Tilsyn"}, nil}
		}
		return visitPlan{}
	}
	switch n {
	case needOxygen:
		return visitPlan{30, []string{"Morgenstell", "Gi morgenmedisiner", "Sjekk oksygenkonsentrator"}, []med{
			furosemid,
			{name: "Spiriva Respimat 2,5 mikrog", dose: "2 inhalasjoner", route: "inhalasjon", after: 5}}}
	case needRespirator:
		return visitPlan{45, []string{"Morgenstell", "Gi morgenmedisiner", "Sjekk respirator og batteri", "Leiring"}, []med{paracet}}
	case needInsulin:
		return visitPlan{20, []string{"Måle blodsukker", "Insulin", "Frokost"}, []med{
			{name: "Insulin Lantus", dose: "16 IE", route: "subkutant", after: 5, window: 30},
			humalog("8 IE")}}
	case needPalliative:
		return visitPlan{45, []string{"Morgenstell", "Munnstell", "Smertelindring", "Leiring"}, []med{
			{name: "Fentanyl plaster 12 mikrog/t", dose: "1 plaster", route: "transdermalt", double: true, controlled: true},
			morfin}}
	case needTubeFeeding:
		return visitPlan{40, []string{"Morgenstell", "Sondeernæring", "Gi morgenmedisiner"}, []med{
			{name: "Levaxin 50 mikrog", dose: "1 tablett, knust", route: "sonde", after: 10}}}
	case needDementia:
		return visitPlan{20, []string{"Tilsyn", "Kontroll av medisindispenser", "Frokost"}, nil}
	case needHeart:
		return visitPlan{30, []string{"Gi morgenmedisiner", "Kompresjonsstrømper", "Vekt og ødemkontroll"}, []med{
			furosemid,
			{name: "Eliquis 5 mg", dose: "1 tablett", route: "oral"}}}
	case needWound:
		return visitPlan{40, []string{"Sårstell", "Hjelp til påkledning", "Gi morgenmedisiner"}, []med{paracet}}
	case needOpioid:
		return visitPlan{25, []string{"Gi morgenmedisiner", "Hjelp til påkledning", "Frokost"}, []med{
			{name: "Oxynorm 5 mg", dose: "1 kapsel", route: "oral", double: true, controlled: true},
			paracet}}
	case needDiabetes:
		return visitPlan{20, []string{"Gi morgenmedisiner", "Frokost", "Tilsyn"}, []med{
			{name: "Metformin 500 mg", dose: "1 tablett", route: "oral", after: 5},
			{name: "Albyl-E 75 mg", dose: "1 tablett", route: "oral", after: 5}}}
	case needCare:
		return visitPlan{45, []string{"Morgenstell", "Dusj", "Hjelp til påkledning"}, nil}
	case needCheck:
		return visitPlan{15, []string{"Tilsyn", "Frokost"}, nil}
	case needStockings:
		return visitPlan{15, []string{"Kompresjonsstrømper", "Tilsyn"}, nil}
	case needMedicine:
		return visitPlan{15, []string{"Gi medisiner", "Tilsyn"}, []med{
			{name: "Movicol", dose: "1 dosepose", route: "oral"}}}
	case needBed:
		return visitPlan{30, []string{"Morgenstell", "Hjelp til påkledning", "Frokost"}, nil}
	}
	return visitPlan{}
}

type plannedVisit struct {
	at      string // "HH:MM" local time
	patient string // patientSpec.key
	slot    slot
}

type shift struct {
	worker string
	visits []plannedVisit
}

// shifts is the day's plan. Nurses take the visits with double-check drugs
// and the second insulin; the workers take care, supervision and delegated
// tablets, as the route planner would. Every patient appears at least once.
var shifts = []shift{
	{"anna", []plannedVisit{
		{"07:30", "N04", morning}, {"08:00", "N02", morning}, {"09:00", "N01", morning},
		{"09:45", "N06", morning}, {"10:20", "N13", morning}, {"11:30", "N04", midday},
		{"12:05", "N15", morning}, {"12:35", "N18", morning}}},
	{"nils", []plannedVisit{
		{"07:30", "N03", morning}, {"08:00", "N05", morning}, {"09:00", "N11", morning},
		{"09:40", "N10", morning}, {"10:35", "N08", morning}, {"11:30", "N03", midday},
		{"12:05", "N05", midday}, {"12:50", "N02", midday}}},
	{"ole", []plannedVisit{
		{"07:30", "N17", morning}, {"08:00", "N14", morning}, {"09:00", "N07", morning},
		{"09:35", "N09", morning}, {"10:20", "N12", morning}, {"10:55", "N20", morning},
		{"11:55", "N19", morning}, {"12:40", "N16", morning}}},
	{"sara", []plannedVisit{
		{"07:30", "S02", morning}, {"08:00", "S03", morning}, {"09:00", "S10", morning},
		{"09:40", "S09", morning}, {"10:35", "S07", morning}, {"11:30", "S02", midday},
		{"12:05", "S03", midday}, {"12:50", "S18", morning}}},
	{"per", []plannedVisit{
		{"07:30", "S17", morning}, {"08:00", "S04", morning}, {"08:55", "S01", morning},
		{"09:40", "S06", morning}, {"10:15", "S13", morning}, {"11:15", "S15", morning},
		{"11:45", "S04", midday}, {"12:30", "S19", morning}}},
	{"lise", []plannedVisit{
		{"07:30", "S14", morning}, {"08:30", "S05", morning}, {"09:15", "S12", morning},
		{"09:50", "S08", morning}, {"10:35", "S11", morning}, {"11:10", "S20", morning},
		{"12:10", "S16", morning}}},
}
