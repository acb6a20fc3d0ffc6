// Command wasmbuild builds a godurable Worker and runs it locally.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/godurable/godurable/internal/build"
)

func main() {
	ctx := context.Background()
	pkg := "."
	if len(os.Args) > 2 {
		pkg = os.Args[2]
	}
	res, err := build.Build(ctx, ".", pkg, "build")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(res.Wasm, res.Size)
}
