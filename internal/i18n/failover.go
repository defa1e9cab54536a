package i18n

// failoverTexts are the messages of a request refused while the server
// finds no database that takes writes, as during a failover of the
// PostgreSQL store (issue 17, the failover drill's area), in the order
// of Languages: nb, sv, da, en.
var failoverTexts = map[string][4]string{
	"error.unavailable": {
		"Serveren får ikke kontakt med databasen akkurat nå. Ingenting ble endret; det som ligger på telefonen, blir tatt vare på og sendt om litt.",
		"Servern når inte databasen just nu. Inget ändrades; det som finns på telefonen sparas och skickas om en stund.",
		"Serveren kan ikke nå databasen lige nu. Intet blev ændret; det, der ligger på telefonen, gemmes og sendes om lidt.",
		"The server cannot reach its database just now. Nothing was changed; what is on the phone is kept and sent in a moment.",
	},
	"error.code.unavailable": {
		"Serveren er midlertidig utilgjengelig. Ingenting ble endret; prøv igjen om litt.",
		"Servern är tillfälligt otillgänglig. Inget ändrades; försök igen om en stund.",
		"Serveren er midlertidigt utilgængelig. Intet blev ændret; prøv igen om lidt.",
		"The server is briefly unavailable. Nothing was changed; try again in a moment.",
	},
}

func init() { extra = append(extra, failoverTexts) }
