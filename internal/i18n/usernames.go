package i18n

// usernameTexts are the admin page's texts about usernames that became
// one name when usernames began to be compared after Unicode
// normalisation and case folding (issue 14, the auth helper's area), in
// the order of Languages: nb, sv, da, en.
var usernameTexts = map[string][4]string{
	"admin.collisions_title": {
		"Brukernavn som er blitt like",
		"Användarnamn som har blivit lika",
		"Brugernavne der er blevet ens",
		"Usernames that became the same",
	},
	"admin.collisions_hint": {
		"Disse kontoene har brukernavn som nå regnes som ett og samme navn (store og små bokstaver og breddeformer regnes som like). Bare én av dem kan logge inn med navnet. Gi de andre et nytt brukernavn og si fra til dem.",
		"Dessa konton har användarnamn som nu räknas som ett och samma namn (stora och små bokstäver och breddformer räknas som lika). Bara ett av dem kan logga in med namnet. Ge de andra ett nytt användarnamn och meddela dem.",
		"Disse konti har brugernavne, der nu regnes som ét og samme navn (store og små bogstaver og breddeformer regnes som ens). Kun én af dem kan logge ind med navnet. Giv de andre et nyt brugernavn, og sig det til dem.",
		"These accounts have usernames that now count as one and the same name (upper and lower case and width forms count as equal). Only one of them can log in with the name. Give the others a new username and tell them.",
	},
	"admin.collision_logs_in": {
		"logger inn med navnet",
		"loggar in med namnet",
		"logger ind med navnet",
		"logs in with the name",
	},
	"admin.new_username": {
		"Nytt brukernavn",
		"Nytt användarnamn",
		"Nyt brugernavn",
		"New username",
	},
	"admin.rename": {
		"Gi nytt navn",
		"Byt namn",
		"Omdøb",
		"Rename",
	},
	"admin.renamed_done": {
		"Brukernavnet er endret til %s.",
		"Användarnamnet är ändrat till %s.",
		"Brugernavnet er ændret til %s.",
		"The username is now %s.",
	},
	"admin.username_taken": {
		"En annen bruker har allerede dette brukernavnet. Store og små bokstaver og breddeformer regnes som like: velg et annet navn.",
		"En annan användare har redan detta användarnamn. Stora och små bokstäver och breddformer räknas som lika: välj ett annat namn.",
		"En anden bruger har allerede dette brugernavn. Store og små bogstaver og breddeformer regnes som ens: vælg et andet navn.",
		"Another user already has this username. Upper and lower case and width forms count as equal: choose another name.",
	},
	"audit.action.user.rename": {
		"Brukernavn endret",
		"Användarnamn ändrat",
		"Brugernavn ændret",
		"Username changed",
	},
}

func init() { extra = append(extra, usernameTexts) }
