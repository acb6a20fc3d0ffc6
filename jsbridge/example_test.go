package jsbridge_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

// A Worker calls a binding's method; in a test, a Go fake plays the
// binding (here, Workers AI, which only runs on Cloudflare's network).
func Example() {
	// In the Worker (testdata/summarize), on an HTTP request r:
	//
	//	ai, err := jsbridge.Binding("AI")
	//	err = ai.Call(r.Context(), "run", &out, "@cf/facebook/bart-large-cnn", input)
	w, err := dotest.Start(&dotest.Options{
		Package: "./testdata/summarize",
		Fakes:   map[string]any{"AI": fakeAI{}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	resp := w.Fetch(httptest.NewRequest("GET", "/summary?text=durable+objects+keep+state+at+the+edge", nil))
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output: 200 DURABLE OBJECTS
}

// fakeAI plays the AI binding: its Run is the JavaScript method run. Its
// ctx parameter makes it asynchronous, as the real one (run returns a
// promise).
type fakeAI struct{}

func (fakeAI) Run(ctx context.Context, model string, input struct {
	Text      string `json:"input_text"`
	MaxLength int    `json:"max_length"`
}) (map[string]any, error) {
	if model != "@cf/facebook/bart-large-cnn" {
		return nil, &worker.Error{Name: "Error", Message: "AiError: no such model " + model}
	}
	words := strings.Fields(input.Text)
	for n := 0; n < len(words); n++ {
		if len(strings.Join(words[:n+1], " ")) > input.MaxLength {
			words = words[:n]
			break
		}
	}
	return map[string]any{"summary": strings.ToUpper(strings.Join(words, " "))}, nil
}

// A value that is not plain data stays in JavaScript: Go holds a handle
// and calls its methods.
func ExampleValue_Call() {
	handler := func(ctx context.Context) (int64, error) {
		svc, err := jsbridge.Binding("COUNTERS") // [[services]] binding = "COUNTERS"
		if err != nil {
			return 0, err
		}
		var counter *jsbridge.Value // an RpcTarget the service returns
		if err := svc.Call(ctx, "counter", &counter, 10); err != nil {
			return 0, err
		}
		defer counter.Release()
		var n int64
		err = counter.Call(ctx, "increment", &n, 5)
		return n, err
	}
	_ = handler
}
