package demo

import "beredskap/internal/care"

// unitKey names a unit in the fixed tables; its id is derived from the slug
// so that it never changes between loads.
type unitKey int

const (
	nord unitKey = iota
	sor
)

type unitSpec struct {
	slug, name string
	postcode   string
	nurses     []nurseSpec // responsible nurses, in the order patients are shared out
}

type nurseSpec struct {
	name, phone string
}

var unitSpecs = [...]unitSpec{
	nord: {slug: "nord", name: "Hjemmetjenesten Nord", postcode: "3210 Fjordvik",
		nurses: []nurseSpec{{"Nils Hauge", "+47 905 11 204"}, {"Marte Solberg", "+47 905 11 318"}}},
	sor: {slug: "sor", name: "Hjemmetjenesten Sør", postcode: "3218 Fjordvik",
		nurses: []nurseSpec{{"Sara Holt", "+47 905 22 407"}, {"Hege Rønning", "+47 905 22 529"}}},
}

type userSpec struct {
	username, name string
	role           care.Role
	units          []unitKey
}

// lise is one more than the brief's minimum: with only two workers in Sør,
// 20 patients could not all be visited within 6–8 visits each.
var userSpecs = []userSpec{
	{"anna", "Anna Berg", care.RoleWorker, []unitKey{nord}},
	{"nils", "Nils Hauge", care.RoleNurse, []unitKey{nord}},
	{"ole", "Ole Vang", care.RoleWorker, []unitKey{nord}},
	{"sara", "Sara Holt", care.RoleNurse, []unitKey{sor}},
	{"per", "Per Aasland", care.RoleWorker, []unitKey{sor}},
	{"lise", "Lise Dalen", care.RoleWorker, []unitKey{sor}},
	{"kari", "Kari Lunde", care.RoleCoordinator, []unitKey{nord, sor}},
	{"admin", "Administrator", care.RoleAdmin, []unitKey{nord, sor}},
}

// gps all work at the one health centre, so they share its switchboard: that
// is the number home care calls in practice.
var gps = []string{"Tore Sunde", "Anne-Lise Fjeld", "Mohammed Rahimi", "Kristine Aasgaard"}

const (
	gpOffice = "Fastlege, Fjordvik legesenter"
	gpPhone  = "+47 33 44 50 00"
)

// patientSpec is one line of the person-card table. The key is stable and
// doubles as the number in the (fictional) record system.
type patientSpec struct {
	key         string
	unit        unitKey
	name, born  string
	street      string
	need        need
	spouse      string // empty: lives alone
	kin, kinRel string
	access      string
	allergies   []string
	warnings    []string
}

var patientSpecs = []patientSpec{
	{"N01", nord, "Solveig Andersen", "1941-03-14", "Fjordveien 12", needOxygen, "", "Trine Andersen", "Datter",
		"Nøkkelboks ved inngangsdør, kode 4711", nil, []string{"Fallrisiko"}},
	{"N02", nord, "Harald Johansen", "1949-11-02", "Nordbyveien 4", needRespirator, "Berit Johansen", "Stian Johansen", "Sønn",
		"Ring på, ektefellen åpner", []string{"Penicillin"}, nil},
	{"N03", nord, "Ingrid Karlsen", "1938-06-21", "Bjørkelia 7", needInsulin, "", "Geir Karlsen", "Sønn",
		"Digitalt lås", nil, []string{"Hund i huset"}},
	{"N04", nord, "Olav Berntsen", "1944-01-30", "Måkeveien 3", needInsulin, "Randi Berntsen", "", "",
		"Ring på, ektefellen åpner", nil, []string{"Hørselshemmet – snakk tydelig"}},
	{"N05", nord, "Gudrun Halvorsen", "1935-09-09", "Solbakken 18", needPalliative, "Einar Halvorsen", "Hilde Halvorsen Moe", "Datter",
		"Døren er ulåst på dagtid, ring på før du går inn", []string{"Ibuprofen"}, nil},
	{"N06", nord, "Kåre Olsen", "1932-12-05", "Kirkegata 22", needDementia, "", "Anne Olsen", "Datter",
		"Nøkkelboks bak huset, kode 2580", nil, []string{"Går ut om natten – sjekk at døren er låst"}},
	{"N07", nord, "Astrid Solheim", "1940-04-17", "Fjordveien 31", needDementia, "", "Tor Solheim", "Nevø",
		"Digitalt lås", []string{"Nøtter"}, []string{"Fallrisiko"}},
	{"N08", nord, "Bjørn Eriksen", "1946-08-11", "Nordbyveien 15", needHeart, "Turid Eriksen", "", "",
		"Ring på, ektefellen åpner", nil, []string{"Hund i huset"}},
	{"N09", nord, "Margit Larsen", "1937-02-26", "Bjørkelia 2", needHeart, "", "Svein Larsen", "Sønn",
		"Nøkkelboks ved garasjen, kode 1939", []string{"Sulfa"}, []string{"Fallrisiko"}},
	{"N10", nord, "Arnfinn Dahl", "1951-05-03", "Måkeveien 9", needWound, "Eva Dahl", "", "",
		"Ring på, ektefellen åpner", []string{"Plaster (kolofonium)"}, nil},
	{"N11", nord, "Ruth Nygård", "1933-10-19", "Solbakken 5", needOpioid, "", "Mette Nygård", "Datter",
		"Digitalt lås", nil, []string{"Fallrisiko", "Katt i huset"}},
	{"N12", nord, "Torleif Bakke", "1947-07-07", "Kirkegata 8", needDiabetes, "Gerd Bakke", "", "",
		"Ring på, ektefellen åpner", nil, nil},
	{"N13", nord, "Else Strand", "1942-03-28", "Fjordveien 44", needCare, "", "Rune Strand", "Sønn",
		"Nøkkelboks ved inngangsdør, kode 7302", []string{"Penicillin"}, nil},
	{"N14", nord, "Johannes Moen", "1939-12-12", "Nordbyveien 27", needCare, "Aud Moen", "Kari Moen Bye", "Datter",
		"Ring på, ektefellen åpner", nil, []string{"Svaksynt"}},
	{"N15", nord, "Bjørg Lie", "1930-06-02", "Bjørkelia 14", needCheck, "", "Kristin Lie", "Datter",
		"Ring på, datter åpner hvis hun er der; ellers nøkkelboks, kode 5566", nil, nil},
	{"N16", nord, "Sverre Aasen", "1953-01-15", "Måkeveien 21", needCheck, "", "Camilla Aasen", "Niese",
		"Digitalt lås", nil, []string{"Røyker – bruk ikke stearinlys"}},
	{"N17", nord, "Liv Haugland", "1945-09-24", "Solbakken 11", needStockings, "Odd Haugland", "", "",
		"Ring på, ektefellen åpner", []string{"Lateks"}, nil},
	{"N18", nord, "Reidar Kristiansen", "1934-04-08", "Kirkegata 3", needMedicine, "", "Morten Kristiansen", "Sønn",
		"Nøkkelboks ved inngangsdør, kode 8814", nil, []string{"Hund i huset"}},
	{"N19", nord, "Signe Fossum", "1929-11-30", "Fjordveien 6", needBed, "", "Heidi Fossum", "Datter",
		"Digitalt lås", nil, []string{"Fallrisiko", "Hørselshemmet – snakk tydelig"}},
	{"N20", nord, "Egil Hagen", "1950-02-19", "Nordbyveien 40", needCare, "Wenche Hagen", "", "",
		"Ring på, ektefellen åpner", []string{"Skalldyr"}, nil},

	{"S01", sor, "Karin Thorsen", "1943-05-16", "Sørstrandveien 5", needOxygen, "Jan Thorsen", "", "",
		"Ring på, ektefellen åpner", nil, nil},
	{"S02", sor, "Alf Mathisen", "1948-10-01", "Havnegata 14", needInsulin, "", "Siri Mathisen", "Datter",
		"Nøkkelboks ved inngangsdør, kode 3141", []string{"Penicillin"}, []string{"Hund i huset"}},
	{"S03", sor, "Marit Sandvik", "1936-07-23", "Granlia 3", needPalliative, "Helge Sandvik", "Trond Sandvik", "Sønn",
		"Ring på, ektefellen åpner", nil, nil},
	{"S04", sor, "Rolf Pettersen", "1952-03-09", "Skogveien 17", needTubeFeeding, "Bente Pettersen", "", "",
		"Ring på, ektefellen åpner", nil, []string{"Svelgvansker – ingenting via munn"}},
	{"S05", sor, "Åse Lund", "1940-12-27", "Strandpromenaden 8", needOxygen, "", "Knut Lund", "Sønn",
		"Digitalt lås", nil, []string{"Røyker – brannfare med oksygen"}},
	{"S06", sor, "Sigurd Vik", "1931-08-14", "Furulundveien 2", needDementia, "Inger Vik", "", "",
		"Ring på, ektefellen åpner", nil, nil},
	{"S07", sor, "Ragnhild Eide", "1939-02-03", "Sørstrandveien 19", needHeart, "", "Tone Eide", "Datter",
		"Nøkkelboks ved kjellerdør, kode 6020", []string{"Nøtter"}, []string{"Fallrisiko"}},
	{"S08", sor, "Leif Næss", "1945-06-30", "Havnegata 2", needHeart, "Kirsten Næss", "", "",
		"Ring på, ektefellen åpner", nil, []string{"Hund i huset"}},
	{"S09", sor, "Hjørdis Bjerke", "1934-11-11", "Granlia 10", needWound, "", "Frode Iversen", "Nabo",
		"Nabo i nr. 12 har reservenøkkel", []string{"Jod"}, nil},
	{"S10", sor, "Gunnar Holm", "1947-04-25", "Skogveien 6", needOpioid, "", "Lars Holm", "Sønn",
		"Digitalt lås", nil, []string{"Smittevern: MRSA-bærer, bruk forkle og hansker"}},
	{"S11", sor, "Oddny Sæther", "1950-09-12", "Strandpromenaden 23", needDiabetes, "Ivar Sæther", "", "",
		"Ring på, ektefellen åpner", nil, nil},
	{"S12", sor, "Ragnar Myhre", "1928-10-05", "Furulundveien 13", needDementia, "", "Elin Myhre", "Datter",
		"Nøkkelboks ved inngangsdør, kode 9090", nil, []string{"Fallrisiko"}},
	{"S13", sor, "Jorunn Aune", "1944-02-14", "Sørstrandveien 33", needCare, "", "Eirik Aune", "Sønn",
		"Digitalt lås", []string{"Penicillin", "Egg"}, nil},
	{"S14", sor, "Kjell Rasmussen", "1938-05-05", "Havnegata 27", needCare, "Oddrun Rasmussen", "", "",
		"Ring på, ektefellen åpner", nil, []string{"Trapp uten rekkverk"}},
	{"S15", sor, "Borghild Tangen", "1933-01-22", "Granlia 21", needCheck, "", "Ellen Tangen", "Datter",
		"Ring på, datter åpner", nil, []string{"Hørselshemmet – snakk tydelig"}},
	{"S16", sor, "Finn Amundsen", "1955-07-18", "Skogveien 30", needCheck, "", "Terje Amundsen", "Bror",
		"Nøkkelboks ved inngangsdør, kode 1207", nil, []string{"Hund i huset"}},
	{"S17", sor, "Eldbjørg Nes", "1946-10-29", "Strandpromenaden 4", needStockings, "Asbjørn Nes", "", "",
		"Ring på, ektefellen åpner", nil, nil},
	{"S18", sor, "Magnus Brekke", "1941-03-03", "Furulundveien 9", needMedicine, "", "Marianne Brekke", "Datter",
		"Digitalt lås", []string{"Nøtter"}, nil},
	{"S19", sor, "Torunn Haug", "1937-08-08", "Sørstrandveien 2", needBed, "", "Arild Haug", "Sønn",
		"Nøkkelboks ved inngangsdør, kode 4455", nil, []string{"Fallrisiko"}},
	{"S20", sor, "Ottar Lien", "1957-12-01", "Havnegata 35", needCare, "Synnøve Lien", "Mona Lien", "Datter",
		"Ring på, ektefellen åpner", nil, []string{"Katt i huset"}},
}
