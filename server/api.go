package server

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/plan"
	"beredskap/internal/store"
	"beredskap/internal/users"
	"beredskap/internal/wire"
)

// status maps a protocol error code to its HTTP status: the one place
// where that mapping lives.
func status(code wire.Code) int {
	switch code {
	case wire.CodeInvalidInput:
		return http.StatusBadRequest
	case wire.CodeUnauthorized:
		return http.StatusUnauthorized
	case wire.CodeForbidden, wire.CodeDeviceRevoked:
		return http.StatusForbidden
	case wire.CodeNotFound:
		return http.StatusNotFound
	case wire.CodeConflict:
		return http.StatusConflict
	case wire.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case wire.CodeRateLimited:
		return http.StatusTooManyRequests
	case wire.CodeInsufficientStorage, wire.CodeUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// writeJSON sends v with the status.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"encoding the answer failed"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

// codeOf maps an error to its protocol code: the one place where store,
// validation and domain errors become codes (status maps the codes to
// HTTP). A handler returns or wraps the error it got; writeError asks
// codeOf. An error it does not know is internal.
func codeOf(err error) wire.Code {
	var we *wire.Error
	var size *plan.SizeError
	switch {
	case errors.As(err, &we):
		return we.Code
	case care.IsValidation(err), errors.Is(err, store.ErrBadCursor):
		return wire.CodeInvalidInput
	case errors.Is(err, store.ErrNotFound):
		return wire.CodeNotFound
	case errors.Is(err, store.ErrRecordExists), errors.Is(err, store.ErrUsernameTaken), errors.Is(err, users.ErrUsernameTaken),
		errors.Is(err, store.ErrAlreadyReconciled), errors.Is(err, store.ErrOutageState), errors.Is(err, store.ErrOutOfScope),
		errors.Is(err, store.ErrIdentityLinked):
		return wire.CodeConflict
	case errors.As(err, &size):
		return wire.CodeTooLarge
	case errors.Is(err, store.ErrInsufficientStorage):
		return wire.CodeInsufficientStorage // writeError's storageError adds Retry-After
	case errors.Is(err, store.ErrUnavailable):
		return wire.CodeUnavailable // writeError adds Retry-After
	default:
		return wire.CodeInternal
	}
}

// The catalogue keys of the errors that are not validation errors (those
// carry their own: care.ValidationError.Message). The app translates a
// key it knows and shows a generic message for the code otherwise.
const (
	keyNotFound            = "error.no_such"              // no args
	keyConflict            = "error.conflict"             // no args
	keyUsernameTaken       = "error.username_taken"       // no args
	keyAlreadyReconciled   = "error.already_reconciled"   // no args
	keyOutageState         = "error.outage_state"         // no args
	keyBadCursor           = "error.bad_cursor"           // no args
	keyPlanTooLarge        = "error.plan_too_large"       // what, limit
	keyTooLarge            = "error.too_large"            // limit in bytes
	keyBadBody             = "error.bad_body"             // no args
	keyForbidden           = "error.forbidden"            // no args
	keyUnitNotYours        = "error.unit_not_yours"       // unit
	keyRateLimited         = "error.rate_limited"         // wait
	keyInternal            = "error.internal"             // no args
	keyInsufficientStorage = "error.insufficient_storage" // no args (the full-disk work's key)
	keyDisableSelf         = "error.disable_self"         // no args
	keyTooMany             = "error.too_many_records"     // limit
	keyUnavailable         = "error.unavailable"          // no args
)

// retryUnavailableSeconds is what a request refused for want of a
// database primary is told to wait: a failover promotes a standby within
// seconds, unlike a full disk.
const retryUnavailableSeconds = 5

// keyOf names the catalogue message of an error that codeOf mapped.
func keyOf(err error) (string, []string) {
	var v *care.ValidationError
	var size *plan.SizeError
	switch {
	case errors.As(err, &v):
		return v.Message()
	case errors.As(err, &size):
		return keyPlanTooLarge, []string{size.What, strconv.Itoa(size.Limit)}
	case errors.Is(err, store.ErrBadCursor):
		return keyBadCursor, nil
	case errors.Is(err, store.ErrNotFound):
		return keyNotFound, nil
	case errors.Is(err, store.ErrUsernameTaken), errors.Is(err, users.ErrUsernameTaken):
		return keyUsernameTaken, nil
	case errors.Is(err, store.ErrAlreadyReconciled):
		return keyAlreadyReconciled, nil
	case errors.Is(err, store.ErrOutageState):
		return keyOutageState, nil
	case errors.Is(err, store.ErrInsufficientStorage):
		return keyInsufficientStorage, nil
	case errors.Is(err, store.ErrUnavailable):
		return keyUnavailable, nil
	}
	return keyConflict, nil
}

// writeError sends the error envelope. A protocol error is sent as it is;
// another error the codeOf mapping knows is sent with its code, its own
// (English) message and its catalogue key; the rest are logged and
// answered as internal, without their details.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrInsufficientStorage) {
		s.met.storeError(wire.CodeInsufficientStorage) // the store refused a write: no room
	}
	err = storageError(w, err)
	if errors.Is(err, store.ErrUnavailable) {
		// No database primary answers: not the server's fault, and the
		// request is to be tried again (a failover takes seconds). Logged,
		// since an operator wants to see it, but not as a failure.
		s.met.storeError(wire.CodeUnavailable)
		s.log.Warn("the store is unavailable", "method", r.Method, "route", r.Pattern, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(retryUnavailableSeconds))
	}
	var we *wire.Error
	if !errors.As(err, &we) {
		switch code := codeOf(err); code {
		case wire.CodeInternal:
			s.met.storeError(code)
			s.log.Error("request failed", "method", r.Method, "route", r.Pattern, "path", r.URL.Path, "err", err)
			we = wire.Errorf(wire.CodeInternal, "something went wrong on the server; nothing was changed").WithKey(keyInternal)
		default:
			key, args := keyOf(err)
			we = wire.Errorf(code, "%s", err.Error()).WithKey(key, args...)
		}
	}
	writeJSON(w, status(we.Code), wire.ErrorBody{Error: *we})
}

// decode reads a JSON body of at most limit bytes into v. Unknown fields,
// trailing data and oversize bodies are errors that name the problem.
// The media type is checked for every route by requireBodyType; checking
// it again here keeps a handler mounted some other way from reading a
// body of another type as JSON.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if err := checkBodyType(r, jsonOnly); err != nil {
		return err
	}
	return decodeJSON(http.MaxBytesReader(w, r.Body, limit), v)
}

// decodeJSON is decode's reading of the body: exactly one JSON value,
// strictly, into v.
func decodeJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return wire.Errorf(wire.CodeInvalidInput, "the body holds more than one JSON value").WithKey(keyBadBody)
	}
	return nil
}

func decodeError(err error) error {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return wire.Errorf(wire.CodeTooLarge, "the body is larger than %d bytes", tooLarge.Limit).WithKey(keyTooLarge, strconv.FormatInt(tooLarge.Limit, 10))
	case errors.As(err, &syntax):
		return wire.Errorf(wire.CodeInvalidInput, "broken JSON at byte %d", syntax.Offset).WithKey(keyBadBody)
	case errors.As(err, &typ):
		return wire.Errorf(wire.CodeInvalidInput, "field %q must be %s", typ.Field, typ.Type).WithKey(keyBadBody)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return wire.Errorf(wire.CodeInvalidInput, "the body is empty or cut short").WithKey(keyBadBody)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return wire.Errorf(wire.CodeInvalidInput, "%s", strings.TrimPrefix(err.Error(), "json: ")).WithKey(keyBadBody)
	default:
		return wire.Errorf(wire.CodeInvalidInput, "the body is not valid JSON").WithKey(keyBadBody)
	}
}

// apiNotFound answers any /api/ path that no route matched.
func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, wire.Errorf(wire.CodeNotFound, "no endpoint %s %s", r.Method, r.URL.Path).WithKey(keyNotFound))
}

// logRequests logs method, path, status and duration: never headers,
// query strings or bodies, which may hold tokens or health data.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		log.Info("http", "method", r.Method, "route", r.Pattern, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
