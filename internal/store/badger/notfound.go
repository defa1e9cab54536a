package badger

import (
	"fmt"
	"strings"

	"beredskap/internal/store"
)

// names are what the errors call the kinds of keys.
var names = map[string]string{
	"rec":        "record",
	"rjob":       "job",
	"recbody":    "record body",
	"routinever": "routine version",
	"auditmeta":  "audit",
}

// notFound is ErrNotFound naming what was looked for ("patient p1: not
// found"), so that a log line says which. A session is named by kind only:
// its key is a token's hash, which stays out of logs.
func notFound(key string) error {
	k := kind(key)
	what := k
	if n, ok := names[k]; ok {
		what = n
	}
	if k == "session" || k == key {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("%s %s: %w", what, strings.TrimPrefix(key, k+"/"), store.ErrNotFound)
}
