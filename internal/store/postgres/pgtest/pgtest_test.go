package pgtest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

// TestNewDatabase: each call gives an empty database of its own, in the
// one cluster of the binary.
func TestNewDatabase(t *testing.T) {
	ctx := context.Background()
	a, b := NewDatabase(t), NewDatabase(t)
	if a == b {
		t.Fatalf("one database twice: %s", a)
	}
	for _, url := range []string{a, b} {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		var fsync string
		if err := conn.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil || fsync != "on" {
			t.Fatalf("fsync %q, %v: durability is on by default", fsync, err)
		}
		conn.Close(ctx)
	}
}

// TestSynchronousStandby: a primary with a synchronous standby (a commit
// returns once the standby has it), killed, and the standby promoted:
// what was committed is there, and the new primary takes writes. It is
// the cluster setup of the failover drill.
func TestSynchronousStandby(t *testing.T) {
	ctx := context.Background()
	primary, err := Start(Config{Settings: map[string]string{"synchronous_standby_names": "standby1", "synchronous_commit": "on"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Stop() })
	standby, err := primary.StartStandby("standby1", Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { standby.Stop() })

	if err := primary.Exec(ctx, "postgres", "CREATE TABLE t (n int); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, primary.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var state string
	err = conn.QueryRow(ctx, "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'").Scan(&state)
	conn.Close(ctx)
	if err != nil || state != "sync" {
		t.Fatalf("the standby's replication: %q, %v", state, err)
	}

	primary.Kill()
	if err := standby.Promote(); err != nil {
		t.Fatal(err)
	}
	conn, err = pgx.Connect(ctx, standby.URL("postgres")+"&target_session_attrs=read-write")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT n FROM t").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after the failover: %d, %v", n, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := conn.Exec(cctx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatalf("the promoted standby takes no writes: %v", err)
	}
}
