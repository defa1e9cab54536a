package i18n

// sv is Swedish.
var sv = map[string]string{
	"app.name":    "Beredskap",
	"app.loading": "Laddar …",

	"status.online":  "Ansluten",
	"status.offline": "Offline",

	"update.ready":  "En ny version av appen är klar.",
	"update.reload": "Ladda om",

	"nav.label":          "Huvudmeny",
	"nav.visits":         "Besök",
	"nav.routines":       "Reservrutiner",
	"nav.back_to_visits": "Tillbaka till besöken",

	"login.title":         "Logga in",
	"login.hint":          "Logga in vid passets start medan du har nät. Då har telefonen ditt pass även om nätet eller verksamhetssystemet går ner.",
	"login.username":      "Användarnamn",
	"login.password":      "Lösenord",
	"login.submit":        "Logga in",
	"login.busy":          "Loggar in …",
	"login.wrong":         "Fel användarnamn eller lösenord.",
	"login.offline":       "Får inte kontakt med servern. Inloggning kräver nät; reservrutinerna kan läsas utan.",
	"login.rate_limited":  "För många misslyckade försök. Vänta en stund och försök igen.",
	"login.forbidden":     "Det här kontot kan inte logga in. Kontakta samordnaren.",
	"login.bad_signature": "Passets data var inte signerad av servern och avvisades.",

	"visits.title":         "Dagens besök",
	"visits.summary":       "%s %s · %d besök",
	"visits.none":          "Du har inga besök i dag.",
	"visits.no_shift_role": "Din roll har inget pass i telefonen. Använd samordnarsidorna.",
	"visits.routines_link": "Läs reservrutinerna",
	"visit.title":          "Besök",
	"visit.heading":        "Besök %s–%s",
	"announcements.title":  "Meddelanden",

	"card.warnings":      "Varningar",
	"card.allergies":     "Allergier",
	"card.address":       "Adress",
	"card.access":        "Åtkomst",
	"card.equipment":     "Hjälpmedel",
	"card.life_critical": "livsviktig",
	"card.power":         "strömberoende",
	"card.nurse":         "Patientansvarig sjuksköterska",
	"card.gp":            "Patientansvarig läkare",
	"card.relatives":     "Anhöriga",

	"priority.1": "Livsviktig",
	"priority.2": "Hög prioritet",
	"priority.3": "Normal prioritet",

	"routines.title":    "Reservrutiner",
	"routines.none":     "Inga reservrutiner finns i telefonen ännu. De hämtas vid första inloggningen.",
	"routines.all":      "Alla reservrutiner",
	"routines.contacts": "Kontakter",
	"routines.revised":  "Reviderad %s",

	"scenario.ehr_down":       "Journalsystemet ligger nere",
	"scenario.planner_down":   "Planeringssystemet ligger nere",
	"scenario.alarm_down":     "Larmplattformen ligger nere",
	"scenario.power_loss":     "Strömavbrott",
	"scenario.telecom_loss":   "Avbrott i tele och nät",
	"scenario.cyber_incident": "It-säkerhetsincident",
	"scenario.other":          "Annat",

	"weekday.monday":    "Måndag",
	"weekday.tuesday":   "Tisdag",
	"weekday.wednesday": "Onsdag",
	"weekday.thursday":  "Torsdag",
	"weekday.friday":    "Fredag",
	"weekday.saturday":  "Lördag",
	"weekday.sunday":    "Söndag",

	"duration.minutes":       "%d min",
	"duration.hours_minutes": "%d tim %d min",

	"error.generic":   "Något gick fel. Försök igen.",
	"error.not_found": "Det finns inte i telefonen.",
	"status.checking": "Kontrollerar nät …",
}
