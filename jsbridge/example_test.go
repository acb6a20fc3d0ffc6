package jsbridge_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"

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

// A recipe for Workers AI and Vectorize together (testdata/search):
// documents embedded by an AI model, kept in a Vectorize index, searched
// by meaning. Both run on Cloudflare's network only; in a test, Go fakes
// play them: a toy embedding that counts words, and an index in memory.
func Example_search() {
	w, err := dotest.Start(&dotest.Options{
		Package: "./testdata/search",
		Fakes:   map[string]any{"AI": fakeEmbeddings{}, "DOCS": &fakeIndex{}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	for id, text := range map[string]string{
		"kv": "Workers KV keeps values at the edge",
		"do": "Durable Objects keep state with strong consistency",
		"r2": "R2 keeps large objects such as images",
	} {
		w.Fetch(httptest.NewRequest("PUT", "/docs/"+id, strings.NewReader(text)))
	}
	resp := w.Fetch(httptest.NewRequest("GET", "/search?q=strong+consistency+for+objects", nil))
	var hits []struct {
		ID    string
		Score float64
	}
	json.NewDecoder(resp.Body).Decode(&hits)
	for _, h := range hits {
		fmt.Printf("%s %.2f\n", h.ID, h.Score)
	}
	// Output:
	// do 0.71
	// r2 0.26
	// kv 0.00
}

// vocabulary are the words fakeEmbeddings counts.
var vocabulary = strings.Fields("workers kv keeps values edge durable objects keep state strong consistency r2 large images")

// fakeEmbeddings plays Workers AI's embedding models: run(model, {text})
// answers {shape, data}, a vector per text (here, how many times each
// word of the vocabulary occurs in it).
type fakeEmbeddings struct{}

func (fakeEmbeddings) Run(ctx context.Context, model string, input struct {
	Text []string `json:"text"`
}) (map[string]any, error) {
	data := [][]float64{}
	for _, text := range input.Text {
		v := make([]float64, len(vocabulary))
		for _, word := range strings.Fields(strings.ToLower(text)) {
			if i := slices.Index(vocabulary, word); i >= 0 {
				v[i]++
			}
		}
		data = append(data, v)
	}
	return map[string]any{"shape": []int{len(data), len(vocabulary)}, "data": data}, nil
}

// fakeIndex plays a Vectorize index, in memory: upsert(vectors) and
// query(vector, {topK, returnMetadata}) by cosine similarity.
type fakeIndex struct {
	mu      sync.Mutex
	vectors map[string]indexed
}

type indexed struct {
	ID       string         `json:"id"`
	Values   []float64      `json:"values"`
	Metadata map[string]any `json:"metadata"`
}

func (ix *fakeIndex) Upsert(ctx context.Context, vectors []indexed) (map[string]any, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.vectors == nil {
		ix.vectors = map[string]indexed{}
	}
	for _, v := range vectors {
		ix.vectors[v.ID] = v
	}
	return map[string]any{"mutationId": fmt.Sprint(len(ix.vectors))}, nil
}

func (ix *fakeIndex) Query(ctx context.Context, values []float64, opts struct {
	TopK           int    `json:"topK"`
	ReturnMetadata string `json:"returnMetadata"`
}) (map[string]any, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	matches := []map[string]any{}
	for _, v := range ix.vectors {
		m := map[string]any{"id": v.ID, "score": cosine(values, v.Values)}
		if opts.ReturnMetadata == "all" {
			m["metadata"] = v.Metadata
		}
		matches = append(matches, m)
	}
	slices.SortFunc(matches, func(a, b map[string]any) int {
		return cmp.Compare(b["score"].(float64), a["score"].(float64))
	})
	matches = matches[:min(len(matches), opts.TopK)]
	return map[string]any{"count": len(matches), "matches": matches}, nil
}

func cosine(a, b []float64) float64 {
	var dot, na, nb float64
	for i := range min(len(a), len(b)) {
		dot, na, nb = dot+a[i]*b[i], na+a[i]*a[i], nb+b[i]*b[i]
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}
