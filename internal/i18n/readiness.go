package i18n

// readinessTexts are the readiness view's texts (issue 19, item 1: "if
// the network dies now"): the desk's page and overview section, the
// reminder the phones read, its audit action and its error, in the order
// of Languages: nb, sv, da, en.
var readinessTexts = map[string][4]string{
	// field, hours
	"error.field.until_ahead": {
		"%s må ligge etter nå og høyst %s timer fram i tid.",
		"%s måste ligga efter nu och högst %s timmar fram i tiden.",
		"%s skal ligge efter nu og højst %s timer ude i fremtiden.",
		"%s must be after now and at most %s hours ahead.",
	},
	"audit.action.readiness.remind": {
		"Påminnelse om å hente vakten sendt",
		"Påminnelse om att hämta passet skickad",
		"Påmindelse om at hente vagten sendt",
		"Reminder to fetch the shift sent",
	},
	// weekday, clock time: the end of the window
	"readiness.remind.text": {
		"Viktig før et mulig nettbrudd: åpne Beredskap nå mens du har nett, så henter telefonen vakten din på nytt. Den må dekke besøkene dine fram til %s kl. %s.",
		"Viktigt inför ett möjligt nätavbrott: öppna Beredskap nu medan du har nät, så hämtar telefonen ditt pass på nytt. Det måste täcka dina besök fram till %s kl. %s.",
		"Vigtigt før et muligt netnedbrud: åbn Beredskap nu, mens du har net, så henter telefonen din vagt igen. Den skal dække dine besøg frem til %s kl. %s.",
		"Important before a possible network outage: open Beredskap now while you are online, so that your phone fetches your shift again. It must cover your visits until %s at %s.",
	},
	"office.readiness": {"Klar for brudd", "Redo för avbrott", "Klar til nedbrud", "Readiness"},
	"readiness.title": {
		"Hvis nettet faller ut nå",
		"Om nätet går ner nu",
		"Hvis nettet falder ud nu",
		"If the network dies now",
	},
	"readiness.intro": {
		"Besøk fra nå og utover som ingen telefon har i en gyldig vakt, vakter som utløper før siste besøk er ferdig, og ansatte som ikke har hentet vakt i dag. Tidene er lokale.",
		"Besök från nu och framåt som ingen telefon har i ett giltigt pass, pass som går ut innan sista besöket är klart, och medarbetare som inte har hämtat pass i dag. Tiderna är lokala.",
		"Besøg fra nu og frem, som ingen telefon har i en gyldig vagt, vagter, der udløber, før sidste besøg er færdigt, og medarbejdere, der ikke har hentet vagt i dag. Tiderne er lokale.",
		"Visits from now on that no phone holds in a valid shift, shifts that expire before their last visit ends, and workers who have not fetched a shift today. Times are local.",
	},
	// from, until
	"readiness.window": {"Fra %s til %s", "Från %s till %s", "Fra %s til %s", "From %s to %s"},
	"readiness.until":  {"Se fram til", "Se fram till", "Se frem til", "Look ahead until"},
	"readiness.count.uncovered": {
		"Besøk uten gyldig vakt på en telefon",
		"Besök utan giltigt pass på en telefon",
		"Besøg uden gyldig vagt på en telefon",
		"Visits no phone holds in a valid shift",
	},
	"readiness.count.expiring": {
		"Vakter som utløper før siste besøk",
		"Pass som går ut före sista besöket",
		"Vagter, der udløber før sidste besøg",
		"Shifts expiring before their last visit",
	},
	"readiness.count.not_fetched": {
		"Ansatte som ikke har hentet vakt i dag",
		"Medarbetare som inte har hämtat pass i dag",
		"Medarbejdere, der ikke har hentet vagt i dag",
		"Workers who have not fetched a shift today",
	},
	"readiness.count.remind": {
		"Bør hente vakten på nytt",
		"Bör hämta passet på nytt",
		"Bør hente vagten igen",
		"Should fetch their shift again",
	},
	"readiness.col.time":        {"Tid", "Tid", "Tid", "Time"},
	"readiness.col.worker":      {"Ansatt", "Medarbetare", "Medarbejder", "Worker"},
	"readiness.col.expires":     {"Vakten utløper", "Passet går ut", "Vagten udløber", "Shift expires"},
	"readiness.col.last_end":    {"Siste besøk slutter", "Sista besöket slutar", "Sidste besøg slutter", "Last visit ends"},
	"readiness.col.visits":      {"Besøk", "Besök", "Besøg", "Visits"},
	"readiness.col.first_visit": {"Første besøk", "Första besöket", "Første besøg", "First visit"},
	"readiness.col.last_fetch":  {"Sist hentet", "Senast hämtat", "Sidst hentet", "Last fetched"},
	"readiness.no_shift":        {"ingen gyldig vakt", "inget giltigt pass", "ingen gyldig vagt", "no valid shift"},
	// clock time
	"readiness.expired_before": {"vakten utløper %s", "passet går ut %s", "vagten udløber %s", "shift expires %s"},
	"readiness.never":          {"aldri", "aldrig", "aldrig", "never"},
	"readiness.none.uncovered": {
		"Alle besøk i tidsrommet ligger i en gyldig vakt på en telefon.",
		"Alla besök i tidsintervallet finns i ett giltigt pass på en telefon.",
		"Alle besøg i tidsrummet ligger i en gyldig vagt på en telefon.",
		"Every visit in the window is held by a phone in a valid shift.",
	},
	"readiness.none.expiring": {
		"Ingen vakt utløper før siste besøk.",
		"Inget pass går ut före sista besöket.",
		"Ingen vagt udløber før sidste besøg.",
		"No shift expires before its last visit.",
	},
	"readiness.none.not_fetched": {
		"Alle med besøk har hentet vakt i dag.",
		"Alla med besök har hämtat pass i dag.",
		"Alle med besøg har hentet vagt i dag.",
		"Everyone with visits has fetched a shift today.",
	},
	// number of workers
	"readiness.remind": {
		"Send viktig melding: hent vakten på nytt (%s ansatte)",
		"Skicka viktigt meddelande: hämta passet på nytt (%s medarbetare)",
		"Send vigtig besked: hent vagten igen (%s medarbejdere)",
		"Post an important announcement: fetch your shift again (%s workers)",
	},
	"readiness.remind_one": {
		"Send viktig melding: hent vakten på nytt (1 ansatt)",
		"Skicka viktigt meddelande: hämta passet på nytt (1 medarbetare)",
		"Send vigtig besked: hent vagten igen (1 medarbejder)",
		"Post an important announcement: fetch your shift again (1 worker)",
	},
	"readiness.remind_done_one": {
		"Viktig melding sendt til 1 ansatt. Den kommer fram når telefonen henter vakten.",
		"Viktigt meddelande skickat till 1 medarbetare. Det kommer fram när telefonen hämtar passet.",
		"Vigtig besked sendt til 1 medarbejder. Den når frem, når telefonen henter vagten.",
		"Important announcement posted to 1 worker. It arrives when the phone fetches its shift.",
	},
	// number of workers
	"readiness.remind_done": {
		"Viktig melding sendt til %s ansatte. Den kommer fram når telefonen henter vakten.",
		"Viktigt meddelande skickat till %s medarbetare. Det kommer fram när telefonen hämtar passet.",
		"Vigtig besked sendt til %s medarbejdere. Den når frem, når telefonen henter vagten.",
		"Important announcement posted to %s workers. It arrives when the phone fetches its shift.",
	},
	"readiness.remind_nobody": {
		"Ingen trenger å hente vakten på nytt. Ingen melding ble sendt.",
		"Ingen behöver hämta passet på nytt. Inget meddelande skickades.",
		"Ingen behøver at hente vagten igen. Ingen besked blev sendt.",
		"Nobody needs to fetch their shift again. No announcement was posted.",
	},
	// clock time (with the weekday) of the window's end
	"readiness.overview": {
		"Klar for nettbrudd, fram til %s",
		"Redo för nätavbrott, fram till %s",
		"Klar til netnedbrud, frem til %s",
		"Ready for an outage, until %s",
	},
	"readiness.open": {"Se hvem og hvilke besøk", "Se vilka och vilka besök", "Se hvem og hvilke besøg", "See who and which visits"},
}

func init() { extra = append(extra, readinessTexts) }
