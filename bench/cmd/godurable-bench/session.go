package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/godurable/godurable/internal/wranglerdev"
)

// session is one wrangler dev (and so one workerd) serving some Workers.
type session struct {
	srv   *wranglerdev.Server
	ready time.Duration // from starting wrangler to "Ready on" and an open port
	pgid  int           // wrangler's process group: wrangler, workerd
	// persist is the Durable Objects' storage, on tmpfs when there is one.
	persist string
	*client
}

// startSession runs wrangler dev with configs (relative to root), the first
// one served.
func (b *bench) startSession(ctx context.Context, conc int, configs ...string) (*session, error) {
	var log io.Writer
	if b.verbose {
		log = prefixWriter{w: os.Stderr, prefix: "  wrangler| "}
	}
	if b.wlog != nil {
		if log != nil {
			log = io.MultiWriter(log, b.wlog)
		} else {
			log = b.wlog
		}
	}
	persist, err := os.MkdirTemp(storageDir(), "godurable-bench-")
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	srv, err := wranglerdev.Start(ctx, wranglerdev.Options{Dir: b.root, Configs: configs, Log: log, PersistTo: persist, ReadyTimeout: 3 * time.Minute,
		Tools: b.tools, CompatibilityDate: b.compat})
	if err != nil {
		os.RemoveAll(persist)
		return nil, err
	}
	s := &session{srv: srv, ready: time.Since(t0), persist: persist, client: newClient(srv.URL, conc)}
	s.pgid = findSessionGroup()
	return s, nil
}

func (s *session) stop() {
	s.client.close()
	s.srv.Stop()
	os.RemoveAll(s.persist)
}

// storageDir is where sessions keep Durable Object storage: /dev/shm when
// it exists, so that the benchmark measures the runtimes, not the disk
// (creating a SQLite-backed object creates and syncs files).
func storageDir() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return ""
}

// cpu returns the CPU time used so far by the session's processes.
func (s *session) cpu() time.Duration {
	if s.pgid <= 0 {
		return 0
	}
	return groupCPU(s.pgid)
}

// findSessionGroup returns the process group of the wrangler this process
// started (wranglerdev puts it in a group of its own, with workerd), or 0.
func findSessionGroup() int {
	me := os.Getpid()
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, ok := readStat(pid)
		if ok && st.ppid == me && st.pgrp == pid {
			return pid
		}
	}
	return 0
}

// clockTick is the unit of utime and stime in /proc/*/stat (USER_HZ,
// 100 on Linux).
const clockTick = 10 * time.Millisecond

// groupCPU sums user and system CPU time over the processes of group pgid.
func groupCPU(pgid int) time.Duration {
	var total time.Duration
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(pid); ok && st.pgrp == pgid {
			total += time.Duration(st.utime+st.stime) * clockTick
		}
	}
	return total
}

type procStat struct {
	ppid, pgrp   int
	utime, stime int64
}

func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procStat{}, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return procStat{}, false
	}
	var st procStat
	st.ppid, _ = strconv.Atoi(f[1])
	st.pgrp, _ = strconv.Atoi(f[2])
	st.utime, _ = strconv.ParseInt(f[11], 10, 64)
	st.stime, _ = strconv.ParseInt(f[12], 10, 64)
	return st, true
}

// prefixWriter prefixes every line written to w.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line != "" {
			fmt.Fprint(p.w, p.prefix+line)
		}
	}
	return len(b), nil
}
