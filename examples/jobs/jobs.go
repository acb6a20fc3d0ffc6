// Command jobs is a Worker that queues jobs and runs them: an HTTP API
// sends each job to the queue "jobs", the Worker's queue handler runs
// the batches it gets, a job that keeps failing ends in the dead-letter
// queue "jobs-dead", which the Worker consumes too, and the state of
// every job lives in one Durable Object, the Board.
//
//	POST /jobs        {"id":"j1","fail_times":2}    202 {"id":"j1","status":"queued"}
//	POST /jobs/batch  [{"id":"a"},{"id":"b"}]       202 {"queued":2}
//	GET  /jobs/{id}                                 200 {"id":"j1","status":"done","attempts":3}
//	GET  /stats                                     200 {"queued":0,"done":1,"dead":0}
//
// A job's fail_times (0 if absent) is how many of its deliveries fail:
// the handler retries that message alone (the rest of its batch is
// acknowledged) until a delivery succeeds, and the job is "done", its
// attempts the deliveries it took. With max_retries = 3, a job is
// delivered 4 times at most: one with fail_times 4 or more fails them
// all, the queue moves it to jobs-dead, and the dead-letter handler marks
// it "dead" (attempts 4).
//
// A bad job (not a JSON object, an id empty or over 64 characters, a
// fail_times that is not a whole number from 0) is refused with 400; an id
// already known with 409. A batch (1 to 100 jobs) is checked whole first
// (an id twice in it is a 400), and sent with one SendBatch: either every
// job is queued or none is. Every answer is JSON, errors as
// {"error":"..."}.
//
// Queues deliver at least once: a batch may come again (after a failure
// of the handler, or of the Board), so the Board counts each delivery of
// a job once, by its attempt number, and settles a job once.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/queues"
	"github.com/godurable/godurable/worker"
)

func main() {}

// The queues of wrangler.toml.
const (
	jobsQueue = "jobs"
	deadQueue = "jobs-dead"
)

func init() {
	durableobject.Register("Board", newBoard)
	queues.Handle(consume)
	worker.Handle(routes())
}

// Job is a job as the API takes it and the queue carries it.
type Job struct {
	ID        string `json:"id"`
	FailTimes int64  `json:"fail_times"`
}

// JobState is a job as GET /jobs/{id} answers it.
type JobState struct {
	ID       string `json:"id"`
	Status   string `json:"status"` // queued, done or dead
	Attempts int64  `json:"attempts"`
}

// Stats are the jobs by status.
type Stats struct {
	Queued int64 `json:"queued"`
	Done   int64 `json:"done"`
	Dead   int64 `json:"dead"`
}

// Delivery is one delivery of a job to the queue handler: its attempt
// number, 1 the first time.
type Delivery struct {
	ID      string `json:"id"`
	Attempt int    `json:"attempt"`
}

// Board is the state of every job: one object, named "jobs".
type Board struct {
	state *durableobject.State
}

func newBoard(state *durableobject.State, env *worker.Env) (*Board, error) {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS jobs (
			id         TEXT PRIMARY KEY,
			fail_times INTEGER NOT NULL,
			status     TEXT NOT NULL DEFAULT 'queued'
		)`,
		// One row per delivery of a job: redelivering the same attempt
		// counts nothing.
		`CREATE TABLE IF NOT EXISTS deliveries (
			job     TEXT NOT NULL,
			attempt INTEGER NOT NULL,
			PRIMARY KEY (job, attempt)
		)`,
	} {
		if _, err := state.Storage.SQL.Exec(q); err != nil {
			return nil, err
		}
	}
	return &Board{state: state}, nil
}

// board returns the stub of the Board.
func board() (*worker.Stub, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	ns, err := env.DurableObject("BOARD")
	if err != nil {
		return nil, err
	}
	return ns.GetByName("jobs"), nil
}

// Create records jobs as queued, all or none: it returns the first id
// already known (and records nothing), or "".
func (b *Board) Create(jobs []Job) (string, error) {
	sql := b.state.Storage.SQL
	var known string
	err := b.state.Storage.Transaction(func() error {
		for _, j := range jobs {
			cur, err := sql.Exec(`SELECT 1 FROM jobs WHERE id = ?`, j.ID)
			if err != nil {
				return err
			}
			if cur.Len() > 0 {
				known = j.ID
				return errKnown
			}
			if _, err := sql.Exec(`INSERT INTO jobs (id, fail_times) VALUES (?, ?)`, j.ID, j.FailTimes); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errKnown) {
		return known, nil
	}
	return "", err
}

var errKnown = errors.New("a job already known")

// Forget deletes jobs that were recorded but could not be queued.
func (b *Board) Forget(ids []string) error {
	for _, id := range ids {
		if _, err := b.state.Storage.SQL.Exec(`DELETE FROM jobs WHERE id = ? AND status = 'queued' AND NOT EXISTS (SELECT 1 FROM deliveries WHERE job = ?)`, id, id); err != nil {
			return err
		}
	}
	return nil
}

// Get returns the job called id, or nil.
func (b *Board) Get(id string) (*JobState, error) {
	cur, err := b.state.Storage.SQL.Exec(`SELECT status, (SELECT COUNT(*) FROM deliveries WHERE job = jobs.id) FROM jobs WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if cur.Len() == 0 {
		return nil, nil
	}
	s := &JobState{ID: id}
	if err := cur.One(&s.Status, &s.Attempts); err != nil {
		return nil, err
	}
	return s, nil
}

// Stats counts the jobs by status.
func (b *Board) Stats() (Stats, error) {
	var s Stats
	cur, err := b.state.Storage.SQL.Exec(`SELECT status, COUNT(*) FROM jobs GROUP BY status`)
	if err != nil {
		return s, err
	}
	for cur.Next() {
		var status string
		var n int64
		if err := cur.Scan(&status, &n); err != nil {
			return s, err
		}
		switch status {
		case "queued":
			s.Queued = n
		case "done":
			s.Done = n
		case "dead":
			s.Dead = n
		}
	}
	return s, nil
}

// Deliver records deliveries of jobs and returns, for each, whether it
// fails ("retry") or not ("ack"): a job's first fail_times attempts fail,
// the next one settles it as done. A job that is settled already, or
// unknown, is acknowledged and nothing is recorded.
func (b *Board) Deliver(ds []Delivery) ([]string, error) {
	sql := b.state.Storage.SQL
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = "ack"
		cur, err := sql.Exec(`SELECT fail_times, status FROM jobs WHERE id = ?`, d.ID)
		if err != nil {
			return nil, err
		}
		if cur.Len() == 0 {
			continue // not a job of this board
		}
		var failTimes int64
		var status string
		if err := cur.One(&failTimes, &status); err != nil {
			return nil, err
		}
		if status != "queued" {
			continue // settled already: a delivery too many
		}
		if _, err := sql.Exec(`INSERT INTO deliveries (job, attempt) VALUES (?, ?) ON CONFLICT DO NOTHING`, d.ID, d.Attempt); err != nil {
			return nil, err
		}
		if int64(d.Attempt) <= failTimes {
			out[i] = "retry"
			continue
		}
		if _, err := sql.Exec(`UPDATE jobs SET status = 'done' WHERE id = ?`, d.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MarkDead settles jobs that the dead-letter queue got as dead (a job done
// already stays done).
func (b *Board) MarkDead(ids []string) error {
	for _, id := range ids {
		if _, err := b.state.Storage.SQL.Exec(`UPDATE jobs SET status = 'dead' WHERE id = ? AND status = 'queued'`, id); err != nil {
			return err
		}
	}
	return nil
}

// consume is the queue handler of both queues: a batch of jobs runs
// through the Board in one call; a message that is not a job is
// acknowledged and logged.
func consume(ctx context.Context, b *queues.Batch) error {
	stub, err := board()
	if err != nil {
		return err
	}
	var jobs []*queues.Message
	var ds []Delivery
	for _, m := range b.Messages {
		var j Job
		if err := m.Decode(&j); err != nil || j.ID == "" {
			log.Printf("jobs: message %s of %s is not a job: %v", m.ID, b.Queue, err)
			m.Ack()
			continue
		}
		jobs = append(jobs, m)
		ds = append(ds, Delivery{ID: j.ID, Attempt: m.Attempts})
	}
	if len(ds) == 0 {
		return nil
	}
	switch b.Queue {
	case jobsQueue:
		var verdicts []string
		if err := stub.Call(ctx, "deliver", &verdicts, ds); err != nil {
			return fmt.Errorf("jobs: the board: %w", err) // the whole batch comes again
		}
		for i, m := range jobs {
			if i < len(verdicts) && verdicts[i] == "retry" {
				m.Retry(0)
			} else {
				m.Ack()
			}
		}
	case deadQueue:
		ids := make([]string, len(ds))
		for i, d := range ds {
			ids[i] = d.ID
		}
		if err := stub.Call(ctx, "markDead", nil, ids); err != nil {
			return fmt.Errorf("jobs: the board: %w", err)
		}
		b.AckAll()
	default:
		log.Printf("jobs: a batch of the queue %q, which this Worker does not expect", b.Queue)
	}
	return nil
}
