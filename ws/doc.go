// Package ws is WebSockets for Durable Objects and Workers: the
// hibernation API, with which an object holds many sockets and may leave
// memory while they stay open, and outbound sockets a Worker or an object
// opens itself.
//
// # Accepting
//
// A Durable Object accepts a socket in its ServeHTTP with [Accept], which
// answers the request with 101 and keeps the socket with the object:
//
//	func (r *Room) ServeHTTP(w http.ResponseWriter, req *http.Request) {
//		_, err := ws.Accept(w, req, &ws.AcceptOptions{Tags: []string{"lobby"}, Attachment: Member{Name: "ann"}})
//		if errors.Is(err, ws.ErrNotWebSocket) {
//			http.Error(w, err.Error(), http.StatusUpgradeRequired)
//		}
//	}
//
// A Worker that routes requests to objects passes the upgrade through with
// Stub.ServeHTTP, or by writing the response of Stub.Fetch (status, headers
// and all) as it writes any other.
//
// # Events
//
// The socket's traffic reaches the object as events, one per message, in
// the object's turn like any event: a class implements [MessageHandler],
// and [CloseHandler] and [ErrorHandler] if it wants those.
//
//	func (r *Room) WebSocketMessage(ctx context.Context, c *ws.Conn, m ws.Message) error {
//		_, err := ws.Broadcast(ctx, m, "lobby", c) // to the sockets tagged lobby but c; m.Type is ws.Text or ws.Binary
//		return err
//	}
//
// [Broadcast] sends one message to many sockets in one host call (the
// bytes cross from Go once, not once per socket); [List] returns the
// sockets themselves, for a loop that sends each its own message.
//
// Between events the object may hibernate (workerd evicts it while its
// sockets stay open); the next message wakes it, its constructor runs
// again, and the same sockets come back with the same IDs, tags and
// attachments ([List], or State.WebSockets). Keep what a socket needs to
// remember in its attachment ([Conn.SetAttachment]) or in storage, not only
// in the object's memory.
//
// When a client closes its socket, the object's WebSocketClose runs and
// the shim sends the client's code and reason back (unless the handler
// closed the socket itself), which completes the closing handshake.
//
// # Sockets
//
// A *[Conn] sends ([Conn.Send], [Conn.SendText], [Conn.SendBinary]),
// closes ([Conn.Close]: codes 1000 to 4999 but 1004, 1005, 1006 and 1015;
// reasons up to 123 bytes), and keeps tags (up to 10 of 256 bytes) and an
// attachment of any Go value, encoded as storage.KV encodes values, up to
// [MaxAttachmentBytes] (16,357 bytes encoded: workerd's 16 KiB less the
// socket's ID, which the shim keeps there so that a socket has the same
// [Conn.ID] after hibernation).
//
// [SetAutoResponse](ctx, "ping", "pong") makes workerd answer a message
// without waking the object; [Conn.AutoResponseTime] says when it last did.
// [SetEventTimeout] bounds how long one socket event may run (at most
// [MaxEventTimeout], 7 days).
//
// # Outbound sockets
//
// A Worker or an object dials a server itself with [Dial](ctx, url,
// header), on behalf of the event of ctx; the *[Client] it returns belongs
// to that event (in an object, to the object's events), and [Client.Receive]
// reads messages in order.
//
// # Limits
//
// As workerd has them: at most 10 tags of at most 256 bytes a socket,
// attachments of at most MaxAttachmentBytes encoded, messages up to
// [MaxMessageBytes] (32 MiB), close codes 1000 to 4999 but 1004, 1005,
// 1006 and 1015, close reasons of at most 123 bytes, auto-responses of at
// most 2,048 bytes each way, and 32,768 sockets an object. Close checks the
// code and the reason before it asks workerd.
//
// # Testing and measurements
//
// dotest's Worker.DialWebSocket opens a socket through the Worker as a
// browser would and returns its client end; Object.Hibernate evicts an
// object with its sockets open, and auto-responses are answered without
// calling Go, so a test can check that the object stayed asleep
// (Object.Live).
//
// examples/chat (go run ./cmd/wasmbuild dev ./examples/chat) is a chat
// service: rooms of members joined at GET /rooms/{room}/ws?name=, JSON
// messages (say, whisper, welcome, joined, said, left, error), ping/pong
// by auto-response, /history and /members, all of it across hibernation.
// In workerd, 100 sockets in rooms of ten sent 100 messages each and
// received all 100,000 deliveries, each sender's in order; under dotest,
// 1,000 sockets sent 100 messages each while their objects hibernated
// 2,000 times, and lost, repeated or reordered none.
package ws
