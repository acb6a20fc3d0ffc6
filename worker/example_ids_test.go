package worker_test

import (
	"fmt"
	"net/http"

	"github.com/godurable/godurable/worker"
)

// A Worker hands out the ID of a new object, and routes later requests to
// it by that ID. An ID that is not one of the namespace's is refused with
// workerd's TypeError.
func ExampleNamespace_IDFromString() {
	docs := func() (*worker.Namespace, error) {
		env, err := worker.GetEnv()
		if err != nil {
			return nil, err
		}
		return env.DurableObject("DOCS")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /docs", func(w http.ResponseWriter, r *http.Request) {
		ns, err := docs()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		id, err := ns.NewUniqueID(nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Location", "/docs/"+id.String())
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("/docs/{id}/", func(w http.ResponseWriter, r *http.Request) {
		ns, err := docs()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		id, err := ns.IDFromString(r.PathValue("id"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound) // "Invalid Durable Object ID: must be 64 hex digits", ...
			return
		}
		ns.Get(id, nil).ServeHTTP(w, r)
	})
	worker.Handle(mux)
}

// An object created near its users: the location hint applies when the
// object does not exist yet. Get of a named ID reaches the object as
// GetByName does, so its State.Name is the name.
func ExampleNamespace_Get() {
	handler := func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		rooms, err := env.DurableObject("ROOMS")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		id, err := rooms.IDFromName(r.PathValue("room"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		rooms.Get(id, &worker.GetOptions{LocationHint: "weur"}).ServeHTTP(w, r)
	}
	worker.HandleFunc(handler)
}

// Equal compares IDs; an ID parsed from a string has no name.
func ExampleObjectID_Equal() {
	env, err := worker.GetEnv()
	if err != nil {
		fmt.Println(err)
		return
	}
	ns, err := env.DurableObject("ROOMS")
	if err != nil {
		fmt.Println(err)
		return
	}
	byName, err := ns.IDFromName("lobby")
	if err != nil {
		fmt.Println(err)
		return
	}
	parsed, err := ns.IDFromString(byName.String())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(byName.Equal(parsed), byName.Name(), parsed.Name() == "")
}

// Objects whose data must stay in the EU live in the namespace's EU
// jurisdiction. Local workerd has no jurisdictions: there Jurisdiction
// returns the error "Jurisdiction restrictions are not implemented in
// workerd.".
func ExampleNamespace_Jurisdiction() {
	env, err := worker.GetEnv()
	if err != nil {
		fmt.Println(err)
		return
	}
	ns, err := env.DurableObject("ACCOUNTS")
	if err != nil {
		fmt.Println(err)
		return
	}
	eu, err := ns.Jurisdiction("eu")
	if err != nil {
		fmt.Println(err)
		return
	}
	id, err := eu.NewUniqueID(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.Jurisdiction())
}

// The zero ObjectID names no object: Get of it gives a stub whose calls
// return ErrNoID.
func ExampleObjectID_IsZero() {
	var id worker.ObjectID
	fmt.Println(id.IsZero(), id.String() == "", id.Equal(worker.ObjectID{}))
	// Output: true true true
}
