// Package cpuprof drives the V8 CPU profiler of workerd's isolates over the
// Chrome DevTools Protocol (the inspector that wrangler dev opens) and sums
// the profiles it returns by category: the shim's JavaScript, the
// MessagePack codec, the Go module's wasm code by Go package, workerd's
// native code, the garbage collector and idle time.
//
// It is the library behind godurable-bench -profile; see bench/README.md
// ("Profiling") and bench/PROFILE.md.
package cpuprof

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// Target is one inspectable isolate, as GET /json lists it.
type Target struct {
	ID                   string `json:"id"`
	Title                string `json:"title"`
	WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
}

// Targets lists the targets of the inspector at base (http://host:port).
func Targets(ctx context.Context, base string) ([]Target, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/json", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s/json: status %d", base, resp.StatusCode)
	}
	var ts []Target
	if err := json.Unmarshal(body, &ts); err != nil {
		return nil, fmt.Errorf("GET %s/json: %w", base, err)
	}
	return ts, nil
}

// Conn is a DevTools Protocol connection to one isolate.
type Conn struct {
	ws     *websocket.Conn
	nextID atomic.Int64

	mu      sync.Mutex
	pending map[int64]chan reply
	events  func(method string, params json.RawMessage)
	scripts []string // scriptIds from Debugger.scriptParsed
	err     error
	done    chan struct{}
}

type reply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// Dial connects to a target's WebSocket debugger URL. events, if not nil,
// receives every event the target sends (from the reading goroutine).
func Dial(ctx context.Context, url string, events func(method string, params json.RawMessage)) (*Conn, error) {
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", url, err)
	}
	ws.SetReadLimit(1 << 30) // profiles of long runs are large
	c := &Conn{ws: ws, pending: map[int64]chan reply{}, events: events, done: make(chan struct{})}
	go c.read()
	return c, nil
}

func (c *Conn) read() {
	defer close(c.done)
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			c.mu.Lock()
			c.err = err
			for id, ch := range c.pending {
				close(ch)
				delete(c.pending, id)
			}
			c.mu.Unlock()
			return
		}
		var msg struct {
			ID     int64           `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			reply
		}
		if err := json.Unmarshal(data, &msg); err != nil {
			continue
		}
		if msg.ID == 0 {
			if msg.Method == "Debugger.scriptParsed" {
				var sp struct {
					ScriptID string `json:"scriptId"`
				}
				if json.Unmarshal(msg.Params, &sp) == nil {
					c.mu.Lock()
					c.scripts = append(c.scripts, sp.ScriptID)
					c.mu.Unlock()
				}
			}
			if c.events != nil && msg.Method != "" {
				c.events(msg.Method, msg.Params)
			}
			continue
		}
		c.mu.Lock()
		ch := c.pending[msg.ID]
		delete(c.pending, msg.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- msg.reply
		}
	}
}

// Call sends a command and decodes its result into out (if not nil).
func (c *Conn) Call(ctx context.Context, method string, params, out any) error {
	id := c.nextID.Add(1)
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	ch := make(chan reply, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	c.pending[id] = ch
	c.mu.Unlock()
	if err := c.ws.Write(ctx, websocket.MessageText, data); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case r, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: connection closed: %v", method, c.err)
		}
		if r.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, r.Error.Message, r.Error.Code)
		}
		if out != nil && r.Result != nil {
			return json.Unmarshal(r.Result, out)
		}
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return ctx.Err()
	}
}

// ScriptIDs returns the scripts the target reported (after
// Debugger.enable).
func (c *Conn) ScriptIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.scripts...)
}

// Close closes the connection.
func (c *Conn) Close() error {
	err := c.ws.Close(websocket.StatusNormalClosure, "")
	<-c.done
	return err
}

// StartProfiler enables the Profiler domain with a sampling interval in
// microseconds and starts profiling.
func (c *Conn) StartProfiler(ctx context.Context, intervalUS int) error {
	if err := c.Call(ctx, "Profiler.enable", nil, nil); err != nil {
		return err
	}
	if err := c.Call(ctx, "Profiler.setSamplingInterval", map[string]any{"interval": intervalUS}, nil); err != nil {
		return err
	}
	return c.Call(ctx, "Profiler.start", nil, nil)
}

// StopProfiler stops profiling and returns the profile, raw (the
// .cpuprofile format) and parsed.
func (c *Conn) StopProfiler(ctx context.Context) (json.RawMessage, *Profile, error) {
	var out struct {
		Profile json.RawMessage `json:"profile"`
	}
	if err := c.Call(ctx, "Profiler.stop", nil, &out); err != nil {
		return nil, nil, err
	}
	var p Profile
	if err := json.Unmarshal(out.Profile, &p); err != nil {
		return nil, nil, fmt.Errorf("parsing the profile: %w", err)
	}
	return out.Profile, &p, nil
}
