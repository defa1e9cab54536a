package i18n

// exportTexts are the records table's texts while a CSV or FHIR export
// downloads (issue 16, the exports helper's area), in the order of
// Languages: nb, sv, da, en. Counts come with their thousands already
// grouped, sizes in megabytes with the language's decimal mark.
var exportTexts = map[string][4]string{
	"export.format.csv":  {"CSV", "CSV", "CSV", "CSV"},
	"export.format.fhir": {"FHIR", "FHIR", "FHIR", "FHIR"},
	"export.progress_label": {
		"Eksport underveis",
		"Export pågår",
		"Eksport i gang",
		"Export in progress",
	},
	// format, records so far, records in all, megabytes so far
	"export.progress_of": {
		"Eksporterer %s: %s av %s poster (%s MB)",
		"Exporterar %s: %s av %s poster (%s MB)",
		"Eksporterer %s: %s af %s poster (%s MB)",
		"Exporting %s: %s of %s records (%s MB)",
	},
	// format, records so far, megabytes so far
	"export.progress": {
		"Eksporterer %s: %s poster så langt (%s MB)",
		"Exporterar %s: %s poster hittills (%s MB)",
		"Eksporterer %s: %s poster indtil videre (%s MB)",
		"Exporting %s: %s records so far (%s MB)",
	},
	"export.cancel": {
		"Avbryt",
		"Avbryt",
		"Annullér",
		"Cancel",
	},
	"export.saved": {
		"Eksporten er lagret: %s poster.",
		"Exporten är sparad: %s poster.",
		"Eksporten er gemt: %s poster.",
		"The export is saved: %s records.",
	},
	"export.cancelled": {
		"Eksporten ble avbrutt. Ingen fil er lagret.",
		"Exporten avbröts. Ingen fil har sparats.",
		"Eksporten blev annulleret. Ingen fil er gemt.",
		"The export was cancelled. No file was saved.",
	},
	"export.broken": {
		"Eksporten stoppet etter %s poster, og ingen fil er lagret: den ville ha vært ufullstendig. Prøv igjen.",
		"Exporten avbröts efter %s poster och ingen fil har sparats: den hade varit ofullständig. Försök igen.",
		"Eksporten stoppede efter %s poster, og ingen fil er gemt: den ville have været ufuldstændig. Prøv igen.",
		"The export stopped after %s records and no file was saved: it would have been incomplete. Try again.",
	},
	"export.stalled": {
		"Serveren sluttet å sende etter %s poster. Ingen fil er lagret. Prøv igjen.",
		"Servern slutade skicka efter %s poster. Ingen fil har sparats. Försök igen.",
		"Serveren holdt op med at sende efter %s poster. Ingen fil er gemt. Prøv igen.",
		"The server stopped sending after %s records. No file was saved. Try again.",
	},
}

func init() { extra = append(extra, exportTexts) }
