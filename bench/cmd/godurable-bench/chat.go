package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// The chat rooms: examples/chat (Go) and bench/js/chat.js (its JavaScript
// twin), reached through the front Worker at /gochat/... and /jschat/...,
// driven by WebSocket clients (github.com/coder/websocket) in this process.

// chatPrefix is where the front Worker forwards to each side's chat Worker.
var chatPrefix = map[string]string{sideGo: "/gochat", sideJS: "/jschat"}

// chatWait bounds every wait for a chat message: a message that has not
// come by then is lost, and the measurement fails.
const chatWait = 30 * time.Second

// chatMember is one member's socket. A goroutine reads it for as long as it
// is open and hands every message to the member's handler, so that the
// socket keeps being read (and answered) whichever phase runs.
type chatMember struct {
	name    string
	c       *websocket.Conn
	handler atomic.Pointer[func(msg []byte, at time.Time)]
	done    chan struct{} // closed when the reader stops
	err     error         // why the reader stopped, after done
}

// joinChat opens a member's socket in room of side and waits for its
// welcome, which it returns.
func (s *session) joinChat(ctx context.Context, side, room, name string) (*chatMember, []byte, error) {
	m := &chatMember{name: name, done: make(chan struct{})}
	inbox := m.collect()
	u := "ws" + strings.TrimPrefix(s.srv.URL, "http") + chatPrefix[side] + "/rooms/" + url.PathEscape(room) + "/ws?name=" + url.QueryEscape(name)
	dctx, cancel := context.WithTimeout(ctx, chatWait)
	defer cancel()
	c, resp, err := websocket.Dial(dctx, u, &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		if resp != nil {
			return nil, nil, fmt.Errorf("%s joining %s room %s: status %d: %w", name, side, room, resp.StatusCode, err)
		}
		return nil, nil, fmt.Errorf("%s joining %s room %s: %w", name, side, room, err)
	}
	c.SetReadLimit(1 << 20)
	m.c = c
	go m.read()
	welcome, err := m.next(inbox)
	if err != nil {
		m.c.CloseNow()
		return nil, nil, fmt.Errorf("%s in %s room %s, waiting for the welcome: %w", name, side, room, err)
	}
	m.discard()
	return m, welcome, nil
}

func (m *chatMember) read() {
	defer close(m.done)
	for {
		_, msg, err := m.c.Read(context.Background())
		if err != nil {
			m.err = err
			return
		}
		at := time.Now()
		(*m.handler.Load())(msg, at)
	}
}

// on sets what the reader does with each message from now on.
func (m *chatMember) on(f func(msg []byte, at time.Time)) { m.handler.Store(&f) }

// discard drops the messages from now on.
func (m *chatMember) discard() { m.on(func([]byte, time.Time) {}) }

// collect queues the messages from now on, for next.
func (m *chatMember) collect() chan []byte {
	inbox := make(chan []byte, 1024)
	m.on(func(msg []byte, _ time.Time) {
		select {
		case inbox <- msg:
		default: // nobody reads them: the next next fails
		}
	})
	return inbox
}

// next returns the next message of inbox (from collect), waiting at most
// chatWait.
func (m *chatMember) next(inbox chan []byte) ([]byte, error) {
	t := time.NewTimer(chatWait)
	defer t.Stop()
	select {
	case msg := <-inbox:
		return msg, nil
	case <-m.done:
		select {
		case msg := <-inbox:
			return msg, nil
		default:
		}
		return nil, fmt.Errorf("%s's socket closed: %w", m.name, m.err)
	case <-t.C:
		return nil, fmt.Errorf("%s received nothing in %v", m.name, chatWait)
	}
}

func (m *chatMember) send(ctx context.Context, text string) error {
	wctx, cancel := context.WithTimeout(ctx, chatWait)
	defer cancel()
	return m.c.Write(wctx, websocket.MessageText, []byte(text))
}

// leave closes the socket without a close handshake.
func (m *chatMember) leave() {
	m.c.CloseNow()
	<-m.done
}

func leaveAll(ms []*chatMember) {
	for _, m := range ms {
		if m != nil {
			m.leave()
		}
	}
}

// isSaid reports whether msg is a "said" message: both rooms write it as
// the Go struct Said is encoded, "type" first.
func isSaid(msg []byte) bool { return bytes.HasPrefix(msg, []byte(`{"type":"said"`)) }

func sayJSON(text string) string { return `{"type":"say","text":"` + text + `"}` }

// malformedJSON matches the error of a malformed message, whose text is
// the JSON parser's own (encoding/json's in Go, V8's in JavaScript).
var malformedJSON = regexp.MustCompile(`^\{"error":"malformed JSON: .*","type":"error"\}$`)

// checkChatTwins makes sure both rooms answer a scripted session with the
// same bytes (but for the parser's message in a malformed message's error)
// before anything is timed.
func (b *bench) checkChatTwins(ctx context.Context, s *session) error {
	var transcripts [2][]string
	for i, side := range []string{sideGo, sideJS} {
		t, err := s.chatScript(ctx, side, "twin")
		if err != nil {
			return fmt.Errorf("the %s chat room's scripted session: %w", side, err)
		}
		transcripts[i] = t
	}
	g, j := transcripts[0], transcripts[1]
	if b.verbose {
		for _, l := range g {
			b.logf("chat twin check (Go): %s", l)
		}
	}
	for i := 0; i < max(len(g), len(j)); i++ {
		var lg, lj string
		if i < len(g) {
			lg = g[i]
		}
		if i < len(j) {
			lj = j[i]
		}
		if lg == lj {
			continue
		}
		if pg, mg, ok := strings.Cut(lg, " <- "); ok {
			if pj, mj, ok := strings.Cut(lj, " <- "); ok && pg == pj && malformedJSON.MatchString(mg) && malformedJSON.MatchString(mj) {
				continue
			}
		}
		return fmt.Errorf("the chat rooms differ at step %d of the scripted session:\n  Go:         %s\n  JavaScript: %s", i+1, lg, lj)
	}
	return nil
}

// chatScript runs the scripted session on side's room and returns what
// every member received and every request answered, one line each.
func (s *session) chatScript(ctx context.Context, side, room string) ([]string, error) {
	var lines []string
	type member struct {
		*chatMember
		inbox chan []byte
	}
	var all []*chatMember
	defer func() { leaveAll(all) }()
	join := func(name string) (*member, error) {
		m, welcome, err := s.joinChat(ctx, side, room, name)
		if err != nil {
			return nil, err
		}
		all = append(all, m)
		lines = append(lines, name+" <- "+string(welcome))
		return &member{m, m.collect()}, nil
	}
	expect := func(ms ...*member) error {
		for _, m := range ms {
			msg, err := m.next(m.inbox)
			if err != nil {
				return err
			}
			lines = append(lines, m.name+" <- "+string(msg))
		}
		return nil
	}
	get := func(path string, upgrade bool) error {
		req, err := http.NewRequestWithContext(ctx, "GET", s.base+chatPrefix[side]+path, nil)
		if err != nil {
			return err
		}
		if upgrade {
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Upgrade", "websocket")
			req.Header.Set("Sec-WebSocket-Version", "13")
			req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		}
		resp, err := s.http.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("GET %s (upgrade %v) <- %d %s %q", path, upgrade, resp.StatusCode, resp.Header.Get("Content-Type"), body))
		return nil
	}
	ann, err := join("ann")
	if err != nil {
		return nil, err
	}
	zoe, err := join("zoë")
	if err != nil {
		return nil, err
	}
	if err := expect(ann); err != nil { // joined
		return nil, err
	}
	steps := []struct {
		from *member
		text string
		to   []*member
	}{
		{ann, sayJSON(`hi <all> & \u2028 é`), []*member{ann, zoe}},
		{zoe, `{"type":"whisper","to":"ann","text":"psst"}`, []*member{ann}},
		{zoe, `{"type":"whisper","to":"cy","text":"psst"}`, []*member{zoe}},
		{zoe, `{"type":"dance"}`, []*member{zoe}},
		{zoe, `{"type":"say"}`, []*member{zoe}},
		{zoe, sayJSON(strings.Repeat("x", 1001)), []*member{zoe}},
		{zoe, sayJSON(strings.Repeat("é", 1000)), []*member{ann, zoe}},
		{zoe, `{"type":"whisper","text":"x"}`, []*member{zoe}},
		{zoe, `{oops`, []*member{zoe}},
		{zoe, `ping`, []*member{zoe}},
		{ann, sayJSON("again"), []*member{ann, zoe}},
	}
	for _, st := range steps {
		if err := st.from.send(ctx, st.text); err != nil {
			return nil, err
		}
		if err := expect(st.to...); err != nil {
			return nil, err
		}
	}
	wctx, cancel := context.WithTimeout(ctx, chatWait)
	err = zoe.c.Write(wctx, websocket.MessageBinary, []byte{1, 2})
	cancel()
	if err != nil {
		return nil, err
	}
	if err := expect(zoe); err != nil {
		return nil, err
	}
	for _, g := range []struct {
		path    string
		upgrade bool
	}{
		{"/rooms/" + room + "/members", false},
		{"/rooms/" + room + "/history", false},
		{"/rooms/" + room + "/ws?name=x", false},
		{"/rooms/" + room + "/ws?name=", true},
		{"/rooms/" + room + "/ws?name=" + strings.Repeat("n", 33), true},
		{"/rooms/" + room + "/nothing", false},
		{"/nothing", false},
	} {
		if err := get(g.path, g.upgrade); err != nil {
			return nil, err
		}
	}
	cy, err := join("cy")
	if err != nil {
		return nil, err
	}
	if err := expect(ann, zoe); err != nil { // joined
		return nil, err
	}
	// zoë leaves with a close handshake: the others are told, and the
	// room answers the close with zoë's code and reason.
	zoe.c.Close(4000, "bye")
	<-zoe.done
	lines = append(lines, fmt.Sprintf("zoë's close answered: code %d", websocket.CloseStatus(zoe.err)))
	if err := expect(ann, cy); err != nil { // left
		return nil, err
	}
	if err := get("/rooms/"+room+"/members", false); err != nil {
		return nil, err
	}
	return lines, nil
}

// chatEcho is one echo run's result.
type chatEcho struct {
	msgs    int
	elapsed time.Duration
	rtts    []time.Duration // sorted
	cpu     time.Duration
}

// echo has m, alone in its room, say up to n things (for at most dur),
// window at a time, and times each until its own "said" comes back.
func (s *session) echo(ctx context.Context, m *chatMember, n, window int, dur time.Duration) (*chatEcho, error) {
	sent := make([]time.Time, n)
	rtts := make([]time.Duration, 0, n)
	var mu sync.Mutex
	credit := make(chan struct{}, window)
	for range window {
		credit <- struct{}{}
	}
	got := make(chan struct{}, n)
	received := 0
	m.on(func(msg []byte, at time.Time) {
		if !isSaid(msg) {
			return
		}
		mu.Lock()
		if received >= n {
			mu.Unlock()
			return
		}
		rtts = append(rtts, at.Sub(sent[received]))
		received++
		mu.Unlock()
		credit <- struct{}{}
		got <- struct{}{}
	})
	defer m.discard()
	cpu0 := s.cpu()
	t0 := time.Now()
	deadline := t0.Add(dur)
	k := 0
	wait := func() error {
		t := time.NewTimer(chatWait)
		defer t.Stop()
		select {
		case <-credit:
			return nil
		case <-m.done:
			return fmt.Errorf("%s's socket closed: %w", m.name, m.err)
		case <-t.C:
			return fmt.Errorf("%s: no said came back in %v (%d sent)", m.name, chatWait, k)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for ; k < n && time.Now().Before(deadline); k++ {
		if err := wait(); err != nil {
			return nil, err
		}
		mu.Lock()
		sent[k] = time.Now()
		mu.Unlock()
		if err := m.send(ctx, sayJSON("e "+strconv.Itoa(k))); err != nil {
			return nil, err
		}
	}
	for i := 0; i < k; i++ {
		t := time.NewTimer(chatWait)
		select {
		case <-got:
		case <-m.done:
			t.Stop()
			return nil, fmt.Errorf("%s's socket closed: %w", m.name, m.err)
		case <-t.C:
			return nil, fmt.Errorf("%s: %d of %d said came back in time", m.name, i, k)
		}
		t.Stop()
	}
	r := &chatEcho{msgs: k, elapsed: time.Since(t0), cpu: s.cpu() - cpu0}
	mu.Lock()
	r.rtts = append(r.rtts, rtts...)
	mu.Unlock()
	sort.Slice(r.rtts, func(i, j int) bool { return r.rtts[i] < r.rtts[j] })
	return r, nil
}

// broadcast has ms[0] say n things to the room of ms (everyone there),
// window at a time: message k is sent when all members got message
// k-window. It returns the time from the first send until every member got
// every message, and for each message the time from its send until the
// last member got it (sorted).
func broadcast(ctx context.Context, ms []*chatMember, n, window int) (time.Duration, []time.Duration, error) {
	full := make([]atomic.Int32, n)
	sent := make([]time.Time, n)
	fanout := make([]time.Duration, n)
	var mu sync.Mutex
	delivered := make(chan int, n)
	for _, m := range ms {
		count := 0 // this member's said messages so far: its reader alone counts
		m.on(func(msg []byte, at time.Time) {
			if !isSaid(msg) || count >= n {
				return
			}
			k := count
			count++
			if int(full[k].Add(1)) == len(ms) {
				mu.Lock()
				fanout[k] = at.Sub(sent[k])
				mu.Unlock()
				delivered <- k
			}
		})
	}
	defer func() {
		for _, m := range ms {
			m.discard()
		}
	}()
	done := 0
	await := func() error {
		t := time.NewTimer(chatWait)
		defer t.Stop()
		select {
		case <-delivered:
			done++
			return nil
		case <-t.C:
			return fmt.Errorf("broadcast: message %d of %d did not reach all %d members in %v", done+1, n, len(ms), chatWait)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	t0 := time.Now()
	for k := 0; k < n; k++ {
		for k-done >= window {
			if err := await(); err != nil {
				return 0, nil, err
			}
		}
		mu.Lock()
		sent[k] = time.Now()
		mu.Unlock()
		if err := ms[0].send(ctx, sayJSON("b "+strconv.Itoa(k))); err != nil {
			return 0, nil, err
		}
	}
	for done < n {
		if err := await(); err != nil {
			return 0, nil, err
		}
	}
	elapsed := time.Since(t0)
	mu.Lock()
	lat := append([]time.Duration(nil), fanout...)
	mu.Unlock()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return elapsed, lat, nil
}

// chatState is what the main session keeps of the chat rooms between
// rounds: the broadcast rooms' members, and the sockets left idle for the
// wake.
type chatState struct {
	crowd map[string][]*chatMember // side -> the broadcast room's members
	idle  map[string]*chatMember   // side -> the wake room's member
	since time.Time                // when the idle members last spoke
}

func (st *chatState) close() {
	for _, ms := range st.crowd {
		leaveAll(ms)
	}
	for _, m := range st.idle {
		m.leave()
	}
}

// joinCrowd fills side's broadcast room with members, a few joining at once.
func (s *session) joinCrowd(ctx context.Context, side, room string, n int) ([]*chatMember, error) {
	ms := make([]*chatMember, n)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  atomic.Int64
	)
	for range min(n, 4) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				m, _, err := s.joinChat(ctx, side, room, fmt.Sprintf("m%d", i))
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
				ms[i] = m
			}
		}()
	}
	wg.Wait()
	if first != nil {
		leaveAll(ms)
		return nil, first
	}
	return ms, nil
}

// setupChat checks the twins, warms both rooms up and fills the broadcast
// rooms, before the rounds.
func (b *bench) setupChat(ctx context.Context, s *session) (*chatState, error) {
	c := b.cfg
	if err := b.checkChatTwins(ctx, s); err != nil {
		return nil, err
	}
	st := &chatState{crowd: map[string][]*chatMember{}, idle: map[string]*chatMember{}}
	for _, side := range []string{sideGo, sideJS} {
		m, _, err := s.joinChat(ctx, side, "echo-warm", "warm")
		if err != nil {
			st.close()
			return nil, err
		}
		_, err = s.echo(ctx, m, c.Warmup, c.Conc, c.Dur)
		m.leave()
		if err != nil {
			st.close()
			return nil, fmt.Errorf("%s chat warm-up: %w", side, err)
		}
		b.logf("chat: %d members join the %s broadcast room", c.ChatMembers, side)
		ms, err := s.joinCrowd(ctx, side, "crowd", c.ChatMembers)
		if err != nil {
			st.close()
			return nil, err
		}
		st.crowd[side] = ms
		if _, _, err := broadcast(ctx, ms, c.ChatWarmup, c.Conc); err != nil {
			st.close()
			return nil, fmt.Errorf("%s broadcast warm-up: %w", side, err)
		}
	}
	return st, nil
}

// Rows of the chat section.
func chatEchoRow(window int, what string) string {
	if window == 1 {
		return "echo on one socket, one at a time: " + what
	}
	return fmt.Sprintf("echo on one socket, %d in flight: %s", window, what)
}

// startIdle opens the wake rooms' sockets of this round and has each say
// one thing: the rooms are then left alone until wake.
func (b *bench) startIdle(ctx context.Context, s *session, st *chatState, round int) error {
	for _, side := range []string{sideGo, sideJS} {
		m, _, err := s.joinChat(ctx, side, fmt.Sprintf("wake-%d", round), "sleeper")
		if err != nil {
			return err
		}
		st.idle[side] = m
		if _, err := s.echo(ctx, m, 1, 1, chatWait); err != nil {
			return fmt.Errorf("%s wake room: %w", side, err)
		}
	}
	st.since = time.Now()
	return nil
}

// chatRound runs the round's chat measurements for both sides.
func (b *bench) chatRound(ctx context.Context, s *session, st *chatState, round int) error {
	c := b.cfg
	for _, side := range order([]string{sideGo, sideJS}, round) {
		m, _, err := s.joinChat(ctx, side, fmt.Sprintf("echo-%d", round), "solo")
		if err != nil {
			return err
		}
		if _, err := s.echo(ctx, m, 2*c.Conc, c.Conc, c.Dur); err != nil { // the new room's first messages
			m.leave()
			return err
		}
		for _, w := range []struct{ window, n int }{{1, c.Seq}, {c.Conc, c.Count}} {
			r, err := s.echo(ctx, m, w.n, w.window, c.Dur)
			if err != nil {
				m.leave()
				return fmt.Errorf("%s echo: %w", side, err)
			}
			b.m.get(secChat, chatEchoRow(w.window, "messages/s"), "msg/s", higher).add(side, float64(r.msgs)/r.elapsed.Seconds())
			b.m.get(secChat, chatEchoRow(w.window, "p50 round trip"), "ms", lower).add(side, ms(quantile(r.rtts, 0.5)))
			b.m.get(secChat, chatEchoRow(w.window, "p99 round trip"), "ms", lower).add(side, ms(quantile(r.rtts, 0.99)))
			if w.window > 1 && r.cpu > 0 {
				b.m.get(secChat, chatEchoRow(w.window, "CPU per message (wrangler + workerd)"), "µs", lower).add(side, us(r.cpu/time.Duration(r.msgs)))
			}
		}
		m.leave()
	}
	for _, side := range order([]string{sideGo, sideJS}, round) {
		crowd := st.crowd[side]
		if _, _, err := broadcast(ctx, crowd, c.ChatWarmup, c.Conc); err != nil { // the room may have hibernated
			return fmt.Errorf("%s broadcast: %w", side, err)
		}
		elapsed, _, err := broadcast(ctx, crowd, c.ChatBroadcast, c.Conc)
		if err != nil {
			return fmt.Errorf("%s broadcast: %w", side, err)
		}
		b.m.get(secChat, fmt.Sprintf("broadcast to %d sockets, %d messages in flight: deliveries/s", len(crowd), c.Conc), "msg/s", higher).
			add(side, float64(c.ChatBroadcast*len(crowd))/elapsed.Seconds())
		_, lat, err := broadcast(ctx, crowd, c.ChatBroadcastSeq, 1)
		if err != nil {
			return fmt.Errorf("%s broadcast: %w", side, err)
		}
		b.m.get(secChat, fmt.Sprintf("broadcast to %d sockets, one at a time: p50 time until the last got it", len(crowd)), "ms", lower).
			add(side, ms(quantile(lat, 0.5)))
	}
	return nil
}

// wake times the first message to each wake room after it was left idle
// (waiting until ChatIdle has passed), then the next one, and closes them.
func (b *bench) wake(ctx context.Context, s *session, st *chatState, round int) error {
	if d := time.Until(st.since.Add(b.cfg.ChatIdle)); d > 0 {
		b.logf("chat: waiting %v for the idle rooms to hibernate", d.Round(time.Second))
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	idle := fmt.Sprintf("%.0f s", b.cfg.ChatIdle.Seconds())
	for _, side := range order([]string{sideGo, sideJS}, round) {
		m := st.idle[side]
		first, err := s.echo(ctx, m, 1, 1, chatWait)
		if err != nil {
			return fmt.Errorf("%s wake: %w", side, err)
		}
		again, err := s.echo(ctx, m, 1, 1, chatWait)
		if err != nil {
			return fmt.Errorf("%s wake: %w", side, err)
		}
		m.leave()
		delete(st.idle, side)
		b.m.get(secChat, "hibernation wake: first message after "+idle+" idle, round trip", "ms", lower).add(side, ms(first.rtts[0]))
		b.m.get(secChat, "  the next message's round trip", "ms", lower).add(side, ms(again.rtts[0]))
		b.m.get(secChat, "  the wake's added time", "ms", lower).add(side, ms(first.rtts[0]-again.rtts[0]))
	}
	return nil
}

// measureChatRSS opens sockets of one side across rooms in a fresh workerd
// and records how much the resident memory of wrangler and workerd grew
// per socket; the rooms exist (without sockets) before the first reading.
// Each side gets sessions of its own, alternately, as for the objects.
func (b *bench) measureChatRSS(ctx context.Context) error {
	configs := []string{"bench/js/front.toml", "bench/go/chat.toml", "bench/js/chat.toml"}
	c := b.cfg
	for i := 0; i < c.RSSSessions; i++ {
		for _, side := range order([]string{sideGo, sideJS}, i) {
			b.logf("memory: resident set per %s socket (%d/%d)", side, i+1, c.RSSSessions)
			r0, r1, err := b.chatRSSSession(ctx, side, configs)
			if err != nil {
				return err
			}
			n := float64(c.ChatSockets)
			b.m.get(secChat, fmt.Sprintf("server resident memory (wrangler + workerd) per open socket, %d sockets in %d rooms, fresh workerd", c.ChatSockets, c.ChatRooms), "bytes", lower).
				add(side, float64(r1.all-r0.all)/n)
			b.m.get(secChat, "  of which the workerd that runs the Workers", "bytes", lower).add(side, float64(r1.workers-r0.workers)/n)
			b.m.get(secChat, "  of which wrangler's proxy (a workerd and Node.js)", "bytes", lower).add(side, float64(r1.all-r1.workers-r0.all+r0.workers)/n)
		}
	}
	return nil
}

// sessionRSS is the resident memory of a session's processes: all of them,
// and the workerd that runs the Workers (the one started with
// --inspector-addr, see findInspector; the other workerd is wrangler's
// proxy).
type sessionRSS struct{ all, workers int64 }

func readSessionRSS(pgid int) sessionRSS {
	return sessionRSS{all: groupRSS(pgid), workers: groupRSSWhere(pgid, func(cmdline string) bool {
		return strings.Contains(cmdline, "workerd") && strings.Contains(cmdline, "--inspector-addr")
	})}
}

func (b *bench) chatRSSSession(ctx context.Context, side string, configs []string) (r0, r1 sessionRSS, err error) {
	c := b.cfg
	s, err := b.startSession(ctx, 4, configs...)
	if err != nil {
		return r0, r1, err
	}
	var ms []*chatMember
	defer func() {
		s.stop() // first: the rooms need not hear of every socket that closes
		leaveAll(ms)
	}()
	// Instantiate the Worker (and the Go module) and run the socket path once.
	warm, _, err := s.joinChat(ctx, side, "warm", "warm")
	if err != nil {
		return r0, r1, err
	}
	ms = append(ms, warm)
	if _, err := s.echo(ctx, warm, 10, 1, chatWait); err != nil {
		return r0, r1, err
	}
	for r := 0; r < c.ChatRooms; r++ {
		if _, err := s.do(ctx, "GET", fmt.Sprintf("%s/rooms/mem-%d/members", chatPrefix[side], r)); err != nil {
			return r0, r1, err
		}
	}
	time.Sleep(time.Second)
	r0 = readSessionRSS(s.pgid)
	per := c.ChatSockets / c.ChatRooms
	for r := 0; r < c.ChatRooms; r++ {
		n := per
		if r == c.ChatRooms-1 {
			n = c.ChatSockets - per*(c.ChatRooms-1)
		}
		room, err := s.joinCrowd(ctx, side, fmt.Sprintf("mem-%d", r), n)
		if err != nil {
			return r0, r1, err
		}
		ms = append(ms, room...)
	}
	time.Sleep(time.Second)
	r1 = readSessionRSS(s.pgid)
	if r0.workers == 0 || r1.workers == 0 {
		return r0, r1, errors.New("no resident memory read for the workerd that runs the Workers")
	}
	return r0, r1, nil
}
