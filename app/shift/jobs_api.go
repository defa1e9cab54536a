package shift

import (
	"context"
	"net/http"
	"net/url"

	"beredskap/internal/wire"
)

// StartReconcileJob starts marking every new record the filters select
// as entered; the server answers at once with the job, which it runs.
func (a *API) StartReconcileJob(ctx context.Context, token string, req wire.ReconcileJobRequest) (wire.ReconcileJob, error) {
	var out wire.ReconcileJob
	err := a.do(ctx, http.MethodPost, "/api/v1/records/reconcile-jobs", token, req, &out)
	return out, err
}

// ReconcileJob reads a bulk job's progress.
func (a *API) ReconcileJob(ctx context.Context, token, id string) (wire.ReconcileJob, error) {
	var out wire.ReconcileJob
	err := a.do(ctx, http.MethodGet, "/api/v1/records/reconcile-jobs/"+url.PathEscape(id), token, nil, &out)
	return out, err
}

// RunningReconcileJobs lists the bulk jobs still running that the caller
// sees, newest first.
func (a *API) RunningReconcileJobs(ctx context.Context, token string) (wire.ReconcileJobsResponse, error) {
	var out wire.ReconcileJobsResponse
	err := a.do(ctx, http.MethodGet, "/api/v1/records/reconcile-jobs?running=1", token, nil, &out)
	return out, err
}
