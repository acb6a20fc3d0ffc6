package ws

import (
	"sync"

	"github.com/godurable/godurable/internal/rt"
)

// attachments keeps, per Durable Object of this instance, the encoded
// attachments of its sockets as Go last read or wrote them, so that
// Conn.Attachment reads a socket's attachment from the host once, not on
// every message (a host call was ~20 µs of a chat message's 265 in
// workerd: bench/PROFILE.md). Go is the only writer of an attachment (the
// shim stores what Accept and SetAttachment give it), and an object's
// sockets belong to one instance, so what is kept here is what the host
// holds: after hibernation or a new instance, the object has a new handle
// and its cache starts empty. An object's entry goes when the host drops
// the object; a socket's when it closes; all of an object's when they
// exceed maxCachedAttachmentBytes, a bound on what the cache may hold.
var attachments = attachmentCache{objects: map[uint32]*objectAttachments{}}

// maxCachedAttachmentBytes bounds the attachments kept for one object.
const maxCachedAttachmentBytes = 1 << 20

type attachmentCache struct {
	mu      sync.Mutex
	objects map[uint32]*objectAttachments
}

type objectAttachments struct {
	bytes   int
	sockets map[string][]byte // nil slice: no attachment
}

// get returns the attachment kept for socket of the object c, and whether
// one is kept.
func (a *attachmentCache) get(c rt.Conn, socket string) ([]byte, bool) {
	h, ok := rt.ObjectHandle(c)
	if !ok {
		return nil, false
	}
	var raw []byte
	a.mu.Lock()
	o := a.objects[h]
	if o != nil {
		raw, ok = o.sockets[socket]
	} else {
		ok = false
	}
	a.mu.Unlock()
	return raw, ok
}

// put keeps raw (nil for none) as the attachment of socket of the object
// c, which the host holds now.
func (a *attachmentCache) put(c rt.Conn, socket string, raw []byte) {
	h, ok := rt.ObjectHandle(c)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	o := a.objects[h]
	if o == nil {
		// OnDrop's function runs without the object table's lock held.
		if !rt.OnDrop(c, func() { a.drop(h) }) {
			return // not an object of this instance: nothing would remove it
		}
		o = &objectAttachments{sockets: map[string][]byte{}}
		a.objects[h] = o
	}
	o.bytes -= len(o.sockets[socket])
	if o.bytes+len(raw) > maxCachedAttachmentBytes {
		clear(o.sockets)
		o.bytes = 0
	}
	o.sockets[socket] = raw
	o.bytes += len(raw)
}

// forget removes what is kept for socket of the object c: it has closed.
func (a *attachmentCache) forget(c rt.Conn, socket string) {
	h, ok := rt.ObjectHandle(c)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if o := a.objects[h]; o != nil {
		o.bytes -= len(o.sockets[socket])
		delete(o.sockets, socket)
	}
}

func (a *attachmentCache) drop(handle uint32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.objects, handle)
}
