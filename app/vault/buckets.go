//go:build js && wasm

package vault

func uniqueBuckets(writes []Write) []string {
	var names []string
	seen := map[string]bool{}
	for _, w := range writes {
		if !seen[w.Bucket] {
			seen[w.Bucket] = true
			names = append(names, w.Bucket)
		}
	}
	return names
}
