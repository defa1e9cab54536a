// Command beredskap is the Beredskap server and its tools:
//
//	beredskap serve   --addr 127.0.0.1:8080 --data ./data [--no-demo] [--offline-hours N]
//
// It only parses flags and wires packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the municipality's time zone on hosts without zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "beredskap:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: beredskap <command> [flags]

commands:
  serve          run the server (--addr, --data, --no-demo, --offline-hours)
  audit verify   check the audit log's hash chain (--data or --store)
  import         store a plan from CSV or JSON, all or nothing (--data or --store, --file)
  binder         print a unit's emergency binder as PDF (--data or --store, --unit, --date or --from/--to, --out)
  equipment-list print the weekly list of patients with power-dependent or life-critical equipment and safety alarms (--unit, --week, --out)
  user           add|disable|reset|rename users (--data or --store, --username, ...)
  backup         write a backup of the store and the server keys (--data or --store, --out)
  restore        restore a backup and its server keys into a new data directory or an empty database (--in, --data or --store)

--store URL works on the PostgreSQL store serve --store runs on (with
--encryption-key-file) instead of Badger in --data.

Run "beredskap <command> -h" for a command's flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "audit":
		return auditCmd(ctx, args[1:], stdout, stderr)
	case "import":
		return importCmd(ctx, args[1:], stdout, stderr)
	case "backup":
		return backupCmd(ctx, args[1:], stdout, stderr)
	case "restore":
		return restoreCmd(ctx, args[1:], stdout, stderr)
	case "binder":
		return binderCmd(ctx, args[1:], stdout, stderr)
	case "equipment-list":
		return equipmentListCmd(ctx, args[1:], stdout, stderr)
	case "user":
		return userCmd(ctx, args[1:], os.Stdin, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}
