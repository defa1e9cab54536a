package i18n

// fallbackTexts are the texts of logging in when the identity provider
// is down (issue 18, the login fallback's area): the provider outage an
// admin declares, the printed one-time fallback codes and the admins'
// break-glass login (password plus a code from an authenticator app),
// in the order of Languages: nb, sv, da, en.
var fallbackTexts = map[string][4]string{
	// Errors (server/provider_outage.go's keys).
	"error.password_login_off": {
		"Rollen din logger inn via innloggingstjenesten (for eksempel HelseID eller ID-porten), ikke med passord. Passord virker bare når en administrator har meldt at innloggingstjenesten er nede.",
		"Din roll loggar in via inloggningstjänsten (till exempel BankID eller SITHS), inte med lösenord. Lösenord fungerar bara när en administratör har meddelat att inloggningstjänsten ligger nere.",
		"Din rolle logger ind via login-tjenesten (for eksempel MitID Erhverv), ikke med adgangskode. Adgangskoder virker kun, når en administrator har meldt, at login-tjenesten er nede.",
		"Your role logs in through the login service (such as HelseID, BankID or MitID), not with a password. Passwords work only while an admin has declared the login service down.",
	},
	"error.provider_outage_state": {
		"Det er allerede meldt at innloggingstjenesten er nede, eller ingen slik melding gjelder nå. Last siden på nytt.",
		"Det är redan meddelat att inloggningstjänsten ligger nere, eller så gäller inget sådant meddelande nu. Ladda om sidan.",
		"Det er allerede meldt, at login-tjenesten er nede, eller også gælder ingen sådan melding nu. Genindlæs siden.",
		"The login service is already declared down, or no such declaration is in force now. Reload the page.",
	},
	"error.provider_outage_hours": {
		"Antall timer må være fra 1 til %s.",
		"Antalet timmar måste vara från 1 till %s.",
		"Antallet timer skal være fra 1 til %s.",
		"The number of hours must be from 1 to %s.",
	},
	"error.fallback_no_outage": {
		"Engangskodene virker bare når en administrator har meldt at innloggingstjenesten er nede. Logg inn på vanlig måte.",
		"Engångskoderna fungerar bara när en administratör har meddelat att inloggningstjänsten ligger nere. Logga in som vanligt.",
		"Engangskoderne virker kun, når en administrator har meldt, at login-tjenesten er nede. Log ind på almindelig vis.",
		"The one-time codes work only while an admin has declared the login service down. Log in the usual way.",
	},
	"error.fallback_code_wrong": {
		"Feil brukernavn eller kode. Skriv koden slik den står på arket ditt.",
		"Fel användarnamn eller kod. Skriv koden så som den står på ditt ark.",
		"Forkert brugernavn eller kode. Skriv koden, som den står på dit ark.",
		"Wrong username or code. Type the code as it stands on your sheet.",
	},
	"error.fallback_code_used": {
		"Denne koden er allerede brukt. Hver kode virker én gang: stryk den og bruk neste kode på arket.",
		"Den här koden är redan använd. Varje kod fungerar en gång: stryk den och använd nästa kod på arket.",
		"Denne kode er allerede brugt. Hver kode virker én gang: streg den ud, og brug den næste kode på arket.",
		"This code has been used. Each code works once: cross it out and use the next code on the sheet.",
	},
	"error.break_glass_wrong": {
		"Feil brukernavn, passord eller kode fra appen.",
		"Fel användarnamn, lösenord eller kod från appen.",
		"Forkert brugernavn, adgangskode eller kode fra appen.",
		"Wrong username, password or code from the app.",
	},
	"error.totp_reused": {
		"Denne koden fra appen er allerede brukt. Vent på neste kode (den kommer innen 30 sekunder).",
		"Den här koden från appen är redan använd. Vänta på nästa kod (den kommer inom 30 sekunder).",
		"Denne kode fra appen er allerede brugt. Vent på den næste kode (den kommer inden for 30 sekunder).",
		"This code from the app has been used. Wait for the next code (it comes within 30 seconds).",
	},

	// Field names the errors name.
	"field.code":  {"Engangskode", "Engångskod", "Engangskode", "One-time code"},
	"field.totp":  {"Kode fra appen", "Kod från appen", "Kode fra appen", "Code from the app"},
	"field.hours": {"Timer", "Timmar", "Timer", "Hours"},

	// Every login page and the desk: the declared outage.
	"provider_outage.banner": {
		"Innloggingstjenesten er nede: %s. Logg inn med passordet ditt eller en engangskode fra arket ditt fram til %s.",
		"Inloggningstjänsten ligger nere: %s. Logga in med ditt lösenord eller en engångskod från ditt ark fram till %s.",
		"Login-tjenesten er nede: %s. Log ind med din adgangskode eller en engangskode fra dit ark indtil %s.",
		"The login service is down: %s. Log in with your password or a one-time code from your sheet until %s.",
	},
	"login.with_fallback_code": {"Logg inn med engangskode", "Logga in med engångskod", "Log ind med engangskode", "Log in with a one-time code"},
	"login.fallback_code":      {"Engangskode fra arket", "Engångskod från arket", "Engangskode fra arket", "One-time code from the sheet"},
	"login.break_glass":        {"Nødinnlogging for administrator", "Nödinloggning för administratör", "Nødlogin for administrator", "Emergency login for admins"},
	"login.totp":               {"Kode fra autentiseringsappen", "Kod från autentiseringsappen", "Kode fra godkendelsesappen", "Code from the authenticator app"},

	// The admin's page: declaring, ending, sheets.
	"admin.provider_outage_title":   {"Innloggingstjenesten er nede", "Inloggningstjänsten ligger nere", "Login-tjenesten er nede", "Login service down"},
	"admin.provider_outage_declare": {"Meld at innloggingstjenesten er nede", "Meddela att inloggningstjänsten ligger nere", "Meld, at login-tjenesten er nede", "Declare the login service down"},
	"admin.provider_outage_end":     {"Meld at innloggingstjenesten virker igjen", "Meddela att inloggningstjänsten fungerar igen", "Meld, at login-tjenesten virker igen", "Declare the login service working again"},
	"admin.provider_outage_reason":  {"Hva har skjedd (vises på alle innloggingssider)", "Vad har hänt (visas på alla inloggningssidor)", "Hvad er der sket (vises på alle login-sider)", "What happened (shown on every login page)"},
	"admin.provider_outage_hours":   {"Gjelder i timer (høyst %s)", "Gäller i timmar (högst %s)", "Gælder i timer (højst %s)", "Lasts for hours (at most %s)"},
	"admin.provider_outage_until":   {"Passord og engangskoder virker fram til %s, eller til meldingen avsluttes.", "Lösenord och engångskoder fungerar fram till %s, eller tills meddelandet avslutas.", "Adgangskoder og engangskoder virker indtil %s, eller til meldingen afsluttes.", "Passwords and one-time codes work until %s, or until the declaration is ended."},
	"admin.fallback_issue":          {"Lag nytt ark med engangskoder", "Skapa nytt ark med engångskoder", "Lav nyt ark med engangskoder", "Issue a new sheet of one-time codes"},
	"admin.fallback_issue_confirm":  {"Et nytt ark gjør alle kodene på det gamle arket ugyldige. Fortsette?", "Ett nytt ark gör alla koder på det gamla arket ogiltiga. Fortsätta?", "Et nyt ark gør alle koder på det gamle ark ugyldige. Fortsæt?", "A new sheet makes every code of the old sheet invalid. Go on?"},
	"admin.fallback_sheet_hint":     {"Skriv ut arket nå og gi det til brukeren: kodene vises bare denne ene gangen. Hver kode virker én gang, og bare når innloggingstjenesten er meldt nede.", "Skriv ut arket nu och ge det till användaren: koderna visas bara denna enda gång. Varje kod fungerar en gång, och bara när inloggningstjänsten är anmäld som nere.", "Udskriv arket nu, og giv det til brugeren: koderne vises kun denne ene gang. Hver kode virker én gang, og kun når login-tjenesten er meldt nede.", "Print the sheet now and give it to the user: the codes are shown this once only. Each code works once, and only while the login service is declared down."},
	"admin.fallback_left":           {"%s av %s koder igjen, arket laget %s", "%s av %s koder kvar, arket skapat %s", "%s af %s koder tilbage, arket lavet %s", "%s of %s codes left, sheet issued %s"},
	"admin.fallback_none":           {"Ingen engangskoder er laget for denne brukeren.", "Inga engångskoder har skapats för den här användaren.", "Der er ikke lavet engangskoder til denne bruger.", "No one-time codes have been issued for this user."},

	// The desk: the break-glass logins.
	"desk.break_glass_title": {"Nødinnlogginger", "Nödinloggningar", "Nødlogins", "Emergency logins"},
	"desk.break_glass_none":  {"Ingen nødinnlogginger.", "Inga nödinloggningar.", "Ingen nødlogins.", "No emergency logins."},
	"desk.break_glass_row":   {"%s logget inn med nødinnlogging %s fra %s", "%s loggade in med nödinloggning %s från %s", "%s loggede ind med nødlogin %s fra %s", "%s used the emergency login at %s from %s"},

	// The audit log's names of the actions.
	"audit.action.provider_outage.declare": {"Innloggingstjenesten meldt nede", "Inloggningstjänsten anmäld som nere", "Login-tjenesten meldt nede", "Login service declared down"},
	"audit.action.provider_outage.end":     {"Innloggingstjenesten meldt i drift igjen", "Inloggningstjänsten anmäld i drift igen", "Login-tjenesten meldt i drift igen", "Login service declared working again"},
	"audit.action.fallback.issue":          {"Ark med engangskoder laget", "Ark med engångskoder skapat", "Ark med engangskoder lavet", "Sheet of one-time codes issued"},
	"audit.action.fallback.use":            {"Innlogging med engangskode", "Inloggning med engångskod", "Login med engangskode", "Login with a one-time code"},
	"audit.action.fallback.refused":        {"Engangskode avvist", "Engångskod avvisad", "Engangskode afvist", "One-time code refused"},
	"audit.action.breakglass.enrol":        {"Nødinnlogging satt opp", "Nödinloggning konfigurerad", "Nødlogin sat op", "Emergency login set up"},
	"audit.action.breakglass.use":          {"Nødinnlogging brukt", "Nödinloggning använd", "Nødlogin brugt", "Emergency login used"},
	"audit.action.breakglass.refused":      {"Nødinnlogging avvist", "Nödinloggning avvisad", "Nødlogin afvist", "Emergency login refused"},
	"audit.action.login.password_off":      {"Passordinnlogging avvist (innloggingstjenesten gjelder)", "Lösenordsinloggning avvisad (inloggningstjänsten gäller)", "Login med adgangskode afvist (login-tjenesten gælder)", "Password login refused (the login service applies)"},
}

func init() { extra = append(extra, fallbackTexts) }
