package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// v8FlagsEnv carries the V8 flags to v8flags.cjs.
const v8FlagsEnv = "GODURABLE_V8_FLAGS"

// useV8Flags makes the wrangler sessions of this process start workerd
// with V8 flags. workerd reads them from its configuration (Config.v8Flags),
// which miniflare can encode but wrangler never sets; v8flags.cjs, preloaded
// into wrangler's Node with NODE_OPTIONS, adds them to the configuration
// miniflare serializes. For experiments only (bench/PROFILE.md).
func useV8Flags(root, flags string) error {
	hook := filepath.Join(root, "bench", "cmd", "godurable-bench", "v8flags.cjs")
	if _, err := os.Stat(hook); err != nil {
		return fmt.Errorf("-v8-flags needs %s: %w", hook, err)
	}
	os.Setenv(v8FlagsEnv, strings.TrimSpace(flags))
	opts := strings.TrimSpace(os.Getenv("NODE_OPTIONS") + " --require=" + hook)
	return os.Setenv("NODE_OPTIONS", opts)
}
