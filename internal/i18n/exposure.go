package i18n

// exposureTexts are the texts of the lost-phone exposure report (issue 19,
// item 3: the desk's report and checklist of what a revoked or lost phone
// may still hold), in the order of Languages: nb, sv, da, en.
var exposureTexts = map[string][4]string{
	"exposure.title":       {"Mistet telefon: hva den kan inneholde", "Förlorad telefon: vad den kan innehålla", "Mistet telefon: hvad den kan indeholde", "Lost phone: what it may still hold"},
	"exposure.open":        {"Eksponering", "Exponering", "Eksponering", "Exposure"},
	"exposure.registered":  {"Registrert %s", "Registrerad %s", "Registreret %s", "Registered %s"},
	"exposure.revoked_at":  {"Sperret %s", "Spärrad %s", "Spærret %s", "Revoked %s"},
	"exposure.not_revoked": {"Ikke sperret", "Inte spärrad", "Ikke spærret", "Not revoked"},
	"exposure.mark_lost":   {"Meld telefonen mistet (sperr den)", "Anmäl telefonen förlorad (spärra den)", "Meld telefonen mistet (spær den)", "Report the phone lost (revoke it)"},
	"exposure.lost_confirm": {
		"Sperre telefonen som mistet? Den får ingen nye vakter, og det den sender, holdes tilbake til kontroll.",
		"Spärra telefonen som förlorad? Den får inga nya pass, och det den skickar hålls kvar för granskning.",
		"Spærre telefonen som mistet? Den får ingen nye vagter, og det, den sender, holdes tilbage til kontrol.",
		"Revoke the phone as lost? It gets no new shifts, and what it sends is held for review.",
	},
	"exposure.scope": {
		"Alle vaktpakker telefonen har fått siden den ble registrert, også de som er utløpt: en kopiert vaktpakke kan angripes lenge etter at den utløp.",
		"Alla passpaket telefonen har fått sedan den registrerades, även de som har gått ut: ett kopierat passpaket kan angripas långt efter att det gick ut.",
		"Alle vagtpakker, telefonen har fået, siden den blev registreret, også dem der er udløbet: en kopieret vagtpakke kan angribes længe efter, at den udløb.",
		"Every shift bundle the phone was given since it was registered, expired ones included: a copied bundle can be attacked long after it expired.",
	},
	"exposure.generated": {"Laget %s", "Skapad %s", "Lavet %s", "Made %s"},
	"exposure.print":     {"Skriv ut", "Skriv ut", "Udskriv", "Print"},
	"exposure.checklist": {"Sjekkliste", "Checklista", "Tjekliste", "Checklist"},
	"exposure.item.access": {
		"Bytt kode på nøkkelboksen eller dørtilgangen hos %s",
		"Byt kod på nyckelboxen eller dörrtillträdet hos %s",
		"Skift kode på nøgleboksen eller døradgangen hos %s",
		"Change the key-box code or door access at %s",
	},
	"exposure.item.inform": {
		"Informer %s (eller pårørende) om at personkortet var på en mistet telefon",
		"Informera %s (eller närstående) om att personkortet fanns på en förlorad telefon",
		"Informér %s (eller pårørende) om, at personkortet var på en mistet telefon",
		"Inform %s (or relatives) that their person card was on a lost phone",
	},
	"exposure.item.breach": {
		"Vurder med personvernombudet om tapet må meldes til Datatilsynet (innen 72 timer)",
		"Bedöm med dataskyddsombudet om förlusten måste anmälas till IMY (inom 72 timmar)",
		"Vurdér med databeskyttelsesrådgiveren, om tabet skal anmeldes til Datatilsynet (inden 72 timer)",
		"Assess with the data protection officer whether the loss must be reported to the supervisory authority (within 72 hours)",
	},
	"exposure.ticked_by":       {"Krysset av av %s %s", "Avbockad av %s %s", "Afkrydset af %s %s", "Ticked by %s %s"},
	"exposure.unticked_by":     {"Krysset ut igjen av %s %s", "Avbockning ångrad av %s %s", "Afkrydsning fjernet af %s %s", "Unticked by %s %s"},
	"exposure.patients":        {"Pasienter (%d)", "Patienter (%d)", "Patienter (%d)", "Patients (%d)"},
	"exposure.no_patients":     {"Telefonen fikk ingen personkort.", "Telefonen fick inga personkort.", "Telefonen fik ingen personkort.", "The phone was given no person cards."},
	"exposure.patient":         {"Pasient", "Patient", "Patient", "Patient"},
	"exposure.unit":            {"Enhet", "Enhet", "Enhed", "Unit"},
	"exposure.list":            {"Liste", "Lista", "Liste", "List"},
	"exposure.list_own":        {"Egen liste", "Egen lista", "Egen liste", "Own list"},
	"exposure.list_unit":       {"Enhetens del", "Enhetens del", "Enhedens del", "Unit part"},
	"exposure.access":          {"Tilgang", "Tillträde", "Adgang", "Access"},
	"exposure.access_yes":      {"Nøkkelboks/dør", "Nyckelbox/dörr", "Nøgleboks/dør", "Key box/door"},
	"exposure.first_issued":    {"Først utlevert", "Först utlämnad", "Først udleveret", "First issued"},
	"exposure.last_issued":     {"Sist utlevert", "Senast utlämnad", "Sidst udleveret", "Last issued"},
	"exposure.bundles":         {"Vaktpakker (%d)", "Passpaket (%d)", "Vagtpakker (%d)", "Shift bundles (%d)"},
	"exposure.issued":          {"Utlevert", "Utlämnat", "Udleveret", "Issued"},
	"exposure.expires":         {"Utløper", "Går ut", "Udløber", "Expires"},
	"exposure.expired":         {"utløpt", "utgånget", "udløbet", "expired"},
	"exposure.bundle_patients": {"Personkort", "Personkort", "Personkort", "Person cards"},

	// The phone's page of the worker's own phones, where another is
	// reported lost.
	"phones.title": {"Mine telefoner", "Mina telefoner", "Mine telefoner", "My phones"},
	"phones.hint": {
		"Har du mistet en annen telefon du har logget inn på? Meld den mistet her. Den blir sperret, slettes neste gang den er på nett, og kontoret ser hva den kan inneholde.",
		"Har du förlorat en annan telefon du har loggat in på? Anmäl den förlorad här. Den spärras, raderas nästa gång den är uppkopplad, och kontoret ser vad den kan innehålla.",
		"Har du mistet en anden telefon, du har logget ind på? Meld den mistet her. Den bliver spærret, slettes næste gang den er på nettet, og kontoret ser, hvad den kan indeholde.",
		"Lost another phone you logged in on? Report it lost here. It is revoked, wiped the next time it is online, and the office sees what it may still hold.",
	},
	"phones.registered": {"registrert %s", "registrerad %s", "registreret %s", "registered %s"},
	"phones.this":       {"denne telefonen", "den här telefonen", "denne telefon", "this phone"},
	"phones.report":     {"Meld mistet", "Anmäl förlorad", "Meld mistet", "Report lost"},
	"phones.confirm": {
		"Melde telefonen mistet? Den blir sperret og kan ikke brukes til vakter igjen.",
		"Anmäla telefonen förlorad? Den spärras och kan inte användas för pass igen.",
		"Melde telefonen mistet? Den bliver spærret og kan ikke bruges til vagter igen.",
		"Report the phone lost? It is revoked and cannot be used for shifts again.",
	},
	"phones.reported": {"Telefonen er meldt mistet og sperret. Si fra til kontoret.", "Telefonen är anmäld förlorad och spärrad. Meddela kontoret.", "Telefonen er meldt mistet og spærret. Giv kontoret besked.", "The phone is reported lost and revoked. Tell the office."},
	"phones.locked":   {"Lås opp vakten først.", "Lås upp passet först.", "Lås vagten op først.", "Unlock the shift first."},

	// The server's error for a device id that is not one.
	"error.bad_device_id": {"Ugyldig telefon-id.", "Ogiltigt telefon-id.", "Ugyldigt telefon-id.", "Not a valid device id."},

	// The audit log's names of the report's actions.
	"audit.action.device.lost":   {"Telefon meldt mistet", "Telefon anmäld förlorad", "Telefon meldt mistet", "Device reported lost"},
	"audit.action.exposure.tick": {"Sjekkpunkt for mistet telefon", "Kontrollpunkt för förlorad telefon", "Tjekpunkt for mistet telefon", "Lost-phone checklist item"},
}

func init() { extra = append(extra, exposureTexts) }
