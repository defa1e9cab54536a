package i18n

// en is English.
var en = map[string]string{
	"app.name":    "Beredskap",
	"app.loading": "Loading …",

	"status.online":  "Online",
	"status.offline": "Offline",

	"update.ready":  "A new version of the app is ready.",
	"update.reload": "Reload",

	"nav.label":          "Main menu",
	"nav.visits":         "Visits",
	"nav.routines":       "Routines",
	"nav.back_to_visits": "Back to visits",

	"login.title":         "Log in",
	"login.hint":          "Log in at the start of your shift while you have a network. Then the phone holds your shift even if the network or the record system goes down.",
	"login.username":      "Username",
	"login.password":      "Password",
	"login.submit":        "Log in",
	"login.busy":          "Logging in …",
	"login.wrong":         "Wrong username or password.",
	"login.offline":       "Cannot reach the server. Logging in needs a network; the emergency routines can be read without.",
	"login.rate_limited":  "Too many failed attempts. Wait a little and try again.",
	"login.forbidden":     "This account cannot log in. Contact your coordinator.",
	"login.bad_signature": "The shift data was not signed by the server and was refused.",

	"visits.title":         "Today's visits",
	"visits.summary":       "%s %s · %d visits",
	"visits.none":          "You have no visits today.",
	"visits.no_shift_role": "Your role has no shift on the phone. Use the coordinator pages.",
	"visits.routines_link": "Read the emergency routines",
	"visit.title":          "Visit",
	"visit.heading":        "Visit %s–%s",
	"announcements.title":  "Messages",

	"card.warnings":      "Warnings",
	"card.allergies":     "Allergies",
	"card.address":       "Address",
	"card.access":        "Access",
	"card.equipment":     "Equipment",
	"card.life_critical": "life-critical",
	"card.power":         "needs power",
	"card.nurse":         "Responsible nurse",
	"card.gp":            "GP",
	"card.relatives":     "Relatives",

	"priority.1": "Life-critical",
	"priority.2": "High priority",
	"priority.3": "Normal priority",

	"routines.title":    "Emergency routines",
	"routines.none":     "No emergency routines are stored on this phone yet. They arrive with the first login.",
	"routines.all":      "All emergency routines",
	"routines.contacts": "Contacts",
	"routines.revised":  "Revised %s",

	"scenario.ehr_down":       "Record system down",
	"scenario.planner_down":   "Route planner down",
	"scenario.alarm_down":     "Alarm platform down",
	"scenario.power_loss":     "Power loss",
	"scenario.telecom_loss":   "Telecom and network loss",
	"scenario.cyber_incident": "Cyber incident",
	"scenario.other":          "Other",

	"weekday.monday":    "Monday",
	"weekday.tuesday":   "Tuesday",
	"weekday.wednesday": "Wednesday",
	"weekday.thursday":  "Thursday",
	"weekday.friday":    "Friday",
	"weekday.saturday":  "Saturday",
	"weekday.sunday":    "Sunday",

	"duration.minutes":       "%d min",
	"duration.hours_minutes": "%d h %d min",

	"error.generic":   "Something went wrong. Try again.",
	"error.not_found": "This is not on the phone.",
	"status.checking": "Checking network …",
}
