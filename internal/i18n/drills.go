package i18n

// drillTexts are the drills' texts (issue 19, item 2: preparedness
// drills): the phone's banner, the desk's drill pages and report, the
// printed report, the audit actions and the errors, in the order of
// Languages: nb, sv, da, en.
var drillTexts = map[string][4]string{
	// field, days
	"error.field.drill_start": {
		"%s må være nå eller senere, høyst %s dager fram i tid.",
		"%s måste vara nu eller senare, högst %s dagar fram i tiden.",
		"%s skal være nu eller senere, højst %s dage ude i fremtiden.",
		"%s must be now or later, at most %s days ahead.",
	},
	// field, hours
	"error.field.drill_end": {
		"%s må ligge etter starten og høyst %s timer etter den.",
		"%s måste ligga efter starten och högst %s timmar efter den.",
		"%s skal ligge efter starten og højst %s timer efter den.",
		"%s must be after the start and at most %s hours after it.",
	},
	"error.drill_over": {
		"Øvelsen pågår ikke (den er over eller har ikke begynt).",
		"Övningen pågår inte (den är över eller har inte börjat).",
		"Øvelsen er ikke i gang (den er slut eller ikke begyndt).",
		"The drill is not under way (it is over or has not begun).",
	},
	"error.drill_network_back": {
		"Nettet er allerede meldt tilbake i denne øvelsen.",
		"Nätet är redan anmält tillbaka i den här övningen.",
		"Nettet er allerede meldt tilbage i denne øvelse.",
		"The network was already marked back in this drill.",
	},
	"error.drill_record": {
		"Dette er en øvelsesregistrering: den føres aldri inn i journalen.",
		"Det här är en övningsregistrering: den förs aldrig in i journalen.",
		"Dette er en øvelsesregistrering: den føres aldrig ind i journalen.",
		"This is a drill record: it is never entered into the record system.",
	},
	"field.end":                       {"Slutt", "Slut", "Slut", "End"},
	"field.drill":                     {"Øvelse", "Övning", "Øvelse", "Drill"},
	"audit.action.drill.start":        {"Øvelse startet", "Övning startad", "Øvelse startet", "Drill started"},
	"audit.action.drill.end":          {"Øvelse avsluttet", "Övning avslutad", "Øvelse afsluttet", "Drill ended"},
	"audit.action.drill.network_back": {"Nettet tilbake i øvelse", "Nätet tillbaka i övning", "Nettet tilbage i øvelse", "Network back in drill"},
	"audit.action.drill.mismatch": {
		"Registrering merket med en øvelse som ikke dekker den",
		"Registrering märkt med en övning som inte täcker den",
		"Registrering mærket med en øvelse, der ikke dækker den",
		"Record marked with a drill that does not cover it",
	},

	// The phone.
	"drill.banner": {
		"ØVELSE – dette er ikke ekte dokumentasjon",
		"ÖVNING – det här är inte riktig dokumentation",
		"ØVELSE – dette er ikke rigtig dokumentation",
		"DRILL – this is not real documentation",
	},
	// title, end time
	"drill.banner.detail": {
		"%s, til kl. %s. Alt du registrerer nå merkes som øvelse.",
		"%s, till kl. %s. Allt du registrerar nu märks som övning.",
		"%s, til kl. %s. Alt, du registrerer nu, mærkes som øvelse.",
		"%s, until %s. Everything you record now is marked as a drill.",
	},
	"drill.record_mark": {"Øvelse", "Övning", "Øvelse", "Drill"},

	// The desk.
	"office.drills": {"Øvelser", "Övningar", "Øvelser", "Drills"},
	"drill.intro": {
		"En øvelse gjelder enheter og et tidsrom. Telefonene viser at det er øvelse, og alt som registreres da holdes utenfor den ekte dokumentasjonen: ikke i funn, tellinger, eksport eller journal. Tidene er lokale.",
		"En övning gäller enheter och en tidsperiod. Telefonerna visar att det är övning, och allt som registreras då hålls utanför den riktiga dokumentationen: inte i fynd, räkningar, export eller journal. Tiderna är lokala.",
		"En øvelse gælder enheder og et tidsrum. Telefonerne viser, at det er øvelse, og alt, der registreres da, holdes uden for den rigtige dokumentation: ikke i fund, optællinger, eksport eller journal. Tiderne er lokale.",
		"A drill covers units and a time window. Phones show that it is a drill, and everything recorded in it is kept apart from the real documentation: not in findings, counts, exports or the record system. Times are local.",
	},
	"drill.new":          {"Start en øvelse", "Starta en övning", "Start en øvelse", "Start a drill"},
	"drill.title":        {"Tittel", "Titel", "Titel", "Title"},
	"drill.scenario":     {"Scenario", "Scenario", "Scenarie", "Scenario"},
	"drill.units":        {"Enheter", "Enheter", "Enheder", "Units"},
	"drill.start":        {"Start (tomt: nå)", "Start (tomt: nu)", "Start (tomt: nu)", "Start (empty: now)"},
	"drill.end":          {"Slutt", "Slut", "Slut", "End"},
	"drill.create":       {"Start øvelsen", "Starta övningen", "Start øvelsen", "Start the drill"},
	"drill.none":         {"Ingen øvelser ennå.", "Inga övningar än.", "Ingen øvelser endnu.", "No drills yet."},
	"drill.window":       {"Tidsrom", "Tidsperiod", "Tidsrum", "Window"},
	"drill.started_by":   {"Startet av", "Startad av", "Startet af", "Started by"},
	"drill.ended_early":  {"Avsluttet tidlig", "Avslutad i förtid", "Afsluttet før tid", "Ended early"},
	"drill.network_back": {"Nettet tilbake", "Nätet tillbaka", "Nettet tilbage", "Network back"},
	"drill.network_back.none": {
		"Nettet er ikke meldt tilbake.",
		"Nätet är inte anmält tillbaka.",
		"Nettet er ikke meldt tilbage.",
		"The network was not marked back.",
	},
	"drill.mark_back":           {"Nettet er tilbake nå", "Nätet är tillbaka nu", "Nettet er tilbage nu", "The network is back now"},
	"drill.end_now":             {"Avslutt øvelsen nå", "Avsluta övningen nu", "Afslut øvelsen nu", "End the drill now"},
	"drill.state.active":        {"Pågår", "Pågår", "I gang", "Under way"},
	"drill.state.upcoming":      {"Kommer", "Kommande", "Kommende", "Upcoming"},
	"drill.state.over":          {"Over", "Över", "Slut", "Over"},
	"drill.records":             {"Øvelsesregistreringer", "Övningsregistreringar", "Øvelsesregistreringer", "Drill records"},
	"drill.records.none":        {"Ingen registreringer i øvelsen.", "Inga registreringar i övningen.", "Ingen registreringer i øvelsen.", "No records in the drill."},
	"drill.report.open":         {"Rapport", "Rapport", "Rapport", "Report"},
	"drill.report.pdf":          {"Skriv ut rapporten (PDF)", "Skriv ut rapporten (PDF)", "Udskriv rapporten (PDF)", "Print the report (PDF)"},
	"drill.report.title":        {"Øvelsesrapport", "Övningsrapport", "Øvelsesrapport", "Drill report"},
	"drill.report.participants": {"Hvem deltok", "Vilka deltog", "Hvem deltog", "Who took part"},
	"drill.report.nobody": {
		"Ingen telefon hadde øvelsen, og ingen registrerte noe.",
		"Ingen telefon hade övningen, och ingen registrerade något.",
		"Ingen telefon havde øvelsen, og ingen registrerede noget.",
		"No phone held the drill, and nobody recorded anything.",
	},
	"drill.report.worker":  {"Ansatt", "Medarbetare", "Medarbejder", "Worker"},
	"drill.report.held":    {"Telefonen hadde øvelsen", "Telefonen hade övningen", "Telefonen havde øvelsen", "Phone held the drill"},
	"drill.report.records": {"Registreringer", "Registreringar", "Registreringer", "Records"},
	"drill.report.yes":     {"Ja", "Ja", "Ja", "Yes"},
	"drill.report.no":      {"Nei", "Nej", "Nej", "No"},
	// count
	"drill.report.recorded": {"Registrert (%s)", "Registrerat (%s)", "Registreret (%s)", "Recorded (%s)"},
	// count
	"drill.report.findings": {"Funn i øvelsen (%s)", "Fynd i övningen (%s)", "Fund i øvelsen (%s)", "Findings of the drill (%s)"},
	"drill.report.sync":     {"Tid til synkronisering etter at nettet kom tilbake", "Tid till synkronisering efter att nätet kom tillbaka", "Tid til synkronisering, efter nettet kom tilbage", "Time to sync after the network came back"},
	"drill.report.no_phones": {
		"Ingen telefon sendte registreringer laget før nettet kom tilbake.",
		"Ingen telefon skickade registreringar gjorda innan nätet kom tillbaka.",
		"Ingen telefon sendte registreringer lavet, før nettet kom tilbage.",
		"No phone sent records made before the network came back.",
	},
	"drill.report.first": {"Første mottatt etter", "Första mottagen efter", "Første modtaget efter", "First received after"},
	"drill.report.last":  {"Siste mottatt etter", "Sista mottagen efter", "Sidste modtaget efter", "Last received after"},
}

func init() { extra = append(extra, drillTexts) }
