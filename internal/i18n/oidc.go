package i18n

// oidcTexts are the login page's texts of a login through the
// municipality's identity provider (issue 18, the OIDC helper's area:
// internal/oidclogin's keys), in the order of Languages: nb, sv, da, en.
var oidcTexts = map[string][4]string{
	"oidc.login_with": {
		"Logg inn med %s",
		"Logga in med %s",
		"Log ind med %s",
		"Log in with %s",
	},
	"oidc.unknown_provider": {
		"Denne innloggingen er ikke satt opp her. Velg en annen, eller kontakt IT.",
		"Den här inloggningen är inte konfigurerad här. Välj en annan eller kontakta IT.",
		"Dette login er ikke sat op her. Vælg et andet, eller kontakt IT.",
		"This login is not set up here. Choose another, or contact IT.",
	},
	"oidc.provider_unreachable": {
		"%s svarer ikke akkurat nå. Prøv igjen om litt. Varer det, kan en administrator erklære at innloggingstjenesten er nede.",
		"%s svarar inte just nu. Försök igen om en stund. Om det håller i sig kan en administratör deklarera att inloggningstjänsten är nere.",
		"%s svarer ikke lige nu. Prøv igen om lidt. Varer det ved, kan en administrator erklære, at logintjenesten er nede.",
		"%s does not answer right now. Try again shortly. If it lasts, an administrator can declare the login service down.",
	},
	"oidc.login_expired": {
		"Innloggingen tok for lang tid eller er allerede brukt. Start innloggingen på nytt.",
		"Inloggningen tog för lång tid eller har redan använts. Starta inloggningen igen.",
		"Login tog for lang tid eller er allerede brugt. Start login forfra.",
		"The login took too long or was used already. Start the login again.",
	},
	"oidc.provider_refused": {
		"Innloggingstjenesten avbrøt eller avviste innloggingen. Prøv igjen.",
		"Inloggningstjänsten avbröt eller avvisade inloggningen. Försök igen.",
		"Logintjenesten afbrød eller afviste login. Prøv igen.",
		"The login service cancelled or refused the login. Try again.",
	},
	"oidc.token_invalid": {
		"Svaret fra innloggingstjenesten kunne ikke bekreftes. Du er ikke logget inn. Prøv igjen, og kontakt IT hvis det gjentar seg.",
		"Svaret från inloggningstjänsten kunde inte verifieras. Du är inte inloggad. Försök igen och kontakta IT om det upprepas.",
		"Svaret fra logintjenesten kunne ikke bekræftes. Du er ikke logget ind. Prøv igen, og kontakt IT, hvis det gentager sig.",
		"The login service's answer could not be verified. You are not logged in. Try again, and contact IT if it happens again.",
	},
	"oidc.acr_too_low": {
		"Denne innloggingsmåten er ikke sikker nok for helseopplysninger. Logg inn med et sikrere middel (for eksempel BankID).",
		"Det här inloggningssättet är inte tillräckligt säkert för hälsouppgifter. Logga in med ett säkrare sätt (till exempel BankID).",
		"Denne loginmetode er ikke sikker nok til helbredsoplysninger. Log ind med en sikrere metode (for eksempel MitID).",
		"This way of logging in is not strong enough for health data. Log in with a stronger means (for example BankID).",
	},
	"oidc.unknown_user": {
		"Du er logget inn hos innloggingstjenesten, men er ikke registrert som bruker i Beredskap. Be en administrator koble deg til brukeren din.",
		"Du är inloggad hos inloggningstjänsten men är inte registrerad som användare i Beredskap. Be en administratör koppla dig till din användare.",
		"Du er logget ind hos logintjenesten, men er ikke oprettet som bruger i Beredskap. Bed en administrator om at knytte dig til din bruger.",
		"You are logged in at the login service, but you are not registered as a user of Beredskap. Ask an administrator to link you to your user.",
	},
	"oidc.disabled": {
		"Brukeren din i Beredskap er deaktivert. Kontakt en administrator.",
		"Din användare i Beredskap är inaktiverad. Kontakta en administratör.",
		"Din bruger i Beredskap er deaktiveret. Kontakt en administrator.",
		"Your Beredskap user is disabled. Contact an administrator.",
	},
	"oidc.role_not_covered": {
		"Brukere med din rolle logger ikke inn på denne måten. Velg en annen innlogging.",
		"Användare med din roll loggar inte in på det här sättet. Välj en annan inloggning.",
		"Brugere med din rolle logger ikke ind på denne måde. Vælg et andet login.",
		"Users of your role do not log in this way. Choose another login.",
	},
	"oidc.code_invalid": {
		"Innloggingen kunne ikke fullføres (koden er ukjent, brukt eller utløpt). Logg inn på nytt.",
		"Inloggningen kunde inte slutföras (koden är okänd, använd eller har gått ut). Logga in igen.",
		"Login kunne ikke gennemføres (koden er ukendt, brugt eller udløbet). Log ind igen.",
		"The login could not be completed (the code is unknown, used or expired). Log in again.",
	},
}

func init() { extra = append(extra, oidcTexts) }
