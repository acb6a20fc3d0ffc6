package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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
// isolate as core:user:{name}. This finds that port from /proc: workerd
// opens the inspector's socket before the sockets of its configuration,
// after only its --debug-port (workerd 1.2026-11 has one, which answers
// /json with 404). The listening sockets are asked for /json in
// descriptor order, and the search stops at the first that lists
// targets: those after it include the Workers' own entry socket, where a
// request would reach the Worker (and start the Go instance before a cold
// start is profiled).
func findInspector(ctx context.Context, pgid int, want ...string) (string, []cpuprof.Target, error) {
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		for _, port := range inspectorPorts(pgid) {
			base := "http://127.0.0.1:" + strconv.Itoa(port)
			ts, err := cpuprof.Targets(ctx, base)
			if err != nil {
				last = err
				continue // the debug port, or not listening yet
			}
			for _, w := range want {
				if targetURL(ts, w) == "" {
					err = fmt.Errorf("%s lists no target %s", base, w)
				}
			}
			if err == nil {
				return base, ts, nil
			}
			last = err
			break // the inspector, before every Worker's socket
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
// pgid started with --inspector-addr listen, by descriptor number.
func inspectorPorts(pgid int) []int {
	inodes := map[string]int{} // socket inode -> descriptor
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
			if n, err2 := strconv.Atoi(fd.Name()); err == nil && err2 == nil && strings.HasPrefix(link, "socket:[") {
				inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = n
			}
		}
	}
	type listener struct{ fd, port int }
	var ls []listener
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			fd, ok := inodes[fs[9]]
			if len(fs) < 10 || fs[3] != "0A" || !ok { // 0A: LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(fs[1], ":")
			if !ok {
				continue
			}
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil {
				ls = append(ls, listener{fd, int(p)})
			}
		}
		f.Close()
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].fd < ls[j].fd })
	ports := make([]int, len(ls))
	for i, l := range ls {
		ports[i] = l.port
	}
	return ports
}
