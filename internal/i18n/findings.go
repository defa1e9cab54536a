package i18n

import (
	"slices"
	"strconv"
	"strings"
)

// Findings (issue 16, the office's findings page): the message of each
// finding key the server sends (wire.Finding's Key and Args), and the
// page's own words, in the order of Languages: nb, sv, da, en.
//
// A finding's message names its values instead of numbering them, since
// the server sends them as a map: {name} is the value shown as the page
// shows it (a name for a user id, a local time for a time), and
// {name|one|other} picks a form by the integer value, one for 1 and
// other for the rest, as all four languages count; {name|zero|one|other}
// has a form of its own for 0. In a form, # stands for the value.
// findingTexts is apart from the other catalogues because its keys are
// the server's ("finding.late_sync"), some of which the page already uses
// for the kind's title.
var findingTexts = map[string][4]string{
	"finding.quarantined_device": {
		"En registrering ({type}) fra den sperrede telefonen {device} holdes tilbake til den er gjennomgått.",
		"En registrering ({type}) från den spärrade telefonen {device} hålls kvar tills den har granskats.",
		"En registrering ({type}) fra den spærrede telefon {device} holdes tilbage, til den er gennemgået.",
		"A record ({type}) from the revoked phone {device} is held until it has been reviewed.",
	},
	"finding.quarantined_author": {
		"En registrering ({type}) skrevet av {author}, som nå er deaktivert, holdes tilbake til den er gjennomgått.",
		"En registrering ({type}) skriven av {author}, som nu är inaktiverad, hålls kvar tills den har granskats.",
		"En registrering ({type}) skrevet af {author}, som nu er deaktiveret, holdes tilbage, til den er gennemgået.",
		"A record ({type}) written by {author}, who has since been disabled, is held until it has been reviewed.",
	},
	"finding.double_administration": {
		"{medication} er signert gitt {count|# gang|# ganger} mellom {first_at} og {last_at}.",
		"{medication} är signerad som given {count|# gång|# gånger} mellan {first_at} och {last_at}.",
		"{medication} er signeret givet {count|# gang|# gange} mellem {first_at} og {last_at}.",
		"{medication} was signed as given {count|once|# times} between {first_at} and {last_at}.",
	},
	"finding.missing_administration": {
		"{medication} {dose}, planlagt {due_at}, har ingen registrering: verken gitt, nektet eller holdt tilbake.",
		"{medication} {dose}, planerad {due_at}, saknar registrering: varken given, vägrad eller uppehåll.",
		"{medication} {dose}, planlagt {due_at}, har ingen registrering: hverken givet, afvist eller tilbageholdt.",
		"{medication} {dose}, due {due_at}, has no record: not given, refused or withheld.",
	},
	"finding.missing_cosignature": {
		"{medication} {dose} er signert gitt uten den andre signaturen som dobbeltkontrollen krever.",
		"{medication} {dose} är signerad som given utan den andra signaturen som dubbelkontrollen kräver.",
		"{medication} {dose} er signeret givet uden den anden underskrift, som dobbeltkontrollen kræver.",
		"{medication} {dose} was signed as given without the second signature its double check needs.",
	},
	"finding.undocumented_visit": {
		"Besøket {start_at} som {worker} skulle gå, har verken status eller notat.",
		"Besöket {start_at} som {worker} skulle göra saknar både status och anteckning.",
		"Besøget {start_at}, som {worker} skulle gå, har hverken status eller notat.",
		"The visit at {start_at} that {worker} was to make has no status or note.",
	},
	"finding.outside_window": {
		"Skrevet {made_at} etter telefonens klokke, utenfor vakten som gjaldt fra {issued_at} til {expires_at}.",
		"Skriven {made_at} enligt telefonens klocka, utanför passet som gällde från {issued_at} till {expires_at}.",
		"Skrevet {made_at} efter telefonens ur, uden for vagten, der gjaldt fra {issued_at} til {expires_at}.",
		"Written at {made_at} by the phone's clock, outside the shift that was valid from {issued_at} to {expires_at}.",
	},
	"finding.emergency_access": {
		"{author} åpnet en pasient utenfor egen liste med nødtilgang.",
		"{author} öppnade en patient utanför sin egen lista med nödåtkomst.",
		"{author} åbnede en borger uden for sin egen liste med nødadgang.",
		"{author} opened a patient outside their own list with emergency access.",
	},
	"finding.emergency_no_access": {
		"{author} skrev om en pasient utenfor egen liste med nødtilgang, men selve nødtilgangen er ikke registrert (ikke sendt, eller forkastet).",
		"{author} skrev om en patient utanför sin egen lista med nödåtkomst, men själva nödåtkomsten är inte registrerad (inte skickad, eller makulerad).",
		"{author} skrev om en borger uden for sin egen liste med nødadgang, men selve nødadgangen er ikke registreret (ikke sendt, eller kasseret).",
		"{author} wrote about a patient outside their own list under emergency access, but the access itself is not on record (never sent, or voided).",
	},
	"finding.late_sync": {
		"Skrevet {made_at} og mottatt {received_at}, {minutes} senere.",
		"Skriven {made_at} och mottagen {received_at}, {minutes} senare.",
		"Skrevet {made_at} og modtaget {received_at}, {minutes} senere.",
		"Written at {made_at} and received at {received_at}, {minutes} later.",
	},
	"finding.sequence_gap": {
		"Telefonen {device} til {author} sendte aldri registreringene med nummer {numbers}{more_gaps|| og # hull til| og # hull til}, {total|# nummer|# nummer} i alt.",
		"Telefonen {device} som tillhör {author} skickade aldrig registreringarna med nummer {numbers}{more_gaps|| och # lucka till| och # luckor till}, {total|# nummer|# nummer} totalt.",
		"Telefonen {device}, som tilhører {author}, sendte aldrig registreringerne med nummer {numbers}{more_gaps|| og # hul mere| og # huller mere}, {total|# nummer|# numre} i alt.",
		"Phone {device} of {author} never sent the records numbered {numbers}{more_gaps|| and # more gap| and # more gaps}, {total|# number|# numbers} in all.",
	},
	"finding.duplicate_seq": {
		"Telefonen {device} til {author} sendte {count|# registrering|# ulike registreringer} med nummer {seq}. Nøkkelen kan være i bruk på en annen telefon.",
		"Telefonen {device} som tillhör {author} skickade {count|# registrering|# olika registreringar} med nummer {seq}. Nyckeln kan vara i bruk på en annan telefon.",
		"Telefonen {device}, som tilhører {author}, sendte {count|# registrering|# forskellige registreringer} med nummer {seq}. Nøglen kan være i brug på en anden telefon.",
		"Phone {device} of {author} sent {count|# record|# different records} numbered {seq}. Its key may be in use on another phone.",
	},
}

// findingPageTexts are the findings page's own words.
var findingPageTexts = map[string][4]string{
	"findings.status":          {"Vis", "Visa", "Vis", "Show"},
	"findings.status.open":     {"Åpne", "Öppna", "Åbne", "Open"},
	"findings.status.resolved": {"Løste", "Lösta", "Løste", "Resolved"},
	"findings.status.all":      {"Åpne og løste", "Öppna och lösta", "Åbne og løste", "Open and resolved"},
	"findings.shown":           {"%s–%s av %s", "%s–%s av %s", "%s–%s af %s", "%s–%s of %s"},
	"findings.nobody":          {"(ingen)", "(ingen)", "(ingen)", "(nobody)"},
	"findings.about":           {"Hva betyr dette?", "Vad betyder detta?", "Hvad betyder det?", "What does this mean?"},
}

func init() { extra = append(extra, findingPageTexts) }

// HasFinding reports whether the catalogue has a message for a finding's
// key in lang.
func HasFinding(lang, key string) bool {
	i := langIndex(lang)
	t, ok := findingTexts[key]
	return ok && i >= 0 && t[i] != ""
}

// Finding is a finding's message in lang with its named values filled in:
// show gives the text a value is shown as (a name for an id, a local time
// for a time), while the choice of a plural form goes by the value as
// sent. ok is false when the catalogue lacks the key (a newer server) or
// the values do not fit it: a name the message uses is not among args, or
// a value that picks a form is not a whole number; the page then shows the
// server's own message.
func Finding(lang, key string, args map[string]string, show func(name, value string) string) (text string, ok bool) {
	if !HasFinding(lang, key) {
		return "", false
	}
	return format(findingTexts[key][langIndex(lang)], args, show)
}

// FindingKeys lists the keys of the findings catalogue.
func FindingKeys() []string {
	keys := make([]string, 0, len(findingTexts))
	for k := range findingTexts {
		keys = append(keys, k)
	}
	return keys
}

// langIndex is lang's place in Languages, or -1.
func langIndex(lang string) int { return slices.Index(Languages(), lang) }

// format fills msg's {name} and {name|…} placeholders (see findingTexts).
func format(msg string, args map[string]string, show func(name, value string) string) (string, bool) {
	if show == nil {
		show = func(_, v string) string { return v }
	}
	var b strings.Builder
	for {
		start := strings.IndexByte(msg, '{')
		if start < 0 {
			b.WriteString(msg)
			return b.String(), true
		}
		end := strings.IndexByte(msg[start:], '}')
		if end < 0 {
			return "", false
		}
		b.WriteString(msg[:start])
		parts := strings.Split(msg[start+1:start+end], "|")
		msg = msg[start+end+1:]
		name := parts[0]
		value, ok := args[name]
		if !ok {
			return "", false
		}
		shown := show(name, value)
		if len(parts) == 1 {
			b.WriteString(shown)
			continue
		}
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || len(parts) > 4 {
			return "", false
		}
		forms := parts[1:]
		var form string
		switch {
		case len(forms) == 3 && n == 0:
			form = forms[0]
		case n == 1:
			form = forms[len(forms)-2]
		default:
			form = forms[len(forms)-1]
		}
		b.WriteString(strings.ReplaceAll(form, "#", shown))
	}
}

// names lists the names a message of the findings catalogue uses, each
// once, in order of first use.
func names(msg string) []string {
	var list []string
	for {
		start := strings.IndexByte(msg, '{')
		if start < 0 {
			return list
		}
		end := strings.IndexByte(msg[start:], '}')
		if end < 0 {
			return list
		}
		name, _, _ := strings.Cut(msg[start+1:start+end], "|")
		if !slices.Contains(list, name) {
			list = append(list, name)
		}
		msg = msg[start+end+1:]
	}
}

// Number writes a whole number with the language's digit grouping:
// "1 234" in Norwegian and Swedish (a no-break space), "1.234" in Danish,
// "1,234" in English.
func Number(lang string, n int) string {
	sep := "\u00a0"
	switch lang {
	case "da":
		sep = "."
	case "en":
		sep = ","
	}
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteString("-")
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}
