package server

import (
	"strings"
	"testing"

	"beredskap/internal/care"
)

// TestRolesOnEveryEndpoint calls every API route as anonymous, worker,
// nurse, coordinator and admin. A role that may call a route must not get
// 401 or 403 (a 400 for the empty body is fine: it got past the door); a
// role that may not gets 403, and anonymous gets 401. The table is written
// here, not read from the server, and must name every route the server
// has.
func TestRolesOnEveryEndpoint(t *testing.T) {
	e := newEnv(t)
	const (
		anyone = "anyone"
		users  = "users"
		shift  = "shift"
		office = "office"
		admins = "admin"
	)
	table := map[string]string{
		"GET /healthz":                        anyone,
		"POST /api/v1/session":                anyone,
		"DELETE /api/v1/session":              users,
		"POST /api/v1/devices":                users,
		"PUT /api/v1/me/lang":                 users,
		"GET /api/v1/bundle":                  shift,
		"POST /api/v1/sync":                   shift,
		"GET /api/v1/records":                 office,
		"GET /api/v1/records/{id}":            office,
		"POST /api/v1/records/{id}/reconcile": office,
		"POST /api/v1/records/reconcile":      office,
		"GET /api/v1/findings":                office,
		"POST /api/v1/findings/{id}/resolve":  office,
		"GET /api/v1/dashboard":               office,
		"GET /api/v1/directory":               office,
		"GET /api/v1/audit":                   office,
		"GET /api/v1/export/csv":              office,
		"GET /api/v1/export/fhir":             office,
		"POST /api/v1/plan":                   office,
		"GET /api/v1/routines":                office,
		"POST /api/v1/routines":               office,
		"PUT /api/v1/routines/{id}":           office,
		"GET /api/v1/routines/{id}/versions":  office,
		"GET /api/v1/announcements":           office,
		"POST /api/v1/announcements":          office,
		"GET /api/v1/outage":                  office,
		"POST /api/v1/outage":                 office,
		"GET /api/v1/priority":                office,
		"GET /api/v1/binder.pdf":              office,
		"GET /api/v1/equipment.pdf":           office,
		"GET /api/v1/users":                   admins,
		"POST /api/v1/users":                  admins,
		"POST /api/v1/users/{id}/disable":     admins,
		"POST /api/v1/users/{id}/reset":       admins,
		"POST /api/v1/users/{id}/rename":      admins,
		"POST /api/v1/devices/{id}/revoke":    admins,
		"GET /api/v1/backup":                  admins,

		// The lost-phone exposure report (issue 19, item 3).
		"GET /api/v1/devices/{id}/exposure":                   office,
		"POST /api/v1/devices/{id}/exposure/checklist/{item}": office,
		"POST /api/v1/devices/{id}/lost":                      office,
		"GET /api/v1/me/devices":                              users,
		"POST /api/v1/me/devices/{id}/lost":                   users,

		// Bulk jobs (issue 16).
		"POST /api/v1/records/reconcile-jobs":     office,
		"GET /api/v1/records/reconcile-jobs":      office,
		"GET /api/v1/records/reconcile-jobs/{id}": office,

		// Operations (issue 17).
		"GET /readyz":  anyone,
		"GET /metrics": admins,

		// Logging in without the identity provider (issue 18).
		"GET /api/v1/provider-outage":            anyone,
		"POST /api/v1/provider-outage":           admins,
		"POST /api/v1/session/fallback":          anyone,
		"POST /api/v1/session/break-glass":       anyone,
		"GET /api/v1/break-glass":                office,
		"GET /api/v1/users/{id}/fallback-codes":  admins,
		"POST /api/v1/users/{id}/fallback-codes": admins,

		// Login through an identity provider (issue 18).
		"GET /api/v1/oidc/providers":           anyone,
		"GET /api/v1/oidc/start":               anyone,
		"GET /api/v1/oidc/callback":            anyone,
		"POST /api/v1/oidc/exchange":           anyone,
		"GET /api/v1/users/{id}/identities":    admins,
		"POST /api/v1/users/{id}/identities":   admins,
		"DELETE /api/v1/users/{id}/identities": admins,

		// Readiness before an outage (issue 19).
		"GET /api/v1/readiness":         office,
		"POST /api/v1/readiness/remind": office,

		// Sync health after an outage (issue 19, item 4).
		"POST /api/v1/drills":                   office,
		"GET /api/v1/drills":                    office,
		"GET /api/v1/drills/{id}":               office,
		"POST /api/v1/drills/{id}/end":          office,
		"POST /api/v1/drills/{id}/network-back": office,
		"GET /api/v1/drills/{id}/report":        office,
		"GET /api/v1/drills/{id}/report.pdf":    office,
		"GET /api/v1/sync-health":               office,
		"GET /api/v1/devices/{id}/sync-health":  office,
	}
	may := map[string][]care.Role{
		users:  {care.RoleWorker, care.RoleNurse, care.RoleCoordinator, care.RoleAdmin},
		shift:  {care.RoleWorker, care.RoleNurse},
		office: {care.RoleCoordinator, care.RoleAdmin},
		admins: {care.RoleAdmin},
	}
	for _, rt := range e.srv.Routes() {
		if _, ok := table[rt.Method+" "+rt.Path]; !ok {
			t.Errorf("route %s %s is not in the roles table of this test", rt.Method, rt.Path)
		}
	}
	if len(table) != len(e.srv.Routes()) {
		t.Errorf("the test names %d routes, the server has %d", len(table), len(e.srv.Routes()))
	}
	roles := map[care.Role]string{care.RoleWorker: "anna", care.RoleNurse: "nils", care.RoleCoordinator: "kari", care.RoleAdmin: "admin"}
	for route, who := range table {
		method, path, _ := strings.Cut(route, " ")
		path = strings.ReplaceAll(path, "{id}", "0190b6a2-0000-7000-8000-000000000000")
		if who == anyone {
			continue
		}
		t.Run(route, func(t *testing.T) {
			if code, _ := e.call(method, path, "", "{}", nil); code != 401 {
				t.Errorf("anonymous: %d, want 401", code)
			}
			for role, username := range roles {
				// A fresh login per call: DELETE /session ends it.
				token := e.login(username).Token
				if route == "GET /api/v1/bundle" {
					e.device(token) // a bundle goes to a registered phone
				}
				code, raw := e.call(method, path, token, "{}", nil)
				allowed := false
				for _, r := range may[who] {
					allowed = allowed || r == role
				}
				switch {
				case allowed && (code == 401 || code == 403):
					t.Errorf("%s may call it but got %d %s", role, code, raw)
				case !allowed && code != 403:
					t.Errorf("%s may not call it but got %d %s", role, code, raw)
				}
			}
		})
	}
}
