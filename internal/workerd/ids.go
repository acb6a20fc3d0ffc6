package workerd

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/godurable/godurable/internal/abi"
)

// Durable Object IDs are derived as workerd derives them for a namespace
// whose unique key is "<script>-<class>" (what wrangler dev uses): a key is
// the SHA-256 of the unique key; an ID is 16 bytes (random, or an HMAC of
// the name) followed by the first 16 bytes of an HMAC of those 16 bytes.
// So the same name gives the same ID here and under wrangler dev, and an ID
// from another namespace is refused.

const idBaseLength = 16

// namespaceKey returns the key of the namespace of class in script.
func namespaceKey(script, class string) []byte {
	k := sha256.Sum256([]byte(script + "-" + class))
	return k[:]
}

func idMAC(key, base []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(base)
	return m.Sum(nil)[:idBaseLength]
}

// idFromName returns the hex ID of the object called name.
func idFromName(key []byte, name string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(name))
	base := m.Sum(nil)[:idBaseLength]
	return hex.EncodeToString(append(base, idMAC(key, base)...))
}

// newUniqueID returns the hex ID of a new object.
func newUniqueID(key []byte) string {
	base := make([]byte, idBaseLength)
	rand.Read(base)
	return hex.EncodeToString(append(base, idMAC(key, base)...))
}

// The errors of workerd's IDs and namespaces, as wrangler dev throws them.
var (
	errIDSyntax    = &abi.Error{Name: "TypeError", Message: "Invalid Durable Object ID: must be 64 hex digits"}
	errIDNamespace = &abi.Error{Name: "TypeError", Message: "Durable Object ID is not valid for this namespace."}
	// Local workerd implements no jurisdiction: jurisdiction(j) and
	// newUniqueId({jurisdiction: j}) throw this for every j, even "".
	errJurisdiction = &abi.Error{Name: "Error", Message: "Jurisdiction restrictions are not implemented in workerd."}
	// get(id, {locationHint: "offpeak"}) throws this without the
	// compatibility flag offpeak_location_hint; any other hint is accepted
	// (and ignored locally).
	errOffpeak = &abi.Error{Name: "TypeError", Message: `get called with an unsupported locationHint: "offpeak"`}
)

// idFromString checks a hex ID, as workerd's idFromString does, and
// returns it in lower case.
func idFromString(key []byte, s string) (string, *abi.Error) {
	b, err := hex.DecodeString(s)
	if len(s) != 64 || err != nil {
		return "", errIDSyntax
	}
	if !hmac.Equal(idMAC(key, b[:idBaseLength]), b[idBaseLength:]) {
		return "", errIDNamespace
	}
	return strings.ToLower(s), nil
}

func randRead(b []byte) { rand.Read(b) }

// ValidID reports whether s is a well-formed ID of class in script.
func ValidID(script, class, s string) error {
	if _, e := idFromString(namespaceKey(script, class), s); e != nil {
		return fmt.Errorf("%s", e.Message)
	}
	return nil
}
