// Command guest is the module the host's tests run: a Worker whose routes
// exercise the corners of the host (timers, idle detection, traps, hangs,
// outbound fetch, output, WASI stubs), and a Durable Object class, Probe.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

func main() {}

// Probe is a Durable Object with a few RPC methods.
type Probe struct {
	state *durableobject.State
	built int
}

var constructions int

func newProbe(state *durableobject.State, env *worker.Env) (*Probe, error) {
	constructions++
	return &Probe{state: state, built: constructions}, nil
}

// Built returns the constructions counted when this object was built.
func (p *Probe) Built() int { return p.built }

// Name returns the object's name.
func (p *Probe) Name() string { return p.state.Name }

// Sleep waits ms milliseconds with worker.Sleep and returns ms.
func (p *Probe) Sleep(ctx context.Context, ms int64) (int64, error) {
	return ms, worker.Sleep(ctx, time.Duration(ms)*time.Millisecond)
}

// Echo returns v.
func (p *Probe) Echo(v any) any { return v }

// Fail returns a named error with a code.
func (p *Probe) Fail() error {
	return &worker.Error{Name: "ProbeError", Code: "E_PROBE", Message: "probe failed"}
}

// Call calls method on the Probe called name with arg.
func (p *Probe) Call(ctx context.Context, name, method string, arg any) (any, error) {
	env, _ := worker.GetEnv()
	ns, err := env.DurableObject("PROBE")
	if err != nil {
		return nil, err
	}
	var out any
	if arg == nil {
		err = ns.GetByName(name).Call(ctx, method, &out)
	} else {
		err = ns.GetByName(name).Call(ctx, method, &out, arg)
	}
	return out, err
}

func init() {
	durableobject.Register("Probe", newProbe)
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		for {
		}
	})
	mux.HandleFunc("/sleep", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		start := time.Now()
		if err := worker.Sleep(r.Context(), time.Duration(ms)*time.Millisecond); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, time.Since(start).Milliseconds())
	})
	mux.HandleFunc("/timesleep", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		fmt.Fprint(w, "slept")
	})
	mux.HandleFunc("/frozen", func(w http.ResponseWriter, r *http.Request) {
		a := time.Now()
		x := 0
		for i := 0; i < 20_000_000; i++ {
			x += i
		}
		b := time.Now()
		fmt.Fprint(w, b.Sub(a), x > 0)
	})
	mux.HandleFunc("/now", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, time.Now().UnixMilli())
	})
	mux.HandleFunc("/fetch", func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), "GET", r.URL.Query().Get("url"), nil)
		resp, err := worker.Fetch(req)
		if err != nil {
			http.Error(w, "fetch: "+err.Error(), 502)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		w.Write(b)
	})
	mux.HandleFunc("/print", func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("to stdout", "é")
		fmt.Fprint(os.Stderr, "to stderr, no newline")
		fmt.Fprint(w, "printed")
	})
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		_, err := os.ReadFile("/etc/hostname")
		fmt.Fprint(w, err)
	})
	mux.HandleFunc("/fatal", func(w http.ResponseWriter, r *http.Request) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			var m map[string]int
			m["boom"] = 1 // an unrecovered panic in a goroutine kills the runtime
		}()
		<-done
		fmt.Fprint(w, "unreachable")
	})
	mux.HandleFunc("/exit", func(w http.ResponseWriter, r *http.Request) { os.Exit(3) })
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) { panic("handler panic") })
	worker.Handle(mux)
}
