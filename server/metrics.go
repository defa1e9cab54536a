package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"beredskap/internal/wire"
)

// telemetry holds the server's Prometheus figures, in a registry of its own:
// two servers in one process (the tests run many) count apart, and
// nothing a library registers globally is served by accident.
//
// Labels are bounded by construction: route is the ServeMux pattern
// ("GET /api/v1/records/{id}"), never the path, so that ids do not each
// make a series; status is the HTTP status; outcome is one of the four
// sync outcomes; code one of the protocol's error codes.
type telemetry struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	records     *prometheus.CounterVec
	batch       prometheus.Histogram
	storeErrors *prometheus.CounterVec
}

// Metric names, for the README and the tests.
const (
	metricRequests    = "beredskap_http_requests_total"
	metricDuration    = "beredskap_http_request_duration_seconds"
	metricRecords     = "beredskap_sync_records_total"
	metricBatch       = "beredskap_sync_batch_records"
	metricStoreErrors = "beredskap_store_errors_total"
)

func newTelemetry() *telemetry {
	m := &telemetry{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricRequests,
			Help: "HTTP requests answered, by route (the ServeMux pattern) and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: metricDuration,
			Help: "Time from the request's arrival to the handler's return, by route and status; the desk's queries are the routes GET /api/v1/dashboard, /findings and /records.",
			// From a cached desk answer (about a millisecond) to an
			// export or binder of a whole municipality (a minute).
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route", "status"}),
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricRecords,
			Help: "Records received by sync, by outcome (accepted, duplicate, quarantined, rejected).",
		}, []string{"outcome"}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    metricBatch,
			Help:    "Records per sync request that reached the ingest (at most wire.MaxSyncRecords).",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500},
		}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricStoreErrors,
			Help: "Requests answered with a 5xx because of a store (or other internal) error, by protocol code: internal, or insufficient_storage when the store refused a write for want of disk space.",
		}, []string{"code"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.records, m.batch, m.storeErrors,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Every outcome is there from the start (at 0), so that a rate over
	// the first rejected record is not a series appearing from nothing.
	for _, o := range []string{wire.SyncAccepted, wire.SyncDuplicate, wire.SyncQuarantined, wire.SyncRejected} {
		m.records.WithLabelValues(o)
	}
	for _, c := range []wire.Code{wire.CodeInternal, wire.CodeInsufficientStorage, wire.CodeUnavailable} {
		m.storeErrors.WithLabelValues(string(c))
	}
	return m
}

// handler serves the registry in Prometheus' text format (or
// OpenMetrics when asked); a failed collection is logged and answered
// 500, never half a page.
func (m *telemetry) handler(log *slog.Logger) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: promLog{log}, ErrorHandling: promhttp.HTTPErrorOnError})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// synced counts one sync request's outcomes, as ingest decided them.
func (m *telemetry) synced(batch int, outcomes map[string]int) {
	m.batch.Observe(float64(batch))
	for o, n := range outcomes {
		m.records.WithLabelValues(o).Add(float64(n))
	}
}

// storeError counts an error that the mapping answered with a 5xx and
// that was not a protocol error a handler chose.
func (m *telemetry) storeError(code wire.Code) {
	m.storeErrors.WithLabelValues(string(code)).Inc()
}

// observe counts and times every request by its route. The mux sets
// r.Pattern on the request it is given, which is this one: every wrapper
// between passes it on unchanged. A request refused before the mux ran
// (a body of the wrong type) is looked up in the mux, so that it counts
// under its route all the same.
func (m *telemetry) observe(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			_, route = mux.Handler(r)
		}
		if route == "" {
			route = "unmatched"
		}
		status := strconv.Itoa(rec.status)
		m.requests.WithLabelValues(route, status).Inc()
		m.duration.WithLabelValues(route, status).Observe(time.Since(start).Seconds())
	})
}

// metricsPage is GET /metrics on the main listener, for admins (the
// route table holds it to adminRoles).
func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request) {
	s.metricsHandler.ServeHTTP(w, r)
}

// MetricsHandler serves the metrics without any check of the caller: for
// a listener of its own (serve --metrics-listen), on an address only the
// monitoring can reach.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler)
	return mux
}

// promLog passes the metrics handler's errors to the server's logger.
type promLog struct{ log *slog.Logger }

func (p promLog) Println(v ...any) { p.log.Error("metrics", "err", fmt.Sprint(v...)) }
