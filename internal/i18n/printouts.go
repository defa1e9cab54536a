package i18n

// printoutTexts (issue 19, multi-day printouts: the binder for a range of
// days, the weekly equipment list and the desk's print choices), in the
// order of Languages: nb, sv, da, en.
var printoutTexts = map[string][4]string{
	// day, days
	"binder.day_of": {"Dag %d av %d", "Dag %d av %d", "Dag %d af %d", "Day %d of %d"},

	// Errors of a bad range or week (DESIGN §5 keys), field first.
	"error.field.before_from":   {"%s kan ikke ligge før fra-datoen.", "%s kan inte ligga före från-datumet.", "%s kan ikke ligge før fra-datoen.", "%s cannot lie before the from date."},
	"error.field.max_days":      {"%s: høyst %s dager i én utskrift.", "%s: högst %s dagar i en utskrift.", "%s: højst %s dage i én udskrift.", "%s: at most %s days in one printout."},
	"error.field.date_or_range": {"%s: velg enten én dato eller fra og til, ikke begge.", "%s: välj antingen ett datum eller från och till, inte båda.", "%s: vælg enten én dato eller fra og til, ikke begge.", "%s: give either one date or from and to, not both."},
	"error.field.week":          {"%s må være en uke på formen ÅÅÅÅ-Uuu (f.eks. 2026-W12).", "%s måste vara en vecka på formen ÅÅÅÅ-Vvv (t.ex. 2026-W12).", "%s skal være en uge på formen ÅÅÅÅ-Uuu (f.eks. 2026-W12).", "%s must be a week in the form YYYY-Www (e.g. 2026-W12)."},
	"field.from":                {"Fra", "Från", "Fra", "From"},
	"field.to":                  {"Til", "Till", "Til", "To"},
	"field.week":                {"Uke", "Vecka", "Uge", "Week"},

	// The weekly equipment list (the Sandefjord printout).
	"equipment.title":       {"Pasienter med strømavhengig og livsviktig utstyr og trygghetsalarm", "Patienter med strömberoende och livsviktig utrustning och trygghetslarm", "Borgere med strømafhængigt og livsvigtigt udstyr og nødkald", "Patients with power-dependent and life-critical equipment and safety alarms"},
	"equipment.short_title": {"Utstyrsliste", "Utrustningslista", "Udstyrsliste", "Equipment list"},
	// week number, Monday, Sunday
	"equipment.week":            {"Uke %d (%s–%s)", "Vecka %d (%s–%s)", "Uge %d (%s–%s)", "Week %d (%s–%s)"},
	"equipment.intro":           {"Skrives ut hver uke og legges i beredskapspermen. Ved strømbrudd: kontakt først pasientene med livsviktig utstyr, deretter de med annet strømavhengig utstyr, så de med trygghetsalarm.", "Skrivs ut varje vecka och läggs i beredskapspärmen. Vid strömavbrott: kontakta först patienterna med livsviktig utrustning, sedan de med annan strömberoende utrustning, sist de med trygghetslarm.", "Udskrives hver uge og lægges i beredskabsmappen. Ved strømsvigt: kontakt først borgerne med livsvigtigt udstyr, derefter dem med andet strømafhængigt udstyr og så dem med nødkald.", "Printed every week and kept in the emergency binder. When the power fails, contact the patients with life-critical equipment first, then those with other power-dependent equipment, then those with a safety alarm."},
	"equipment.none":            {"Ingen pasienter har strømavhengig eller livsviktig utstyr eller trygghetsalarm.", "Inga patienter har strömberoende eller livsviktig utrustning eller trygghetslarm.", "Ingen borgere har strømafhængigt eller livsvigtigt udstyr eller nødkald.", "No patient has power-dependent or life-critical equipment or a safety alarm."},
	"equipment.all_units":       {"Alle enheter", "Alla enheter", "Alle enheder", "All units"},
	"equipment.group.0":         {"Livsviktig utstyr som krever strøm", "Livsviktig utrustning som kräver ström", "Livsvigtigt udstyr, der kræver strøm", "Life-critical equipment that needs power"},
	"equipment.group.1":         {"Annet utstyr og velferdsteknologi som krever strøm", "Annan utrustning och välfärdsteknik som kräver ström", "Andet udstyr og velfærdsteknologi, der kræver strøm", "Other equipment and welfare technology that needs power"},
	"equipment.group.2":         {"Trygghetsalarm", "Trygghetslarm", "Nødkald", "Safety alarm"},
	"equipment.col.power_fails": {"Ved strømbrudd", "Vid strömavbrott", "Ved strømsvigt", "If the power fails"},
	"equipment.no_note":         {"Ingen merknad på personkortet", "Ingen anteckning på personkortet", "Ingen bemærkning på borgerkortet", "No note on the person card"},
	"equipment.alarm":           {"Trygghetsalarm", "Trygghetslarm", "Nødkald", "Safety alarm"},
	"equipment.dispenser":       {"Medisindispenser", "Läkemedelsautomat", "Medicindispenser", "Medication dispenser"},

	// The desk's print choices.
	"office.print_range":        {"Dager å skrive ut", "Dagar att skriva ut", "Dage der skal udskrives", "Days to print"},
	"office.print_today":        {"I dag", "I dag", "I dag", "Today"},
	"office.print_tomorrow":     {"I dag og i morgen", "I dag och i morgon", "I dag og i morgen", "Today and tomorrow"},
	"office.print_weekend":      {"Til og med mandag", "Till och med måndag", "Til og med mandag", "Until Monday"},
	"office.print_custom":       {"Velg fra og til", "Välj från och till", "Vælg fra og til", "Choose from and to"},
	"office.print_from":         {"Fra", "Från", "Fra", "From"},
	"office.print_to":           {"Til og med", "Till och med", "Til og med", "To (inclusive)"},
	"office.equipment_week":     {"Uke for utstyrslisten", "Vecka för utrustningslistan", "Uge for udstyrslisten", "Week of the equipment list"},
	"office.equipment_download": {"Skriv ut utstyrsliste (PDF)", "Skriv ut utrustningslista (PDF)", "Udskriv udstyrsliste (PDF)", "Print equipment list (PDF)"},
}

func init() { extra = append(extra, printoutTexts) }
