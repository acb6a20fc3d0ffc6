package dotest_test

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godurable/godurable/durableobject/dotest"
)

// The two Workers of worker's service binding example.
const (
	authWorker  = "../../worker/testdata/auth"
	frontWorker = "../../worker/testdata/front"
)

// TestServiceBindings: Options.Scripts routes [[services]] by service
// name, a binding to a named entrypoint that the Worker lacks is refused
// as workerd refuses to start, and a service binding whose Worker is not
// in Scripts fails its calls with what to do.
func TestServiceBindings(t *testing.T) {
	auth := dotest.New(t, &dotest.Options{Package: authWorker})
	front := dotest.New(t, &dotest.Options{Package: frontWorker, Scripts: map[string]*dotest.Worker{"auth": auth}})
	if status, body := front.Get(t, "/?token=t1"); status != 200 || body != "ann of staff" {
		t.Errorf("through the bindings: %d %q", status, body)
	}

	alone := dotest.New(t, &dotest.Options{Package: frontWorker})
	if status, body := alone.Get(t, "/?token=t1"); status != 401 || !strings.Contains(body, "the service binding AUTH reaches no Worker of the test") {
		t.Errorf("without the service's Worker: %d %q", status, body)
	}

	config := filepath.Join(t.TempDir(), "wrangler.toml")
	src := "name = \"front\"\n[[services]]\nbinding = \"AUTH\"\nservice = \"auth\"\nentrypoint = \"Nope\"\n"
	if err := os.WriteFile(config, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := dotest.Start(&dotest.Options{Package: frontWorker, Config: config, Scripts: map[string]*dotest.Worker{"auth": auth}})
	if err == nil || !strings.Contains(err.Error(), `binding AUTH refers to the named entrypoint "Nope" of service auth, which has no such named entrypoint`) {
		t.Errorf("a binding to a missing entrypoint: %v", err)
	}
}

// TestEntrypoint: a test calls a Worker's entrypoints, with props; a named
// entrypoint without ServeHTTP has no fetch; a name the Worker lacks
// panics.
func TestEntrypoint(t *testing.T) {
	auth := dotest.New(t, &dotest.Options{Package: authWorker})
	var user string
	if err := auth.Entrypoint("").Call(context.Background(), "check", &user, "t1"); err != nil || user != "ann" {
		t.Errorf("check = %q, %v", user, err)
	}
	var realm string
	if err := auth.Entrypoint("Admin").Call(context.Background(), "realm", &realm); err != nil || realm != "" {
		t.Errorf("realm without props = %q, %v", realm, err)
	}
	if _, err := auth.Entrypoint("Admin").Do(httptest.NewRequest("GET", "/", nil)); err == nil || err.Error() != "Handler does not export a fetch() function." {
		t.Errorf("fetch of an entrypoint without ServeHTTP: %v", err)
	}
	resp, err := auth.Entrypoint("").Do(httptest.NewRequest("GET", "/", nil))
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 404 || !strings.Contains(string(body), "registers no Worker handler") {
			t.Errorf("fetch of a default entrypoint without a handler: %d %s", resp.StatusCode, body)
		}
	} else {
		t.Errorf("fetch of a default entrypoint without a handler: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Entrypoint of a name the Worker lacks did not panic")
		}
	}()
	auth.Entrypoint("Nope")
}
