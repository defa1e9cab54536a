package i18n

// loginUITexts are the app's texts of issue 18's logins (the UI helper's
// area): the login form's provider buttons and its modes, and the desk's
// provider outage, fallback sheets, identity links and break-glass list.
// The refusals themselves are the server's keys (oidc.go, fallback.go).
// In the order of Languages: nb, sv, da, en.
var loginUITexts = map[string][4]string{
	// The login form.
	"login.or":        {"eller", "eller", "eller", "or"},
	"login.providers": {"Logg inn via kommunen", "Logga in via kommunen", "Log ind via kommunen", "Log in through the municipality"},
	"login.passwords_off": {
		"Passord er slått av: logg inn med knappen over. Er innloggingstjenesten nede, kan en administrator melde det, og da virker passord og engangskoder igjen.",
		"Lösenord är avstängda: logga in med knappen ovan. Om inloggningstjänsten ligger nere kan en administratör meddela det, och då fungerar lösenord och engångskoder igen.",
		"Adgangskoder er slået fra: log ind med knappen ovenfor. Er login-tjenesten nede, kan en administrator melde det, og så virker adgangskoder og engangskoder igen.",
		"Passwords are off: log in with the button above. If the login service is down, an administrator can declare it, and passwords and one-time codes work again.",
	},
	"login.back": {"Logg inn med passord", "Logga in med lösenord", "Log ind med adgangskode", "Log in with a password"},
	"login.fallback_hint": {
		"Bruk en kode fra arket du fikk av administratoren. Hver kode virker én gang; stryk den ut når du har brukt den.",
		"Använd en kod från arket du fick av administratören. Varje kod fungerar en gång; stryk den när du har använt den.",
		"Brug en kode fra det ark, du fik af administratoren. Hver kode virker én gang; streg den ud, når du har brugt den.",
		"Use a code from the sheet your administrator gave you. Each code works once; cross it out once used.",
	},
	"login.break_glass_hint": {
		"Bare for administratorer når innloggingstjenesten svikter: passord og koden fra autentiseringsappen. Hver bruk logges og vises for koordinatorene.",
		"Endast för administratörer när inloggningstjänsten sviker: lösenord och koden från autentiseringsappen. Varje användning loggas och visas för samordnarna.",
		"Kun for administratorer, når login-tjenesten svigter: adgangskode og koden fra godkendelsesappen. Hver brug logges og vises for koordinatorerne.",
		"For administrators only, when the login service fails: password and the code from the authenticator app. Every use is logged and shown to the coordinators.",
	},
	"login.outage_title": {"Innloggingstjenesten er nede", "Inloggningstjänsten ligger nere", "Login-tjenesten er nede", "The login service is down"},

	// The desk: the provider outage.
	"admin.login_service": {"Innloggingstjenesten", "Inloggningstjänsten", "Login-tjenesten", "The login service"},
	"admin.login_service_ok": {
		"Innloggingstjenesten er ikke meldt nede. Passord er av for rollene den dekker.",
		"Inloggningstjänsten är inte anmäld som nere. Lösenord är avstängda för de roller den täcker.",
		"Login-tjenesten er ikke meldt nede. Adgangskoder er slået fra for de roller, den dækker.",
		"The login service is not declared down. Passwords are off for the roles it covers.",
	},
	"admin.provider_outage_declared": {"Innloggingstjenesten er meldt nede.", "Inloggningstjänsten är anmäld som nere.", "Login-tjenesten er meldt nede.", "The login service is declared down."},
	"admin.provider_outage_ended":    {"Innloggingstjenesten er meldt i drift igjen.", "Inloggningstjänsten är anmäld i drift igen.", "Login-tjenesten er meldt i drift igen.", "The login service is declared working again."},

	// The desk: one user's logins.
	"admin.logins":        {"Innlogging", "Inloggning", "Login", "Logins"},
	"admin.logins_of":     {"Innlogging for %s", "Inloggning för %s", "Login for %s", "Logins of %s"},
	"admin.close":         {"Lukk", "Stäng", "Luk", "Close"},
	"admin.identities":    {"Koblet til innloggingstjenesten", "Kopplad till inloggningstjänsten", "Koblet til login-tjenesten", "Linked to the login service"},
	"admin.identity_none": {"Ingen identitet er koblet til denne brukeren.", "Ingen identitet är kopplad till den här användaren.", "Ingen identitet er koblet til denne bruger.", "No identity is linked to this user."},
	"admin.identity_row":  {"%s: %s (koblet %s)", "%s: %s (kopplad %s)", "%s: %s (koblet %s)", "%s: %s (linked %s)"},
	"admin.identity_provider": {
		"Innloggingstjeneste", "Inloggningstjänst", "Login-tjeneste", "Login service",
	},
	"admin.identity_subject": {
		"Identitet hos tjenesten (for eksempel HPR-nummer eller e-post)",
		"Identitet hos tjänsten (till exempel HSA-id eller e-post)",
		"Identitet hos tjenesten (for eksempel autorisations-id eller e-mail)",
		"Identity at the service (for example an HPR number or an email address)",
	},
	"admin.link":           {"Koble til", "Koppla", "Tilknyt", "Link"},
	"admin.unlink":         {"Fjern koblingen", "Ta bort kopplingen", "Fjern tilknytningen", "Unlink"},
	"admin.unlink_confirm": {"Fjerne koblingen? Brukeren kan ikke lenger logge inn med denne identiteten.", "Ta bort kopplingen? Användaren kan inte längre logga in med den här identiteten.", "Fjerne tilknytningen? Brugeren kan ikke længere logge ind med denne identitet.", "Unlink? The user can no longer log in with this identity."},
	"admin.linked_done":    {"Identiteten er koblet til.", "Identiteten är kopplad.", "Identiteten er tilknyttet.", "The identity is linked."},
	"admin.unlinked_done":  {"Koblingen er fjernet.", "Kopplingen är borttagen.", "Tilknytningen er fjernet.", "The link is removed."},

	// The desk: the printed sheet.
	"admin.fallback_title":  {"Engangskoder", "Engångskoder", "Engangskoder", "One-time codes"},
	"admin.fallback_sheet":  {"Engangskoder for %s (%s)", "Engångskoder för %s (%s)", "Engangskoder for %s (%s)", "One-time codes for %s (%s)"},
	"admin.fallback_issued": {"Laget %s", "Skapat %s", "Lavet %s", "Issued %s"},
	"admin.fallback_use": {
		"Brukes bare når innloggingstjenesten er meldt nede: logg inn med brukernavnet ditt og én av kodene. Hver kode virker én gang. Oppbevar arket som et passord.",
		"Används bara när inloggningstjänsten är anmäld som nere: logga in med ditt användarnamn och en av koderna. Varje kod fungerar en gång. Förvara arket som ett lösenord.",
		"Bruges kun, når login-tjenesten er meldt nede: log ind med dit brugernavn og én af koderne. Hver kode virker én gang. Opbevar arket som en adgangskode.",
		"For use only while the login service is declared down: log in with your username and one of the codes. Each code works once. Keep the sheet as you would a password.",
	},
	"admin.fallback_print": {"Skriv ut", "Skriv ut", "Udskriv", "Print"},
	"admin.fallback_done":  {"Ferdig (kodene vises ikke igjen)", "Klar (koderna visas inte igen)", "Færdig (koderne vises ikke igen)", "Done (the codes are not shown again)"},

	// The desk: break-glass uses.
	"desk.break_glass_hint": {
		"Hver nødinnlogging skal kunne forklares. Vet du ikke hvorfor, spør den som brukte den, og meld fra til IT.",
		"Varje nödinloggning ska kunna förklaras. Vet du inte varför, fråga den som använde den och meddela IT.",
		"Hvert nødlogin skal kunne forklares. Ved du ikke hvorfor, så spørg den, der brugte det, og giv IT besked.",
		"Every emergency login must have a reason. If you do not know it, ask who used it and tell IT.",
	},
}

func init() { extra = append(extra, loginUITexts) }
