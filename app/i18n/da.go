package i18n

// da is Danish.
var da = map[string]string{
	"app.name":    "Beredskap",
	"app.loading": "Indlæser …",

	"status.online":  "Online",
	"status.offline": "Offline",

	"update.ready":  "En ny version af appen er klar.",
	"update.reload": "Genindlæs",

	"nav.label":          "Hovedmenu",
	"nav.visits":         "Besøg",
	"nav.routines":       "Nødprocedurer",
	"nav.back_to_visits": "Tilbage til besøgene",

	"login.title":         "Log ind",
	"login.hint":          "Log ind ved vagtens start, mens du har net. Så har telefonen din vagt, også hvis nettet eller omsorgsjournalen går ned.",
	"login.username":      "Brugernavn",
	"login.password":      "Adgangskode",
	"login.submit":        "Log ind",
	"login.busy":          "Logger ind …",
	"login.wrong":         "Forkert brugernavn eller adgangskode.",
	"login.offline":       "Kan ikke få forbindelse til serveren. Log ind kræver net; nødprocedurerne kan læses uden.",
	"login.rate_limited":  "For mange mislykkede forsøg. Vent lidt, og prøv igen.",
	"login.forbidden":     "Denne konto kan ikke logge ind. Kontakt koordinatoren.",
	"login.bad_signature": "Vagtens data var ikke signeret af serveren og blev afvist.",

	"visits.title":         "Dagens besøg",
	"visits.summary":       "%s %s · %d besøg",
	"visits.none":          "Du har ingen besøg i dag.",
	"visits.no_shift_role": "Din rolle har ingen vagt på telefonen. Brug koordinatorsiderne.",
	"visits.routines_link": "Læs nødprocedurerne",
	"visit.title":          "Besøg",
	"visit.heading":        "Besøg %s–%s",
	"announcements.title":  "Beskeder",

	"card.warnings":      "Advarsler",
	"card.allergies":     "Allergier",
	"card.address":       "Adresse",
	"card.access":        "Adgang",
	"card.equipment":     "Hjælpemidler",
	"card.life_critical": "livsvigtig",
	"card.power":         "strømafhængig",
	"card.nurse":         "Ansvarlig sygeplejerske",
	"card.gp":            "Egen læge",
	"card.relatives":     "Pårørende",

	"priority.1": "Livsvigtig",
	"priority.2": "Høj prioritet",
	"priority.3": "Normal prioritet",

	"routines.title":    "Nødprocedurer",
	"routines.none":     "Der er endnu ingen nødprocedurer på denne telefon. De hentes ved første log ind.",
	"routines.all":      "Alle nødprocedurer",
	"routines.contacts": "Kontakter",
	"routines.revised":  "Revideret %s",

	"scenario.ehr_down":       "Omsorgsjournalen er nede",
	"scenario.planner_down":   "Planlægningssystemet er nede",
	"scenario.alarm_down":     "Nødkald er nede",
	"scenario.power_loss":     "Strømsvigt",
	"scenario.telecom_loss":   "Nedbrud i tele og net",
	"scenario.cyber_incident": "It-sikkerhedshændelse",
	"scenario.other":          "Andet",

	"weekday.monday":    "Mandag",
	"weekday.tuesday":   "Tirsdag",
	"weekday.wednesday": "Onsdag",
	"weekday.thursday":  "Torsdag",
	"weekday.friday":    "Fredag",
	"weekday.saturday":  "Lørdag",
	"weekday.sunday":    "Søndag",

	"duration.minutes":       "%d min",
	"duration.hours_minutes": "%d t %d min",

	"error.generic":   "Noget gik galt. Prøv igen.",
	"error.not_found": "Det findes ikke på telefonen.",
	"status.checking": "Tjekker net …",
}
