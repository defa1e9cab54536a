package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"beredskap/internal/care"
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
	case wire.CodeInsufficientStorage:
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

// writeError sends the error envelope. Errors that are not protocol
// errors are logged and answered as internal, without their details.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	err = storageError(w, err)
	var we *wire.Error
	if !errors.As(err, &we) {
		if care.IsValidation(err) {
			we = wire.Errorf(wire.CodeInvalidInput, err.Error())
		} else {
			s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			we = wire.Errorf(wire.CodeInternal, "something went wrong on the server; nothing was changed")
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
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return wire.Errorf(wire.CodeInvalidInput, "the body holds more than one JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return wire.Errorf(wire.CodeTooLarge, fmt.Sprintf("the body is larger than %d bytes", tooLarge.Limit))
	case errors.As(err, &syntax):
		return wire.Errorf(wire.CodeInvalidInput, fmt.Sprintf("broken JSON at byte %d", syntax.Offset))
	case errors.As(err, &typ):
		return wire.Errorf(wire.CodeInvalidInput, fmt.Sprintf("field %q must be %s", typ.Field, typ.Type))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return wire.Errorf(wire.CodeInvalidInput, "the body is empty or cut short")
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return wire.Errorf(wire.CodeInvalidInput, strings.TrimPrefix(err.Error(), "json: "))
	default:
		return wire.Errorf(wire.CodeInvalidInput, "the body is not valid JSON")
	}
}

// apiNotFound answers any /api/ path that no route matched.
func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, wire.Errorf(wire.CodeNotFound, "no endpoint "+r.Method+" "+r.URL.Path))
}

// logRequests logs method, path, status and duration: never headers,
// query strings or bodies, which may hold tokens or health data.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		log.Info("http", "method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds())
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
