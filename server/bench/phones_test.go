package bench

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"beredskap/internal/wire"
)

// The simulated phones run in a process of their own, so that the
// server's CPU time is read alone (getrusage of this process) and the
// phones' HTTP client is not counted as the server's. The phones' process
// runs at the lowest priority (nice 19) where nice exists: on cores the
// two share, the server is served first, and the phones take what it
// leaves idle. Their CPU time is reported beside the server's.
//
// TestMain turns the test binary into the phones' process when
// phonesEnv names a plan file; otherwise it runs the benchmarks.
const phonesEnv = "BEREDSKAP_BENCH_PHONES"

func TestMain(m *testing.M) {
	if plan := os.Getenv(phonesEnv); plan != "" {
		if err := phonesMain(plan, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "phones:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// phonePlan is what the phones' process delivers: every phone's sync
// requests, encoded (signed and sealed) before the clock starts.
type phonePlan struct {
	Phones []phoneJob
}

type phoneJob struct {
	URL      string // the server node the phone talks to
	DeviceID string
	Token    string
	Requests [][]byte
	Counts   []int // records in each request
}

// phoneResult is the phones' process's answer, one JSON line.
type phoneResult struct {
	Accepted, Duplicate int
	Err                 string
	CPU                 time.Duration // the phones' own CPU time while delivering
}

// delivery is what one delivery by the phones' process measured.
type delivery struct {
	accepted, duplicate int
	took                time.Duration // wall time from the start signal to the answer
	serverCPU           time.Duration // this process's CPU time over took
	phonesCPU           time.Duration
}

// runPhones has the phones' process deliver every phone's requests at
// once and waits for the answer. The process is started, reads its plan
// and says it is ready before the clock starts.
func runPhones(tb testing.TB, e *srvEnv, phones []*srvPhone, deadline time.Duration) (delivery, error) {
	tb.Helper()
	// Phones are spread over the nodes in turn, as a load balancer would.
	var plan phonePlan
	for i, p := range phones {
		plan.Phones = append(plan.Phones, phoneJob{URL: e.urls[i%len(e.urls)], DeviceID: p.id, Token: p.token, Requests: p.requests, Counts: p.counts})
	}
	path := filepath.Join(tb.TempDir(), "phones.gob")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := gob.NewEncoder(w).Encode(plan); err != nil {
		tb.Fatal(err)
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		tb.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	var cmd *exec.Cmd
	if nice, err := exec.LookPath("nice"); err == nil {
		cmd = exec.Command(nice, "-n", "19", exe)
	} else {
		cmd = exec.Command(exe)
	}
	cmd.Env = append(os.Environ(), phonesEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || lines.Text() != "ready" {
		return delivery{}, fmt.Errorf("the phones' process did not start: %q %v", lines.Text(), lines.Err())
	}
	// The start signal is the phones' deadline, from now on.
	cpu0 := processCPU()
	start := time.Now()
	if _, err := fmt.Fprintf(stdin, "%d\n", start.Add(deadline).UnixNano()); err != nil {
		return delivery{}, err
	}
	if !lines.Scan() {
		return delivery{}, fmt.Errorf("the phones' process gave no answer: %v", lines.Err())
	}
	d := delivery{took: time.Since(start), serverCPU: processCPU() - cpu0}
	var res phoneResult
	if err := json.Unmarshal(lines.Bytes(), &res); err != nil {
		return d, fmt.Errorf("the phones' answer %q: %w", lines.Text(), err)
	}
	d.accepted, d.duplicate, d.phonesCPU = res.Accepted, res.Duplicate, res.CPU
	if res.Err != "" {
		return d, errors.New(res.Err)
	}
	return d, nil
}

// phonesMain is the phones' process: it reads the plan, says "ready",
// waits for the start signal (the deadline in Unix nanoseconds), delivers
// and answers one JSON line.
func phonesMain(path string, in io.Reader, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	var plan phonePlan
	err = gob.NewDecoder(bufio.NewReader(f)).Decode(&plan)
	f.Close()
	if err != nil {
		return fmt.Errorf("read the plan: %w", err)
	}
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
		MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute}}
	if _, err := fmt.Fprintln(out, "ready"); err != nil {
		return err
	}
	var deadline int64
	if _, err := fmt.Fscan(in, &deadline); err != nil {
		return fmt.Errorf("start signal: %w", err)
	}
	cpu0 := processCPU()
	var res phoneResult
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range plan.Phones {
		wg.Add(1)
		go func(p phoneJob) {
			defer wg.Done()
			a, d, err := deliverJob(client, p.URL, p, time.Unix(0, deadline))
			mu.Lock()
			defer mu.Unlock()
			res.Accepted += a
			res.Duplicate += d
			if err != nil && res.Err == "" {
				res.Err = err.Error()
			}
		}(p)
	}
	wg.Wait()
	res.CPU = processCPU() - cpu0
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", b)
	return err
}

// deliverJob sends a phone's requests in turn until every record has an
// answer, retrying a failed request after a short pause as the app does.
// It returns how many records were accepted and how many were answered
// as duplicates.
func deliverJob(client *http.Client, url string, p phoneJob, deadline time.Time) (accepted, duplicate int, err error) {
	for k := 0; k < len(p.Requests); {
		if time.Now().After(deadline) {
			return accepted, duplicate, fmt.Errorf("device %s: %d requests unanswered at the deadline", p.DeviceID, len(p.Requests)-k)
		}
		resp, err := postSync(client, url, p.Token, p.Requests[k])
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if len(resp.Results) != p.Counts[k] {
			return accepted, duplicate, fmt.Errorf("device %s: %d results for %d records", p.DeviceID, len(resp.Results), p.Counts[k])
		}
		k++
		for _, r := range resp.Results {
			switch r.Status {
			case wire.SyncAccepted:
				accepted++
			case wire.SyncDuplicate:
				duplicate++
			default:
				return accepted, duplicate, fmt.Errorf("record %s: %s %s %s", r.ID, r.Status, r.Code, r.Message)
			}
		}
	}
	return accepted, duplicate, nil
}

func postSync(client *http.Client, url, token string, body []byte) (wire.SyncResponse, error) {
	var out wire.SyncResponse
	req, err := http.NewRequest("POST", url+"/api/v1/sync", bytes.NewReader(body))
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return out, err
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("sync: %d %s", resp.StatusCode, raw)
	}
	return out, json.Unmarshal(raw, &out)
}
