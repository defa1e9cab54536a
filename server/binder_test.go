package server

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"beredskap/internal/store"
	"beredskap/internal/wire"
)

func TestBinderPDF(t *testing.T) {
	e := newEnv(t)
	kari, admin := e.login("kari"), e.login("admin")
	var pr wire.PriorityResponse
	e.call("GET", "/api/v1/priority", kari.Token, nil, &pr)
	units := map[string]bool{}
	for _, p := range pr.Patients {
		units[p.Patient.UnitID] = true
	}
	var dir wire.Directory
	if code, raw := e.call("GET", "/api/v1/directory", admin.Token, nil, &dir); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	var mine, other string
	for _, u := range dir.Units {
		if units[u.ID] && mine == "" {
			mine = u.ID
		}
		if !units[u.ID] {
			other = u.ID
		}
	}
	today := e.now.In(e.loc).Format(time.DateOnly)
	cases := []struct {
		name, token, query string
		code               int
		errCode            wire.Code
	}{
		{"own unit", kari.Token, "unit=" + mine + "&date=" + today + "&lang=sv", 200, ""},
		{"admin, any unit, today by default", admin.Token, "unit=" + mine, 200, ""},
		{"admin without a unit", admin.Token, "", 400, wire.CodeInvalidInput},
		{"bad date", kari.Token, "unit=" + mine + "&date=16.03.2026", 400, wire.CodeInvalidInput},
		{"bad language", kari.Token, "unit=" + mine + "&lang=de", 400, wire.CodeInvalidInput},
		{"unknown unit", admin.Token, "unit=nowhere", 404, wire.CodeNotFound},
		{"worker", e.login("anna").Token, "unit=" + mine, 403, wire.CodeForbidden},
		{"anonymous", "", "unit=" + mine, 401, wire.CodeUnauthorized},
	}
	if other != "" {
		cases = append(cases, struct {
			name, token, query string
			code               int
			errCode            wire.Code
		}{"another coordinator's unit", kari.Token, "unit=" + other, 403, wire.CodeForbidden})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := e.db.AuditHead(context.Background())
			code, raw := e.call("GET", "/api/v1/binder.pdf?"+c.query, c.token, nil, nil)
			if code != c.code {
				t.Fatalf("status %d, want %d: %.200s", code, c.code, raw)
			}
			after, _ := e.db.AuditHead(context.Background())
			if c.code != 200 {
				if got := errorCode(t, raw); got != c.errCode {
					t.Fatalf("code %q, want %q", got, c.errCode)
				}
				if after != before {
					t.Fatalf("a refused request wrote %d audit entries", after-before)
				}
				return
			}
			if !bytes.HasPrefix(raw, []byte("%PDF-")) || len(raw) < 10_000 {
				t.Fatalf("not a binder: %d bytes %.20q", len(raw), raw)
			}
			entries, err := e.db.AuditLog(context.Background(), before+1, 10)
			if err != nil || len(entries) != 1 || entries[0].Action != store.AuditExport || !strings.Contains(entries[0].Detail, "format=binder") {
				t.Fatalf("audit after print: %+v %v", entries, err)
			}
		})
	}
}
