package i18n

// binderTexts are the printed binder's words: nb, sv, da, en. A soft hyphen
// (\u00ad) marks where the binder may break a long word in a narrow column
// header; it prints only when the word is broken there.
var binderTexts = map[string][4]string{
	// Every page.
	"binder.title":           {"Beredskapsperm", "Beredskapspärm", "Beredskabsmappe", "Emergency binder"},
	"binder.page":            {"Side %d av %d", "Sida %d av %d", "Side %d af %d", "Page %d of %d"},
	"binder.generated":       {"Generert %s", "Skapad %s", "Dannet %s", "Generated %s"},
	"binder.confidential":    {"Taushetsbelagt – oppbevares innelåst", "Sekretess – förvaras inlåst", "Fortroligt – opbevares aflåst", "Confidential – keep locked away"},
	"binder.continued":       {"(forts.)", "(forts.)", "(fortsat)", "(continued)"},
	"binder.unknown_patient": {"Ukjent pasient (%s)", "Okänd patient (%s)", "Ukendt borger (%s)", "Unknown patient (%s)"},
	"binder.unassigned":      {"Ikke tildelt", "Ej tilldelat", "Ikke fordelt", "Not assigned"},

	// Cover.
	"binder.cover.summary":    {"%d pasienter · %d besøk · %d planlagte doser", "%d patienter · %d besök · %d planerade doser", "%d borgere · %d besøg · %d planlagte doser", "%d patients · %d visits · %d scheduled doses"},
	"binder.cover.howto":      {"Slik bruker du permen", "Så använder du pärmen", "Sådan bruger du mappen", "How to use this binder"},
	"binder.cover.use_when":   {"Bruk permen når telefonene og fagsystemene er nede, og Beredskap-appen ikke kan brukes.", "Använd pärmen när telefonerna och verksamhetssystemen ligger nere och appen Beredskap inte kan användas.", "Brug mappen, når telefonerne og fagsystemerne er nede, og Beredskap-appen ikke kan bruges.", "Use this binder when the phones and the care systems are down and the Beredskap app cannot be used."},
	"binder.cover.by_hand":    {"Skriv for hånd med kulepenn, tydelig og med klokkeslett. Ikke bruk blyant eller korrekturlakk; stryk over med én strek og signer.", "Skriv för hand med kulspetspenna, tydligt och med klockslag. Använd inte blyerts eller korrigeringslack; stryk över med ett streck och signera.", "Skriv i hånden med kuglepen, tydeligt og med klokkeslæt. Brug ikke blyant eller rettelak; overstreg med én streg og skriv under.", "Write by hand in ballpoint pen, legibly and with the time. No pencil or correction fluid; strike through with one line and sign."},
	"binder.cover.afterwards": {"Når systemene virker igjen, fører den som skrev notatet eller signaturen det selv inn i journalsystemet. Merk arkene som ført inn.", "När systemen fungerar igen för den som skrev anteckningen eller signaturen själv in den i journalsystemet. Markera bladen som införda.", "Når systemerne virker igen, fører den, der skrev notatet eller underskriften, det selv ind i journalsystemet. Markér arkene som indført.", "When the systems work again, whoever wrote a note or signature enters it into the record system themselves. Mark the sheets as entered."},
	"binder.cover.locked":     {"Permen inneholder helseopplysninger. Oppbevar den innelåst når den ikke er i bruk, og ta den aldri med hjem.", "Pärmen innehåller hälsouppgifter. Förvara den inlåst när den inte används och ta aldrig med den hem.", "Mappen indeholder helbredsoplysninger. Opbevar den aflåst, når den ikke er i brug, og tag den aldrig med hjem.", "The binder holds health data. Keep it locked away when not in use and never take it home."},
	"binder.cover.contents":   {"Innhold", "Innehåll", "Indhold", "Contents"},
	"binder.cover.page":       {"side %d", "sida %d", "side %d", "page %d"},

	// Section titles.
	"binder.section.priority": {"Prioriteringsliste", "Prioriteringslista", "Prioriteringsliste", "Priority list"},
	"binder.section.visits":   {"Besøkslister", "Besökslistor", "Besøgslister", "Visit lists"},
	"binder.section.cards":    {"Personkort", "Personkort", "Borgerkort", "Person cards"},
	"binder.section.doses":    {"Signeringslister for legemidler", "Signeringslistor för läkemedel", "Signeringslister for medicin", "Medication signing sheets"},
	"binder.section.routines": {"Nødrutiner", "Reservrutiner", "Nødprocedurer", "Emergency routines"},

	// Priority list.
	"binder.priority.intro":     {"Alle enhetens pasienter, de mest sårbare først. Er det ikke nok hender, besøkes pasientene øverst på listen først.", "Alla enhetens patienter, de mest sårbara först. Räcker inte personalen till besöks patienterna överst på listan först.", "Alle enhedens borgere, de mest sårbare først. Er der ikke hænder nok, besøges borgerne øverst på listen først.", "All the unit's patients, the most vulnerable first. When there are not enough hands, visit those at the top first."},
	"binder.priority.legend":    {"1 = livsviktig, må besøkes · 2 = høy, trenger besøket i dag, kan flyttes · 3 = normal, kan utsettes eller tas per telefon", "1 = livsviktig, måste besökas · 2 = hög, behöver besöket i dag, kan flyttas · 3 = normal, kan skjutas upp eller tas per telefon", "1 = livsvigtig, skal besøges · 2 = høj, har brug for besøget i dag, kan flyttes · 3 = normal, kan udsættes eller klares pr. telefon", "1 = life-critical, must be visited · 2 = high, needs the visit today, may be moved · 3 = normal, may be postponed or handled by phone"},
	"binder.priority.none":      {"Enheten har ingen pasienter.", "Enheten har inga patienter.", "Enheden har ingen borgere.", "The unit has no patients."},
	"binder.priority.not_today": {"ikke i dag", "inte i dag", "ikke i dag", "not today"},
	"binder.flag.power":         {"strømavhengig", "strömberoende", "strømafhængig", "needs power"},
	"binder.flag.alarm":         {"trygghetsalarm", "trygghetslarm", "nødkald", "safety alarm"},
	"binder.flag.dispenser":     {"medisindispenser", "läkemedelsautomat", "medicindispenser", "dispenser"},
	"binder.flag.alone":         {"bor alene", "bor ensam", "bor alene", "lives alone"},

	// Column headers.
	"binder.col.priority":    {"Prioritet", "Prioritet", "Prioritet", "Priority"},
	"binder.col.name":        {"Navn", "Namn", "Navn", "Name"},
	"binder.col.address":     {"Adresse", "Adress", "Adresse", "Address"},
	"binder.col.flags":       {"Særlig sårbar", "Särskilt sårbar", "Særligt sårbar", "Vulnerable because"},
	"binder.col.first_visit": {"Første besøk", "Första besök", "Første besøg", "First visit"},
	"binder.col.time":        {"Tid", "Tid", "Tid", "Time"},
	"binder.col.duration":    {"Varighet", "Längd", "Varighed", "Duration"},
	"binder.col.patient":     {"Pasient", "Patient", "Borger", "Patient"},
	"binder.col.access":      {"Adkomst", "Åtkomst", "Adgang", "Access"},
	"binder.col.tasks":       {"Oppgaver", "Insatser", "Opgaver", "Tasks"},
	"binder.col.done":        {"Utført / signatur", "Utfört / signatur", "Udført / signatur", "Done / signature"},
	"binder.col.due":         {"Planlagt kl.", "Planerad kl.", "Planlagt kl.", "Due"},
	"binder.col.medication":  {"Legemiddel", "Läkemedel", "Medicin", "Medication"},
	"binder.col.dose":        {"Dose", "Dos", "Dosis", "Dose"},
	"binder.col.route":       {"Adm.\u00admåte", "Adm.\u00adsätt", "Adm.\u00advej", "Route"},
	"binder.col.double":      {"Dobbelt\u00adkontroll", "Dubbel\u00adkontroll", "Dobbelt\u00adkontrol", "Double check"},
	"binder.col.time_given":  {"Gitt kl.", "Given kl.", "Givet kl.", "Time given"},
	"binder.col.outcome":     {"Ring rundt", "Ringa in", "Sæt ring om", "Circle one"},
	"binder.col.signature":   {"Signatur", "Signatur", "Signatur", "Signature"},
	"binder.col.signature2":  {"Signatur 2 (kontroll)", "Signatur 2 (kontroll)", "Signatur 2 (kontrol)", "Second signature (check)"},
	"binder.col.contact":     {"Kontakt", "Kontakt", "Kontakt", "Contact"},
	"binder.col.role":        {"Rolle", "Roll", "Rolle", "Role"},
	"binder.col.phone":       {"Telefon", "Telefon", "Telefon", "Phone"},
	"binder.col.print_name":  {"Navn med blokkbokstaver", "Namn textat", "Navn med blokbogstaver", "Name in block capitals"},
	"binder.col.job":         {"Stilling", "Yrkestitel", "Stilling", "Job title"},

	// Visit lists.
	"binder.visits.title": {"Besøksliste: %s", "Besökslista: %s", "Besøgsliste: %s", "Visit list: %s"},
	"binder.visits.count": {"Besøk: %d", "Besök: %d", "Besøg: %d", "Visits: %d"},
	"binder.visits.howto": {"Signer når besøket er utført. Ikke hjemme eller avvik: skriv det i kolonnen og ring koordinator.", "Signera när besöket är utfört. Inte hemma eller avvikelse: skriv det i kolumnen och ring samordnaren.", "Skriv under, når besøget er udført. Ikke hjemme eller afvigelse: skriv det i kolonnen og ring koordinatoren.", "Sign when the visit is done. Not at home or something wrong: write it in the column and call the coordinator."},
	"binder.visits.extra": {"Ekstra besøk", "Extra besök", "Ekstra besøg", "Extra visits"},

	// Person cards.
	"binder.cards.intro": {"Pasienter med besøk i dag, i alfabetisk rekkefølge.", "Patienter med besök i dag, i bokstavsordning.", "Borgere med besøg i dag, i alfabetisk rækkefølge.", "Patients with a visit today, in alphabetical order."},
	"binder.card.born":   {"Født %s", "Född %s", "Født %s", "Born %s"},
	"binder.card.none":   {"Ingen registrert", "Inga registrerade", "Ingen registreret", "None recorded"},

	// Medication signing sheets.
	"binder.doses.title":       {"Signeringsliste for legemidler", "Signeringslista för läkemedel", "Signeringsliste for medicin", "Medication signing sheet"},
	"binder.doses.yes":         {"JA", "JA", "JA", "YES"},
	"binder.doses.given":       {"Gitt", "Given", "Givet", "Given"},
	"binder.doses.refused":     {"Nektet", "Vägrad", "Afvist", "Refused"},
	"binder.doses.withheld":    {"Holdt tilbake", "Uppehåll", "Tilbageholdt", "Withheld"},
	"binder.doses.unscheduled": {"Utenom plan og ved behov", "Utanför ordination och vid behov", "Uden for plan og efter behov (PN)", "Unscheduled and as needed"},
	"binder.doses.prn": {
		"Ved behov etter plan: gi bare ved det dosen gjelder, innenfor intervall og døgnmaks. Skriv effekten under Merknader.",
		"Vid behov enligt ordination: ge bara vid angiven orsak, inom intervall och dygnsmax. Skriv effekten under Anteckningar.",
		"Efter behov (PN) efter planen: giv kun ved den angivne årsag, inden for interval og døgnmaks. Skriv effekten under Bemærkninger.",
		"As needed, from the plan: give only for what it is given for, within the interval and the daily maximum. Write the effect under Notes.",
	},
	"binder.doses.legend":   {"Ring rundt Gitt, Nektet eller Holdt tilbake. Ved Nektet eller Holdt tilbake: skriv årsaken under Merknader. Dobbeltkontroll: en kollega kontrollerer og signerer i Signatur 2.", "Ringa in Given, Vägrad eller Uppehåll. Vid Vägrad eller Uppehåll: skriv orsaken under Anteckningar. Dubbelkontroll: en kollega kontrollerar och signerar i Signatur 2.", "Sæt ring om Givet, Afvist eller Tilbageholdt. Ved Afvist eller Tilbageholdt: skriv årsagen under Bemærkninger. Dobbeltkontrol: en kollega kontrollerer og skriver under i Signatur 2.", "Circle Given, Refused or Withheld. When refused or withheld, write the reason under Notes. Double check: a colleague checks and signs in Second signature."},
	"binder.doses.notes":    {"Merknader", "Anteckningar", "Bemærkninger", "Notes"},
	"binder.doses.sign_key": {"Signaturforklaring", "Signaturförtydligande", "Signaturforklaring", "Signature key"},

	// Routines.
	"binder.routine.scenario": {"Gjelder: %s", "Gäller: %s", "Gælder: %s", "Applies to: %s"},
	"binder.routine.none":     {"Ingen nødrutiner er registrert for enheten.", "Inga reservrutiner är registrerade för enheten.", "Der er ingen nødprocedurer registreret for enheden.", "No emergency routines are recorded for the unit."},
}
