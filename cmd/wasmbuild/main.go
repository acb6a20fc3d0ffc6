// Command wasmbuild builds a godurable Worker (Go compiled to a
// WebAssembly reactor plus the JavaScript shim workerd loads), checks its
// wrangler configuration, and serves it locally in workerd.
//
// Usage:
//
//	wasmbuild init  [-module path] [-godurable dir] [dir]
//	wasmbuild build [-o dir] [-config file] [package]
//	wasmbuild check [-o dir] [-config file] [package]
//	wasmbuild dev   [-o dir] [-config file] [-port n] [-watch=false] [package] [-- wrangler dev flags]
//	wasmbuild stubs [-go file] [-pkg name] [-ts file] [-config file] [package]
//	wasmbuild version
//
// The package defaults to "." and must be a main package with an empty
// func main: a reactor never runs main; classes and handlers register in
// init functions. The configuration defaults to the wrangler.toml (or
// wrangler.jsonc, wrangler.json) of the current directory, and the output
// directory to the directory of its main (the shim), else "build".
//
// build and dev record the inputs of the build beside the module (the
// files go list -deps reports, the Go version and environment, the tags
// and flags, and this executable); dev reuses the module when they are
// unchanged, and rebuilds only when one of them changes.
//
// stubs writes typed stubs of the package's Durable Object classes: a Go
// type per class whose methods call its exposed RPC methods with their Go
// types (stubs.go in the package by default), and with -ts the TypeScript
// declarations of their RPC interfaces for JavaScript callers, with an
// Env of the configuration's bindings. build warns when Go stubs or
// TypeScript declarations in the package's directory are stale. Use it
// from a go:generate line in the package, in a project made by init:
//
//	//go:generate go tool wasmbuild stubs
//
// (in this repository's examples, go run ../../cmd/wasmbuild stubs).
// stubs works on a package that does not compile because it calls a stub
// or a method of one that is not written yet: it builds the package with
// provisional stubs (every exported method of each class its source
// registers) to learn what the module exposes, and writes the stubs of
// that. So write the calls first, then run go generate.
//
// init writes a new project (go.mod with wasmbuild as a tool, a Worker
// and a Durable Object class with their test, wrangler.toml, the pinned
// package.json and package-lock.json) and runs go mod tidy in it; then
// "go tool wasmbuild dev" serves it and "go test ./..." tests it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `wasmbuild builds Go Workers and Durable Objects for Cloudflare.

Usage:
  wasmbuild init  [flags] [dir]       write a new project (a Worker, a Durable Object, its test, wrangler.toml) into dir
  wasmbuild build [flags] [package]   compile the package and write the module and the JS shim
  wasmbuild check [flags] [package]   check the wrangler configuration against the module
  wasmbuild dev   [flags] [package] [-- wrangler dev flags]
                                      build, check, and serve it locally in workerd (wrangler dev)
  wasmbuild stubs [flags] [package]   write typed Go stubs (and TypeScript declarations) of the classes' RPC methods
  wasmbuild version                   print the versions wasmbuild uses

Run "wasmbuild <command> -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:])
	var code exitCode
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.As(err, &code):
		os.Exit(int(code))
	default:
		fmt.Fprintln(os.Stderr, "wasmbuild:", err)
		os.Exit(1)
	}
}

// exitCode ends the program with a status after the output was printed.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return exitCode(2)
	}
	switch args[0] {
	case "init":
		return cmdInit(ctx, args[1:])
	case "build":
		return cmdBuild(ctx, args[1:])
	case "check":
		return cmdCheck(ctx, args[1:])
	case "dev":
		return cmdDev(ctx, args[1:])
	case "stubs":
		return cmdStubs(ctx, args[1:])
	case "version":
		return cmdVersion()
	case "help", "-h", "-help", "--help":
		fmt.Print(usage)
		return nil
	default:
		fmt.Fprintf(os.Stderr, "wasmbuild: unknown command %q\n\n%s", args[0], usage)
		return exitCode(2)
	}
}
