package postgres

import (
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The rule that makes a rolling upgrade safe: within a release the
// migrations only expand the schema (new tables, nullable columns or
// columns with a default, indexes), so that the code of the release
// before, which names every column it writes and reads, keeps working on
// the migrated schema while some nodes still run it. Contracting (drop,
// rename, retype, a NOT NULL column without a default, a constraint on a
// table in use) comes a release later, once no node runs code that needs
// what it removes, in a file whose header says so:
//
//	-- contract: <why no node running the release before still needs it>

// contractRe is the header line that allows a file to contract.
var contractRe = regexp.MustCompile(`(?m)^--[ \t]*contract:[ \t]*(\S.*)$`)

// migrationFile splits a goose SQL migration into its header (the
// comment lines before "-- +goose Up") and its Up section.
func migrationFile(src string) (header, up string) {
	i := strings.Index(src, "-- +goose Up")
	if i < 0 {
		return src, ""
	}
	header, up = src[:i], src[i+len("-- +goose Up"):]
	if j := strings.Index(up, "-- +goose Down"); j >= 0 {
		up = up[:j]
	}
	return header, up
}

// stripComments removes -- and /* */ comments outside string literals.
func stripComments(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			j := i + 1
			for j < len(s) {
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						j += 2 // a quote doubled inside the literal
						continue
					}
					break
				}
				j++
			}
			b.WriteString(s[i:min(j+1, len(s))])
			i = j
		case strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return b.String()
			}
			i += 2 + end + 1
			b.WriteByte(' ')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// splitTop splits s at sep where it is outside parentheses and string
// literals.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start, quoted := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// words normalises a statement: one space between words, upper case
// (string literals too: the checks look at keywords and names only).
func words(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), " "))
}

// name is an identifier as PostgreSQL folds it: quotes removed, the
// schema left off, lower case.
func name(s string) string {
	s = strings.Trim(s, `"`)
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		s = strings.Trim(s[i+1:], `"`)
	}
	return strings.ToLower(s)
}

var (
	createTableRe = regexp.MustCompile(`^CREATE (?:UNLOGGED )?TABLE (?:IF NOT EXISTS )?(\S+?)\s*\(`)
	alterTableRe  = regexp.MustCompile(`^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?(\S+) (.*)$`)
	uniqueIndexRe = regexp.MustCompile(`^CREATE UNIQUE INDEX .*? ON (?:ONLY )?(\S+?)\s*(?:USING \S+\s*)?\(`)
	retypeRe      = regexp.MustCompile(`^ALTER (?:COLUMN )?\S+ (?:SET DATA )?TYPE\b`)
	setNotNullRe  = regexp.MustCompile(`^ALTER (?:COLUMN )?\S+ SET NOT NULL\b`)
	alterDropRe   = regexp.MustCompile(`^ALTER (?:COLUMN )?\S+ DROP\b`)
	addRe         = regexp.MustCompile(`^ADD (?:COLUMN )?(?:IF NOT EXISTS )?(\S+)(.*)$`)
	renameRe      = regexp.MustCompile(`\bRENAME\b`)
)

// contractions lists the statements of a migration's Up section that
// contract the schema of tables the file did not create itself, each
// with why the code of the release before would break on it.
func contractions(up string) []string {
	stmts := splitTop(stripComments(up), ';')
	created := map[string]bool{}
	for _, s := range stmts {
		if m := createTableRe.FindStringSubmatch(words(s)); m != nil {
			created[name(m[1])] = true
		}
	}
	var out []string
	flag := func(stmt, why string) { out = append(out, stmt+": "+why) }
	for _, raw := range stmts {
		s := words(raw)
		switch {
		case s == "":
		case strings.HasPrefix(s, "DROP "):
			flag(s, "drops what the code of the release before may use")
		case strings.HasPrefix(s, "TRUNCATE "):
			flag(s, "removes rows the code of the release before may need")
		case renameRe.MatchString(s):
			flag(s, "renames: the code of the release before names the old name")
		case uniqueIndexRe.MatchString(s):
			if m := uniqueIndexRe.FindStringSubmatch(s); !created[name(m[1])] {
				flag(s, "a unique index on a table in use may refuse the writes of the release before")
			}
		case alterTableRe.MatchString(s):
			m := alterTableRe.FindStringSubmatch(s)
			if created[name(m[1])] {
				continue // a table of this file: nothing older uses it
			}
			for _, a := range splitTop(m[2], ',') {
				a = strings.TrimSpace(a)
				switch {
				case strings.HasPrefix(a, "DROP "):
					flag(s, "drops what the code of the release before may use")
				case retypeRe.MatchString(a):
					flag(s, "changes a column's type under the code of the release before")
				case setNotNullRe.MatchString(a):
					flag(s, "makes a column NOT NULL: the release before may write it empty")
				case alterDropRe.MatchString(a):
					flag(s, "drops a column's default or constraint that the release before relies on")
				case addRe.MatchString(a):
					am := addRe.FindStringSubmatch(a)
					switch am[1] {
					case "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE":
						flag(s, "a new constraint on a table in use may refuse the writes of the release before")
					default:
						if strings.Contains(am[2], "NOT NULL") && !strings.Contains(am[2], "DEFAULT") {
							flag(s, "a NOT NULL column without a default: the inserts of the release before, which do not name it, fail")
						}
					}
				}
			}
		}
	}
	return out
}

// TestMigrationsOnlyExpand: no migration of the real set contracts the
// schema unless its header says "-- contract: <reason>", nor do the test
// migrations the rolling upgrade's test applies. Today none contracts.
func TestMigrationsOnlyExpand(t *testing.T) {
	real, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []struct {
		name string
		fsys fs.FS
	}{{"migrations", real}, {"testdata/future", os.DirFS("testdata/future")}} {
		files, err := fs.Glob(set.fsys, "*.sql")
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no migrations (%v)", set.name, err)
		}
		for _, f := range files {
			src, err := fs.ReadFile(set.fsys, f)
			if err != nil {
				t.Fatal(err)
			}
			header, up := migrationFile(string(src))
			if strings.TrimSpace(up) == "" {
				t.Errorf("%s/%s has no -- +goose Up section", set.name, f)
				continue
			}
			found := contractions(up)
			reason := contractRe.FindStringSubmatch(header)
			switch {
			case len(found) > 0 && reason == nil:
				t.Errorf("%s/%s contracts the schema, which breaks the nodes still running the release before during a rolling upgrade; expand now, contract a release later in a file whose header says \"-- contract: <reason>\":\n\t%s",
					set.name, f, strings.Join(found, "\n\t"))
			case len(found) > 0:
				t.Logf("%s/%s contracts, as its header says (%s): %v", set.name, f, reason[1], found)
			default:
				t.Logf("%s/%s expands only", set.name, f)
			}
		}
	}
}

// TestContractionsAreFound: the check above finds each way of
// contracting, and passes what only expands, or what concerns a table
// the same file creates, or words in comments and strings.
func TestContractionsAreFound(t *testing.T) {
	for _, c := range []struct {
		sql      string
		contract bool
	}{
		{"ALTER TABLE records ADD COLUMN tag text", false},
		{"ALTER TABLE records ADD COLUMN n int NOT NULL DEFAULT 0", false},
		{"ALTER TABLE records ADD COLUMN IF NOT EXISTS n int DEFAULT 0 NOT NULL", false},
		{"CREATE TABLE x (a int NOT NULL, b text)", false},
		{"CREATE INDEX CONCURRENTLY i ON records (type, id)", false},
		{"CREATE TABLE y (a int); CREATE UNIQUE INDEX y_a ON y (a); ALTER TABLE y ADD CONSTRAINT c CHECK (a > 0)", false},
		{"CREATE TABLE z (a int); ALTER TABLE z DROP COLUMN a", false},
		{"-- DROP TABLE records\nCREATE TABLE w (a int)", false},
		{"/* ALTER TABLE records DROP COLUMN body; */ CREATE INDEX j ON records (seq)", false},
		{"INSERT INTO setup (id, demo, initialized) SELECT 1, false, now() WHERE 'DROP TABLE x' <> ''", false},
		{"ALTER TABLE records ADD COLUMN n int NOT NULL", true},
		{"ALTER TABLE records ADD n numeric(20, 0) NOT NULL", true},
		{"ALTER TABLE records ADD COLUMN a text, DROP COLUMN body", true},
		{"ALTER TABLE records DROP COLUMN body", true},
		{"alter table Records drop column if exists body", true},
		{"DROP TABLE outages", true},
		{"DROP INDEX records_state", true},
		{"TRUNCATE changes", true},
		{"ALTER TABLE records RENAME COLUMN body TO payload", true},
		{"ALTER TABLE records RENAME TO recs", true},
		{"ALTER INDEX records_state RENAME TO records_by_state", true},
		{"ALTER TABLE records ALTER COLUMN seq TYPE bigint", true},
		{"ALTER TABLE records ALTER seq SET DATA TYPE bigint USING seq::bigint", true},
		{"ALTER TABLE records ALTER COLUMN unit_id SET NOT NULL", true},
		{"ALTER TABLE records ALTER COLUMN purged DROP DEFAULT", true},
		{"ALTER TABLE records ADD CONSTRAINT seq_positive CHECK (seq > 0)", true},
		{"CREATE UNIQUE INDEX records_body ON records (body_hash)", true},
		{`ALTER TABLE "records" DROP COLUMN "body"`, true},
	} {
		got := contractions(c.sql)
		if (len(got) > 0) != c.contract {
			t.Errorf("%q: contractions %q, want contracting %v", c.sql, got, c.contract)
		}
	}
	// The header decides, and only the header.
	for _, c := range []struct {
		src  string
		want bool
	}{
		{"-- contract: release 3 no longer reads body\n\n-- +goose Up\nALTER TABLE records DROP COLUMN body;\n", true},
		{"-- Drops body.\n\n-- +goose Up\n-- contract: too late, not in the header\nALTER TABLE records DROP COLUMN body;\n", false},
		{"-- contract:\n-- +goose Up\nDROP TABLE x;\n", false},
	} {
		header, _ := migrationFile(c.src)
		if got := contractRe.MatchString(header); got != c.want {
			t.Errorf("%q: allowed %v, want %v", c.src, got, c.want)
		}
	}
	// The Down section is not the release's schema.
	if _, up := migrationFile("-- +goose Up\nCREATE TABLE t (a int);\n-- +goose Down\nDROP TABLE t;\n"); slices.Contains(strings.Fields(up), "DROP") {
		t.Errorf("the Up section holds the Down section: %q", up)
	}
}
