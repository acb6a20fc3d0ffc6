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
