package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/godurable/godurable/d1"
	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/storage"
	"github.com/godurable/godurable/worker"
)

// D1: the binding DB (wrangler.toml's [[d1_databases]]), reached from the
// stateless Worker (GET /d1/{scenario}) and from the Sandbox object (its
// D1 method) by the same code, which reports what it saw as text. Each
// caller uses tables of its own, prefixed by where it runs.

// d1Scenarios are the checks, by name.
var d1Scenarios = map[string]func(ctx context.Context, db *d1.Database, p string) (map[string]string, error){
	"types":  d1Types,
	"meta":   d1Meta,
	"batch":  d1Batch,
	"errors": d1Errors,
	"sql":    d1SQL,
}

func d1Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /d1/{scenario}", func(w http.ResponseWriter, r *http.Request) {
		out, err := runD1(r.Context(), r.PathValue("scenario"), "w_")
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// D1 runs a D1 scenario inside the object.
func (s *Sandbox) D1(ctx context.Context, scenario string) (map[string]string, error) {
	return runD1(ctx, scenario, "o_")
}

func runD1(ctx context.Context, scenario, prefix string) (map[string]string, error) {
	f := d1Scenarios[scenario]
	if f == nil {
		return nil, fmt.Errorf("no D1 scenario %q", scenario)
	}
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	db, err := d1.FromEnv(env, "DB")
	if err != nil {
		return nil, err
	}
	return f(ctx, db, prefix)
}

// d1Types writes a row of every argument type and a row of NULLs, and
// reads them back with Raw, All and First into every destination type.
func d1Types(ctx context.Context, db *d1.Database, p string) (map[string]string, error) {
	t := p + "types"
	if _, err := db.Exec(ctx, "DROP TABLE IF EXISTS "+t+"\nCREATE TABLE "+t+" (id INTEGER PRIMARY KEY, i INTEGER, f REAL, s TEXT, b BLOB, t TEXT, ok INTEGER, n INTEGER)"); err != nil {
		return nil, err
	}
	when := time.Date(2026, 12, 1, 10, 30, 0, 123000000, time.UTC)
	ins := db.Prepare("INSERT INTO " + t + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
	if _, err := ins.Bind(1, int64(abi.MaxSafeInteger), 2.5, "é ü", []byte{0, 0xff}, when, true, level(7)).Run(ctx); err != nil {
		return nil, err
	}
	if _, err := ins.Bind(2, nil, sql.NullFloat64{}, (*string)(nil), []byte{}, sql.NullTime{}, false, nil).Run(ctx); err != nil {
		return nil, err
	}
	out := map[string]string{}
	sel := db.Prepare("SELECT i, f, s, b, t, ok, n FROM " + t + " WHERE id = ?")
	var (
		i    int64
		f    float64
		s    string
		b    []byte
		tm   time.Time
		ok   bool
		n    int16
		ni   sql.NullInt64
		nf   sql.NullFloat64
		ns   sql.NullString
		nt   sql.NullTime
		pn   *int64
		anyB any
	)
	err := sel.Bind(1).First(ctx, &i, &f, &s, &b, &tm, &ok, &n)
	out["first 1"] = fmt.Sprintf("%s, %s, %s, %s, %s, %s, %s, %s", errText(err), show(i), show(f), show(s), show(b), show(tm), show(ok), show(n))
	err = sel.Bind(2).First(ctx, &ni, &nf, &ns, &anyB, &nt, &ok, &pn)
	out["first 2"] = fmt.Sprintf("%s, %v, %v, %v, %s, %v, %s, %s", errText(err), ni, nf, ns, show(anyB), nt.Valid, show(ok), show(pn))
	err = sel.Bind(2).First(ctx, &i, &f, &s, &b, &tm, &ok, &n)
	out["null into int64"] = errText(err)
	err = sel.Bind(3).First(ctx, &i, &f, &s, &b, &tm, &ok, &n)
	out["no rows"] = fmt.Sprintf("%s, %v", errText(err), errors.Is(err, sql.ErrNoRows))

	rows, err := db.Prepare("SELECT * FROM " + t + " ORDER BY id").Raw(ctx)
	if err != nil {
		return nil, err
	}
	out["raw columns"] = strings.Join(rows.Columns(), " ")
	for rows.Next() {
		var vals []string
		for _, v := range rows.Values() {
			vals = append(vals, show(v))
		}
		out["raw row "+vals[0]] = strings.Join(vals[1:], ", ")
	}
	res, err := db.Prepare("SELECT id, s, b FROM " + t + " ORDER BY id").All(ctx)
	if err != nil {
		return nil, err
	}
	out["all"] = fmt.Sprintf("%s: %d rows", strings.Join(res.Columns(), " "), res.Len())
	res.Next()
	var id int
	err = res.Scan(&id, &s, &b)
	out["all scan"] = fmt.Sprintf("%s, %d, %s, %s", errText(err), id, show(s), show(b))

	// Numbers as JavaScript has them: a REAL 2.0 is the integer 2, an
	// integer beyond 2^53 is inexact, an infinity is NULL.
	nums, err := db.Prepare("SELECT 2.0 AS two, 9007199254740993 AS big, 1e999 AS inf, typeof(?) AS bound").Bind(3).Raw(ctx)
	if err != nil {
		return nil, err
	}
	nums.Next()
	var vals []string
	for _, v := range nums.Values() {
		vals = append(vals, show(v))
	}
	out["numbers"] = strings.Join(vals, ", ")

	// Repeated names: All keeps the last value of each, as JavaScript's
	// objects do; Raw keeps every column.
	dup := db.Prepare("SELECT 1 AS a, 2 AS a, 3 AS b")
	res, err = dup.All(ctx)
	if err != nil {
		return nil, err
	}
	res.Next()
	out["all repeated"] = fmt.Sprintf("%s %v", strings.Join(res.Columns(), " "), res.Values())
	rows, err = dup.Raw(ctx)
	if err != nil {
		return nil, err
	}
	rows.Next()
	out["raw repeated"] = fmt.Sprintf("%s %v", strings.Join(rows.Columns(), " "), rows.Values())
	rows, err = db.Prepare("SELECT * FROM " + t + " WHERE id < 0").Raw(ctx)
	if err != nil {
		return nil, err
	}
	out["raw no rows"] = fmt.Sprintf("%d columns, %d rows", len(rows.Columns()), rows.Len())
	return out, nil
}

func metaText(m d1.Meta) string {
	return fmt.Sprintf("changes %d, last_row_id %d, changed_db %v, served_by %s %v", m.Changes, m.LastRowID, m.ChangedDB, m.ServedBy, m.ServedByPrimary)
}

// d1Meta reports D1's meta of writes and reads.
func d1Meta(ctx context.Context, db *d1.Database, p string) (map[string]string, error) {
	t := p + "meta"
	if _, err := db.Exec(ctx, "DROP TABLE IF EXISTS "+t+"\nCREATE TABLE "+t+" (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT UNIQUE)"); err != nil {
		return nil, err
	}
	out := map[string]string{}
	ins := db.Prepare("INSERT INTO " + t + " (v) VALUES (?)")
	for _, v := range []string{"a", "b"} {
		m, err := ins.Bind(v).Run(ctx)
		if err != nil {
			return nil, err
		}
		out["insert "+v] = metaText(m)
		out["insert "+v+" wrote"] = fmt.Sprint(m.RowsWritten > 0, m.SizeAfter > 0)
	}
	m, err := db.Prepare("UPDATE " + t + " SET v = v || 'x'").Run(ctx)
	if err != nil {
		return nil, err
	}
	out["update"] = metaText(m)
	res, err := db.Prepare("SELECT * FROM " + t).All(ctx)
	if err != nil {
		return nil, err
	}
	out["select"] = metaText(res.Meta)
	out["select read"] = fmt.Sprint(res.Meta.RowsRead, res.Meta.RowsWritten)
	m, err = db.Prepare("DELETE FROM " + t + " WHERE v = ?").Bind("nothing").Run(ctx)
	if err != nil {
		return nil, err
	}
	out["delete nothing"] = metaText(m)
	e, err := db.Exec(ctx, "INSERT INTO "+t+" (v) VALUES ('c')\n\nINSERT INTO "+t+" (v) VALUES ('d')\n-- a comment\nSELECT 1")
	out["exec"] = fmt.Sprintf("%s, count %d", errText(err), e.Count)
	return out, nil
}

// d1Batch runs batches: their results, a failing one that leaves nothing
// behind, and an empty one.
func d1Batch(ctx context.Context, db *d1.Database, p string) (map[string]string, error) {
	t := p + "batch"
	if _, err := db.Exec(ctx, "DROP TABLE IF EXISTS "+t+"\nCREATE TABLE "+t+" (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"); err != nil {
		return nil, err
	}
	out := map[string]string{}
	ins := db.Prepare("INSERT INTO " + t + " VALUES (?, ?)")
	res, err := db.Batch(ctx, ins.Bind(1, "a"), db.Prepare("INSERT INTO "+t+" VALUES (?, ?) RETURNING id, v").Bind(2, "b"), db.Prepare("SELECT v FROM "+t+" ORDER BY id"))
	if err != nil {
		return nil, err
	}
	for i, r := range res {
		var vals []string
		for r.Next() {
			vals = append(vals, fmt.Sprint(r.Values()))
		}
		out[fmt.Sprintf("result %d", i+1)] = fmt.Sprintf("%s [%s] %s", strings.Join(r.Columns(), " "), strings.Join(vals, " "), metaText(r.Meta))
	}
	count := func() string {
		var n int
		err := db.Prepare("SELECT count(*) FROM "+t).First(ctx, &n)
		return fmt.Sprintf("%s, %d rows", errText(err), n)
	}
	_, err = db.Batch(ctx, ins.Bind(3, "c"), ins.Bind(4, "d"), ins.Bind(5, "a"), ins.Bind(6, "e"))
	out["failing"] = errText(err)
	out["after failing"] = count()
	var we *worker.Error
	if errors.As(err, &we) {
		out["failing js"] = we.Name + ": " + we.Message
	}
	_, err = db.Batch(ctx)
	out["empty"] = errText(err)
	_, err = db.Batch(ctx, ins.Bind(7, "f"), db.Prepare("SELECT ?").Bind(1, 2))
	out["wrong count in batch"] = fmt.Sprintf("%s, %v", errText(err), errors.Is(err, d1.ErrBindingCount))
	out["after wrong count"] = count()
	_, err = db.Exec(ctx, "INSERT INTO "+t+" VALUES (8, 'g')\nINSERT INTO "+t+" VALUES (9, 'a')")
	out["failing exec"] = errText(err)
	out["after failing exec"] = count()
	return out, nil
}

// d1Errors reports the errors of statements and arguments.
func d1Errors(ctx context.Context, db *d1.Database, p string) (map[string]string, error) {
	out := map[string]string{}
	describe := func(err error) string {
		var we *worker.Error
		if !errors.As(err, &we) {
			return "not a *worker.Error: " + errText(err)
		}
		s := we.Name + ": " + we.Message
		var cause *worker.Error
		if errors.As(we.Cause, &cause) {
			s += " (cause " + cause.Name + ": " + cause.Message + ")"
		}
		return s
	}
	_, err := db.Prepare("SELECT ?, ? AS v").Bind(1).All(ctx)
	out["too few"] = errText(err)
	out["too few js"] = describe(err)
	out["too few is ErrBindingCount"] = fmt.Sprint(errors.Is(err, d1.ErrBindingCount))
	_, err = db.Prepare("SELECT ? AS v").Bind(1, 2).Run(ctx)
	out["too many"] = errText(err)
	out["too many is ErrBindingCount"] = fmt.Sprint(errors.Is(err, d1.ErrBindingCount))
	_, err = db.Prepare("SELECT ? AS v").Raw(ctx)
	out["none"] = errText(err)
	_, err = db.Prepare("SELEC 1").All(ctx)
	out["syntax"] = describe(err)
	out["syntax is ErrBindingCount"] = fmt.Sprint(errors.Is(err, d1.ErrBindingCount))
	_, err = db.Prepare("SELECT * FROM " + p + "nowhere").All(ctx)
	out["no such table"] = errText(err)
	_, err = db.Prepare("BEGIN").Run(ctx)
	out["begin is ErrNoTransaction"] = fmt.Sprint(errors.Is(err, d1.ErrNoTransaction))
	// Several statements run, and the last one's rows come back; local D1
	// keeps them prepared, and refuses to run the same text again.
	two := db.Prepare(fmt.Sprintf("SELECT '%s%d'; SELECT 2 AS two", p, time.Now().UnixNano()))
	res, err := two.All(ctx)
	if err == nil {
		res.Next()
		out["two statements"] = fmt.Sprintf("%s %v", strings.Join(res.Columns(), " "), res.Values())
	} else {
		out["two statements"] = errText(err)
	}
	_, err = two.All(ctx)
	out["two statements again"] = errText(err)
	_, err = db.Prepare("SELECT ?1; SELECT ?1").Bind(1).All(ctx)
	out["two statements with parameters"] = errText(err)
	_, err = db.Prepare("SELECT 1;;").All(ctx)
	out["empty statement"] = errText(err)
	_, err = db.Prepare("  -- nothing\n").All(ctx)
	out["empty"] = errText(err)
	_, err = db.Exec(ctx, "SELEC 1")
	out["exec syntax"] = describe(err)
	_, err = db.Prepare("SELECT ?").Bind(int64(abi.MaxSafeInteger) + 1).All(ctx)
	out["unsafe integer"] = fmt.Sprintf("%s, %v", errText(err), errors.Is(err, storage.ErrUnsafeInteger))
	_, err = db.Prepare("SELECT ?").Bind(struct{}{}).All(ctx)
	out["struct"] = errText(err)
	_, err = db.Prepare("SELECT 1").All(context.Background())
	out["no event"] = errText(err)
	return out, nil
}

// Author and Book are an sqlc-style schema, with its queries.
type Author struct {
	ID      int64
	Name    string
	Bio     sql.NullString
	Born    time.Time
	Active  bool
	Picture []byte
}

const (
	createAuthor = `INSERT INTO %sauthors (name, bio, born, active, picture) VALUES (?, ?, ?, ?, ?)`
	getAuthor    = `SELECT id, name, bio, born, active, picture FROM %sauthors WHERE id = ?`
	listAuthors  = `SELECT id, name, bio, born, active, picture FROM %sauthors ORDER BY name`
	renameAuthor = `UPDATE %sauthors SET name = ? WHERE name = ? RETURNING id`
	deactivate   = `UPDATE %sauthors SET active = 0 WHERE active = ?1`
)

// d1SQL runs database/sql code, shaped as sqlc writes it, through d1.Open.
func d1SQL(ctx context.Context, _ *d1.Database, p string) (map[string]string, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	db, err := d1.Open(env, "DB")
	if err != nil {
		return nil, err
	}
	again, _ := d1.Open(env, "DB")
	out := map[string]string{"same *sql.DB": fmt.Sprint(again == db)}
	q := func(query string) string { return fmt.Sprintf(query, p) }
	if _, err := db.ExecContext(ctx, q(`DROP TABLE IF EXISTS %sauthors`)); err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, q(`CREATE TABLE %sauthors (id INTEGER PRIMARY KEY, name TEXT NOT NULL, bio TEXT, born TEXT NOT NULL, active INTEGER NOT NULL, picture BLOB)`)); err != nil {
		return nil, err
	}
	born := time.Date(1948, 3, 4, 0, 0, 0, 0, time.UTC)
	var ids []int64
	for _, a := range []Author{
		{Name: "Le Guin", Bio: sql.NullString{String: "Earthsea", Valid: true}, Born: born, Active: true, Picture: []byte{1, 2}},
		{Name: "Banks", Born: born.AddDate(6, 0, 0), Active: true},
		{Name: "Chiang", Born: born.AddDate(19, 0, 0)},
	} {
		r, err := db.ExecContext(ctx, q(createAuthor), a.Name, a.Bio, a.Born, a.Active, a.Picture)
		if err != nil {
			return nil, err
		}
		id, err := r.LastInsertId()
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	out["ids"] = fmt.Sprint(ids)
	scan := func(row interface{ Scan(...any) error }) string {
		var a Author
		err := row.Scan(&a.ID, &a.Name, &a.Bio, &a.Born, &a.Active, &a.Picture)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%d %s %v %s %v %x", a.ID, a.Name, a.Bio, a.Born.Format(time.DateOnly), a.Active, a.Picture)
	}
	out["get"] = scan(db.QueryRowContext(ctx, q(getAuthor), ids[0]))
	out["get missing"] = scan(db.QueryRowContext(ctx, q(getAuthor), 99))
	rows, err := db.QueryContext(ctx, q(listAuthors))
	if err != nil {
		return nil, err
	}
	var list []string
	for rows.Next() {
		list = append(list, scan(rows))
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out["list"] = strings.Join(list, "; ")
	var id int64
	err = db.QueryRowContext(ctx, q(renameAuthor), "Iain M. Banks", "Banks").Scan(&id)
	out["rename returning"] = fmt.Sprintf("%s, %d", errText(err), id)
	r, err := db.ExecContext(ctx, q(deactivate), true)
	if err == nil {
		n, _ := r.RowsAffected()
		out["deactivate rows"] = fmt.Sprint(n)
	} else {
		out["deactivate rows"] = err.Error()
	}
	stmt, err := db.PrepareContext(ctx, q(getAuthor))
	if err != nil {
		return nil, err
	}
	out["prepared"] = scan(stmt.QueryRowContext(ctx, ids[2]))
	stmt.Close()
	// A join's repeated column names all arrive.
	var a1, a2 int64
	err = db.QueryRowContext(ctx, q(`SELECT a.id, b.id FROM %sauthors a JOIN %[1]sauthors b ON b.id = a.id + 1 ORDER BY a.id LIMIT 1`)).Scan(&a1, &a2)
	out["join"] = fmt.Sprintf("%s, %d %d", errText(err), a1, a2)
	// What must commit together goes in a batch, with the same queries.
	direct, err := d1.FromSQL(db)
	if err != nil {
		return nil, err
	}
	create := direct.Prepare(q(createAuthor))
	_, err = direct.Batch(ctx, create.Bind("Atomic", nil, born, true, nil), create.Bind(nil, nil, born, true, nil))
	var atomic int
	cerr := db.QueryRowContext(ctx, q(`SELECT count(*) FROM %sauthors WHERE name = 'Atomic'`)).Scan(&atomic)
	out["batch from the *sql.DB"] = fmt.Sprintf("%s; %s, %d left", errText(err), errText(cerr), atomic)
	_, err = db.BeginTx(ctx, nil)
	out["BeginTx"] = fmt.Sprintf("%s, %v", errText(err), errors.Is(err, d1.ErrNoTransaction))
	_, err = db.ExecContext(ctx, q(getAuthor), sql.Named("id", 1))
	out["named"] = fmt.Sprintf("%s, %v", errText(err), errors.Is(err, d1.ErrNamedArg))
	_, err = db.ExecContext(ctx, q(getAuthor))
	out["wrong count"] = fmt.Sprintf("%s, %v", errText(err), errors.Is(err, d1.ErrBindingCount))
	return out, nil
}
