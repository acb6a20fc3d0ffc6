// Command search is a Worker that searches documents by meaning, through
// package jsbridge: Workers AI embeds each text as a vector, and a
// Vectorize index finds the nearest ones.
//
//	PUT /docs/{id}   the document's text as the body -> 202
//	GET /search?q=   -> 200 [{"id": ..., "score": ..., "text": ...}], the 3 nearest
//
// The jsbridge examples run it under dotest with fakes of both bindings.
package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

func main() {}

func init() {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /docs/{id}", put)
	mux.HandleFunc("GET /search", search)
	worker.Handle(mux)
}

// embeddingModel is the Workers AI model that turns text into vectors of
// 384 numbers.
const embeddingModel = "@cf/baai/bge-small-en-v1.5"

// embed returns the vector of text: Workers AI's run(model, {text: [...]})
// answers {shape, data: [[...], ...]}, a vector per text.
func embed(ctx context.Context, text string) ([]float64, error) {
	ai, err := jsbridge.Binding("AI") // [ai] binding = "AI"
	if err != nil {
		return nil, err
	}
	var out struct {
		Data [][]float64 `json:"data"`
	}
	if err := ai.Call(ctx, "run", &out, embeddingModel, map[string]any{"text": []string{text}}); err != nil {
		return nil, err
	}
	if len(out.Data) != 1 {
		return nil, io.ErrUnexpectedEOF
	}
	return out.Data[0], nil
}

// vector is a VectorizeVector: what upsert takes.
type vector struct {
	ID       string            `json:"id"`
	Values   []float64         `json:"values"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

func put(w http.ResponseWriter, r *http.Request) {
	text, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	values, err := embed(r.Context(), string(text))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	docs, err := jsbridge.Binding("DOCS") // [[vectorize]] binding = "DOCS"
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	v := vector{ID: r.PathValue("id"), Values: values, Metadata: map[string]string{"text": string(text)}}
	var mutation struct {
		ID string `json:"mutationId"`
	}
	if err := docs.Call(r.Context(), "upsert", &mutation, []vector{v}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted) // Vectorize applies mutations a few seconds later
}

// hit is a match as the route answers it.
type hit struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
	Text  string  `json:"text"`
}

func search(w http.ResponseWriter, r *http.Request) {
	values, err := embed(r.Context(), r.URL.Query().Get("q"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	docs, err := jsbridge.Binding("DOCS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// query(vector, options) answers {count, matches: [{id, score, metadata}]}.
	var out struct {
		Matches []struct {
			ID       string            `json:"id"`
			Score    float64           `json:"score"`
			Metadata map[string]string `json:"metadata"`
		} `json:"matches"`
	}
	opts := map[string]any{"topK": 3, "returnMetadata": "all"}
	if err := docs.Call(r.Context(), "query", &out, values, opts); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hits := []hit{}
	for _, m := range out.Matches {
		hits = append(hits, hit{ID: m.ID, Score: m.Score, Text: m.Metadata["text"]})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(hits)
}
