package app

import (
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Oslo on a machine without a zone database

	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// TestFindingText: every finding the server sends reads in the
// coordinator's language, with names for the people and the patient it
// names and times in the desk's time zone (issue 16: before, a Norwegian
// desk read «visit at 2026-12-01T06:30:00Z by 5ce174a2-… has no status or
// note»). Every key of the catalogue has a case in nb and en.
func TestFindingText(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	inOslo := func(t time.Time) time.Time { return t.In(oslo) }
	const (
		nils   = "5ce174a2-7d1e-4f0b-9a61-2b8c3d4e5f60"
		kari   = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
		gone   = "9f8e7d6c-5b4a-4938-8271-605f4e3d2c1b" // not in the directory
		phone  = "d7f3c2a1-9b8e-4c6d-a5f4-3e2d1c0b9a87"
		anna   = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e"
		winter = "2026-12-01T06:30:00Z"
		summer = "2026-07-01T06:30:00Z"
	)
	names := namesOf(&wire.Directory{
		Users:    []wire.Person{{ID: nils, Name: "Nils Hansen"}, {ID: kari, Name: "Kari Berg"}},
		Patients: []wire.Person{{ID: anna, Name: "Anna Olsen"}},
	})
	type args = map[string]string
	cases := []struct {
		key      string
		args     args
		nb, en   string
		needsKey bool
	}{
		{"finding.quarantined_device", args{"type": "medication", "device": phone},
			"En registrering (Legemiddel) fra den sperrede telefonen d7f3c2a1… holdes tilbake til den er gjennomgått.",
			"A record (Medication) from the revoked phone d7f3c2a1… is held until it has been reviewed.", true},
		{"finding.quarantined_author", args{"type": "note", "author": kari},
			"En registrering (Notat) skrevet av Kari Berg, som nå er deaktivert, holdes tilbake til den er gjennomgått.",
			"A record (Note) written by Kari Berg, who has since been disabled, is held until it has been reviewed.", true},
		{"finding.double_administration", args{"medication": "Paracetamol", "count": "2", "first_at": winter, "last_at": "2026-12-01T06:45:00Z"},
			"Paracetamol er signert gitt 2 ganger mellom 01.12.2026 07:30 og 01.12.2026 07:45.",
			"Paracetamol was signed as given 2 times between 1 Dec 2026 07:30 and 1 Dec 2026 07:45.", true},
		{"finding.missing_administration", args{"medication": "Metformin", "dose": "500 mg", "due_at": summer},
			"Metformin 500 mg, planlagt 01.07.2026 08:30, har ingen registrering: verken gitt, nektet eller holdt tilbake.",
			"Metformin 500 mg, due 1 Jul 2026 08:30, has no record: not given, refused or withheld.", true},
		{"finding.missing_cosignature", args{"medication": "OxyNorm", "dose": "5 mg"},
			"OxyNorm 5 mg er signert gitt uten den andre signaturen som dobbeltkontrollen krever.",
			"OxyNorm 5 mg was signed as given without the second signature its double check needs.", true},
		{"finding.undocumented_visit", args{"start_at": winter, "worker": nils},
			"Besøket 01.12.2026 07:30 som Nils Hansen skulle gå, har verken status eller notat.",
			"The visit at 1 Dec 2026 07:30 that Nils Hansen was to make has no status or note.", true},
		{"finding.outside_window", args{"made_at": "2026-11-30T22:10:00Z", "issued_at": "2026-12-01T05:00:00Z", "expires_at": "2026-12-01T17:00:00Z"},
			"Skrevet 30.11.2026 23:10 etter telefonens klokke, utenfor vakten som gjaldt fra 01.12.2026 06:00 til 01.12.2026 18:00.",
			"Written at 30 Nov 2026 23:10 by the phone's clock, outside the shift that was valid from 1 Dec 2026 06:00 to 1 Dec 2026 18:00.", true},
		{"finding.emergency_access", args{"author": gone},
			"9f8e7d6c… åpnet en pasient utenfor egen liste med nødtilgang.",
			"9f8e7d6c… opened a patient outside their own list with emergency access.", true},
		{"finding.emergency_no_access", args{"author": nils},
			"Nils Hansen skrev om en pasient utenfor egen liste med nødtilgang, men selve nødtilgangen er ikke registrert (ikke sendt, eller forkastet).",
			"Nils Hansen wrote about a patient outside their own list under emergency access, but the access itself is not on record (never sent, or voided).", true},
		{"finding.late_sync", args{"minutes": "1565", "made_at": winter, "received_at": "2026-12-02T08:35:00Z"},
			"Skrevet 01.12.2026 07:30 og mottatt 02.12.2026 09:35, 26 t 5 min senere.",
			"Written at 1 Dec 2026 07:30 and received at 2 Dec 2026 09:35, 26 h 5 min later.", true},
		{"finding.sequence_gap", args{"device": phone, "author": nils, "numbers": "4", "more_gaps": "0", "total": "1"},
			"Telefonen d7f3c2a1… til Nils Hansen sendte aldri registreringene med nummer 4, 1 nummer i alt.",
			"Phone d7f3c2a1… of Nils Hansen never sent the records numbered 4, 1 number in all.", true},
		{"finding.sequence_gap", args{"device": phone, "author": nils, "numbers": "3–5, 9, 12–1400", "more_gaps": "1", "total": "1402"},
			"Telefonen d7f3c2a1… til Nils Hansen sendte aldri registreringene med nummer 3–5, 9, 12–1400 og 1 hull til, 1\u00a0402 nummer i alt.",
			"Phone d7f3c2a1… of Nils Hansen never sent the records numbered 3–5, 9, 12–1400 and 1 more gap, 1,402 numbers in all.", true},
		{"finding.sequence_gap", args{"device": phone, "author": nils, "numbers": "3–5", "more_gaps": "12", "total": "3000"},
			"Telefonen d7f3c2a1… til Nils Hansen sendte aldri registreringene med nummer 3–5 og 12 hull til, 3\u00a0000 nummer i alt.",
			"Phone d7f3c2a1… of Nils Hansen never sent the records numbered 3–5 and 12 more gaps, 3,000 numbers in all.", true},
		{"finding.duplicate_seq", args{"device": phone, "author": kari, "count": "2", "seq": "17"},
			"Telefonen d7f3c2a1… til Kari Berg sendte 2 ulike registreringer med nummer 17. Nøkkelen kan være i bruk på en annen telefon.",
			"Phone d7f3c2a1… of Kari Berg sent 2 different records numbered 17. Its key may be in use on another phone.", true},
		{"finding.prn_interval", args{"medication": "Oxazepam", "first_at": winter, "second_at": "2026-12-01T07:30:00Z", "minutes": "240"},
			"Oxazepam ble gitt ved behov 01.12.2026 07:30 og igjen 01.12.2026 08:30, tettere enn de 4 t planen krever mellom doser.",
			"Oxazepam was given as needed at 1 Dec 2026 07:30 and again at 1 Dec 2026 08:30, closer than the 4 h the plan requires between doses.", true},
		{"finding.prn_max_exceeded", args{"medication": "Morfin", "count": "7", "max": "6", "first_at": winter, "last_at": "2026-12-01T20:30:00Z"},
			"Morfin ble gitt ved behov 7 ganger på 24 timer (01.12.2026 07:30–01.12.2026 21:30); planen tillater høyst 6.",
			"Morfin was given as needed 7 times in 24 hours (1 Dec 2026 07:30–1 Dec 2026 21:30); the plan allows at most 6.", true},
		{"finding.prn_effect_missing", args{"medication": "Paracetamol", "given_at": winter, "due_at": "2026-12-01T08:00:00Z"},
			"Paracetamol ble gitt ved behov 01.12.2026 07:30, men ingen har registrert effekten (skulle vært vurdert innen 01.12.2026 09:00).",
			"Paracetamol was given as needed at 1 Dec 2026 07:30, but nobody recorded its effect (due by 1 Dec 2026 09:00).", true},
		{"finding.cosigner_unverified", args{"medication": "Morfin", "dose": "5 mg"},
			"Morfin 5 mg er medsignert med navn og signatur på den samme telefonen som ga dosen, ikke på medsignerens egen.",
			"Morfin 5 mg was co-signed with a name and drawing on the phone that gave it, not on the co-signer's own.", true},
		{"finding.cosigner_unverified_self", args{"medication": "Morfin", "dose": "5 mg", "author": kari},
			"Morfin 5 mg er medsignert av Kari Berg, som selv ga dosen.", "Morfin 5 mg was co-signed by Kari Berg, who gave it herself.", true},
		{"finding.cosigner_unverified_role", args{"medication": "Morfin", "dose": "5 mg", "author": kari},
			"Morfin 5 mg er medsignert av Kari Berg, som ikke er sykepleier.", "Morfin 5 mg was co-signed by Kari Berg, who is not a nurse.", true},
		{"finding.cosigner_unverified_unit", args{"medication": "Morfin", "dose": "5 mg", "author": kari},
			"Morfin 5 mg er medsignert av Kari Berg, som ikke hadde pasienten i sin vakt (en annen enhet).",
			"Morfin 5 mg was co-signed by Kari Berg, whose shift did not hold the patient (another unit).", true},
		{"finding.cosigner_unverified_shift", args{"medication": "Morfin", "dose": "5 mg", "author": kari},
			"Morfin 5 mg er medsignert av Kari Berg, men ingen vakt hun hadde, gjaldt da dosen ble gitt.",
			"Morfin 5 mg was co-signed by Kari Berg, but no shift of hers was valid when the dose was given.", true},
		// A server of another version: a key the catalogue lacks, or values
		// that do not fit, show the server's own words.
		{"finding.from_the_future", args{"author": nils}, "english", "english", false},
		{"finding.undocumented_visit", args{"start_at": winter}, "english", "english", false},
		{"", nil, "english", "english", false},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		f := wire.Finding{Key: c.key, Args: c.args, Message: "english"}
		for _, lc := range []struct{ lang, want string }{{"nb", c.nb}, {"en", c.en}} {
			got, keyed := findingText(lc.lang, f, names, inOslo)
			if got != lc.want || keyed != c.needsKey {
				t.Errorf("%s %s %v:\n got %q (keyed %v)\nwant %q (keyed %v)", lc.lang, c.key, c.args, got, keyed, lc.want, c.needsKey)
			}
		}
		if c.needsKey {
			covered[c.key] = true
		}
	}
	for _, k := range i18n.FindingKeys() {
		if !covered[k] {
			t.Errorf("no case for %q", k)
		}
	}
}

// TestFindingTextOtherLanguages: Swedish and Danish read their own words
// and clocks (a Danish desk writes 07.30).
func TestFindingTextOtherLanguages(t *testing.T) {
	utc := func(t time.Time) time.Time { return t.UTC() }
	f := wire.Finding{Key: "finding.undocumented_visit", Args: map[string]string{"start_at": "2026-12-01T06:30:00Z", "worker": "x"}, Message: "english"}
	want := map[string]string{
		"sv": "Besöket 2026-12-01 06:30 som x skulle göra saknar både status och anteckning.",
		"da": "Besøget 01.12.2026 06.30, som x skulle gå, har hverken status eller notat.",
	}
	for lang, w := range want {
		if got, _ := findingText(lang, f, namesOf(nil), utc); got != w {
			t.Errorf("%s: %q, want %q", lang, got, w)
		}
	}
}

// TestAppendFindings: a following page adds what the filters keep, each
// finding once, after what is shown.
func TestAppendFindings(t *testing.T) {
	open := func(id string) wire.Finding { return wire.Finding{ID: id} }
	done := wire.Finding{ID: "d", Resolved: &wire.Resolution{By: "kari"}}
	p := &findingsPage{}
	got := appendFindings([]wire.Finding{open("a"), open("b")}, []wire.Finding{open("b"), done, open("c")}, p.matches)
	var ids []string
	for _, f := range got {
		ids = append(ids, f.ID)
	}
	if want := []string{"a", "b", "c"}; !slices.Equal(ids, want) {
		t.Fatalf("shown %v, want %v (the resolved one left out of the open findings)", ids, want)
	}
}

// TestFindingsMatchFilters: what an older server sends unfiltered is
// filtered on the page as the newer server filters it.
func TestFindingsMatchFilters(t *testing.T) {
	f := wire.Finding{ID: "a", Kind: wire.FindingLateSync, UnitID: "sor", PatientID: "anna"}
	resolved := f
	resolved.Resolved = &wire.Resolution{By: "kari"}
	cases := []struct {
		query string
		f     wire.Finding
		want  bool
	}{
		{"", f, true},
		{"", resolved, false},
		{"status=resolved", f, false},
		{"status=resolved", resolved, true},
		{"status=all", resolved, true},
		{"status=all", f, true},
		{"kind=late_sync", f, true},
		{"kind=sequence_gap", f, false},
		{"unit=sor", f, true},
		{"unit=nord", f, false},
		{"patient=anna", f, true},
		{"patient=bo", f, false},
		{"unit=sor&patient=anna&kind=late_sync&status=all", resolved, true},
	}
	for _, c := range cases {
		q, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		p := &findingsPage{filter: q}
		if got := p.matches(c.f); got != c.want {
			t.Errorf("%q, resolved %v: matches = %v, want %v", c.query, c.f.Resolved != nil, got, c.want)
		}
	}
}

// TestFindingsPages: the pages of a server that pages add up to its total
// and end where Next is empty; a server that answers everything in one
// page, without a total or the status filter, shows its open findings and
// counts them.
func TestFindingsPages(t *testing.T) {
	page := func(from, n int) []wire.Finding {
		var out []wire.Finding
		for i := from; i < from+n; i++ {
			out = append(out, wire.Finding{ID: strconv.Itoa(i)})
		}
		return out
	}
	p := &findingsPage{}
	steps := []struct {
		fr           wire.FindingsResponse
		first        bool
		shown, total int
		next, line   string
	}{
		{wire.FindingsResponse{Findings: page(0, 200), Total: 1234, Next: "c1"}, true, 200, 1234, "c1", "1–200 av 1\u00a0234"},
		{wire.FindingsResponse{Findings: page(200, 200), Total: 1234, Next: "c2"}, false, 400, 1234, "c2", "1–400 av 1\u00a0234"},
		{wire.FindingsResponse{Findings: page(400, 834), Total: 1234}, false, 1234, 1234, "", "1–1\u00a0234 av 1\u00a0234"},
		// The first page again (a filter changed): it replaces.
		{wire.FindingsResponse{Findings: page(0, 3), Total: 3}, true, 3, 3, "", "1–3 av 3"},
		// An older server: everything, resolved ones too, no total.
		{wire.FindingsResponse{Findings: append(page(0, 5), wire.Finding{ID: "done", Resolved: &wire.Resolution{}})}, true, 5, 5, "", "1–5 av 5"},
	}
	for i, s := range steps {
		p.take(s.fr, s.first)
		if len(p.findings) != s.shown || p.total != s.total || p.next != s.next {
			t.Errorf("step %d: %d shown of %d, next %q; want %d of %d, next %q", i, len(p.findings), p.total, p.next, s.shown, s.total, s.next)
		}
		if got := shownLine("nb", len(p.findings), p.total); got != s.line {
			t.Errorf("step %d: %q, want %q", i, got, s.line)
		}
	}
	if got, want := shownLine("en", 200, 31417), "1–200 of 31,417"; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	if got, want := shownLine("da", 200, 31417), "1–200 af 31.417"; got != want {
		t.Errorf("da: %q, want %q", got, want)
	}
}
