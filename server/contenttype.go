package server

import (
	"mime"
	"net/http"
	"slices"
	"strings"

	"beredskap/internal/wire"
)

// jsonOnly is what a request body is on every route but those in
// bodyTypes.
var jsonOnly = []string{"application/json"}

// bodyTypes lists the routes that take a body in another media type than
// JSON, with every type they take (DESIGN §5).
var bodyTypes = map[string][]string{
	"POST /api/v1/plan": {"application/json", "text/csv"},
}

// requireBodyType refuses, before any handler runs, a request with a body
// that does not say it is one of its route's media types; a missing
// Content-Type is refused too. A browser sends a cross-site "simple"
// request (a form post, text/plain, a Blob without a type) without asking
// the server first, so such a request never reaches the API. A request
// without a body (GET, DELETE, a POST with Content-Length 0 such as a
// revocation) needs no type.
func (s *Server) requireBodyType(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowed, ok := bodyTypes[r.Method+" "+r.URL.Path]
		if !ok {
			allowed = jsonOnly
		}
		if err := checkBodyType(r, allowed); err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkBodyType says whether the request's body, if it has one, is of one
// of the allowed media types, in UTF-8 when it names a charset.
func checkBodyType(r *http.Request, allowed []string) error {
	// ContentLength is 0 only when the request says it has no body; a
	// body of unknown length (-1, chunked) is a body.
	if r.ContentLength == 0 {
		return nil
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil && slices.Contains(allowed, mt) {
		if cs, named := params["charset"]; !named || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	return wire.Errorf(wire.CodeInvalidInput, "a request body must say Content-Type: %s (UTF-8)", strings.Join(allowed, " or ")).WithKey(keyBadBody)
}
