package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/godurable/godurable/worker"
)

// The routes of Durable Object IDs and routing. Each answers 200 with
// JSON: an ID as {"id", "name", "jurisdiction"}, or {"error": {"name",
// "message", "text"}} for what failed (text is the Go error's whole
// text).
//
//	GET /ids/{binding}/name?name=       IDFromName
//	GET /ids/{binding}/string?s=        IDFromString
//	GET /ids/{binding}/unique?j=        NewUniqueID with the jurisdiction j
//	GET /ids/{binding}/jurisdiction?j=  Jurisdiction(j), then its IDFromName("x")
//	GET /ids/{binding}/get?how=&name=&from=&hint=
//	    Get the ID made in the namespace from (default binding) as how
//	    says (name: IDFromName(name); string: IDFromString of that ID's
//	    String; unique: NewUniqueID; zero: the zero ObjectID), with the
//	    location hint, and call its whoami: {"id", "who"}
//	GET /ids/equal?a=&b=                Equal, between IDs of names a and b
func idRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /ids/{binding}/{op}", func(w http.ResponseWriter, r *http.Request) {
		ns, err := namespace(r.PathValue("binding"))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		q := r.URL.Query()
		var id worker.ObjectID
		switch r.PathValue("op") {
		case "name":
			id, err = ns.IDFromName(q.Get("name"))
		case "string":
			id, err = ns.IDFromString(q.Get("s"))
		case "unique":
			var opts *worker.UniqueIDOptions
			if q.Has("j") {
				opts = &worker.UniqueIDOptions{Jurisdiction: q.Get("j")}
			}
			id, err = ns.NewUniqueID(opts)
		case "jurisdiction":
			var sub *worker.Namespace
			if sub, err = ns.Jurisdiction(q.Get("j")); err == nil {
				id, err = sub.IDFromName("x")
			}
		case "get":
			writeJSON(w, http.StatusOK, getByID(r.Context(), ns, r))
			return
		default:
			writeError(w, http.StatusNotFound, errors.New("no such ID operation"))
			return
		}
		if err != nil {
			writeJSON(w, http.StatusOK, errorJSON(err))
			return
		}
		writeJSON(w, http.StatusOK, idJSON(id))
	})
	mux.HandleFunc("GET /ids/equal", func(w http.ResponseWriter, r *http.Request) {
		sandbox, err := namespace("SANDBOX")
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		plain, err := namespace("PLAIN")
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		a, errA := sandbox.IDFromName(r.URL.Query().Get("a"))
		b, errB := sandbox.IDFromName(r.URL.Query().Get("b"))
		parsed, errP := sandbox.IDFromString(b.String())
		inPlain, errN := plain.IDFromName(r.URL.Query().Get("b"))
		u1, errU1 := sandbox.NewUniqueID(nil)
		u2, errU2 := sandbox.NewUniqueID(nil)
		if err := errors.Join(errA, errB, errP, errN, errU1, errU2); err != nil {
			writeJSON(w, http.StatusOK, errorJSON(err))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"names":          a.Equal(b),
			"parsed":         a.Equal(parsed),
			"parsedName":     parsed.Name(),
			"otherNamespace": a.Equal(inPlain),
			"unique":         u1.Equal(u2),
			"uniqueSelf":     u1.Equal(u1),
			"zero":           worker.ObjectID{}.Equal(worker.ObjectID{}),
		})
	})
}

// getByID is the route /ids/{binding}/get.
func getByID(ctx context.Context, ns *worker.Namespace, r *http.Request) map[string]any {
	q := r.URL.Query()
	from := ns
	if b := q.Get("from"); b != "" {
		var err error
		if from, err = namespace(b); err != nil {
			return errorJSON(err)
		}
	}
	var id worker.ObjectID
	var err error
	switch q.Get("how") {
	case "name":
		id, err = from.IDFromName(q.Get("name"))
	case "string":
		if id, err = from.IDFromName(q.Get("name")); err == nil {
			id, err = from.IDFromString(id.String())
		}
	case "unique":
		id, err = from.NewUniqueID(nil)
	case "zero":
	default:
		return errorJSON(errors.New("how must be name, string, unique or zero"))
	}
	if err != nil {
		return errorJSON(err)
	}
	var opts *worker.GetOptions
	if q.Has("hint") {
		opts = &worker.GetOptions{LocationHint: q.Get("hint")}
	}
	var who map[string]any
	if err := ns.Get(id, opts).Call(ctx, "whoami", &who); err != nil {
		return errorJSON(err)
	}
	return map[string]any{"id": idJSON(id), "who": who}
}

// Peer calls whoami on the Sandbox object whose ID is hex, found by
// IDFromString from inside an object, with the location hint.
func (s *Sandbox) Peer(ctx context.Context, hex, hint string) (map[string]any, error) {
	ns, err := namespace("SANDBOX")
	if err != nil {
		return nil, err
	}
	id, err := ns.IDFromString(hex)
	if err != nil {
		return nil, err
	}
	var who map[string]any
	err = ns.Get(id, &worker.GetOptions{LocationHint: hint}).Call(ctx, "whoami", &who)
	return who, err
}

func namespace(binding string) (*worker.Namespace, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	return env.DurableObject(binding)
}

func idJSON(id worker.ObjectID) map[string]any {
	return map[string]any{"id": id.String(), "name": id.Name(), "jurisdiction": id.Jurisdiction()}
}

func errorJSON(err error) map[string]any {
	e := map[string]any{"text": err.Error()}
	var we *worker.Error
	if errors.As(err, &we) {
		e["name"], e["message"] = we.Name, we.Message
	}
	return map[string]any{"error": e}
}
