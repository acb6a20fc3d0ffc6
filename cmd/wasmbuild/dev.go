package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/wrangler"
	"github.com/godurable/godurable/internal/wranglerdev"
)

var readManifest = driver.ReadManifest

func cmdDev(ctx context.Context, args []string) error {
	port, watch := 8787, true
	o, err := parse("dev", args, func(fs *flag.FlagSet) {
		fs.IntVar(&port, "port", port, "port of wrangler dev on 127.0.0.1")
		fs.BoolVar(&watch, "watch", watch, "rebuild when an input of the build changes (a file of the package or of a package it imports, outside GOROOT and the module cache)")
	})
	if err != nil {
		return err
	}
	p, err := o.project(true)
	if err != nil {
		return err
	}
	in, err := build.ReadInputs(ctx, ".", o.pkg, nil)
	if err != nil {
		return err
	}
	res, err := buildProject(ctx, o, p, in)
	if err != nil {
		return err
	}
	if err := checkProject(p, res.Manifest); err != nil {
		return err
	}
	tools, err := ensureTools(ctx, p.cfg.Dir())
	if err != nil {
		return err
	}

	devArgs := wranglerDevArgs(p.cfg, port, o.rest)
	if slices.Contains(devArgs, testScheduled) {
		progress("cron triggers %s: wrangler dev never fires them; GET http://127.0.0.1:%d/__scheduled?cron=%s runs the scheduled handler",
			strings.Join(p.cfg.Triggers.Crons, ", "), port, url.QueryEscape(p.cfg.Triggers.Crons[0]))
	}
	progress("starting %s: wrangler %s", tools, strings.Join(devArgs, " "))
	// Not bound to ctx: an interrupt stops wrangler gently, below.
	cmd := tools.Command(context.Background(), "", devArgs...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting wrangler: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if watch {
		go watchAndRebuild(ctx, o, p, res.Inputs)
	}
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("wrangler dev: %w", err)
		}
		return nil
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		return nil
	}
}

// testScheduled is wrangler dev's flag that adds the route /__scheduled,
// which runs the scheduled handler.
const testScheduled = "--test-scheduled"

// wranglerDevArgs returns the arguments of wrangler dev for cfg on port,
// then rest (the user's): with --test-scheduled if cfg has cron triggers.
func wranglerDevArgs(cfg *wrangler.Config, port int, rest []string) []string {
	args := []string{"dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(port), "-c", cfg.Path}
	if len(cfg.Triggers.Crons) > 0 && !slices.Contains(rest, testScheduled) {
		args = append(args, testScheduled)
	}
	return append(args, rest...)
}

// ensureTools makes sure wrangler, the Node.js it needs and the shim's
// MessagePack codec are installed for the project in dir, installing them
// with npm if they are not, and returns the tools. With a package-lock.json
// (such as godurable's own) it runs npm ci when something is missing or
// the lockfile is newer than the installation; without one it installs the
// pinned versions and records them in package.json.
func ensureTools(ctx context.Context, dir string) (*wranglerdev.Tools, error) {
	tools, terr := wranglerdev.FindTools(dir)
	_, merr := findUp(dir, filepath.Join("node_modules", "@msgpack", "msgpack", "package.json"))
	lock, lerr := findUp(dir, "package-lock.json")
	stale := false
	if lerr == nil {
		// npm writes node_modules/.package-lock.json at each install.
		installed, err := os.Stat(filepath.Join(filepath.Dir(lock), "node_modules", ".package-lock.json"))
		locked, _ := os.Stat(lock)
		stale = err != nil || locked.ModTime().After(installed.ModTime())
	}
	if terr == nil && merr == nil && !stale {
		return tools, nil
	}
	if terr != nil && !errors.Is(terr, wranglerdev.ErrNotInstalled) && !errors.Is(terr, wranglerdev.ErrNodeTooOld) {
		return nil, terr
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return nil, errors.New("wasmbuild dev needs npm (it comes with Node.js 20 or later) to install wrangler and the Node.js 22 it runs on: install Node.js and run again")
	}
	var installs [][]string
	root := dir
	if lerr == nil {
		root = filepath.Dir(lock)
		installs = append(installs, []string{"ci", "--no-audit", "--no-fund"})
		progress("installing the JavaScript tools from %s (npm ci) ...", lock)
	} else {
		if errors.Is(terr, wranglerdev.ErrNotInstalled) || merr != nil {
			installs = append(installs, []string{"install", "--save-dev", "--save-exact", "--no-audit", "--no-fund",
				"wrangler@" + wranglerdev.Version, "@msgpack/msgpack@" + wranglerdev.MsgpackVersion})
		}
		// The Node.js of every platform, as optional dependencies: npm
		// installs the one that matches, and package.json pins it for the
		// project's other machines too.
		if terr != nil {
			node := []string{"install", "--save-optional", "--save-exact", "--no-audit", "--no-fund"}
			for _, p := range wranglerdev.NodePackages {
				node = append(node, p+"@"+wranglerdev.NodeVersion)
			}
			installs = append(installs, node)
		}
		if _, err := os.Stat(filepath.Join(dir, "package.json")); errors.Is(err, os.ErrNotExist) {
			if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte("{\n  \"private\": true\n}\n"), 0o644); err != nil {
				return nil, err
			}
		}
		progress("installing wrangler %s, Node.js %s and @msgpack/msgpack %s with npm in %s (once) ...",
			wranglerdev.Version, wranglerdev.NodeVersion, wranglerdev.MsgpackVersion, dir)
	}
	start := time.Now()
	// npm's EBADENGINE warnings about its own Node.js, which does not run
	// wrangler, are held back: a line after the install says why.
	npmOut := &wranglerdev.EngineFilter{W: os.Stderr}
	for _, args := range installs {
		cmd := exec.CommandContext(ctx, "npm", args...)
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = npmOut, npmOut
		err := cmd.Run()
		npmOut.Flush()
		if err != nil {
			os.Stderr.WriteString(npmOut.Held())
			return nil, fmt.Errorf("npm %s: %w", args[0], err)
		}
	}
	progress("installed in %.1fs", time.Since(start).Seconds())
	tools, err := wranglerdev.FindTools(dir)
	if note := npmOut.Explain(tools); note != "" {
		progress("%s", note)
	} else {
		os.Stderr.WriteString(npmOut.Held())
	}
	return tools, err
}

func findUp(dir, name string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no %s in or above %s", name, abs)
		}
	}
}

// watchAndRebuild polls the inputs of the build (in) and rebuilds when
// one of them changes; wrangler reloads the new module itself. A file
// that is not an input (a test, a file of another module or package)
// changes nothing.
func watchAndRebuild(ctx context.Context, o *options, p *project, in *build.Inputs) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		changed := in.Changed()
		if len(changed) == 0 {
			continue
		}
		next, err := build.ReadInputs(ctx, ".", o.pkg, nil)
		if err != nil {
			progress("%v", err) // again at the next change
			continue
		}
		if next.Key == in.Key {
			in = next // touched, not changed
			continue
		}
		progress("%s changed; rebuilding", describeChanged(changed))
		res, err := buildProject(ctx, o, p, nil)
		if err != nil {
			progress("%v", err)
			in = next
			continue
		}
		in = res.Inputs
		checkProject(p, res.Manifest)
	}
}

// describeChanged names the paths that changed, relative to the current
// directory where it can.
func describeChanged(paths []string) string {
	wd, _ := os.Getwd()
	for i, path := range paths {
		if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
			paths[i] = rel
		}
	}
	if len(paths) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(paths[:3], ", "), len(paths)-3)
	}
	return strings.Join(paths, ", ")
}
