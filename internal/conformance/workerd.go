package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/wranglerdev"
	"github.com/godurable/godurable/ws"
)

// E2EEnv is the environment variable that makes missing end-to-end
// prerequisites (wrangler in node_modules) a failure instead of a skip.
// .ci/run sets it.
const E2EEnv = "GODURABLE_E2E"

// RepoRoot returns the directory of the godurable module.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}

// RequireWrangler skips the test when wrangler (or a Node.js new enough
// for it) is not installed, or fails it when E2EEnv is set.
func RequireWrangler(t testing.TB) {
	t.Helper()
	requireTools(t, RepoRoot(t))
}

// RequireFloor returns the floor's tools: the wrangler installed in
// internal/conformance/floor (wranglerdev.FloorVersion) and the Node.js
// that runs it (the system's; the floor pins none). It skips the test when
// they are not installed, or fails it when E2EEnv is set.
func RequireFloor(t testing.TB) *wranglerdev.Tools {
	t.Helper()
	dir := filepath.Join(RepoRoot(t), "internal", "conformance", "floor")
	tools := requireTools(t, dir)
	if tools.Modules != filepath.Join(dir, "node_modules") || tools.WranglerVersion != wranglerdev.FloorVersion {
		msg := fmt.Sprintf("the floor's wrangler %s is not installed in %s (found wrangler %s in %s): run npm ci there (scripts/test.sh does)",
			wranglerdev.FloorVersion, dir, tools.WranglerVersion, tools.Modules)
		if os.Getenv(E2EEnv) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return tools
}

func requireTools(t testing.TB, dir string) *wranglerdev.Tools {
	t.Helper()
	tools, err := wranglerdev.FindTools(dir)
	if err != nil {
		if os.Getenv(E2EEnv) != "" {
			t.Fatalf("%v (%s is set, so the end-to-end tests must run)", err, E2EEnv)
		}
		t.Skipf("end-to-end test needs workerd: %v", err)
	}
	return tools
}

// Workerd is the Target of a Go Worker served by wrangler dev behind the
// JavaScript caller (internal/conformance/jscaller).
type Workerd struct {
	opts   wranglerdev.Options
	server *wranglerdev.Server
	client *http.Client
}

// StartWorkerd builds the Go Worker pkg (a directory relative to the
// repository root, with its wrangler.toml at goConfig) and serves it with
// the JavaScript caller jsConfig in front (none if jsConfig is ""). It
// stops when the test ends.
func StartWorkerd(t testing.TB, pkg, outDir, goConfig, jsConfig string) *Workerd {
	t.Helper()
	RequireWrangler(t)
	return StartWorkerdWith(t, pkg, outDir, goConfig, jsConfig, wranglerdev.Options{})
}

// GoWorker is another Worker to serve in the same wrangler session: its
// Go package and where to build it (none for a JavaScript Worker), and
// its wrangler.toml, relative to the repository root.
type GoWorker struct{ Pkg, OutDir, Config string }

// JSServiceWorker is the JavaScript Worker whose RPC entrypoint the sandbox's
// jsbridge scenarios call (service binding JSSVC).
var JSServiceWorker = GoWorker{Config: "internal/conformance/jsservice/wrangler.toml"}

// StartWorkerdWith is StartWorkerd with the Tools, CompatibilityDate,
// TestScheduled and PersistTo (if not empty) of opts (the other fields
// are StartWorkerd's),
// and peers served beside the Worker (bindings with a script_name reach
// them).
func StartWorkerdWith(t testing.TB, pkg, outDir, goConfig, jsConfig string, opts wranglerdev.Options, peers ...GoWorker) *Workerd {
	t.Helper()
	root := RepoRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	configs := []string{jsConfig, goConfig}
	if jsConfig == "" {
		configs = configs[1:] // the Go Worker is the one served
	}
	for _, w := range append([]GoWorker{{pkg, outDir, goConfig}}, peers...) {
		if w.Pkg == "" {
			configs = append(configs, w.Config)
			continue
		}
		if _, err := build.Build(ctx, root, w.Pkg, filepath.Join(root, w.OutDir), nil); err != nil {
			t.Fatal(err)
		}
		if w.Config != goConfig {
			configs = append(configs, w.Config)
		}
	}
	persist := opts.PersistTo
	if persist == "" {
		persist = t.TempDir()
	}
	w := &Workerd{
		opts: wranglerdev.Options{
			Dir:               root,
			Configs:           configs,
			PersistTo:         persist,
			Log:               testLog{t},
			Tools:             opts.Tools,
			CompatibilityDate: opts.CompatibilityDate,
			TestScheduled:     opts.TestScheduled,
		},
		client: &http.Client{Timeout: time.Minute},
	}
	w.start(t)
	t.Cleanup(func() { w.server.Stop() })
	return w
}

func (w *Workerd) start(t testing.TB) {
	t.Helper()
	s, err := wranglerdev.Start(context.Background(), w.opts)
	if err != nil {
		t.Fatal(err)
	}
	w.server = s
}

// Name implements Target.
func (w *Workerd) Name() string { return "workerd" }

// Fetch implements Target.
func (w *Workerd) Fetch(t testing.TB, req *http.Request) *Response {
	t.Helper()
	resp := w.Stream(t, req)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// Stream implements Target.
func (w *Workerd) Stream(t testing.TB, req *http.Request) *http.Response {
	t.Helper()
	out := req.Clone(req.Context())
	u := *req.URL
	u.Scheme, u.Host = "http", w.server.URL[len("http://"):]
	out.URL, out.Host, out.RequestURI = &u, "", ""
	resp, err := w.client.Do(out)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return resp
}

// StreamObject implements Target through the JavaScript caller's /dofetch
// route, which hands the request to the object's stub.fetch.
func (w *Workerd) StreamObject(t testing.TB, binding, name string, req *http.Request) *http.Response {
	t.Helper()
	r := req.Clone(req.Context())
	u := *req.URL
	u.Path = "/dofetch/" + binding + "/" + name + u.Path
	r.URL = &u
	return w.Stream(t, r)
}

// Abandon implements Target through the JavaScript caller's /abandon
// route, which aborts its fetch of the Go Worker after d: wrangler's
// proxy does not pass a client's disconnect on to the Worker (measured
// with wrangler 4.164: request.signal never aborted, the handler ran to
// its end), a subrequest's AbortSignal does.
func (w *Workerd) Abandon(t testing.TB, req *http.Request, d time.Duration) {
	t.Helper()
	q := url.Values{"after": {strconv.FormatInt(d.Milliseconds(), 10)}, "path": {req.URL.RequestURI()}}
	r, err := http.NewRequestWithContext(req.Context(), http.MethodGet, "/abandon?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp := w.Fetch(t, r); resp.Status != http.StatusNoContent {
		t.Fatalf("%s %s was not abandoned: %d %s", req.Method, req.URL, resp.Status, resp.Body)
	}
}

// Call implements Target through the JavaScript caller's /call route, or
// its /callstream route for a call with a JSStream.
func (w *Workerd) Call(t testing.TB, binding, name, method string, args ...any) (any, *JSError) {
	t.Helper()
	var resp *http.Response
	if streamOf(args) != nil {
		resp = w.callStream(t, binding, name, method, "", args)
	} else {
		body, err := json.Marshal(map[string]any{"binding": binding, "name": name, "method": method, "args": nonNil(args)})
		if err != nil {
			t.Fatal(err)
		}
		resp, err = w.client.Post(w.server.URL+"/call", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("calling %s.%s: %v", binding, method, err)
		}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if jerr := callError(t, resp, b); jerr != nil {
		return nil, jerr
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("calling %s.%s: status %d: %s", binding, method, resp.StatusCode, b)
	}
	if len(b) == 0 {
		return nil, nil
	}
	var v any
	if err := abi.DecodeValue(b, &v); err != nil {
		t.Fatalf("decoding the result of %s.%s: %v", binding, method, err)
	}
	return Normalize(v), nil
}

// CallThen implements Target: the JavaScript caller calls the stub.
func (w *Workerd) CallThen(t testing.TB, binding, name, method string, args []any, then string, thenArgs ...any) (any, *JSError) {
	t.Helper()
	return w.Call(t, binding, name, method, append(nonNil(args), thenCall{then, nonNil(thenArgs)})...)
}

// thenCall, the last argument of a Call, is the call that the JavaScript
// caller makes on the stub the call returns (CallThen).
type thenCall struct {
	method string
	args   []any
}

func (c thenCall) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"$then": map[string]any{"method": c.method, "args": c.args}})
}

func nonNil(args []any) []any {
	if args == nil {
		return []any{}
	}
	return args
}

// callError returns the error a /call or /callstream answered, or nil.
func callError(t testing.TB, resp *http.Response, b []byte) *JSError {
	t.Helper()
	if resp.StatusCode != http.StatusInternalServerError || !bytes.HasPrefix(b, []byte(`{"error"`)) {
		return nil
	}
	var e struct {
		Error JSError `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return &e.Error
}

// callStream calls through the JavaScript caller's /callstream route: the
// call in a header, a JSStream's bytes as the request body; read is "js"
// ("js:N") for the caller to read the stream itself (N lines, 0: all).
func (w *Workerd) callStream(t testing.TB, binding, name, method, read string, args []any) *http.Response {
	t.Helper()
	call, err := json.Marshal(map[string]any{"binding": binding, "name": name, "method": method, "args": nonNil(args)})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, w.server.URL+"/callstream", streamOf(args))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Call", string(call))
	if read != "" {
		req.Header.Set("X-Read", read)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		t.Fatalf("calling %s.%s: %v", binding, method, err)
	}
	return resp
}

// CallStream implements Target through the JavaScript caller's /callstream
// route, which answers with the stream as its body.
func (w *Workerd) CallStream(t testing.TB, binding, name, method string, args ...any) (io.ReadCloser, *JSError) {
	t.Helper()
	resp := w.callStream(t, binding, name, method, "", args)
	if resp.Header.Get("X-Result-Type") == "stream" {
		return resp.Body, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if jerr := callError(t, resp, b); jerr != nil {
		return nil, jerr
	}
	t.Fatalf("%s.%s did not return a stream: %d %s %q", binding, method, resp.StatusCode, resp.Header.Get("X-Result-Type"), b)
	return nil, nil
}

// ReadStream implements Target: the JavaScript caller reads the stream and
// answers {"text", "error"}.
func (w *Workerd) ReadStream(t testing.TB, binding, name, method string, lines int, args ...any) (string, *JSError) {
	t.Helper()
	resp := w.callStream(t, binding, name, method, "js:"+strconv.Itoa(lines), args)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if jerr := callError(t, resp, b); jerr != nil {
		return "", jerr
	}
	var out struct {
		Text  string   `json:"text"`
		Error *JSError `json:"readError"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s.%s: %v: %s", binding, method, err, b)
	}
	return out.Text, out.Error
}

// Restart implements Target: wrangler and workerd stop and start again on
// the same storage.
func (w *Workerd) Restart(t testing.TB) {
	t.Helper()
	if err := w.server.Stop(); err != nil {
		t.Fatal(err)
	}
	w.start(t)
}

// DialWebSocket implements Target with a real client (coder/websocket).
func (w *Workerd) DialWebSocket(t testing.TB, path string) (Socket, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws://"+w.server.URL[len("http://"):]+path, nil)
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, resp.StatusCode
		}
		t.Fatalf("dialing %s: %v", path, err)
	}
	c.SetReadLimit(64 << 20)
	return &clientSocket{c: c}, resp.StatusCode
}

// Scheduled implements Target through the JavaScript caller's /scheduled
// route, which calls the Go Worker's Fetcher.scheduled().
func (w *Workerd) Scheduled(t testing.TB, cron string, at time.Time) ScheduledResult {
	t.Helper()
	q := url.Values{"cron": {cron}, "time": {strconv.FormatInt(at.UnixMilli(), 10)}}
	req, err := http.NewRequest(http.MethodGet, "/scheduled?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp := w.Fetch(t, req)
	var out ScheduledResult
	if err := json.Unmarshal(resp.Body, &out); resp.Status != http.StatusOK || err != nil {
		t.Fatalf("scheduled %q: %d %s", cron, resp.Status, resp.Body)
	}
	return out
}

// Hibernate implements Target: workerd hibernates an object that has
// been idle for 10 seconds (server.c++), so this waits a little longer.
func (w *Workerd) Hibernate(t testing.TB, binding, name string) {
	time.Sleep(11500 * time.Millisecond)
}

// clientSocket is a Socket on a real WebSocket client.
type clientSocket struct{ c *websocket.Conn }

func (s *clientSocket) Send(m ws.Message) error {
	typ := websocket.MessageBinary
	if m.Type == ws.Text {
		typ = websocket.MessageText
	}
	return s.c.Write(context.Background(), typ, m.Data)
}

func (s *clientSocket) Receive(ctx context.Context) (ws.Message, error) {
	typ, data, err := s.c.Read(ctx)
	if err != nil {
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return ws.Message{}, &ws.CloseError{Code: int(ce.Code), Reason: ce.Reason, WasClean: true}
		}
		return ws.Message{}, err
	}
	if typ == websocket.MessageText {
		return ws.TextMessage(string(data)), nil
	}
	return ws.BinaryMessage(data), nil
}

// Close sends a close and waits for workerd's answer (coder/websocket's
// Close does the whole handshake).
func (s *clientSocket) Close(code int, reason string) error {
	return s.c.Close(websocket.StatusCode(code), reason)
}

// Output returns the recent output of wrangler and workerd.
func (w *Workerd) Output() string { return w.server.Output() }

// testLog sends wrangler's output to the test log, verbose mode only.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	if testing.Verbose() {
		l.t.Logf("%s", bytes.TrimRight(p, "\n"))
	}
	return len(p), nil
}
