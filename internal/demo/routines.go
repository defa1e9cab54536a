package demo

import (
	"slices"

	"beredskap/internal/care"
)

// revised is the revision date printed on the action cards. It is fixed, not
// the build day: a routine is revised by people, not by a reload.
const revised = "2026-09-01"

// Contacts shared by several action cards. The numbers are fictional.
var (
	ctIKT        = care.Contact{Name: "IKT-vakt", Relation: "Fjordvik kommune, døgnåpen", Phone: "+47 33 44 60 00"}
	ctNurse      = care.Contact{Name: "Vakthavende sykepleier", Relation: "Hjemmetjenesten", Phone: "+47 905 30 100"}
	ctLeader     = care.Contact{Name: "Beredskapsleder", Relation: "Helse og omsorg", Phone: "+47 905 30 200"}
	ctEHR        = care.Contact{Name: "Leverandørsupport EPJ", Relation: "Journalsystemet", Phone: "+47 22 90 41 00"}
	ctPlanner    = care.Contact{Name: "Leverandørsupport ruteplanlegger", Phone: "+47 22 90 42 00"}
	ctAlarm      = care.Contact{Name: "Alarmmottak trygghetsalarm", Relation: "Responssenteret", Phone: "+47 33 44 70 00"}
	ctTechCare   = care.Contact{Name: "Velferdsteknologi, fagansvarlig", Phone: "+47 905 30 300"}
	ctPowerGrid  = care.Contact{Name: "Nettselskapet, driftsmeldinger", Phone: "+47 33 44 80 00"}
	ctCoordinate = care.Contact{Name: "Koordinator hjemmetjenesten", Relation: "Kari Lunde", Phone: "+47 905 30 400"}
)

type routineSpec struct {
	scenario care.Scenario
	title    string
	steps    []string
	contacts []care.Contact
}

// routineSpecs paraphrase the action cards of the seeds (Sandefjord's
// "Tiltakskort", the Danish action plan, Söderköping's backup routine) and
// point each manual step at the place it now happens: Beredskap.
var routineSpecs = []routineSpec{
	{care.ScenarioEHRDown, "Nødrutine: journalsystemet (EPJ) er nede", []string{
		"Finn ut om feilen gjelder flere enn deg: prøv en annen telefon eller PC og spør en kollega før du melder fra.",
		"Meld feilen til IKT-vakt, og gi beskjed til vakthavende sykepleier om at EPJ ikke virker.",
		"Arbeid fra dagens besøksliste og personkortene i Beredskap; beredskapspermen med prioriteringslisten står på kontoret.",
		"Skriv journalnotater og avvik i Beredskap med en gang – vent ikke til EPJ er tilbake. Er telefonen død, bruk papirskjemaet i permen.",
		"Signer legemidler i Beredskap med håndskrevet signatur; mangler appen, bruk de tomme signeringslistene i pasientens hjemmemappe.",
		"Legemidler med dobbeltkontroll skal fortsatt ha to signaturer.",
		"Når EPJ er oppe igjen, fører den som skrev notatet det inn selv. Går ikke det, fører koordinator det inn og merker hvem som gjorde det.",
		"Koordinator sender status til alle enheter hver hele time til driften er normal.",
	}, []care.Contact{ctIKT, ctNurse, ctEHR, ctLeader}},

	{care.ScenarioPlannerDown, "Nødrutine: ruteplanleggeren er nede", []string{
		"Bruk arbeidslisten i Beredskap som du hentet ved vaktstart, eller den utskrevne arbeidslisten for dagen.",
		"Koordinator fordeler besøkene på nytt per telefon og begynner med pasientene øverst på prioriteringslisten.",
		"Når et besøk flyttes til en kollega, avtal det muntlig og skriv et notat på pasienten i Beredskap.",
		"Besøk med normal prioritet kan utsettes eller tas per telefon etter avtale med vakthavende sykepleier.",
		"Marker hvert besøk som startet, fullført eller ikke hjemme, så koordinator ser hva som gjenstår.",
		"Skriv ut morgendagens arbeidslister før dagen er slutt, i tilfelle feilen varer.",
		"Meld feilen til IKT-vakt og leverandøren; koordinator gir status hver time.",
	}, []care.Contact{ctCoordinate, ctIKT, ctPlanner}},

	{care.ScenarioAlarmDown, "Nødrutine: trygghetsalarmer og alarmplattform er ute av drift", []string{
		"Varsle vakthavende sykepleier og alarmmottaket straks, og få vite hvor mange brukere som er rammet.",
		"Hent listen over brukere med trygghetsalarm fra prioriteringslisten i Beredskap eller i beredskapspermen.",
		"Ring først dem som bor alene og har trygghetsalarm, og sett opp ekstra tilsyn der det trengs.",
		"Gi pårørende og naboer vaktnummeret, så de kan ringe hjemmetjenesten direkte mens alarmen er nede.",
		"Åpner ikke det digitale låset, bruk nøkkelboks eller reservenøkkel og skriv et avvik i Beredskap.",
		"Registrer et avvik for hver hendelse der en alarm ikke kom frem.",
		"Koordinator følger alarmer fra reserveløsningen hvis den finnes, og gir status hver time.",
	}, []care.Contact{ctAlarm, ctNurse, ctTechCare}},

	{care.ScenarioPowerLoss, "Nødrutine: strømbrudd", []string{
		"Sjekk strømstatus hos nettselskapet (søk på adresse) for å se hvilke områder som er rammet og hvor lenge det kan vare.",
		"Ta frem prioriteringslisten: pasienter med livsviktig, strømavhengig utstyr kontaktes først.",
		"Ring eller besøk dem: kontroller batteri på respirator og sugeapparat, og bytt til oksygenflaske der konsentratoren har stoppet.",
		"Kan utstyret ikke drives videre på batteri, kontakt fastlege eller legevakt for vurdering av innleggelse.",
		"Medisindispensere og trygghetsalarmer kan falle ut: planlegg manuell utdeling av medisiner og ekstra tilsyn.",
		"Spar strøm på telefonen: skru ned lysstyrken og lad fra bil eller powerbank mellom besøkene.",
		"Dokumenter i Beredskap som vanlig; appen virker uten nett og sender alt når forbindelsen er tilbake.",
		"Beredskapsleder vurderer å kalle inn flere ansatte; koordinator gir status hver time.",
	}, []care.Contact{ctPowerGrid, ctNurse, ctLeader, ctTechCare}},

	{care.ScenarioTelecomLoss, "Nødrutine: bortfall av mobilnett og internett (ekom)", []string{
		"Prøv et annet nett: koble til et annet trådløst nett, eller del nett fra en telefon med en annen operatør.",
		"Fortsett i Beredskap uten nett: besøksliste, personkort og rutiner ligger på telefonen, og det du registrerer sendes senere.",
		"Avtal faste tidspunkter for å melde deg hos vakthavende sykepleier, siden telefonen kanskje ikke kommer gjennom.",
		"Trygghetsalarmer kan ikke varsle: prioriter tilsyn hos dem som bor alene.",
		"Ved akutt behov uten dekning: bruk fasttelefon hos pasient eller nabo, eller kjør til kontoret.",
		"Når nettet er tilbake: åpne Beredskap og kontroller at alle registreringer er sendt.",
		"Varer bortfallet lenge, avgjør beredskapsleder om kommunens overordnede beredskapsplan skal iverksettes.",
	}, []care.Contact{ctNurse, ctIKT, ctLeader}},

	{care.ScenarioCyber, "Nødrutine: digital sikkerhetshendelse (dataangrep)", []string{
		"Ikke logg inn på eller koble til kommunens systemer før IKT-vakt sier at det er trygt.",
		"Meld fra til IKT-vakt straks om mistenkelige e-poster, meldinger eller uvanlig oppførsel på PC eller telefon.",
		"Beredskapsledelsen og IKT bestemmer tiltakene; følg beskjedene fra koordinator.",
		"Fortsett pleien med Beredskap i frakoblet modus og beredskapspermen: prioriteringsliste, arbeidslister og personkort.",
		"Dokumenter notater, avvik og legemiddelgivning i Beredskap eller på papirskjemaene i permen.",
		"Har du mistet telefonen, eller tror du den er angrepet, si fra til koordinator så enheten blir sperret.",
		"Etterpå fører den som skrev notatene dem inn i EPJ, og avvikene registreres i avvikssystemet.",
		"Koordinator gir status til enhetene hver time.",
	}, []care.Contact{ctIKT, ctLeader, ctCoordinate}},
}

// routines returns fresh copies so that callers may edit the result without
// touching the tables.
func routines() []care.Routine {
	out := make([]care.Routine, 0, len(routineSpecs))
	for _, r := range routineSpecs {
		out = append(out, care.Routine{
			ID:       care.IDFor("routine", "FJV-routine-"+string(r.scenario)),
			Title:    r.title,
			Scenario: r.scenario,
			Steps:    slices.Clone(r.steps),
			Contacts: slices.Clone(r.contacts),
			Revised:  revised,
			Version:  1,
		})
	}
	return out
}
