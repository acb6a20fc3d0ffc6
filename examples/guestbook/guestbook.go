// Command guestbook is a stateless Worker that keeps its entries in a D1
// database, through database/sql:
//
//	POST /entries  {"name":"ann","message":"hello"}  -> 201 {"id":1}
//	GET  /entries                                    -> 200 [{"id":1,"name":"ann","message":"hello","at":"..."}]
//	POST /entries/import  [{"name":..., "message":...}, ...] -> 201 {"imported":2}, all or none
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/godurable/godurable/d1"
	"github.com/godurable/godurable/worker"
)

func main() {}

func init() { worker.Handle(routes()) }

// Entry is one message in the guestbook.
type Entry struct {
	ID      int64     `json:"id"`
	Name    string    `json:"name"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}

// The queries, as sqlc would generate them for SQLite.
const (
	schema = `CREATE TABLE IF NOT EXISTS entries (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL CHECK (name <> ''),
	message TEXT NOT NULL,
	at TEXT NOT NULL -- a time.Time, as RFC 3339 text
)`
	createEntry = `INSERT INTO entries (name, message, at) VALUES (?, ?, ?)`
	listEntries = `SELECT id, name, message, at FROM entries ORDER BY id`
)

// ready records that this isolate has created the table: once is enough
// for a database that outlives it. (A deployed Worker would rather apply
// the schema with wrangler d1 migrations.)
var ready struct {
	sync.Mutex
	done bool
}

func database(ctx context.Context) (*sql.DB, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	db, err := d1.Open(env, "DB") // the same *sql.DB every time
	if err != nil {
		return nil, err
	}
	ready.Lock()
	defer ready.Unlock()
	if !ready.done {
		if _, err := db.ExecContext(ctx, schema); err != nil {
			return nil, fmt.Errorf("creating the entries table: %w", err)
		}
		ready.done = true
	}
	return db, nil
}

func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /entries", func(w http.ResponseWriter, r *http.Request) {
		var e Entry
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			reply(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		db, err := database(r.Context())
		if err != nil {
			reply(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		res, err := db.ExecContext(r.Context(), createEntry, e.Name, e.Message, time.Now().UTC())
		if err != nil {
			reply(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		id, _ := res.LastInsertId() // D1's meta.last_row_id
		reply(w, http.StatusCreated, map[string]int64{"id": id})
	})
	mux.HandleFunc("GET /entries", func(w http.ResponseWriter, r *http.Request) {
		db, err := database(r.Context())
		if err != nil {
			reply(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		rows, err := db.QueryContext(r.Context(), listEntries)
		if err != nil {
			reply(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		defer rows.Close()
		entries := []Entry{}
		for rows.Next() {
			var e Entry
			if err := rows.Scan(&e.ID, &e.Name, &e.Message, &e.At); err != nil {
				reply(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
				return
			}
			entries = append(entries, e)
		}
		reply(w, http.StatusOK, entries)
	})
	mux.HandleFunc("POST /entries/import", importEntries)
	return mux
}

// importEntries adds many entries in one D1 batch: if one is refused (an
// empty name), none is added.
func importEntries(w http.ResponseWriter, r *http.Request) {
	var entries []Entry
	if err := json.NewDecoder(r.Body).Decode(&entries); err != nil {
		reply(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if _, err := database(r.Context()); err != nil {
		reply(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	env, _ := worker.GetEnv()
	db, err := d1.FromEnv(env, "DB")
	if err != nil {
		reply(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	insert := db.Prepare(createEntry)
	stmts := make([]*d1.Statement, len(entries))
	now := time.Now().UTC()
	for i, e := range entries {
		stmts[i] = insert.Bind(e.Name, e.Message, now)
	}
	_, err = db.Batch(r.Context(), stmts...)
	var we *worker.Error
	switch {
	case errors.As(err, &we): // what D1 threw, as JavaScript sees it
		reply(w, http.StatusBadRequest, map[string]string{"error": we.Message})
	case err != nil:
		reply(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
	default:
		reply(w, http.StatusCreated, map[string]int{"imported": len(entries)})
	}
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
