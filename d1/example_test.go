package d1_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/godurable/godurable/d1"
	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

// A stateless Worker that reads a D1 database bound as DB in wrangler.toml:
//
//	[[d1_databases]]
//	binding = "DB"
//	database_name = "app"
//	database_id = "..."
func Example() {
	http.HandleFunc("GET /users/{team}", func(w http.ResponseWriter, r *http.Request) {
		env, _ := worker.GetEnv()
		db, err := d1.FromEnv(env, "DB")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		res, err := db.Prepare(`SELECT id, name FROM users WHERE team = ? ORDER BY name`).
			Bind(r.PathValue("team")).All(r.Context()) // the event's context: D1 calls wait
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		type user struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		}
		users := []user{}
		for res.Next() {
			var u user
			if err := res.Scan(&u.ID, &u.Name); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			users = append(users, u)
		}
		json.NewEncoder(w).Encode(users)
	})
	worker.Handle(http.DefaultServeMux) // in an init function
}

// Transfer moves credit between two accounts in one batch: D1 runs the
// statements as one transaction, so if the second fails (a CHECK
// constraint that keeps balances positive, say), the first has no effect
// either.
func Transfer(ctx context.Context, db *d1.Database, from, to, amount int64) error {
	update := db.Prepare(`UPDATE accounts SET balance = balance + ? WHERE id = ?`)
	_, err := db.Batch(ctx, update.Bind(amount, to), update.Bind(-amount, from))
	return err
}

// A batch is D1's unit of atomicity: D1 has no BEGIN or COMMIT.
func ExampleDatabase_Batch() {
	var db *d1.Database // from d1.FromEnv(env, "DB")
	_ = Transfer        // Transfer(ctx, db, 1, 2, 100)
	_ = db
}

// Run returns D1's meta: the rows changed and the last row ID.
func ExampleStatement_Run() {
	var ctx context.Context // an event's: r.Context(), or a method's ctx
	var db *d1.Database
	if ctx == nil || db == nil {
		return // (this example shows the calls)
	}
	meta, err := db.Prepare(`INSERT INTO users (name, team) VALUES (?, ?)`).Bind("ann", "blue").Run(ctx)
	if err != nil {
		return
	}
	_ = meta.LastRowID // the new user's id
	_ = meta.Changes   // 1
}

// D1's errors carry the name and message JavaScript would see, and match
// the package's sentinels.
func ExampleError() {
	var ctx context.Context
	var db *d1.Database
	if ctx == nil || db == nil {
		return // (this example shows the calls)
	}
	_, err := db.Prepare(`SELECT * FROM users WHERE id = ? AND team = ?`).Bind(1).All(ctx)
	var we *worker.Error
	if errors.As(err, &we) {
		_ = we.Message // "D1_ERROR: Wrong number of parameter bindings for SQL query."
	}
	_ = errors.Is(err, d1.ErrBindingCount) // true
}

// A Durable Object reaches D1 as a Worker does, with the context of its
// event; the object's own storage is another database.
type Team struct {
	state *durableobject.State
	db    *d1.Database
}

// Members is an RPC method that counts the team's users in D1.
func (t *Team) Members(ctx context.Context) (int64, error) {
	var n int64
	err := t.db.Prepare(`SELECT count(*) FROM users WHERE team = ?`).Bind(t.state.Name).First(ctx, &n)
	return n, err
}

// From a Durable Object: FromEnv in the constructor, the calls in its
// methods.
func ExampleFromEnv() {
	durableobject.Register("Team", func(state *durableobject.State, env *worker.Env) (*Team, error) {
		db, err := d1.FromEnv(env, "DB")
		if err != nil {
			return nil, err
		}
		return &Team{state: state, db: db}, nil
	})
}
