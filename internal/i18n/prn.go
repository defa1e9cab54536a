package i18n

// prnTexts (issue 19, item 5: as-needed doses with effect follow-up) are
// the phone's words for giving a PRN dose, its warnings and the effect
// evaluation, and the desk's titles and explanations of the three PRN
// findings, in the order of Languages: nb, sv, da, en. The findings'
// messages are in prnFindingTexts, which joins findingTexts.
var prnTexts = map[string][4]string{
	"record.type.prn_effect": {"Effekt av behovsdose", "Effekt av vid behov-dos", "Effekt af PN-dosis", "Effect of a PRN dose"},

	"finding.prn_interval":       {"Behovsdoser for tett", "Vid behov-doser för tätt", "PN-doser for tæt", "PRN doses too close"},
	"finding.prn_max_exceeded":   {"Over døgnmaks ved behov", "Över dygnsmax vid behov", "Over døgnmaks for PN", "PRN daily maximum exceeded"},
	"finding.prn_effect_missing": {"Effekt ikke vurdert", "Effekt inte utvärderad", "Effekt ikke vurderet", "PRN effect not evaluated"},
	"finding.explain.prn_interval": {
		"To doser av samme behovsmedisin ble gitt tettere enn minste intervall i planen, på samme eller ulike telefoner. Sjekk pasienten og snakk med dem som ga dosene.",
		"Två doser av samma vid behov-läkemedel gavs tätare än planens minsta intervall, på samma eller olika telefoner. Kontrollera patienten och tala med dem som gav doserna.",
		"To doser af samme PN-medicin blev givet tættere end planens mindste interval, på samme eller forskellige telefoner. Tjek borgeren, og tal med dem, der gav doserne.",
		"Two doses of the same PRN medication were given closer together than the plan's minimum interval, on the same phone or on different ones. Check the patient and talk to whoever gave them.",
	},
	"finding.explain.prn_max_exceeded": {
		"Behovsmedisinen ble gitt flere ganger på 24 timer enn planen tillater. Sjekk pasienten og kontakt lege ved behov.",
		"Vid behov-läkemedlet gavs fler gånger under 24 timmar än planen tillåter. Kontrollera patienten och kontakta läkare vid behov.",
		"PN-medicinen blev givet flere gange på 24 timer, end planen tillader. Tjek borgeren, og kontakt lægen efter behov.",
		"The PRN medication was given more times in 24 hours than the plan allows. Check the patient and call the doctor if needed.",
	},
	"finding.explain.prn_effect_missing": {
		"Ingen har registrert hvordan behovsdosen virket, innen vurderingstiden i planen og en halvtime til. Følg opp med den som ga dosen.",
		"Ingen har registrerat hur vid behov-dosen verkade inom planens utvärderingstid och en halvtimme till. Följ upp med den som gav dosen.",
		"Ingen har registreret, hvordan PN-dosen virkede, inden for planens vurderingstid og en halv time til. Følg op med den, der gav dosen.",
		"Nobody recorded how the PRN dose worked within the plan's evaluation time and half an hour more. Follow up with whoever gave it.",
	},

	"prn.title": {"Ved behov", "Vid behov", "Efter behov", "As needed (PRN)"},
	"prn.hint": {
		"Legemidler pasienten kan få ved behov. Telefonen advarer hvis en dose kommer for tett på en annen eller går over døgnmaks.",
		"Läkemedel patienten kan få vid behov. Telefonen varnar om en dos kommer för tätt på en annan eller går över dygnsmax.",
		"Medicin, borgeren kan få efter behov. Telefonen advarer, hvis en dosis kommer for tæt på en anden eller går over døgnmaks.",
		"Medications the patient may have as needed. The phone warns when a dose comes too soon after another or goes over the daily maximum.",
	},
	// dose, the interval (a duration), the daily maximum
	"prn.rule": {
		"%s · minst %s mellom doser · høyst %d per døgn",
		"%s · minst %s mellan doser · högst %d per dygn",
		"%s · mindst %s mellem doser · højst %d i døgnet",
		"%s · at least %s apart · at most %d in 24 h",
	},
	// dose, the daily maximum
	"prn.rule_no_interval": {
		"%s · høyst %d per døgn", "%s · högst %d per dygn", "%s · højst %d i døgnet", "%s · at most %d in 24 h",
	},
	"prn.indications": {"Gis ved: %s", "Ges vid: %s", "Gives ved: %s", "Given for: %s"},
	"prn.last":        {"Sist gitt kl. %s", "Senast given kl. %s", "Sidst givet kl. %s", "Last given at %s"},
	"prn.give":        {"Gi", "Ge", "Giv", "Give"},
	"prn.form_title":  {"Gi %s ved behov", "Ge %s vid behov", "Giv %s efter behov", "Give %s as needed"},
	"prn.indication":  {"Hvorfor gis dosen?", "Varför ges dosen?", "Hvorfor gives dosen?", "Why is it given?"},
	"prn.need_indication": {
		"Velg hvorfor dosen gis.", "Välj varför dosen ges.", "Vælg, hvorfor dosen gives.", "Choose why the dose is given.",
	},
	// the last dose's time, the interval (a duration), the first time allowed
	"prn.warn.too_soon": {
		"For tidlig: forrige dose ble gitt kl. %s, og det skal gå minst %s mellom doser. Neste dose tidligst kl. %s.",
		"För tidigt: förra dosen gavs kl. %s, och det ska gå minst %s mellan doser. Nästa dos tidigast kl. %s.",
		"For tidligt: forrige dosis blev givet kl. %s, og der skal gå mindst %s mellem doser. Næste dosis tidligst kl. %s.",
		"Too soon: the last dose was given at %s, and doses must be at least %s apart. The next dose at %s at the earliest.",
	},
	// doses in the last 24 hours, the maximum
	"prn.warn.over_max": {
		"Over døgnmaks: %d doser er gitt de siste 24 timene, og høyst %d er tillatt.",
		"Över dygnsmax: %d doser har getts de senaste 24 timmarna, och högst %d är tillåtna.",
		"Over døgnmaks: %d doser er givet de sidste 24 timer, og højst %d er tilladt.",
		"Over the daily maximum: %d doses were given in the last 24 hours, and at most %d are allowed.",
	},
	"prn.warn.counted": {
		"Telt med: dosene serveren hadde da vakten ble hentet, og dosene gitt på denne telefonen. Doser på andre telefoner etter det er ikke med.",
		"Medräknade: doserna servern hade när passet hämtades och doserna givna på den här telefonen. Doser på andra telefoner efter det är inte med.",
		"Talt med: de doser, serveren havde, da vagten blev hentet, og de doser, der er givet på denne telefon. Doser på andre telefoner efter det er ikke med.",
		"Counted: the doses the server had when the shift was fetched and those given on this phone. Doses on other phones since then are not.",
	},
	"prn.override_reason": {
		"Hvorfor gis dosen likevel?", "Varför ges dosen ändå?", "Hvorfor gives dosen alligevel?", "Why is it given anyway?",
	},
	"prn.need_override": {
		"Skriv hvorfor dosen gis likevel, eller avbryt.", "Skriv varför dosen ges ändå, eller avbryt.",
		"Skriv, hvorfor dosen gives alligevel, eller annullér.", "Write why the dose is given anyway, or cancel.",
	},
	"prn.give_anyway": {"Gi likevel og lagre", "Ge ändå och spara", "Giv alligevel og gem", "Give anyway and save"},
	"prn.save":        {"Signer og lagre", "Signera och spara", "Signér og gem", "Sign and save"},
	// indication
	"prn.summary.indication": {"ved %s", "vid %s", "ved %s", "for %s"},
	// reason
	"prn.summary.override": {"gitt likevel: %s", "given ändå: %s", "givet alligevel: %s", "given anyway: %s"},

	"prn.effect.title": {"Vurder effekten", "Utvärdera effekten", "Vurdér effekten", "Evaluate the effect"},
	// medication, given at, evaluate at
	"prn.effect.pending": {
		"%s gitt kl. %s: vurder effekten kl. %s.", "%s given kl. %s: utvärdera effekten kl. %s.",
		"%s givet kl. %s: vurdér effekten kl. %s.", "%s given at %s: evaluate the effect at %s.",
	},
	// medication, given at
	"prn.effect.due": {
		"%s gitt kl. %s: vurder effekten nå.", "%s given kl. %s: utvärdera effekten nu.",
		"%s givet kl. %s: vurdér effekten nu.", "%s given at %s: evaluate the effect now.",
	},
	"prn.effect.evaluate": {"Vurder", "Utvärdera", "Vurdér", "Evaluate"},
	// medication, given at
	"prn.effect.form_title": {
		"Effekt av %s gitt kl. %s", "Effekt av %s given kl. %s", "Effekt af %s givet kl. %s", "Effect of %s given at %s",
	},
	"prn.effect.legend":  {"Hvordan virket dosen?", "Hur verkade dosen?", "Hvordan virkede dosen?", "How did the dose work?"},
	"prn.effect.good":    {"God effekt", "God effekt", "God effekt", "Worked well"},
	"prn.effect.partial": {"Noe effekt", "Viss effekt", "Nogen effekt", "Partly"},
	"prn.effect.none":    {"Ingen effekt", "Ingen effekt", "Ingen effekt", "No effect"},
	"prn.effect.worse":   {"Verre", "Sämre", "Værre", "Worse"},
	"prn.effect.worse_hint": {
		"Verre etter dosen: kontakt sykepleier eller lege.", "Sämre efter dosen: kontakta sjuksköterska eller läkare.",
		"Værre efter dosen: kontakt sygeplejerske eller læge.", "Worse after the dose: call the nurse or the doctor.",
	},
	"prn.effect.remark": {"Merknad (valgfritt)", "Anteckning (valfritt)", "Bemærkning (valgfri)", "Remark (optional)"},
	"prn.effect.need":   {"Velg hvordan dosen virket.", "Välj hur dosen verkade.", "Vælg, hvordan dosen virkede.", "Choose how the dose worked."},
	"prn.effect.save":   {"Lagre vurderingen", "Spara utvärderingen", "Gem vurderingen", "Save the evaluation"},

	// field names in error messages (a plan's prn[0].max_per_24h, a
	// record's indication)
	"field.prn":                  {"Ved behov", "Vid behov", "Efter behov", "As needed"},
	"field.indications":          {"Indikasjoner", "Indikationer", "Indikationer", "Indications"},
	"field.indication":           {"Indikasjon", "Indikation", "Indikation", "Indication"},
	"field.min_interval_minutes": {"Minste intervall i minutter", "Minsta intervall i minuter", "Mindste interval i minutter", "Minimum interval in minutes"},
	"field.max_per_24h":          {"Høyst per døgn", "Högst per dygn", "Højst i døgnet", "Maximum in 24 hours"},
	"field.effect_after_minutes": {"Vurder effekt etter minutter", "Utvärdera effekt efter minuter", "Vurdér effekt efter minutter", "Evaluate the effect after minutes"},
	"field.prn_id":               {"Behovsmedisin", "Vid behov-läkemedel", "PN-medicin", "PRN medication"},
	"field.override_reason":      {"Grunn til å gi likevel", "Skäl att ge ändå", "Grund til at give alligevel", "Reason to give anyway"},
	"field.administration_id":    {"Dosen som vurderes", "Dosen som utvärderas", "Den vurderede dosis", "The dose evaluated"},
	"field.effect":               {"Effekt", "Effekt", "Effekt", "Effect"},

	// the office's record page
	"prn.fact.indication":     {"Indikasjon (ved behov)", "Indikation (vid behov)", "Indikation (efter behov)", "Indication (as needed)"},
	"prn.fact.override":       {"Gitt tross advarsel, fordi", "Given trots varning, eftersom", "Givet trods advarsel, fordi", "Given despite the warning, because"},
	"prn.fact.effect":         {"Effekt", "Effekt", "Effekt", "Effect"},
	"prn.fact.evaluated_at":   {"Vurdert", "Utvärderad", "Vurderet", "Evaluated at"},
	"prn.fact.administration": {"Dosen som er vurdert", "Dosen som utvärderats", "Den vurderede dosis", "The dose evaluated"},
	"prn.fact.open":           {"Åpne dosen", "Öppna dosen", "Åbn dosen", "Open the dose"},
}

// prnFindingTexts are the messages of the PRN findings the server sends
// (reconcile's keyed calls), written as findingTexts are.
var prnFindingTexts = map[string][4]string{
	"finding.prn_interval": {
		"{medication} ble gitt ved behov {first_at} og igjen {second_at}, tettere enn de {minutes} planen krever mellom doser.",
		"{medication} gavs vid behov {first_at} och igen {second_at}, tätare än de {minutes} som planen kräver mellan doser.",
		"{medication} blev givet efter behov {first_at} og igen {second_at}, tættere end de {minutes}, planen kræver mellem doser.",
		"{medication} was given as needed at {first_at} and again at {second_at}, closer than the {minutes} the plan requires between doses.",
	},
	"finding.prn_max_exceeded": {
		"{medication} ble gitt ved behov {count|# gang|# ganger} på 24 timer ({first_at}–{last_at}); planen tillater høyst {max}.",
		"{medication} gavs vid behov {count|# gång|# gånger} på 24 timmar ({first_at}–{last_at}); planen tillåter högst {max}.",
		"{medication} blev givet efter behov {count|# gang|# gange} på 24 timer ({first_at}–{last_at}); planen tillader højst {max}.",
		"{medication} was given as needed {count|once|# times} in 24 hours ({first_at}–{last_at}); the plan allows at most {max}.",
	},
	"finding.prn_effect_missing": {
		"{medication} ble gitt ved behov {given_at}, men ingen har registrert effekten (skulle vært vurdert innen {due_at}).",
		"{medication} gavs vid behov {given_at}, men ingen har registrerat effekten (skulle ha utvärderats senast {due_at}).",
		"{medication} blev givet efter behov {given_at}, men ingen har registreret effekten (skulle være vurderet senest {due_at}).",
		"{medication} was given as needed at {given_at}, but nobody recorded its effect (due by {due_at}).",
	},
}

func init() {
	extra = append(extra, prnTexts)
	for k, v := range prnFindingTexts {
		findingTexts[k] = v
	}
}
