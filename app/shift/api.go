package shift

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// ErrOffline means the server could not be reached. navigator.onLine is
// not trusted for this (it stays true with the server down): a failed
// request is the offline signal.
var ErrOffline = errors.New("the server cannot be reached")

// API talks to the server's v1 protocol.
type API struct {
	// Base is prefixed to every path; empty means the page's own origin.
	Base string
	// Timeout bounds each request: on one bar of signal a request that
	// hangs is treated as offline and retried later.
	Timeout time.Duration
}

// NewAPI returns an API client for the server at base.
func NewAPI(base string) *API {
	return &API{Base: base, Timeout: 30 * time.Second}
}

// Login starts a session.
func (a *API) Login(ctx context.Context, username, password string) (wire.LoginResponse, error) {
	var out wire.LoginResponse
	err := a.do(ctx, http.MethodPost, "/api/v1/session", "", wire.LoginRequest{Username: username, Password: password}, &out)
	return out, err
}

// Health asks whether the server answers at all.
func (a *API) Health(ctx context.Context) error {
	return a.do(ctx, http.MethodGet, "/healthz", "", nil, nil)
}

// Logout ends the session.
func (a *API) Logout(ctx context.Context, token string) error {
	return a.do(ctx, http.MethodDelete, "/api/v1/session", token, nil, nil)
}

// SetLang saves the user's chosen language on the server, so that the next
// login, on any phone or desk, shows it.
func (a *API) SetLang(ctx context.Context, token, lang string) error {
	return a.do(ctx, http.MethodPut, "/api/v1/me/lang", token, wire.LangRequest{Lang: lang}, nil)
}

// RegisterDevice registers this phone's public key.
func (a *API) RegisterDevice(ctx context.Context, token string, pub []byte, label string) (string, error) {
	var out wire.DeviceResponse
	err := a.do(ctx, http.MethodPost, "/api/v1/devices", token, wire.DeviceRequest{PublicKey: pub, Label: label}, &out)
	return out.DeviceID, err
}

// Bundle fetches the signed shift bundle.
func (a *API) Bundle(ctx context.Context, token string) (wire.BundleResponse, error) {
	return a.BundleReporting(ctx, token, nil)
}

// BundleReporting fetches the signed shift bundle and tells the server,
// when rep is not nil, what waits in the phone's outbox.
func (a *API) BundleReporting(ctx context.Context, token string, rep *wire.OutboxReport) (wire.BundleResponse, error) {
	var out wire.BundleResponse
	path := "/api/v1/bundle"
	if rep != nil {
		path += "?" + rep.Query().Encode()
	}
	err := a.do(ctx, http.MethodGet, path, token, nil, &out)
	return out, err
}

// Sync sends a batch of sealed records. A big batch on one bar of signal
// takes time, so it gets four times the usual timeout.
func (a *API) Sync(ctx context.Context, token string, req wire.SyncRequest) (wire.SyncResponse, error) {
	var out wire.SyncResponse
	ctx, cancel := context.WithTimeout(ctx, 4*a.Timeout)
	defer cancel()
	err := a.doWithin(ctx, 0, http.MethodPost, "/api/v1/sync", token, req, &out)
	return out, err
}

func (a *API) do(ctx context.Context, method, path, token string, in, out any) error {
	return a.doWithin(ctx, a.Timeout, method, path, token, in, out)
}

// doWithin sends one request; timeout 0 keeps the caller's deadline.
func (a *API) doWithin(ctx context.Context, timeout time.Duration, method, path, token string, in, out any) error {
	var body []byte
	header := map[string]string{"Accept": "application/json"}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		body = b
		header["Content-Type"] = "application/json"
	}
	if token != "" {
		header["Authorization"] = "Bearer " + token
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	status, b, err := roundTrip(ctx, method, a.Base+path, header, body)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.Join(ErrOffline, err)
		}
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status < 200 || status > 299 { // 202 Accepted: a bulk job was started
		var eb wire.ErrorBody
		if json.Unmarshal(b, &eb) == nil && eb.Error.Code != "" {
			return &eb.Error
		}
		// Not the server's envelope: a proxy or captive portal answered.
		return fmt.Errorf("%s %s: HTTP %d: %w", method, path, status, ErrOffline)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// ErrorCode returns the protocol code of err, or "" when it is not a
// protocol error.
func ErrorCode(err error) wire.Code {
	var we *wire.Error
	if errors.As(err, &we) {
		return we.Code
	}
	return ""
}

// ErrorText is what a user reads for err, in lang: the server's message
// key and its arguments translated through the catalogue (field names
// too), else the generic message of its code, else a generic one; never
// the server's English message, which is for logs and API users. A
// care.ValidationError found on the phone (the same rules the server
// applies) reads as the server's would. An error that is neither says
// the server cannot be reached.
func ErrorText(lang string, err error) string {
	var we *wire.Error
	var v *care.ValidationError
	switch {
	case errors.As(err, &we):
	case errors.As(err, &v):
		key, args := v.Message()
		we = &wire.Error{Code: wire.CodeInvalidInput, Key: key, Args: args}
	default:
		return i18n.T(lang, "office.offline")
	}
	if text, ok := translated(lang, we.Key, we.Args); ok {
		return text
	}
	if key := "error.code." + string(we.Code); i18n.Has(lang, key) {
		return i18n.T(lang, key)
	}
	return i18n.T(lang, "error.generic")
}

// PlanProblemText is a refused plan's problem in lang: its key
// translated, or the server's English text for a problem without one (a
// problem of the file's form), which names what is to be fixed.
func PlanProblemText(lang string, pr wire.PlanProblem) string {
	if text, ok := translated(lang, pr.Key, pr.Args); ok {
		return text
	}
	return pr.Problem
}

// RejectionText is why the server rejected a record, in lang when the
// rejection names a catalogue key; else the server's own words, which are
// all a phone has for a rejection from an older server.
func RejectionText(lang string, r LocalRecord) string {
	if text, ok := translated(lang, r.Key, r.Args); ok {
		return text
	}
	return r.Message
}

// translated is the catalogue's message for key with args, when the
// catalogue has the key and the arguments fit its placeholders.
func translated(lang, key string, args []string) (string, bool) {
	if key == "" || !i18n.Has(lang, key) || placeholders(i18n.T(lang, key)) != len(args) {
		return "", false
	}
	a := make([]any, len(args))
	for i, v := range args {
		a[i] = v
	}
	if len(a) > 0 && namesField(key) {
		a[0] = FieldName(lang, args[0])
	}
	return i18n.T(lang, key, a...), true
}

// namesField reports whether a message's first argument is a field's
// name, which FieldName translates.
func namesField(key string) bool {
	return strings.HasPrefix(key, "error.field.") || key == "error.plan_too_large"
}

// placeholders counts a message's %s verbs, so that a key whose arguments
// do not fit (a server of another version) is not shown with gaps.
func placeholders(msg string) int {
	return strings.Count(msg, "%s") - strings.Count(msg, "%%s")
}

// FieldName shows a field of the protocol ("title", "contacts[0].phone")
// in lang: each part by its catalogue name ("field.title"), or readable
// when the catalogue has none, with items counted from 1.
func FieldName(lang, field string) string {
	parts := strings.Split(field, ".")
	for i, p := range parts {
		base, index, _ := strings.Cut(p, "[")
		name := strings.ReplaceAll(base, "_", " ")
		if i18n.Has(lang, "field."+base) {
			name = i18n.T(lang, "field."+base)
		}
		if n, err := strconv.Atoi(strings.TrimSuffix(index, "]")); err == nil && index != "" {
			name += " " + strconv.Itoa(n+1)
		}
		if r, size := utf8.DecodeRuneInString(name); i > 0 && size > 0 {
			name = string(unicode.ToLower(r)) + name[size:]
		}
		parts[i] = name
	}
	return strings.Join(parts, ", ")
}
