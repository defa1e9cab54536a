package i18n

// nb is Norwegian bokmål, the default language.
var nb = map[string]string{
	"app.name":    "Beredskap",
	"app.loading": "Laster …",

	"status.online":  "Tilkoblet",
	"status.offline": "Frakoblet",

	"update.ready":  "En ny versjon av appen er klar.",
	"update.reload": "Last inn på nytt",

	"nav.label":          "Hovedmeny",
	"nav.visits":         "Besøk",
	"nav.routines":       "Nødrutiner",
	"nav.back_to_visits": "Tilbake til besøkene",

	"login.title":         "Logg inn",
	"login.hint":          "Logg inn ved vaktstart mens du har nett. Da har telefonen vakten din også om nettet eller journalsystemet faller ut.",
	"login.username":      "Brukernavn",
	"login.password":      "Passord",
	"login.submit":        "Logg inn",
	"login.busy":          "Logger inn …",
	"login.wrong":         "Feil brukernavn eller passord.",
	"login.offline":       "Får ikke kontakt med serveren. Innlogging krever nett; nødrutinene kan leses uten.",
	"login.rate_limited":  "For mange mislykkede forsøk. Vent litt og prøv igjen.",
	"login.forbidden":     "Denne kontoen kan ikke logge inn. Kontakt koordinator.",
	"login.bad_signature": "Vaktdataene var ikke signert av serveren og ble avvist.",

	"visits.title":         "Dagens besøk",
	"visits.summary":       "%s %s · %d besøk",
	"visits.none":          "Du har ingen besøk i dag.",
	"visits.no_shift_role": "Din rolle har ingen vakt på telefonen. Bruk koordinatorsidene.",
	"visits.routines_link": "Les nødrutinene",
	"visit.title":          "Besøk",
	"visit.heading":        "Besøk %s–%s",
	"announcements.title":  "Meldinger",

	"card.warnings":      "Advarsler",
	"card.allergies":     "Allergier",
	"card.address":       "Adresse",
	"card.access":        "Adkomst",
	"card.equipment":     "Utstyr",
	"card.life_critical": "livsviktig",
	"card.power":         "strømavhengig",
	"card.nurse":         "Ansvarlig sykepleier",
	"card.gp":            "Fastlege",
	"card.relatives":     "Pårørende",

	"priority.1": "Livsviktig",
	"priority.2": "Høy prioritet",
	"priority.3": "Normal prioritet",

	"routines.title":    "Nødrutiner",
	"routines.none":     "Ingen nødrutiner er lagret på denne telefonen ennå. De hentes ved første innlogging.",
	"routines.all":      "Alle nødrutiner",
	"routines.contacts": "Kontakter",
	"routines.revised":  "Revidert %s",

	"scenario.ehr_down":       "Journalsystemet er nede",
	"scenario.planner_down":   "Ruteplanleggeren er nede",
	"scenario.alarm_down":     "Alarmplattformen er nede",
	"scenario.power_loss":     "Strømbrudd",
	"scenario.telecom_loss":   "Bortfall av tele og nett",
	"scenario.cyber_incident": "Digital sikkerhetshendelse",
	"scenario.other":          "Annet",

	"weekday.monday":    "Mandag",
	"weekday.tuesday":   "Tirsdag",
	"weekday.wednesday": "Onsdag",
	"weekday.thursday":  "Torsdag",
	"weekday.friday":    "Fredag",
	"weekday.saturday":  "Lørdag",
	"weekday.sunday":    "Søndag",

	"duration.minutes":       "%d min",
	"duration.hours_minutes": "%d t %d min",

	"error.generic":   "Noe gikk galt. Prøv igjen.",
	"error.not_found": "Fant ikke dette på telefonen.",
	"status.checking": "Sjekker nett …",
}
