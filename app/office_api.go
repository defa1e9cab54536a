package app

import (
	"context"
	"net/http"
	"net/url"

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
