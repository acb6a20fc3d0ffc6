// Command summarize is a Worker that asks Workers AI, through package
// jsbridge, for the summary of a text: GET /summary?text=... answers it.
// The jsbridge examples run it under dotest with a fake of the AI binding.
package main

import (
	"fmt"
	"net/http"

	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

func main() {}

func init() { worker.HandleFunc(summary) }

func summary(w http.ResponseWriter, r *http.Request) {
	ai, err := jsbridge.Binding("AI") // [ai] binding = "AI" in wrangler.toml
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var out struct {
		Summary string `json:"summary"`
	}
	input := map[string]any{"input_text": r.URL.Query().Get("text"), "max_length": 16}
	if err := ai.Call(r.Context(), "run", &out, "@cf/facebook/bart-large-cnn", input); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintln(w, out.Summary)
}
