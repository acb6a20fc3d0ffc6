package conformance

import (
	"net/url"
	"strings"
	"testing"
)

// aliceID is SANDBOX.idFromName("alice") of the Worker godurable-sandbox
// under wrangler dev: the HMAC-SHA256 of the name under the SHA-256 of
// "godurable-sandbox-Sandbox", then the MAC of that half.
const aliceID = "4eadc6befddfd2a5a74a8591d67767110bd081123749c8c4dc851ea09979db10"

// ids: Durable Object IDs and routing as a JavaScript Worker has them,
// measured in the pinned workerd (1.20261117.1) under wrangler dev:
// idFromName, idFromString, newUniqueId, jurisdiction (local workerd has
// none), get with a location hint, and the ID's name and equality.
func (s *suite) ids(t *testing.T) {
	idOf := func(path string) map[string]any {
		t.Helper()
		return s.getJSON(t, path, 200).(map[string]any)
	}
	errorOf := func(path string) map[string]any {
		t.Helper()
		v := idOf(path)
		e, ok := v["error"].(map[string]any)
		if !ok {
			t.Fatalf("%s = %v, want an error", path, v)
		}
		return e
	}
	id := func(hex, name string) map[string]any {
		return map[string]any{"id": hex, "name": name, "jurisdiction": ""}
	}

	// idFromName: the ID JavaScript derives for the name, with the name.
	alice := idOf("/ids/SANDBOX/name?name=alice")
	equal(t, "IDFromName(alice)", alice, id(aliceID, "alice"))
	equal(t, "the object's own ID", s.call(t, "alice", "whoami").(map[string]any)["id"], aliceID)
	if plain := idOf("/ids/PLAIN/name?name=alice"); plain["id"] == aliceID || !hexID.MatchString(plain["id"].(string)) {
		t.Errorf("PLAIN's IDFromName(alice) = %v, want another ID", plain)
	}
	equal(t, "IDFromName of the empty name", idOf("/ids/SANDBOX/name?name=")["name"], "")

	// idFromString: the same ID, with no name; upper-case digits are
	// accepted and the ID is lower case.
	equal(t, "IDFromString", idOf("/ids/SANDBOX/string?s="+aliceID), id(aliceID, ""))
	equal(t, "IDFromString in upper case", idOf("/ids/SANDBOX/string?s="+strings.ToUpper(aliceID)), id(aliceID, ""))
	badSyntax := map[string]any{"name": "TypeError", "message": "Invalid Durable Object ID: must be 64 hex digits"}
	for _, bad := range []string{"", "abc", strings.Repeat("z", 64), aliceID + "00", aliceID[:62]} {
		e := errorOf("/ids/SANDBOX/string?s=" + bad)
		equal(t, "IDFromString("+bad+")", map[string]any{"name": e["name"], "message": e["message"]}, badSyntax)
	}
	e := errorOf("/ids/SANDBOX/string?s=abc")
	equal(t, "IDFromString error text", e["text"], `worker: SANDBOX.IDFromString("abc"): Invalid Durable Object ID: must be 64 hex digits`)
	// An ID of another namespace, or with a changed digit, is refused.
	notHere := map[string]any{"name": "TypeError", "message": "Durable Object ID is not valid for this namespace."}
	flipped := aliceID[:63] + "0"
	if aliceID[63] == '0' {
		flipped = aliceID[:63] + "1"
	}
	for what, hex := range map[string]string{"an ID of PLAIN": aliceID, "a changed last digit": flipped, "a changed first digit": "f" + aliceID[1:]} {
		path := "/ids/SANDBOX/string?s=" + hex
		if what == "an ID of PLAIN" {
			path = "/ids/PLAIN/string?s=" + hex
		}
		e := errorOf(path)
		equal(t, "IDFromString of "+what, map[string]any{"name": e["name"], "message": e["message"]}, notHere)
	}

	// newUniqueId: 64 hex digits, no name, never the same twice; a
	// jurisdiction, whichever, is refused by local workerd.
	u1, u2 := idOf("/ids/SANDBOX/unique"), idOf("/ids/SANDBOX/unique")
	if !hexID.MatchString(u1["id"].(string)) || u1["id"] == u2["id"] || u1["name"] != "" {
		t.Errorf("NewUniqueID twice = %v, %v", u1, u2)
	}
	equal(t, "IDFromString of a unique ID", idOf("/ids/SANDBOX/string?s="+u1["id"].(string)), u1)
	equal(t, "NewUniqueID with no jurisdiction", hexID.MatchString(idOf("/ids/SANDBOX/unique?j=")["id"].(string)), true)
	noJurisdictions := map[string]any{"name": "Error", "message": "Jurisdiction restrictions are not implemented in workerd."}
	for _, j := range []string{"eu", "fedramp", "fedramp-high", "us", "no-such-place"} {
		e := errorOf("/ids/SANDBOX/unique?j=" + j)
		equal(t, "NewUniqueID in "+j, map[string]any{"name": e["name"], "message": e["message"]}, noJurisdictions)
		e = errorOf("/ids/SANDBOX/jurisdiction?j=" + j)
		equal(t, "Jurisdiction("+j+")", map[string]any{"name": e["name"], "message": e["message"]}, noJurisdictions)
	}
	equal(t, "NewUniqueID error text", errorOf("/ids/SANDBOX/unique?j=eu")["text"],
		"worker: SANDBOX.NewUniqueID: Jurisdiction restrictions are not implemented in workerd.")
	equal(t, "Jurisdiction error text", errorOf("/ids/SANDBOX/jurisdiction?j=eu")["text"],
		`worker: SANDBOX.Jurisdiction("eu"): Jurisdiction restrictions are not implemented in workerd.`)
	// jurisdiction(undefined) is the namespace itself.
	equal(t, `Jurisdiction("")`, idOf("/ids/SANDBOX/jurisdiction?j="), idOf("/ids/SANDBOX/name?name=x"))

	// get: by an ID with a name, the object has the name, as with
	// getByName; by an ID parsed from a string or a unique ID, it has
	// none. Every location hint but "offpeak" is accepted (and ignored).
	got := idOf("/ids/SANDBOX/get?how=name&name=ids-by-name&hint=wnam")
	byName := got["who"].(map[string]any)
	equal(t, "Get by a named ID: the ID", got["id"].(map[string]any)["name"], "ids-by-name")
	equal(t, "Get by a named ID: the object's name", byName["name"], "ids-by-name")
	equal(t, "Get by a named ID: the object's ID", byName["id"], got["id"].(map[string]any)["id"])
	equal(t, "the same object by name", s.call(t, "ids-by-name", "whoami").(map[string]any)["id"], byName["id"])
	got = idOf("/ids/SANDBOX/get?how=string&name=ids-by-string")
	equal(t, "Get by a parsed ID: the object's name", got["who"].(map[string]any)["name"], "")
	equal(t, "Get by a parsed ID: the object's ID", got["who"].(map[string]any)["id"], got["id"].(map[string]any)["id"])
	got = idOf("/ids/SANDBOX/get?how=unique&hint=weur")
	equal(t, "Get by a unique ID: the object's name", got["who"].(map[string]any)["name"], "")
	equal(t, "Get by a unique ID: the object's ID", got["who"].(map[string]any)["id"], got["id"].(map[string]any)["id"])
	for _, hint := range []string{"enam", "sam", "eeur", "apac", "apac-ne", "apac-se", "oc", "afr", "me", "WNAM", "nowhere"} {
		got := idOf("/ids/SANDBOX/get?how=name&name=ids-hints&hint=" + url.QueryEscape(hint))
		equal(t, "the object with the hint "+hint, got["who"].(map[string]any)["name"], "ids-hints")
	}
	e = errorOf("/ids/SANDBOX/get?how=name&name=ids-hints&hint=offpeak")
	equal(t, "the hint offpeak", map[string]any{"name": e["name"], "message": e["message"]},
		map[string]any{"name": "TypeError", "message": `get called with an unsupported locationHint: "offpeak"`})

	// An ID made by another namespace is refused by Get, named or not.
	// (JavaScript's get takes it, under wrangler dev, and reaches an object
	// of this class with that ID: see RATIONALE.md.)
	for _, how := range []string{"name", "string", "unique"} {
		e := errorOf("/ids/SANDBOX/get?from=PLAIN&how=" + how + "&name=alice")
		equal(t, "Get of a PLAIN ID made by "+how, map[string]any{"name": e["name"], "message": e["message"]}, notHere)
	}
	equal(t, "Get of the zero ObjectID", errorOf("/ids/SANDBOX/get?how=zero")["text"],
		"worker: SANDBOX.Get: worker: the zero ObjectID names no Durable Object; make IDs with IDFromName, IDFromString or NewUniqueID")

	// From inside an object: IDFromString and Get with a hint.
	who := s.call(t, "ids-caller", "peer", aliceID, "apac").(map[string]any)
	equal(t, "peer's ID", who["id"], aliceID)
	if _, jsErr := s.target.Call(t, "SANDBOX", "ids-caller", "peer", "abc", ""); jsErr == nil || jsErr.Name != "TypeError" ||
		jsErr.Message != `worker: SANDBOX.IDFromString("abc"): Invalid Durable Object ID: must be 64 hex digits` {
		t.Errorf("peer(abc) = %v", jsErr)
	}

	// Equal compares IDs, not names.
	equal(t, "Equal", idOf("/ids/equal?a=alice&b=alice"), map[string]any{
		"names": true, "parsed": true, "parsedName": "", "otherNamespace": false, "unique": false, "uniqueSelf": true, "zero": true,
	})
	equal(t, "Equal of two names", idOf("/ids/equal?a=alice&b=bob")["names"], false)
}
