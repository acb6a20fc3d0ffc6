package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/godurable/godurable/bench/cpuprof"
)

// findInspector returns the address (http://127.0.0.1:port) of the V8
// inspector of the workerd that runs the session's Workers, and its
// targets. wrangler's own --inspector-port proxies only the primary
// Worker; the workerd it starts for the Workers listens on an inspector
// of its own (--inspector-addr=localhost:0) that lists every Worker's
// isolate as core:user:{name}. This finds that port from /proc.
func findInspector(ctx context.Context, pgid int, want ...string) (string, []cpuprof.Target, error) {
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		for _, port := range inspectorPorts(pgid) {
			base := "http://127.0.0.1:" + strconv.Itoa(port)
			ts, err := cpuprof.Targets(ctx, base)
			if err != nil {
				last = err
				continue
			}
			ok := true
			for _, w := range want {
				if targetURL(ts, w) == "" {
					ok = false
					last = fmt.Errorf("%s lists no target %s", base, w)
				}
			}
			if ok {
				return base, ts, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if last == nil {
		last = fmt.Errorf("no workerd with --inspector-addr in process group %d", pgid)
	}
	return "", nil, fmt.Errorf("finding workerd's inspector: %w", last)
}

func targetURL(ts []cpuprof.Target, id string) string {
	for _, t := range ts {
		if t.ID == id {
			return t.WebSocketDebuggerURL
		}
	}
	return ""
}

// inspectorPorts returns the TCP ports on which the processes of group
// pgid started with --inspector-addr listen.
func inspectorPorts(pgid int) []int {
	inodes := map[string]bool{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(pid); !ok || st.pgrp != pgid {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if !strings.Contains(string(cmdline), "--inspector-addr") {
			continue
		}
		fds, _ := os.ReadDir(filepath.Join("/proc", e.Name(), "fd"))
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join("/proc", e.Name(), "fd", fd.Name()))
			if err == nil && strings.HasPrefix(link, "socket:[") {
				inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
			}
		}
	}
	var ports []int
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) < 10 || fs[3] != "0A" || !inodes[fs[9]] { // 0A: LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(fs[1], ":")
			if !ok {
				continue
			}
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil {
				ports = append(ports, int(p))
			}
		}
		f.Close()
	}
	return ports
}
