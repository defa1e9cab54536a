package i18n

// cosignTexts (issue 19, item 6: the co-signer signs on her own phone)
// are the phone's words for showing a dose's co-signing code and for
// co-signing a colleague's dose, the desk's words for the link between
// the two, and the title and explanation of the cosigner_unverified
// finding, in the order of Languages: nb, sv, da, en. The finding's
// messages are in cosignFindingTexts, which joins findingTexts.
var cosignTexts = map[string][4]string{
	"record.type.cosign": {"Medsignatur", "Kontrasignering", "Medunderskrift", "Co-signature"},

	"finding.cosigner_unverified": {"Medsignatur ikke bekreftet", "Kontrasignering inte bekräftad", "Medunderskrift ikke bekræftet", "Co-signer not verified"},
	"finding.explain.cosigner_unverified": {
		"En dose som krever to signaturer (dobbeltkontroll eller narkotika) har ingen medsignatur fra en sykepleier i enheten på hennes egen telefon mens hun hadde vakt. Dosen kan være riktig gitt: avklar med dem som signerte, og registrer avvik om kontrollen ikke ble gjort.",
		"En dos som kräver två signaturer (dubbelkontroll eller narkotika) saknar kontrasignering från en sjuksköterska i enheten på hennes egen telefon medan hon hade pass. Dosen kan vara rätt given: stäm av med dem som signerade och rapportera en avvikelse om kontrollen inte gjordes.",
		"En dosis, der kræver to underskrifter (dobbeltkontrol eller euforiserende stoffer), har ingen medunderskrift fra en sygeplejerske i enheden på hendes egen telefon, mens hun havde vagt. Dosen kan være givet korrekt: afklar med dem, der underskrev, og registrér en utilsigtet hændelse, hvis kontrollen ikke blev udført.",
		"A dose that needs two signatures (a double check or a controlled drug) has no co-signature from a nurse of the unit on her own phone while she was on shift. The dose may have been given correctly: ask those who signed, and record a deviation if the check was not done.",
	},

	// The giver's phone.
	"dose.controlled": {"Narkotika", "Narkotika", "Euforiserende", "Controlled drug"},
	"cosign.how":      {"Andre signatur", "Andra signatur", "Anden underskrift", "Second signature"},
	"cosign.on_phone": {
		"Den andre signerer på sin egen telefon (en kode vises)",
		"Den andra signerar på sin egen telefon (en kod visas)",
		"Den anden underskriver på sin egen telefon (en kode vises)",
		"The co-signer signs on her own phone (a code is shown)",
	},
	"cosign.here": {
		"Den andre har ikke telefon: navn og signatur her",
		"Den andra har ingen telefon: namn och signatur här",
		"Den anden har ingen telefon: navn og underskrift her",
		"The co-signer has no phone: name and signature here",
	},
	"cosign.code_title": {"Kode til den som medsignerer", "Kod till den som kontrasignerar", "Kode til den, der medunderskriver", "Code for the co-signer"},
	"cosign.code_hint": {
		"La den andre skrive inn koden under «Medsigner en dose» på sin egen telefon. Du finner koden igjen under besøket.",
		"Låt den andra skriva in koden under ”Kontrasignera en dos” på sin egen telefon. Du hittar koden igen under besöket.",
		"Lad den anden skrive koden under »Medunderskriv en dosis« på sin egen telefon. Du finder koden igen under besøget.",
		"Let the co-signer type this code under “Co-sign a dose” on her own phone. You find the code again under the visit.",
	},
	"cosign.done":       {"Ferdig", "Klar", "Færdig", "Done"},
	"cosign.waiting":    {"Venter på medsignatur: kode %s", "Väntar på kontrasignering: kod %s", "Venter på medunderskrift: kode %s", "Waiting for a co-signature: code %s"},
	"cosign.show_again": {"Vis koden", "Visa koden", "Vis koden", "Show the code"},

	// The co-signer's phone.
	"cosign.title": {"Medsigner en dose", "Kontrasignera en dos", "Medunderskriv en dosis", "Co-sign a dose"},
	"cosign.hint": {
		"Skriv inn koden som vises på kollegaens telefon. Det virker uten nett.",
		"Skriv in koden som visas på kollegans telefon. Det fungerar utan nät.",
		"Skriv koden, der vises på kollegaens telefon. Det virker uden net.",
		"Type the code shown on your colleague's phone. It works offline.",
	},
	"cosign.code": {"Kode", "Kod", "Kode", "Code"},
	"cosign.find": {"Finn dosen", "Hitta dosen", "Find dosen", "Find the dose"},
	"cosign.bad_code": {
		"Dette er ikke en gyldig kode. Sjekk hvert tegn.",
		"Det här är inte en giltig kod. Kontrollera varje tecken.",
		"Det er ikke en gyldig kode. Tjek hvert tegn.",
		"That is not a valid code. Check each character.",
	},
	"cosign.not_found": {
		"Ingen dose i vakten din har denne koden. Sjekk koden, eller hent vakten på nytt når du har nett.",
		"Ingen dos i ditt pass har den här koden. Kontrollera koden, eller hämta passet igen när du har nät.",
		"Ingen dosis i din vagt har denne kode. Tjek koden, eller hent vagten igen, når du har net.",
		"No dose in your shift has this code. Check the code, or fetch your shift again when you are online.",
	},
	// the due time
	"cosign.due":        {"Planlagt kl. %s", "Planerad kl. %s", "Planlagt kl. %s", "Due at %s"},
	"cosign.prn":        {"Ved behov", "Vid behov", "Efter behov", "As needed"},
	"cosign.your_sig":   {"Din signatur", "Din signatur", "Din underskrift", "Your signature"},
	"cosign.save":       {"Medsigner", "Kontrasignera", "Medunderskriv", "Co-sign"},
	"cosign.need_sig":   {"Signer i feltet først.", "Signera i fältet först.", "Underskriv i feltet først.", "Sign in the box first."},
	"cosign.saved":      {"Medsignert. Sendes ved neste synkronisering.", "Kontrasignerad. Skickas vid nästa synkronisering.", "Medunderskrevet. Sendes ved næste synkronisering.", "Co-signed. It is sent at the next sync."},
	"cosign.not_nurse":  {"Bare sykepleiere kan medsignere.", "Bara sjuksköterskor kan kontrasignera.", "Kun sygeplejersker kan medunderskrive.", "Only nurses may co-sign."},
	"cosign.your_own":   {"Du kan ikke medsignere en dose du selv ga.", "Du kan inte kontrasignera en dos du själv gav.", "Du kan ikke medunderskrive en dosis, du selv gav.", "You cannot co-sign a dose you gave yourself."},
	"cosign.choose_one": {"Velg dosen", "Välj dosen", "Vælg dosen", "Choose the dose"},

	// The desk's record page.
	"cosign.fact.code":     {"Medsigneringskode", "Kontrasigneringskod", "Medunderskriftskode", "Co-signing code"},
	"cosign.fact.by_phone": {"Medsignert på egen telefon", "Kontrasignerad på egen telefon", "Medunderskrevet på egen telefon", "Co-signed on her own phone"},
	"cosign.fact.none":     {"Ingen medsignatur fra telefon ennå", "Ingen kontrasignering från telefon ännu", "Ingen medunderskrift fra telefon endnu", "No co-signature from a phone yet"},
	"cosign.fact.of":       {"Medsignerer dosen", "Kontrasignerar dosen", "Medunderskriver dosen", "Co-signs the dose"},
}

// cosignFindingTexts are the messages of the co-signature findings the
// server sends (reconcile's keyed calls), written as findingTexts are.
var cosignFindingTexts = map[string][4]string{
	"finding.cosigner_unverified": {
		"{medication} {dose} er medsignert med navn og signatur på den samme telefonen som ga dosen, ikke på medsignerens egen.",
		"{medication} {dose} är kontrasignerad med namn och signatur på samma telefon som gav dosen, inte på kontrasignerarens egen.",
		"{medication} {dose} er medunderskrevet med navn og underskrift på den telefon, der gav dosen, ikke på medunderskriverens egen.",
		"{medication} {dose} was co-signed with a name and drawing on the phone that gave it, not on the co-signer's own.",
	},
	"finding.cosigner_unverified_self": {
		"{medication} {dose} er medsignert av {author}, som selv ga dosen.",
		"{medication} {dose} är kontrasignerad av {author}, som själv gav dosen.",
		"{medication} {dose} er medunderskrevet af {author}, som selv gav dosen.",
		"{medication} {dose} was co-signed by {author}, who gave it herself.",
	},
	"finding.cosigner_unverified_role": {
		"{medication} {dose} er medsignert av {author}, som ikke er sykepleier.",
		"{medication} {dose} är kontrasignerad av {author}, som inte är sjuksköterska.",
		"{medication} {dose} er medunderskrevet af {author}, som ikke er sygeplejerske.",
		"{medication} {dose} was co-signed by {author}, who is not a nurse.",
	},
	"finding.cosigner_unverified_unit": {
		"{medication} {dose} er medsignert av {author}, som ikke hadde pasienten i sin vakt (en annen enhet).",
		"{medication} {dose} är kontrasignerad av {author}, som inte hade patienten i sitt pass (en annan enhet).",
		"{medication} {dose} er medunderskrevet af {author}, som ikke havde borgeren i sin vagt (en anden enhed).",
		"{medication} {dose} was co-signed by {author}, whose shift did not hold the patient (another unit).",
	},
	"finding.cosigner_unverified_shift": {
		"{medication} {dose} er medsignert av {author}, men ingen vakt hun hadde, gjaldt da dosen ble gitt.",
		"{medication} {dose} är kontrasignerad av {author}, men inget pass hon hade gällde när dosen gavs.",
		"{medication} {dose} er medunderskrevet af {author}, men ingen vagt, hun havde, gjaldt, da dosen blev givet.",
		"{medication} {dose} was co-signed by {author}, but no shift of hers was valid when the dose was given.",
	},
}

func init() {
	extra = append(extra, cosignTexts)
	for k, v := range cosignFindingTexts {
		findingTexts[k] = v
	}
}
