//go:build !(js && wasm)

package shift

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
)

// roundTrip sends a request with net/http: the native build serves tests
// and the server's prerender.
func roundTrip(ctx context.Context, method, url string, header map[string]string, body []byte) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		return 0, nil, errors.Join(ErrOffline, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return 0, nil, errors.Join(ErrOffline, err)
	}
	return resp.StatusCode, b, nil
}
