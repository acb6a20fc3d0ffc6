package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

func parseBy(q url.Values) (int64, error) {
	s := q.Get("by")
	if s == "" {
		return 1, nil
	}
	by, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("by must be an integer, got %q", s)
	}
	return by, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
