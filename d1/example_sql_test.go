package d1_test

import (
	"database/sql"
	"net/http"
	"time"

	"github.com/godurable/godurable/d1"
	"github.com/godurable/godurable/worker"
)

// database/sql on D1, as sqlc's generated code uses it: ExecContext for
// :exec, :execrows and :execlastid queries, QueryRowContext for :one and
// QueryContext for :many. Pass the *sql.DB to sqlc's New.
func ExampleOpen() {
	http.HandleFunc("POST /notes", func(w http.ResponseWriter, r *http.Request) {
		env, _ := worker.GetEnv()
		db, err := d1.Open(env, "DB") // the same *sql.DB on every call
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		res, err := db.ExecContext(r.Context(), `INSERT INTO notes (body, at) VALUES (?, ?)`,
			r.FormValue("body"), time.Now()) // a time.Time is stored as RFC 3339 text
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, _ := res.LastInsertId() // D1's meta.last_row_id
		var at time.Time
		var body sql.NullString
		err = db.QueryRowContext(r.Context(), `SELECT body, at FROM notes WHERE id = ?`, id).Scan(&body, &at)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write([]byte(body.String))
	})
}
