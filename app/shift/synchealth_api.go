package shift

import (
	"context"
	"net/http"
	"net/url"

	"beredskap/internal/wire"
)

// SyncHealth returns the desk's view of the phones after an outage: those
// still holding records, those not heard from since it began, and who
// has read the important announcements.
func (a *API) SyncHealth(ctx context.Context, token string, query url.Values) (wire.SyncHealth, error) {
	var out wire.SyncHealth
	err := a.do(ctx, http.MethodGet, "/api/v1/sync-health?"+query.Encode(), token, nil, &out)
	return out, err
}
