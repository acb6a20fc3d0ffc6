package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"go/format"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/wrangler"
	"github.com/godurable/godurable/internal/wranglerdev"
)

// repoRoot is godurable's own directory (the tests run in cmd/wasmbuild).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cloneDir(root); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestParseInit(t *testing.T) {
	o, err := parseInit(nil)
	if err != nil || o.dir != "." || o.module != "" || o.godurableSet {
		t.Errorf("defaults: %+v, %v", o, err)
	}
	o, err = parseInit([]string{"-module", "example.org/x", "-godurable", "../g", "rooms"})
	if err != nil || o.dir != "rooms" || o.module != "example.org/x" || o.godurable != "../g" || !o.godurableSet {
		t.Errorf("flags: %+v, %v", o, err)
	}
	if o, err = parseInit([]string{"-godurable="}); err != nil || !o.godurableSet || o.godurable != "" {
		t.Errorf("-godurable=: %+v, %v", o, err)
	}
	if _, err := parseInit([]string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "one directory") {
		t.Errorf("two directories: %v", err)
	}
	if _, err := parseInit([]string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestWorkerName(t *testing.T) {
	for in, want := range map[string]string{
		"rooms": "rooms", "My Rooms!": "my-rooms", "chat_v2": "chat-v2", "--x--": "x", "…": "worker",
		strings.Repeat("a", 70): strings.Repeat("a", 63),
	} {
		if got := workerName(in); got != want {
			t.Errorf("workerName(%q) = %q, want %q", in, got, want)
		}
	}
	for _, ok := range []string{"rooms", "example.com/rooms", "github.com/me/my-rooms.v2"} {
		if err := checkModulePath(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "/abs", "a//b", "a/", "with space", `q"uote`} {
		if err := checkModulePath(bad); err == nil {
			t.Errorf("%q was accepted as a module path", bad)
		}
	}
	if got := quoteModPath("/home/me/my clone"); got != `"/home/me/my clone"` {
		t.Errorf("quoteModPath = %s", got)
	}
	if got := quoteModPath("/home/me/godurable"); got != "/home/me/godurable" {
		t.Errorf("quoteModPath = %s", got)
	}
}

// TestProjectFiles checks what init writes without running go: valid Go,
// a wrangler.toml that fits the class, a go.mod with the tool and the
// replace directive.
func TestProjectFiles(t *testing.T) {
	files, err := renderProject(projectData{Name: "rooms", Module: "example.com/rooms", Version: unpublished, Replace: quoteModPath("/src/my godurable"), Date: wranglerdev.MaxCompatibilityDate})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range projectFiles {
		if len(files[name]) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	for _, name := range []string{"main.go", "main_test.go"} {
		if f, err := format.Source(files[name]); err != nil || !bytes.Equal(f, files[name]) {
			t.Errorf("%s is not gofmt'ed (%v)", name, err)
		}
	}
	gomod := string(files["go.mod"])
	for _, want := range []string{"module example.com/rooms\n", "\ngo 1.24.0\n", "\nrequire github.com/godurable/godurable " + unpublished + "\n",
		"\ntool github.com/godurable/godurable/cmd/wasmbuild\n", "\nreplace github.com/godurable/godurable => \"/src/my godurable\"\n"} {
		if !strings.Contains(gomod, want) {
			t.Errorf("go.mod lacks %q:\n%s", want, gomod)
		}
	}
	files, _ = renderProject(projectData{Name: "rooms", Module: "example.com/rooms", Date: wranglerdev.MaxCompatibilityDate})
	if gomod := string(files["go.mod"]); strings.Contains(gomod, "replace") || strings.Contains(gomod, "require") {
		t.Errorf("go.mod without a clone or a version:\n%s", gomod)
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), files["wrangler.toml"], 0o644)
	cfg, err := wrangler.Load(filepath.Join(dir, "wrangler.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "rooms" || cfg.Main != "build/worker.mjs" || cfg.CompatibilityDate != wranglerdev.MaxCompatibilityDate {
		t.Errorf("wrangler.toml: %+v", cfg)
	}
	var readme []string
	for _, l := range shBlock(string(files["README.md"])) {
		readme = append(readme, command(l))
	}
	if want := []string{"go tool wasmbuild dev", "go test ./..."}; !slices.Equal(readme, want) {
		t.Errorf("the project's README shows %q, want %q", readme, want)
	}
	if !strings.Contains(string(files["README.md"]), "`go tool wasmbuild build && npx wrangler deploy`") {
		t.Error("the project's README does not say how to deploy")
	}
}

// TestPackageJSON: the project's package.json pins what godurable's own
// does (the Go constants that wasmbuild dev installs are the one source;
// this keeps the root package.json and the lockfile in step with them).
func TestPackageJSON(t *testing.T) {
	type pkg struct {
		Name                 string
		DevDependencies      map[string]string
		OptionalDependencies map[string]string
		AllowScripts         map[string]bool
	}
	read := func(b []byte) pkg {
		t.Helper()
		var p pkg
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b, err := packageJSON("rooms")
	if err != nil {
		t.Fatal(err)
	}
	got := read(b)
	root, err := os.ReadFile(filepath.Join(repoRoot(t), "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := read(root)
	if got.Name != "rooms" {
		t.Errorf("name %q", got.Name)
	}
	got.Name, want.Name = "", ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the project's package.json pins\n%+v\nbut godurable's package.json\n%+v\n(update wranglerdev's constants or allowScripts)", got, want)
	}

	// The lockfile's root entry lists the same dependencies.
	var lock struct {
		Packages map[string]json.RawMessage
	}
	b, err = lockfile("rooms")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		t.Fatal(err)
	}
	locked := read(lock.Packages[""])
	locked.AllowScripts = want.AllowScripts
	if locked.Name != "rooms" {
		t.Errorf("the lockfile's root package is named %q", locked.Name)
	}
	locked.Name = ""
	if !reflect.DeepEqual(locked, want) {
		t.Errorf("the lockfile's root package has\n%+v\nwant\n%+v", locked, want)
	}
}

// TestLockfile: the embedded lockfile is godurable's own, and the
// project's differs from it only in its name (and has no license).
func TestLockfile(t *testing.T) {
	root, err := os.ReadFile(filepath.Join(repoRoot(t), "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	embedded, _ := templates.ReadFile("template/package-lock.json")
	if !bytes.Equal(root, embedded) {
		t.Fatal("cmd/wasmbuild/template/package-lock.json differs from package-lock.json: after changing the pinned tools, run\n\tcp package-lock.json cmd/wasmbuild/template/package-lock.json")
	}
	b, err := lockfile("my-rooms")
	if err != nil {
		t.Fatal(err)
	}
	var lock, orig map[string]any
	if err := json.Unmarshal(b, &lock); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(root, &orig)
	if lock["name"] != "my-rooms" {
		t.Errorf("name %v", lock["name"])
	}
	top := lock["packages"].(map[string]any)[""].(map[string]any)
	if top["name"] != "my-rooms" || top["license"] != nil {
		t.Errorf("root package: %v", top)
	}
	lock["name"], top["name"], top["license"] = "godurable-tools", "godurable-tools", "Apache-2.0"
	if !reflect.DeepEqual(lock, orig) {
		t.Error("the project's lockfile differs from godurable's in more than its name")
	}
}

func TestInitRefusesExistingFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "LICENSE"), []byte("mine"), 0o644)
	os.Mkdir(filepath.Join(dir, ".git"), 0o755)
	if err := checkEmpty(dir); err != nil {
		t.Errorf("files init does not touch: %v", err)
	}
	if err := checkEmpty(filepath.Join(dir, "new")); err != nil {
		t.Errorf("a new directory: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "helpers.go"), []byte("package main\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "wrangler.jsonc"), []byte("{}"), 0o644)
	err := run(context.Background(), []string{"init", dir})
	if err == nil {
		t.Fatal("init wrote into a directory with a main.go")
	}
	for _, want := range []string{"helpers.go, main.go, wrangler.jsonc", "wrote nothing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 5 {
		t.Errorf("init changed the directory: %d entries", len(entries))
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "main.go")); string(b) != "package main\n" {
		t.Error("main.go was overwritten")
	}
}

func TestGodurableSource(t *testing.T) {
	root := repoRoot(t)
	ctx := context.Background()
	// The test binary is built from this clone, as go run ./cmd/wasmbuild is.
	src, err := godurableSource(ctx, &initOptions{})
	if err != nil || src.dir != root || src.version != unpublished || !strings.Contains(src.why, "the clone this wasmbuild runs from") {
		t.Errorf("default: %+v, %v; want the clone %s", src, err, root)
	}
	t.Chdir(t.TempDir())
	src, err = godurableSource(ctx, &initOptions{godurable: root, godurableSet: true})
	if err != nil || src.dir != root || !strings.Contains(src.why, "(-godurable)") {
		t.Errorf("-godurable %s: %+v, %v", root, src, err)
	}
	src, err = godurableSource(ctx, &initOptions{godurableSet: true})
	if err != nil || src.dir != "" || src.version != "" {
		t.Errorf("-godurable=: %+v, %v", src, err)
	}
	if _, err := godurableSource(ctx, &initOptions{godurable: ".", godurableSet: true}); err == nil || !strings.Contains(err.Error(), "not a clone") {
		t.Errorf("-godurable of another directory: %v", err)
	}
}

// TestInitOffline: without the Go module proxy (and with an empty module
// cache), init writes the project and says what to do when online.
func TestInitOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy")
	}
	t.Setenv("GOPROXY", "http://127.0.0.1:9") // a closed port
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOFLAGS", "-modcacherw")
	dir := filepath.Join(t.TempDir(), "rooms")
	err := run(context.Background(), []string{"init", dir})
	if err == nil {
		t.Fatal("go mod tidy succeeded without a module proxy or cache")
	}
	for _, want := range []string{"could not reach the Go module proxy (GOPROXY=http://127.0.0.1:9)", "run go mod tidy in " + dir + " again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	for _, name := range projectFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was not written: %v", name, err)
		}
	}
}

// shBlock returns the lines of the first ```sh block of markdown text.
func shBlock(text string) []string {
	_, rest, ok := strings.Cut(text, "```sh\n")
	if !ok {
		return nil
	}
	block, _, _ := strings.Cut(rest, "```")
	return strings.Split(strings.TrimSpace(block), "\n")
}

// command is a shell line without its comment.
func command(line string) string {
	cmd, _, _ := strings.Cut(line, "#")
	return strings.TrimSpace(cmd)
}

func TestTidyError(t *testing.T) {
	unpublishedOut := `go: finding module for package github.com/godurable/godurable/durableobject/dotest
go: example.com/pub tested by
	example.com/pub.test imports
	github.com/godurable/godurable/durableobject/dotest: module github.com/godurable/godurable/durableobject/dotest: reading https://proxy.golang.org/github.com/godurable/godurable/durableobject/dotest/@v/list: 404 Not Found
`
	if err := tidyError("/p", unpublishedOut, errors.New("exit status 1")); !strings.Contains(err.Error(), "replace github.com/godurable/godurable => <the clone's directory>") {
		t.Errorf("unpublished: %v", err)
	}
	other := "go: example.com/x: malformed module path\n"
	if err := tidyError("/p", other, errors.New("exit status 1")); !strings.Contains(err.Error(), "run go mod tidy in /p again") || strings.Contains(err.Error(), "proxy") {
		t.Errorf("another error: %v", err)
	}
}
