//go:build js && wasm && vaulttestbump

package vault

import (
	"context"
	"encoding/json"
)

// A test-only schema step, compiled only with -tags vaulttestbump: the
// browser test of an update (server/e2e/vault_upgrade_test.go) builds a
// second app with it, the next release as far as the phone's database is
// concerned. It adds a bucket and rewrites every outbox record in a way
// today's app still reads (its decoder ignores the new field "format": 2),
// so that the test can see the migration ran and the records still go
// out. Never in a release.
func init() {
	upgrades = append(upgrades, schemaStep{name: "test bump: attachments, outbox format 2", run: func(ctx context.Context, u *upgradeTx) error {
		if err := u.createStore("attachments"); err != nil {
			return err
		}
		return u.rewrite(ctx, Outbox, func(key string, value []byte) ([]byte, error) {
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(value, &fields); err != nil {
				return nil, err
			}
			fields["format"] = json.RawMessage(`2`)
			return json.Marshal(fields)
		})
	}})
}
