package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"unicode/utf8"

	"github.com/godurable/godurable/queues"
	"github.com/godurable/godurable/worker"
)

// maxBody bounds a request's body: 100 jobs with ids of 64 characters
// take under 10 KB.
const maxBody = 1 << 20

func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/jobs", only(http.MethodPost, createJob))
	mux.HandleFunc("/jobs/batch", only(http.MethodPost, createBatch))
	mux.HandleFunc("/jobs/{id}", only(http.MethodGet, getJob))
	mux.HandleFunc("/stats", only(http.MethodGet, getStats))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Errorf("no route for %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// only answers a method other than method with a JSON 405.
func only(method string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, fmt.Errorf("%s %s: use %s", r.Method, r.URL.Path, method))
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// readJSON reads the request's body, one JSON value, as raw JSON.
func readJSON(w http.ResponseWriter, r *http.Request) (json.RawMessage, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("reading the body: %v", err)
	}
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("the body is not JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the body has more than one JSON value")
	}
	return raw, nil
}

// parseJob checks one job: a JSON object with an id of 1 to 64
// characters and a fail_times that is a whole number from 0 (0 if
// absent).
func parseJob(raw json.RawMessage) (Job, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return Job{}, errors.New("a job is a JSON object")
	}
	var j Job
	if err := json.Unmarshal(fields["id"], &j.ID); err != nil || fields["id"] == nil || string(fields["id"]) == "null" {
		return Job{}, errors.New("id must be a string")
	}
	switch n := utf8.RuneCountInString(j.ID); {
	case n == 0:
		return Job{}, errors.New("id must not be empty")
	case n > 64:
		return Job{}, fmt.Errorf("id has %d characters, more than 64", n)
	}
	if ft, ok := fields["fail_times"]; ok {
		dec := json.NewDecoder(bytes.NewReader(ft))
		dec.UseNumber()
		var v any
		num, isNum := json.Number(""), false
		if dec.Decode(&v) == nil {
			num, isNum = v.(json.Number)
		}
		f, err := num.Float64()
		if !isNum || err != nil || f != math.Trunc(f) || f < 0 || f > 1<<53 {
			return Job{}, fmt.Errorf("fail_times must be a whole number from 0, not %s", ft)
		}
		j.FailTimes = int64(f)
	}
	return j, nil
}

// createJob is POST /jobs.
func createJob(w http.ResponseWriter, r *http.Request) {
	raw, err := readJSON(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	j, err := parseJob(raw)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if status, err := queue(r, []Job{j}); err != nil {
		writeError(w, status, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": j.ID, "status": "queued"})
}

// createBatch is POST /jobs/batch.
func createBatch(w http.ResponseWriter, r *http.Request) {
	raw, err := readJSON(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		writeError(w, http.StatusBadRequest, errors.New("the body must be a JSON array of jobs"))
		return
	}
	if len(items) == 0 || len(items) > queues.MaxBatchMessages {
		writeError(w, http.StatusBadRequest, fmt.Errorf("a batch has 1 to %d jobs, not %d", queues.MaxBatchMessages, len(items)))
		return
	}
	jobs := make([]Job, len(items))
	seen := map[string]bool{}
	for i, item := range items {
		j, err := parseJob(item)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Errorf("job %d: %v", i, err))
			return
		}
		if seen[j.ID] {
			writeError(w, http.StatusBadRequest, fmt.Errorf("job %d: the id %q appears twice in the batch", i, j.ID))
			return
		}
		seen[j.ID] = true
		jobs[i] = j
	}
	if status, err := queue(r, jobs); err != nil {
		writeError(w, status, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"queued": len(jobs)})
}

// queue records jobs on the Board, all or none, then sends them to the
// queue in one send; if the send fails, the Board forgets them. It
// returns the status of a failure.
func queue(r *http.Request, jobs []Job) (int, error) {
	ctx := r.Context()
	stub, err := board()
	if err != nil {
		return http.StatusInternalServerError, err
	}
	var known string
	if err := stub.Call(ctx, "create", &known, jobs); err != nil {
		return http.StatusInternalServerError, err
	}
	if known != "" {
		return http.StatusConflict, fmt.Errorf("the job %q exists already", known)
	}
	env, err := worker.GetEnv()
	if err != nil {
		return http.StatusInternalServerError, err
	}
	q, err := queues.FromEnv(env, "JOBS")
	if err != nil {
		return http.StatusInternalServerError, err
	}
	if len(jobs) == 1 {
		_, err = q.Send(ctx, jobs[0], nil)
	} else {
		msgs := make([]queues.SendMessage, len(jobs))
		for i, j := range jobs {
			msgs[i] = queues.SendMessage{Body: j}
		}
		_, err = q.SendBatch(ctx, msgs, nil)
	}
	if err != nil {
		ids := make([]string, len(jobs))
		for i, j := range jobs {
			ids[i] = j.ID
		}
		if ferr := stub.Call(ctx, "forget", nil, ids); ferr != nil {
			err = fmt.Errorf("%w (and forgetting the jobs: %v)", err, ferr)
		}
		return http.StatusServiceUnavailable, fmt.Errorf("queueing: %v", err)
	}
	return 0, nil
}

// getJob is GET /jobs/{id}.
func getJob(w http.ResponseWriter, r *http.Request) {
	stub, err := board()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	id := r.PathValue("id")
	var s *JobState
	if err := stub.Call(r.Context(), "get", &s, id); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	if s == nil {
		writeError(w, http.StatusNotFound, fmt.Errorf("no job %q", id))
		return
	}
	writeJSON(w, http.StatusOK, s)
}

// getStats is GET /stats.
func getStats(w http.ResponseWriter, r *http.Request) {
	stub, err := board()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	var s Stats
	if err := stub.Call(r.Context(), "stats", &s); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}
