package dotest

import (
	"database/sql"
	"fmt"

	sqlite "github.com/ncruces/go-sqlite3/driver"
)

// D1 returns a *sql.DB on the SQLite database that emulates the D1
// binding (declared under [[d1_databases]] in the wrangler configuration,
// or in Options.D1), to seed it before the Worker runs or to inspect what
// the Worker wrote. The test's statements run outside D1's rules (any SQL
// SQLite takes) and between the Worker's calls, which each run as one
// transaction. The *sql.DB closes with the Worker.
func (w *Worker) D1(binding string) (*sql.DB, error) {
	w.d1mu.Lock()
	defer w.d1mu.Unlock()
	if c := w.d1dbs[binding]; c != nil {
		return c, nil
	}
	db, err := w.iso.D1(binding)
	if err != nil {
		return nil, fmt.Errorf("dotest: D1 %s: %w", binding, err)
	}
	c, err := sqlite.Open(db.DSN() + "&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("dotest: D1 %s: %w", binding, err)
	}
	if w.d1dbs == nil {
		w.d1dbs = map[string]*sql.DB{}
	}
	w.d1dbs[binding] = c
	return c, nil
}

// closeD1 closes the test's connections to the D1 databases.
func (w *Worker) closeD1() {
	w.d1mu.Lock()
	defer w.d1mu.Unlock()
	for _, c := range w.d1dbs {
		c.Close()
	}
	w.d1dbs = nil
}
