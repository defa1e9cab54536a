package shift

import (
	"context"
	"net/http"
	"net/url"

	"beredskap/internal/wire"
)

// Drills (issue 19, item 2): the desk's calls.

// Drills lists the drills of the caller's units, the latest first.
func (a *API) Drills(ctx context.Context, token string) (wire.DrillsResponse, error) {
	var out wire.DrillsResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/drills", token, nil, &out)
	return out, err
}

// StartDrill starts a drill.
func (a *API) StartDrill(ctx context.Context, token string, req wire.DrillRequest) (wire.Drill, error) {
	var out wire.Drill
	err := a.do(ctx, http.MethodPost, "/api/v1/drills", token, req, &out)
	return out, err
}

// ChangeDrill ends a drill now (action "end") or marks its network back
// ("network-back").
func (a *API) ChangeDrill(ctx context.Context, token, id, action string) (wire.Drill, error) {
	var out wire.Drill
	err := a.do(ctx, http.MethodPost, "/api/v1/drills/"+url.PathEscape(id)+"/"+action, token, nil, &out)
	return out, err
}

// DrillReport returns a drill's report.
func (a *API) DrillReport(ctx context.Context, token, id string) (wire.DrillReport, error) {
	var out wire.DrillReport
	err := a.do(ctx, http.MethodGet, "/api/v1/drills/"+url.PathEscape(id)+"/report", token, nil, &out)
	return out, err
}
