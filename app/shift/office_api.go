package shift

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// Records lists records; query holds the filters (unit, patient, author,
// type, state, since, cursor, limit).
func (a *API) Records(ctx context.Context, token string, query url.Values) (wire.RecordsResponse, error) {
	var out wire.RecordsResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/records?"+query.Encode(), token, nil, &out)
	return out, err
}

// Record returns one record with its signature and history.
func (a *API) Record(ctx context.Context, token, id string) (wire.RecordView, error) {
	var out wire.RecordView
	err := a.do(ctx, http.MethodGet, "/api/v1/records/"+url.PathEscape(id), token, nil, &out)
	return out, err
}

// Reconcile marks records entered or void (all of them, or none).
func (a *API) Reconcile(ctx context.Context, token string, req wire.ReconcileRequest) (wire.RecordsResponse, error) {
	var out wire.RecordsResponse
	err := a.do(ctx, http.MethodPost, "/api/v1/records/reconcile", token, req, &out)
	return out, err
}

// Findings lists the findings of a window.
func (a *API) Findings(ctx context.Context, token string, query url.Values) (wire.FindingsResponse, error) {
	var out wire.FindingsResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/findings?"+query.Encode(), token, nil, &out)
	return out, err
}

// ResolveFinding records that a finding was handled.
func (a *API) ResolveFinding(ctx context.Context, token, id, comment string) error {
	return a.do(ctx, http.MethodPost, "/api/v1/findings/"+url.PathEscape(id)+"/resolve", token, wire.ResolveRequest{Comment: comment}, nil)
}

// Dashboard counts records and findings of a window.
func (a *API) Dashboard(ctx context.Context, token string, query url.Values) (wire.Dashboard, error) {
	var out wire.Dashboard
	err := a.do(ctx, http.MethodGet, "/api/v1/dashboard?"+query.Encode(), token, nil, &out)
	return out, err
}

// Directory names the units, people and patients the caller sees.
func (a *API) Directory(ctx context.Context, token string) (wire.Directory, error) {
	var out wire.Directory
	err := a.do(ctx, http.MethodGet, "/api/v1/directory", token, nil, &out)
	return out, err
}

// Audit returns audit entries, newest last.
func (a *API) Audit(ctx context.Context, token string, query url.Values) (wire.AuditResponse, error) {
	var out wire.AuditResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/audit?"+query.Encode(), token, nil, &out)
	return out, err
}

// ImportPlan uploads a plan (CSV or JSON). A refused plan returns its
// problems with the error.
func (a *API) ImportPlan(ctx context.Context, token, contentType string, body []byte) (wire.PlanReport, []wire.PlanProblem, error) {
	header := map[string]string{"Content-Type": contentType, "Authorization": "Bearer " + token, "Accept": "application/json"}
	c, cancel := context.WithTimeout(ctx, 4*a.Timeout)
	defer cancel()
	status, b, err := roundTrip(c, http.MethodPost, a.Base+"/api/v1/plan", header, body)
	if err != nil {
		return wire.PlanReport{}, nil, err
	}
	if status != http.StatusOK {
		var eb wire.PlanErrorBody
		if json.Unmarshal(b, &eb) == nil && eb.Error.Code != "" {
			return wire.PlanReport{}, eb.Problems, &eb.Error
		}
		return wire.PlanReport{}, nil, ErrOffline
	}
	var rep wire.PlanReport
	err = json.Unmarshal(b, &rep)
	return rep, nil, err
}

// Routines lists the emergency routines a coordinator keeps.
func (a *API) Routines(ctx context.Context, token string) (wire.RoutinesResponse, error) {
	var out wire.RoutinesResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/routines", token, nil, &out)
	return out, err
}

// RoutineVersions lists a routine's kept versions.
func (a *API) RoutineVersions(ctx context.Context, token, id string) (wire.RoutinesResponse, error) {
	var out wire.RoutinesResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/routines/"+url.PathEscape(id)+"/versions", token, nil, &out)
	return out, err
}

// SaveRoutine creates a routine (empty ID) or stores a new version.
func (a *API) SaveRoutine(ctx context.Context, token string, r care.Routine) (care.Routine, error) {
	var out care.Routine
	method, path := http.MethodPost, "/api/v1/routines"
	if r.ID != "" {
		method, path = http.MethodPut, "/api/v1/routines/"+url.PathEscape(r.ID)
	}
	err := a.do(ctx, method, path, token, r, &out)
	return out, err
}

// Announcements lists the announcements of the window.
func (a *API) Announcements(ctx context.Context, token string) (wire.AnnouncementsResponse, error) {
	var out wire.AnnouncementsResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/announcements", token, nil, &out)
	return out, err
}

// PostAnnouncement sends a status message to units.
func (a *API) PostAnnouncement(ctx context.Context, token string, req wire.AnnouncementRequest) (care.Announcement, error) {
	var out care.Announcement
	err := a.do(ctx, http.MethodPost, "/api/v1/announcements", token, req, &out)
	return out, err
}

// Outages returns the declared outages.
func (a *API) Outages(ctx context.Context, token string) (wire.OutagesResponse, error) {
	var out wire.OutagesResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/outage", token, nil, &out)
	return out, err
}

// ChangeOutage starts or ends an outage.
func (a *API) ChangeOutage(ctx context.Context, token string, req wire.OutageRequest) (wire.OutagesResponse, error) {
	var out wire.OutagesResponse
	err := a.do(ctx, http.MethodPost, "/api/v1/outage", token, req, &out)
	return out, err
}

// Priority returns the priority list.
func (a *API) Priority(ctx context.Context, token string, query url.Values) (wire.PriorityResponse, error) {
	var out wire.PriorityResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/priority?"+query.Encode(), token, nil, &out)
	return out, err
}

// Users lists the users with their devices (admins).
func (a *API) Users(ctx context.Context, token string) (wire.UsersResponse, error) {
	var out wire.UsersResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/users", token, nil, &out)
	return out, err
}

// AddUser creates a user (admins).
func (a *API) AddUser(ctx context.Context, token string, req wire.NewUserRequest) error {
	return a.do(ctx, http.MethodPost, "/api/v1/users", token, req, nil)
}

// DisableUser disables a user and ends their sessions (admins).
func (a *API) DisableUser(ctx context.Context, token, id string) error {
	return a.do(ctx, http.MethodPost, "/api/v1/users/"+url.PathEscape(id)+"/disable", token, nil, nil)
}

// ResetPassword sets a user's password (admins).
func (a *API) ResetPassword(ctx context.Context, token, id, password string) error {
	return a.do(ctx, http.MethodPost, "/api/v1/users/"+url.PathEscape(id)+"/reset", token, wire.PasswordRequest{Password: password}, nil)
}

// RenameUser gives a user a new username (admins).
func (a *API) RenameUser(ctx context.Context, token, id, username string) error {
	return a.do(ctx, http.MethodPost, "/api/v1/users/"+url.PathEscape(id)+"/rename", token, wire.RenameUserRequest{Username: username}, nil)
}

// RevokeDevice revokes a phone (admins).
func (a *API) RevokeDevice(ctx context.Context, token, id string) error {
	return a.do(ctx, http.MethodPost, "/api/v1/devices/"+url.PathEscape(id)+"/revoke", token, nil, nil)
}

// Readiness returns the readiness view: what no phone would hold if the
// network died now.
func (a *API) Readiness(ctx context.Context, token string, query url.Values) (wire.Readiness, error) {
	var out wire.Readiness
	err := a.do(ctx, http.MethodGet, "/api/v1/readiness?"+query.Encode(), token, nil, &out)
	return out, err
}

// RemindReadiness posts the reminder to fetch the shift again to the
// workers the readiness view names.
func (a *API) RemindReadiness(ctx context.Context, token string, req wire.ReadinessRemindRequest) (wire.ReadinessRemindResponse, error) {
	var out wire.ReadinessRemindResponse
	err := a.do(ctx, http.MethodPost, "/api/v1/readiness/remind", token, req, &out)
	return out, err
}
