package workerd

import (
	"context"
	"fmt"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// Service bindings and the Worker's entrypoints, as the shim's
// features/services.js has them: a stub of a service binding reaches an
// entrypoint of another Worker (a Config.Services entry) or the fake that
// plays the binding; an RPC call of an entrypoint is an EventWorkerCall,
// its fetch an EventWorkerFetch whose arg names it; a Worker's event
// carries the props its caller gave (event.props).

// Service is where a service binding leads: an entrypoint of the Worker
// an Isolate runs.
type Service struct {
	Isolate *Isolate
	Entry   Entry
}

// Entry names an entrypoint of a Worker ("" for the default export's)
// and the props (ctx.props) of the events that reach it through it: a
// map[string]any, as a [[services]] entry's props table, or nil for an
// empty object, as workerd gives a binding without props.
type Entry struct {
	Name  string
	Props map[string]any
}

func init() {
	register(syncOps, map[abi.CallOp]syncOp{
		abi.CallEventProps: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var id int32
			if err := decodeRequest(req, &id); err != nil {
				return nil, err
			}
			props, ok := iso.current().EventProps(id)
			if !ok {
				return nil, NewJSError("Error", "godurable: Props: the event has already finished")
			}
			if props == nil {
				return []byte{}, nil
			}
			return jsEncodeFor(props, iso)
		},
	})
}

// jsProps is the JavaScript value of e's props.
func (e Entry) jsProps() any {
	if e.Props == nil {
		return newJSObject()
	}
	return toJS(e.Props)
}

// service returns the stub of the service binding called binding: the
// entrypoint it reaches, or the fake that plays it.
func (iso *Isolate) service(binding string) (*jsStub, error) {
	if s, ok := iso.cfg.Services[binding]; ok {
		return &jsStub{host: s.Isolate, entry: &s.Entry}, nil
	}
	if f := iso.cfg.Fakes[binding]; f != nil && f.Class == "Fetcher" {
		return &jsStub{fake: f}, nil
	}
	if iso.cfg.Unemulated[binding] == "services" {
		return nil, NewJSError("Error", fmt.Sprintf("dotest: the service binding %s reaches no Worker of the test: start that Worker and pass it in Options.Scripts by its service name, or fake the binding in Options.Fakes", binding))
	}
	return nil, NewJSError("TypeError", "godurable: "+binding+" is not a service binding")
}

// entrypoint returns the index of the entrypoint called name in the
// manifest and its description, or -1 and nil if the module registers
// none by that name.
func (iso *Isolate) entrypoint(name string) (int, *abi.Class) {
	for i, e := range iso.Manifest().Entrypoints {
		if e.Name == name {
			return i, &iso.Manifest().Entrypoints[i]
		}
	}
	return -1, nil
}

// HasEntrypoint reports whether the Worker exports an entrypoint called
// name with a WorkerEntrypoint class: "" (the default export) always.
func (iso *Isolate) HasEntrypoint(name string) bool {
	i, _ := iso.entrypoint(name)
	return name == "" || i >= 0
}

// EntrypointCall calls the RPC method (its JavaScript name) of the
// Worker's entrypoint e with args, as a JavaScript caller through a
// service binding does (ObjectCall's values and errors).
func (iso *Isolate) EntrypointCall(ctx context.Context, e Entry, method string, args []byte) ([]byte, error) {
	return iso.asJSCaller(iso.entryCall(ctx, e, method, args, true, testStubs))
}

// EntrypointFetch sends req to the Worker's entrypoint e, as a service
// binding's fetch does.
func (iso *Isolate) EntrypointFetch(ctx context.Context, e Entry, req *abi.Request) (*abi.Response, error) {
	if e.Name == "" {
		return iso.fetch(ctx, 0, e.jsProps(), req)
	}
	i, c := iso.entrypoint(e.Name)
	if c == nil || !hasCapability(c.Capabilities, "fetch") {
		return nil, NewJSError("Error", "Handler does not export a fetch() function.")
	}
	return iso.fetch(ctx, uint32(i+1), e.jsProps(), req)
}

// entryCall runs an RPC call of the entrypoint e with the arguments
// passed through JavaScript from the side from, and returns the result
// as Go wrote it.
func (iso *Isolate) entryCall(ctx context.Context, e Entry, method string, args []byte, reserved bool, from stubSide) ([]byte, error) {
	i, c := iso.entrypoint(e.Name)
	if c == nil { // the default export is an object: no RPC method of ours
		c = &abi.Class{}
	}
	return iso.rpc(ctx, c, method, args, reserved, from, func(index uint32, payload []byte) (*driver.Instance, *driver.Event, []byte, error) {
		return iso.dispatchWorker(ctx, &driver.Message{Kind: abi.EventWorkerCall, Arg: abi.EntrypointArg(i, int(index)), Payload: payload,
			Props: e.jsProps(), What: entryName(e.Name) + "." + method + "()"})
	})
}

// entryName names an entrypoint in messages.
func entryName(name string) string {
	if name == "" {
		return "worker"
	}
	return name
}

// callFake calls the method of a fake of a service binding with args from
// the Go instance, and returns its result for the instance.
func (iso *Isolate) callFake(f *JSObject, method string, args []byte) ([]byte, error) {
	in, err := jsArgs(args, iso)
	if err != nil {
		return nil, err
	}
	fn := f.Methods[method]
	if fn == nil {
		return nil, NewJSError("TypeError", `The RPC receiver does not implement the method "`+method+`".`)
	}
	res, err := callFunc(fn, in, f.Class+"."+method)
	if p, ok := res.(*jsPromise); ok && err == nil {
		res, err = p.run(context.Background())
	}
	if err != nil {
		return nil, err
	}
	return iso.jsResult(res, 0)
}
