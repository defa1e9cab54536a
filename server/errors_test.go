package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/plan"
	"beredskap/internal/store"
	"beredskap/internal/users"
	"beredskap/internal/wire"
)

// TestCodeOf: the one mapping from errors to protocol codes, for store,
// validation and domain errors, bare and wrapped; an error it does not
// know is internal.
func TestCodeOf(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("routine 1234: %w", err) }
	cases := []struct {
		name string
		err  error
		want wire.Code
	}{
		{"protocol error", wire.Errorf(wire.CodeRateLimited, "slow down"), wire.CodeRateLimited},
		{"validation", care.Invalid("title", "is required", care.KeyRequired), wire.CodeInvalidInput},
		{"length limit", care.CheckLength("title", strings.Repeat("x", 300), care.MaxNameBytes), wire.CodeInvalidInput},
		{"bad cursor", store.ErrBadCursor, wire.CodeInvalidInput},
		{"not found", store.ErrNotFound, wire.CodeNotFound},
		{"record exists", store.ErrRecordExists, wire.CodeConflict},
		{"username taken in the store", store.ErrUsernameTaken, wire.CodeConflict},
		{"username taken", fmt.Errorf("%w: kari", users.ErrUsernameTaken), wire.CodeConflict},
		{"already reconciled", store.ErrAlreadyReconciled, wire.CodeConflict},
		{"outage state", store.ErrOutageState, wire.CodeConflict},
		{"out of scope", store.ErrOutOfScope, wire.CodeConflict},
		{"plan too large", &plan.SizeError{What: "patients", Count: 10_001, Limit: plan.MaxPatients}, wire.CodeTooLarge},
		{"disk full", store.ErrInsufficientStorage, wire.CodeInsufficientStorage},
		{"no database primary", store.ErrUnavailable, wire.CodeUnavailable},
		{"anything else", errors.New("disk on fire"), wire.CodeInternal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := codeOf(c.err); got != c.want {
				t.Errorf("codeOf(%v) = %s, want %s", c.err, got, c.want)
			}
			if got := codeOf(wrap(c.err)); got != c.want {
				t.Errorf("codeOf(wrapped %v) = %s, want %s", c.err, got, c.want)
			}
		})
	}
}

// TestWriteErrorKeys: writeError sends the code's status, the English
// message and a catalogue key with its arguments; an internal error says
// nothing of its cause.
func TestWriteErrorKeys(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name    string
		err     error
		status  int
		code    wire.Code
		key     string
		args    []string
		message string
	}{
		{"validation", care.Invalid("title", "is required", care.KeyRequired), 400, wire.CodeInvalidInput, care.KeyRequired, []string{"title"}, "title: is required"},
		{"not found", fmt.Errorf("routine 42: %w", store.ErrNotFound), 404, wire.CodeNotFound, keyNotFound, nil, "routine 42: not found"},
		{"already reconciled", store.ErrAlreadyReconciled, 409, wire.CodeConflict, keyAlreadyReconciled, nil, "already reconciled"},
		{"plan too large", &plan.SizeError{What: "visits", Count: 60_000, Limit: plan.MaxVisits}, 413, wire.CodeTooLarge, keyPlanTooLarge,
			[]string{"visits", strconv.Itoa(plan.MaxVisits)}, "60000 visits"},
		{"internal", errors.New("badger: value log corrupt at /data/000001.vlog"), 500, wire.CodeInternal, keyInternal, nil, "something went wrong"},
		{"unavailable", fmt.Errorf("put records: %w: failed to connect", store.ErrUnavailable), 503, wire.CodeUnavailable, keyUnavailable, nil, "unavailable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			e.srv.writeError(w, httptest.NewRequest("GET", "/api/v1/x", nil), c.err)
			var eb wire.ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil {
				t.Fatal(err)
			}
			if w.Code != c.status || eb.Error.Code != c.code || eb.Error.Key != c.key || !slices.Equal(eb.Error.Args, c.args) ||
				!strings.Contains(eb.Error.Message, c.message) || strings.Contains(eb.Error.Message, "vlog") {
				t.Errorf("%d %s", w.Code, w.Body)
			}
			if retry := w.Header().Get("Retry-After"); (w.Code == 503) != (retry != "") {
				t.Errorf("%d with Retry-After %q", w.Code, retry)
			}
		})
	}
}

// TestRoutineTitleTooLongHasKey: an over-long routine title answers
// invalid_input with the key and arguments the app translates, beside
// the English message.
func TestRoutineTitleTooLongHasKey(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari").Token
	rt := care.Routine{Title: strings.Repeat("x", care.MaxNameBytes+1), Scenario: care.ScenarioOther, Steps: []string{"Ring basen"}}
	var eb wire.ErrorBody
	code, raw := e.call("POST", "/api/v1/routines", kari, rt, nil)
	if json.Unmarshal(raw, &eb) != nil || code != 400 || eb.Error.Code != wire.CodeInvalidInput || eb.Error.Key != "error.field.too_long" ||
		!slices.Equal(eb.Error.Args, []string{"title", strconv.Itoa(care.MaxNameBytes)}) || !strings.Contains(eb.Error.Message, "title") {
		t.Fatalf("%d %s", code, raw)
	}
}

// TestImportRefusesWhatTheEditorRefuses: the plan import checks a routine
// by the office editor's rules; a routine with no steps (or only blank
// ones), no title or a contact without a name is refused by both, with
// the same problem. (Before, the import stored a routine with no steps.)
func TestImportRefusesWhatTheEditorRefuses(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari").Token
	cases := []struct {
		name  string
		rt    care.Routine
		field string
	}{
		{"no steps", care.Routine{Title: "Strømbrudd", Scenario: care.ScenarioPowerLoss}, "steps"},
		{"blank steps", care.Routine{Title: "Strømbrudd", Scenario: care.ScenarioPowerLoss, Steps: []string{" ", ""}}, "steps"},
		{"51 steps", care.Routine{Title: "Strømbrudd", Scenario: care.ScenarioPowerLoss, Steps: slices.Repeat([]string{"Sjekk"}, 51)}, "steps"},
		{"no title", care.Routine{Title: "  ", Scenario: care.ScenarioPowerLoss, Steps: []string{"Sjekk"}}, "title"},
		{"nameless contact", care.Routine{Title: "Strømbrudd", Scenario: care.ScenarioPowerLoss, Steps: []string{"Sjekk"},
			Contacts: []care.Contact{{Phone: "+47 22 00 00 00"}}}, "contacts[0].name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var edited wire.ErrorBody
			code, raw := e.call("POST", "/api/v1/routines", kari, c.rt, nil)
			if json.Unmarshal(raw, &edited) != nil || code != 400 || edited.Error.Code != wire.CodeInvalidInput || len(edited.Error.Args) == 0 || edited.Error.Args[0] != c.field {
				t.Fatalf("editor: %d %s", code, raw)
			}
			imp := c.rt
			imp.ID = "R-" + c.name
			body, _ := json.Marshal(plan.Plan{Routines: []care.Routine{imp}})
			code, raw = e.raw("POST", "/api/v1/plan", kari, "application/json", body)
			var eb wire.PlanErrorBody
			if code != 400 || json.Unmarshal(raw, &eb) != nil || eb.Error.Code != wire.CodeInvalidInput || len(eb.Problems) != 1 ||
				eb.Problems[0].Column != "routines[0]."+c.field || edited.Error.Message != c.field+": "+eb.Problems[0].Problem {
				t.Fatalf("import: %d %s (editor said %q)", code, raw, edited.Error.Message)
			}
			if _, err := e.db.Routine(t.Context(), plan.IDFor("routine", imp.ID)); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("the refused routine was stored: %v", err)
			}
		})
	}
}

// TestEveryErrorKeyIsInTheCatalogue: every catalogue key the server, the
// care rules and the plan import put on an error ("error.…" in their
// source) has its message in every language, so that the app never has to
// fall back for a key this server sends.
func TestEveryErrorKeyIsInTheCatalogue(t *testing.T) {
	key := regexp.MustCompile(`"(error\.[a-z_.]+[a-z_])"`)
	var files []string
	for _, dir := range []string{".", "../internal/care", "../internal/plan"} {
		fs, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			seen++
			for _, lang := range i18n.Languages() {
				if !i18n.Has(lang, m[1]) {
					t.Errorf("%s: %s has no message for %s", f, lang, m[1])
				}
			}
		}
	}
	if seen < 30 {
		t.Fatalf("found only %d keys in the source", seen)
	}
}

// TestNotFoundNamesTheIDOnce: a routine that does not exist answers 404
// not_found with its key; the English message names the id the store
// looked for, once.
func TestNotFoundNamesTheIDOnce(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari").Token
	for _, path := range []string{"/api/v1/routines/no-such-routine/versions", "/api/v1/records/no-such-routine"} {
		code, raw := e.call("GET", path, kari, nil, nil)
		var eb wire.ErrorBody
		if json.Unmarshal(raw, &eb) != nil || code != 404 || eb.Error.Code != wire.CodeNotFound || eb.Error.Key != keyNotFound ||
			strings.Count(eb.Error.Message, "no-such-routine") != 1 {
			t.Errorf("GET %s: %d %s", path, code, raw)
		}
	}
}

// TestSyncRejectionHasKey: a record that fails validation is rejected
// with the catalogue key and arguments of its problem, so that the phone
// says why in its user's language; other rejections keep only their
// English reason.
func TestSyncRejectionHasKey(t *testing.T) {
	e := newEnv(t)
	anna := e.phone("anna")
	own := anna.ownPatient()
	empty := anna.note(own, "x")
	empty.Text = "  "
	code, resp, raw := anna.sync(anna.sealRecord(empty))
	if code != 200 || len(resp.Results) != 1 {
		t.Fatalf("%d %s", code, raw)
	}
	if r := resp.Results[0]; r.Status != wire.SyncRejected || r.Code != wire.CodeInvalidInput || r.Key != care.KeyRequired ||
		!slices.Equal(r.Args, []string{"text"}) || r.Message == "" {
		t.Fatalf("result %+v", r)
	}
}
