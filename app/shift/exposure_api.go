package shift

import (
	"context"
	"net/http"
	"net/url"

	"beredskap/internal/wire"
)

// The lost-phone exposure report's requests (issue 19, item 3).

// DeviceExposure reads what a revoked or lost phone may still hold
// (admins, and coordinators of its patients' units).
func (a *API) DeviceExposure(ctx context.Context, token, id string) (wire.ExposureReport, error) {
	var out wire.ExposureReport
	err := a.do(ctx, http.MethodGet, "/api/v1/devices/"+url.PathEscape(id)+"/exposure", token, nil, &out)
	return out, err
}

// TickExposure ticks or unticks an item of a phone's exposure checklist
// and returns the report as it is now.
func (a *API) TickExposure(ctx context.Context, token, id, item string, ticked bool) (wire.ExposureReport, error) {
	var out wire.ExposureReport
	err := a.do(ctx, http.MethodPost, "/api/v1/devices/"+url.PathEscape(id)+"/exposure/checklist/"+url.PathEscape(item), token,
		wire.ExposureTickRequest{Ticked: &ticked}, &out)
	return out, err
}

// MarkDeviceLost revokes a worker's phone as lost, from the desk.
func (a *API) MarkDeviceLost(ctx context.Context, token, id string) error {
	return a.do(ctx, http.MethodPost, "/api/v1/devices/"+url.PathEscape(id)+"/lost", token, nil, nil)
}

// OwnDevices lists the caller's own phones.
func (a *API) OwnDevices(ctx context.Context, token string) (wire.OwnDevicesResponse, error) {
	var out wire.OwnDevicesResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/me/devices", token, nil, &out)
	return out, err
}

// ReportOwnDeviceLost revokes another of the caller's own phones as lost.
func (a *API) ReportOwnDeviceLost(ctx context.Context, token, id string) error {
	return a.do(ctx, http.MethodPost, "/api/v1/me/devices/"+url.PathEscape(id)+"/lost", token, nil, nil)
}
