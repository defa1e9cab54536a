package server

import (
	"testing"

	"beredskap/internal/store/postgres/pgtest"
)

// TestMain stops the PostgreSQL cluster the two-node tests share
// (nodes_test.go) once the package's tests are done; the other tests do
// not start it.
func TestMain(m *testing.M) { pgtest.Main(m) }
