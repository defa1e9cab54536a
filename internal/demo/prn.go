package demo

import "beredskap/internal/care"

// prnFor returns a patient's as-needed medications: paracetamol for pain
// or fever, which most home-care patients have, and what the patient's
// main need calls for. Ids are made as a plan import makes them.
func prnFor(n need, patientSource string) []care.PRNMedication {
	mk := func(source, medication, dose, route string, interval, max, effect int, indications ...string) care.PRNMedication {
		return care.PRNMedication{ID: care.IDFor("prn", patientSource+"/"+source), SourceID: source, Medication: medication,
			Dose: dose, Route: route, Indications: indications, MinIntervalMinutes: interval, MaxPer24h: max, EffectAfterMinutes: effect}
	}
	// Opioids and benzodiazepines are controlled drugs: every dose needs a
	// second signature.
	controlled := func(m care.PRNMedication) care.PRNMedication { m.Controlled = true; return m }
	out := []care.PRNMedication{mk("PRN-PARA", "Paracetamol", "1 g", "oral", 6*60, 4, 60, "Smerter", "Feber")}
	switch n {
	case needPalliative:
		out = append(out, controlled(mk("PRN-MORF", "Morfin", "5 mg", "s.c.", 60, 6, 30, "Smerter", "Tungpust")),
			controlled(mk("PRN-MIDA", "Midazolam", "2,5 mg", "s.c.", 60, 4, 30, "Uro", "Angst")))
	case needDementia:
		out = append(out, controlled(mk("PRN-OXA", "Oxazepam", "10 mg", "oral", 4*60, 2, 60, "Uro", "Angst")))
	case needHeart:
		out = append(out, mk("PRN-NITRO", "Nitroglyserin", "0,5 mg", "sublingual", 5, 3, 15, "Brystsmerter"))
	case needOpioid:
		out = append(out, controlled(mk("PRN-OXY", "Oxynorm", "5 mg", "oral", 4*60, 4, 45, "Gjennombruddssmerter")))
	}
	return out
}
