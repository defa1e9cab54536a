package i18n

// syncHealthTexts are the texts of sync health (issue 19, item 4): the
// desk's page of phones still holding records after an outage, phones
// not seen since it began, and who has read the important
// announcements, and its section on the overview; in the order of
// Languages: nb, sv, da, en.
var syncHealthTexts = map[string][4]string{
	"office.sync_health": {"Synkstatus", "Synkstatus", "Synkstatus", "Sync health"},
	"synchealth.title": {
		"Synkstatus etter bruddet",
		"Synkstatus efter avbrottet",
		"Synkstatus efter nedbruddet",
		"Sync health after the outage",
	},
	"synchealth.intro": {
		"Telefoner som fortsatt har poster som venter på å bli sendt, telefoner som ikke er hørt fra siden bruddet begynte, og hvem som har lest de viktige meldingene. Ring den ansatte som står oppført. Tidene er lokale.",
		"Telefoner som fortfarande har poster som väntar på att skickas, telefoner som inte har hörts av sedan avbrottet började, och vem som har läst de viktiga meddelandena. Ring medarbetaren som står angiven. Tiderna är lokala.",
		"Telefoner, der stadig har poster, som venter på at blive sendt, telefoner, der ikke er hørt fra, siden nedbruddet begyndte, og hvem der har læst de vigtige meddelelser. Ring til den medarbejder, der står anført. Tiderne er lokale.",
		"Phones that still hold records waiting to be sent, phones not heard from since the outage began, and who has read the important announcements. Call the worker listed. Times are local.",
	},
	// start, end
	"synchealth.outage": {
		"Siste brudd: fra %s til %s.",
		"Senaste avbrottet: från %s till %s.",
		"Seneste nedbrud: fra %s til %s.",
		"Last outage: from %s to %s.",
	},
	// start
	"synchealth.outage_active": {
		"Bruddet pågår siden %s.",
		"Avbrottet pågår sedan %s.",
		"Nedbruddet har stået på siden %s.",
		"The outage has lasted since %s.",
	},
	"synchealth.no_outage": {
		"Ingen brudd er meldt. Viser telefoner og meldinger fra de siste 24 timene.",
		"Inget avbrott är anmält. Visar telefoner och meddelanden från de senaste 24 timmarna.",
		"Intet nedbrud er meldt. Viser telefoner og meddelelser fra de seneste 24 timer.",
		"No outage has been declared. Showing phones and announcements of the last 24 hours.",
	},
	"synchealth.count.waiting": {
		"Telefoner med poster som venter",
		"Telefoner med poster som väntar",
		"Telefoner med poster, der venter",
		"Phones with records waiting",
	},
	"synchealth.count.records": {
		"Poster som venter på telefonene",
		"Poster som väntar på telefonerna",
		"Poster, der venter på telefonerne",
		"Records waiting on the phones",
	},
	"synchealth.count.unseen": {
		"Telefoner ikke hørt fra siden bruddet begynte",
		"Telefoner som inte hörts av sedan avbrottet började",
		"Telefoner, der ikke er hørt fra, siden nedbruddet begyndte",
		"Phones not heard from since the outage began",
	},
	"synchealth.count.unread": {
		"Ansatte som ikke har lest en viktig melding",
		"Medarbetare som inte har läst ett viktigt meddelande",
		"Medarbejdere, der ikke har læst en vigtig meddelelse",
		"Workers who have not read an important announcement",
	},
	"synchealth.none.waiting": {
		"Ingen telefon har meldt om poster som venter.",
		"Ingen telefon har meddelat poster som väntar.",
		"Ingen telefon har meldt om poster, der venter.",
		"No phone has reported records waiting.",
	},
	"synchealth.none.unseen": {
		"Alle telefoner som hadde en vakt da bruddet begynte, er hørt fra siden.",
		"Alla telefoner som hade ett pass när avbrottet började har hörts av sedan dess.",
		"Alle telefoner, der havde en vagt, da nedbruddet begyndte, er hørt fra siden.",
		"Every phone that held a shift when the outage began has been heard from since.",
	},
	"synchealth.none.announcements": {
		"Ingen viktige meldinger i perioden.",
		"Inga viktiga meddelanden under perioden.",
		"Ingen vigtige meddelelser i perioden.",
		"No important announcements in this period.",
	},
	"synchealth.col.worker":       {"Ansatt", "Medarbetare", "Medarbejder", "Worker"},
	"synchealth.col.unit":         {"Enhet", "Enhet", "Enhed", "Unit"},
	"synchealth.col.phone":        {"Telefon", "Telefon", "Telefon", "Phone"},
	"synchealth.col.last_contact": {"Sist hørt fra", "Senast hörd av", "Sidst hørt fra", "Last contact"},
	"synchealth.col.waiting":      {"Venter", "Väntar", "Venter", "Waiting"},
	"synchealth.col.oldest":       {"Eldste post laget", "Äldsta posten skapad", "Ældste post oprettet", "Oldest record made"},
	"synchealth.col.reported":     {"Meldt", "Meddelat", "Meldt", "Reported"},
	"synchealth.never":            {"Aldri", "Aldrig", "Aldrig", "Never"},
	"synchealth.unknown":          {"Ukjent", "Okänd", "Ukendt", "Unknown"},
	"synchealth.revoked":          {"sperret", "spärrad", "spærret", "revoked"},
	"synchealth.announcements": {
		"Viktige meldinger: hvem har lest",
		"Viktiga meddelanden: vem har läst",
		"Vigtige meddelelser: hvem har læst",
		"Important announcements: who has read them",
	},
	// author, posted
	"synchealth.posted": {"%s, %s", "%s, %s", "%s, %s", "%s, %s"},
	// how many
	"synchealth.read":   {"Lest (%s)", "Läst (%s)", "Læst (%s)", "Read (%s)"},
	"synchealth.unread": {"Ikke lest ennå (%s)", "Inte läst ännu (%s)", "Ikke læst endnu (%s)", "Not read yet (%s)"},
	"synchealth.overview": {
		"Synkstatus etter bruddet",
		"Synkstatus efter avbrottet",
		"Synkstatus efter nedbruddet",
		"Sync health after the outage",
	},
	"synchealth.open": {"Åpne synkstatus", "Öppna synkstatus", "Åbn synkstatus", "Open sync health"},
	// The fields a phone reports, as the server's errors name them.
	"field.waiting":        {"Antall som venter", "Antal som väntar", "Antal, der venter", "Number waiting"},
	"field.oldest_waiting": {"Eldste post som venter", "Äldsta posten som väntar", "Ældste post, der venter", "Oldest waiting record"},
	"field.outbox_waiting": {"Antall som venter", "Antal som väntar", "Antal, der venter", "Number waiting"},
	"field.outbox_oldest":  {"Eldste post som venter", "Äldsta posten som väntar", "Ældste post, der venter", "Oldest waiting record"},
}

func init() { extra = append(extra, syncHealthTexts) }
