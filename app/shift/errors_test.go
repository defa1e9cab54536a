package shift_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ui "beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// TestErrorTextTranslatesTheServersKey: what a user reads for an error
// body is the catalogue's message for its key and arguments, field names
// included, in their language; a key the app does not know (or whose
// arguments do not fit) gives the code's generic message; never the
// server's English.
func TestErrorTextTranslatesTheServersKey(t *testing.T) {
	const tooLong = `{"error":{"code":"invalid_input","message":"title: is longer than 200 bytes (the limit)","key":"error.field.too_long","args":["title","200"]}}`
	cases := []struct {
		name, lang, body, want string
	}{
		{"too long, nb", "nb", tooLong, "Tittel er for lang (høyst 200 byte; æ, ø og å teller som to)."},
		{"too long, sv", "sv", tooLong, "Rubrik är för lång (högst 200 byte; å, ä och ö räknas som två)."},
		{"too long, da", "da", tooLong, "Titel er for lang (højst 200 byte; æ, ø og å tæller som to)."},
		{"too long, en", "en", tooLong, "Title is too long (at most 200 bytes; letters such as æ, ø and å count as two)."},
		{"a contact's phone", "nb", `{"error":{"code":"invalid_input","message":"phone x","key":"error.field.phone_chars","args":["contacts[1].phone","ring meg"]}}`,
			"Kontakt 2, telefon: «ring meg» har tegn en telefon ikke kan ringe."},
		{"a field without a catalogue name", "nb", `{"error":{"code":"invalid_input","message":"x","key":"error.field.required","args":["shoe_size"]}}`,
			"shoe size må fylles ut."},
		{"not found", "nb", `{"error":{"code":"not_found","message":"routine 42: not found","key":"error.no_such"}}`,
			"Fant ikke det du ba om. Det kan være slettet, eller høre til en annen enhet."},
		{"unknown key", "nb", `{"error":{"code":"invalid_input","message":"something new","key":"error.from_the_future","args":["x"]}}`,
			"Serveren godtok ikke det som ble sendt. Sjekk feltene og prøv igjen."},
		{"arguments that do not fit", "nb", `{"error":{"code":"invalid_input","message":"x","key":"error.field.too_long","args":["title"]}}`,
			"Serveren godtok ikke det som ble sendt. Sjekk feltene og prøv igjen."},
		{"no key (an older server)", "nb", `{"error":{"code":"conflict","message":"already reconciled"}}`,
			"Dette er endret i mellomtiden eller finnes fra før. Ingenting ble endret."},
		{"unknown code", "nb", `{"error":{"code":"teapot","message":"short and stout"}}`, "Noe gikk galt. Prøv igjen."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(c.body))
			}))
			defer hs.Close()
			_, err := ui.NewAPI(hs.URL).SaveRoutine(context.Background(), "t", care.Routine{Title: "x"})
			if err == nil {
				t.Fatal("no error")
			}
			if got := ui.ErrorText(c.lang, err); got != c.want {
				t.Errorf("ErrorText(%s) = %q, want %q", c.lang, got, c.want)
			}
		})
	}
}

// TestOfficeRoutineErrorInNorwegian is the case of issue 15: a Norwegian
// coordinator who saves a routine without a title read «Ugyldig
// forespørsel: invalid_input: title is required»; through the real
// server they now read it in Norwegian, and no English.
func TestOfficeRoutineErrorInNorwegian(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	api := ui.NewAPI(be.url)
	ctx := context.Background()
	login, err := api.Login(ctx, "kari", "demo")
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.SaveRoutine(ctx, login.Token, care.Routine{Title: " ", Scenario: care.ScenarioOther, Steps: []string{"Ring basen"}})
	if got, want := ui.ErrorText("nb", err), "Tittel må fylles ut."; got != want {
		t.Fatalf("ErrorText = %q, want %q (error %v)", got, want, err)
	}
	_, err = api.SaveRoutine(ctx, login.Token, care.Routine{Title: "Strømbrudd", Scenario: care.ScenarioOther})
	if got, want := ui.ErrorText("nb", err), "Trinn: det må være fra 1 til 50."; got != want {
		t.Fatalf("ErrorText = %q, want %q (error %v)", got, want, err)
	}
	for _, english := range []string{"invalid_input", "required", "title", "steps"} {
		if strings.Contains(ui.ErrorText("nb", err), english) {
			t.Errorf("the Norwegian text holds %q", english)
		}
	}
}

// TestPlanProblemText: a refused plan's problems read in the user's
// language when they carry a key; a problem of the file's form, which has
// none, keeps the server's text that names what to fix.
func TestPlanProblemText(t *testing.T) {
	cases := []struct {
		pr   wire.PlanProblem
		want string
	}{
		{wire.PlanProblem{Column: "worker", Problem: `no user "anne"`, Key: "error.field.unknown", Args: []string{"worker", "anne"}},
			"Ansatt: «anne» finnes ikke."},
		{wire.PlanProblem{Column: "routines[0].steps", Problem: "a routine needs 1–50 steps", Key: "error.field.count", Args: []string{"steps", "1", "50"}},
			"Trinn: det må være fra 1 til 50."},
		{wire.PlanProblem{Column: "kind", Problem: "the header needs a kind column"}, "the header needs a kind column"},
	}
	for _, c := range cases {
		if got := ui.PlanProblemText("nb", c.pr); got != c.want {
			t.Errorf("PlanProblemText(%+v) = %q, want %q", c.pr, got, c.want)
		}
	}
}

// TestLocalValidationReadsAsTheServers: the routine editor checks the
// server's rules before sending; what it shows is what the server's
// answer would show.
func TestLocalValidationReadsAsTheServers(t *testing.T) {
	err := care.Routine{Title: "Strømbrudd", Scenario: care.ScenarioOther}.Validate()
	if got, want := ui.ErrorText("nb", err), "Trinn: det må være fra 1 til 50."; got != want {
		t.Fatalf("ErrorText = %q, want %q", got, want)
	}
}

// TestRejectionText: a record the server rejected says why in the user's
// language when the rejection names a key; an older server's rejection
// (no key) keeps its words.
func TestRejectionText(t *testing.T) {
	keyed := ui.LocalRecord{Message: "record: text: is required", Key: "error.field.required", Args: []string{"text"}}
	if got, want := ui.RejectionText("nb", keyed), "Tekst må fylles ut."; got != want {
		t.Errorf("RejectionText = %q, want %q", got, want)
	}
	if got, want := ui.RejectionText("sv", keyed), "Text måste fyllas i."; got != want {
		t.Errorf("RejectionText = %q, want %q", got, want)
	}
	old := ui.LocalRecord{Message: "the patient is not in any shift issued to the author"}
	if got := ui.RejectionText("nb", old); got != old.Message {
		t.Errorf("RejectionText = %q", got)
	}
}
