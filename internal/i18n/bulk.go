package i18n

import (
	"strconv"
	"strings"
)

// bulkTexts (issue 16, the records table and "mark all that match as
// entered"): how many records match and which are shown, the bulk job's
// button, confirmation, progress and end, and why a job failed. Each key
// has its four translations in the order of Languages.
var bulkTexts = map[string][4]string{
	// "1–200 of 31 417": first shown, last shown, how many match (each
	// already formatted by Count).
	"office.shown_of": {"%s–%s av %s", "%s–%s av %s", "%s–%s af %s", "%s–%s of %s"},
	"office.mark_all": {"Merk alle som passer filteret, som ført inn", "Markera alla som matchar filtret som införda", "Markér alle, der passer til filteret, som ført ind", "Mark all that match as entered"},
	"office.mark_all_needs_ref": {
		"Skriv referansen i journalen først: den gjelder alle registreringene.",
		"Skriv referensen i journalen först: den gäller alla registreringar.",
		"Skriv referencen i journalen først: den gælder alle registreringerne.",
		"Type the record system reference first: it applies to all the records.",
	},
	// How many (Count), and the reference.
	"office.mark_all_confirm": {
		"Merke %s nye registreringer i dine enheter som ført inn, med referansen «%s»? Det som kommer inn etter nå, blir ikke med. Registreringer i karantene må gjennomgås én og én.",
		"Markera %s nya registreringar i dina enheter som införda, med referensen ”%s”? Det som kommer in efter nu kommer inte med. Registreringar i karantän måste granskas en och en.",
		"Markere %s nye registreringer i dine enheder som ført ind, med referencen »%s«? Det, der kommer ind efter nu, kommer ikke med. Registreringer i karantæne skal gennemgås én ad gangen.",
		"Mark %s new records of your units as entered, with the reference “%s”? What comes in after now is left out. Quarantined records are reviewed one by one.",
	},
	"office.mark_all_yes": {"Ja, merk alle", "Ja, markera alla", "Ja, markér alle", "Yes, mark all"},
	"office.mark_all_no":  {"Avbryt", "Avbryt", "Annullér", "Cancel"},
	// Done so far, of how many (both Count).
	"office.job.running": {"Merker som ført inn: %s av %s …", "Markerar som införda: %s av %s …", "Markerer som ført ind: %s af %s …", "Marking as entered: %s of %s …"},
	"office.job.done":    {"%s merket som ført inn.", "%s markerade som införda.", "%s markeret som ført ind.", "%s marked entered."},
	"office.job.skipped": {"%s var allerede ført inn eller forkastet av andre.", "%s var redan införda eller makulerade av andra.", "%s var allerede ført ind eller kasseret af andre.", "%s were already entered or voided by someone else."},
	"office.job.held":    {"%s i karantene ble ikke merket: gå gjennom dem én og én.", "%s i karantän markerades inte: granska dem en och en.", "%s i karantæne blev ikke markeret: gennemgå dem én ad gangen.", "%s quarantined were not marked: review them one by one."},
	// Done so far (Count), and why it stopped.
	"office.job.failed": {"Merkingen stoppet etter %s: %s", "Markeringen stoppade efter %s: %s", "Markeringen stoppede efter %s: %s", "Marking stopped after %s: %s"},
	"office.job.label":  {"Framdrift", "Förlopp", "Fremdrift", "Progress"},

	// Why a job failed (bulk.Failure*).
	"bulk.failure.starter": {"den som startet den, kan ikke lenger føre inn registreringer.", "den som startade den kan inte längre föra in registreringar.", "den, der startede den, kan ikke længere føre registreringer ind.", "the user who started it may no longer enter records."},
	"bulk.failure.units":   {"den som startet den, har ikke lenger enhetene den gjaldt.", "den som startade den har inte längre enheterna den gällde.", "den, der startede den, har ikke længere de enheder, den gjaldt.", "the user who started it no longer has the units it was for."},
	"bulk.failure.cursor":  {"serveren fant ikke igjen hvor den var. Start en ny.", "servern hittade inte tillbaka till var den var. Starta en ny.", "serveren kunne ikke finde ud af, hvor den var. Start en ny.", "the server lost its place. Start a new one."},

	// The server's refusal of a job filter that selects no new records.
	"error.job_state": {
		"Bare nye registreringer kan merkes som ført inn. Velg tilstanden «ny» eller alle.",
		"Bara nya registreringar kan markeras som införda. Välj tillståndet ”ny” eller alla.",
		"Kun nye registreringer kan markeres som ført ind. Vælg tilstanden »ny« eller alle.",
		"Only new records can be marked entered. Choose the state “new” or all.",
	},
}

func init() { extra = append(extra, bulkTexts) }

// Count writes a whole number the way the language groups thousands: a
// no-break space in Norwegian and Swedish ("31 417"), a period in Danish
// ("31.417"), a comma in English ("31,417").
func Count(lang string, n int) string {
	sep := "\u00a0"
	switch lang {
	case "da":
		sep = "."
	case "en":
		sep = ","
	}
	digits := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}
