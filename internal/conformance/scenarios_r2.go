package conformance

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// R2BigEnv sets the size, in MiB, of the object that R2Streams uploads
// and downloads through the Go Worker (default 20); with it set, the
// scenario logs the Go instance's memory around the transfers.
const R2BigEnv = "GODURABLE_R2_MIB"

// r2: the sandbox's bucket BLOBS through package r2, from the stateless
// Worker (GET /r2/run/{scenario}) and from a Durable Object (the Sandbox's
// R2 method), and objects uploaded and served over HTTP as they stream.
func (s *suite) r2(t *testing.T) {
	t.Run("Objects", s.r2Objects)
	t.Run("Conditional", s.r2Conditional)
	t.Run("Errors", s.r2Errors)
	t.Run("List", s.r2List)
	t.Run("Multipart", s.r2Multipart)
	t.Run("FromObject", s.r2FromObject)
	t.Run("Streams", s.r2Streams)
}

// r2Run runs an R2 scenario in the stateless Worker.
func (s *suite) r2Run(t *testing.T, scenario string) map[string]any {
	t.Helper()
	return s.getJSON(t, "/r2/run/"+scenario, 200).(map[string]any)
}

// equalJSON checks that got (decoded JSON) is the JSON want.
func equalJSON(t testing.TB, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad expectation %s: %v", what, want, err)
	}
	if !reflect.DeepEqual(got, w) {
		b, _ := json.Marshal(got)
		t.Errorf("%s = %s, want %s", what, b, want)
	}
}

const helloObject = `"key":"w/objects/hello.txt","size":11,"etag":"5eb63bbbe01eeed093cb22bb8f5acdc3",
	"httpEtag":"\"5eb63bbbe01eeed093cb22bb8f5acdc3\"","storageClass":"","version":true,"uploaded":true,
	"httpMetadata":{"contentType":"text/plain","cacheExpiry":"2023-11-14T22:13:20Z"},"customMetadata":{"x":"1","y":"é"},
	"checksums":{"md5":"5eb63bbbe01eeed093cb22bb8f5acdc3","sha256":"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"}`

func (s *suite) r2Objects(t *testing.T) {
	got := s.r2Run(t, "objects")
	equalJSON(t, "put", got["put"], `{`+helloObject+`,"hasBody":false}`)
	equalJSON(t, "head", got["head"], `{`+helloObject+`,"hasBody":false,"range":[0,11]}`)
	equalJSON(t, "get", got["get"], `{`+helloObject+`,"hasBody":true,"range":[0,11]}`)
	equal(t, "body", got["body"], "hello world")
	equalJSON(t, "ranges", got["ranges"], `{"offsetLength":["llo",2,3],"offset":["world",6,5],"length":["hello",0,5],
		"suffix":["world",6,5],"longSuffix":["hello world",0,11],"pastEnd":[" world",5,6],"header":["ell",1,3],
		"headerOpen":["o world",4,7],"headerSuffix":["ld",9,2],"headerMany":["hello world",0,11],"headerBeyond":["hello world",0,11]}`)
	equalJSON(t, "a get of no object", got["getMissing"], `[true,null]`)
	equalJSON(t, "a head of no object", got["headMissing"], `[true,null]`)
	equalJSON(t, "HTTP metadata from headers, written back", got["headers"], `{"Cache-Control":["no-cache"],
		"Content-Disposition":["inline"],"Content-Encoding":["gzip"],"Content-Language":["en"],"Content-Type":["text/html"],
		"Expires":["Wed, 21 Oct 2015 07:28:00 GMT"]}`)
	equalJSON(t, "an empty object", got["empty"], `{"key":"w/objects/empty","size":0,"etag":"d41d8cd98f00b204e9800998ecf8427e",
		"httpEtag":"\"d41d8cd98f00b204e9800998ecf8427e\"","storageClass":"","version":true,"uploaded":true,"httpMetadata":{},
		"customMetadata":{},"checksums":{"md5":"d41d8cd98f00b204e9800998ecf8427e"},"hasBody":false}`)
	equalJSON(t, "objects left after deleting one, then many", got["deleted"], `[0,null]`)
}

func (s *suite) r2Conditional(t *testing.T) {
	got := s.r2Run(t, "conditional")
	body, none := `"conditional"`, `["no body",0,11]`
	for name, want := range map[string]string{
		"etagMatches": body, "etagMatchesOther": none, "etagMatchesAny": body,
		"etagDoesNotMatch": none, "etagDoesNotMatchOther": body,
		"uploadedBefore": none, "uploadedBeforeLater": body, "uploadedBeforeSeconds": none,
		"uploadedAfter": none, "uploadedAfterEarlier": body,
		"ifMatch": body, "ifMatchWeak": none, "ifMatchAny": body,
		"ifNoneMatch": none, "ifNoneMatchWeak": none, "ifNoneMatchOther": body,
		"ifModifiedSince": none, "ifModifiedSincePast": body, "ifUnmodifiedSincePast": none,
		"quoted":   `{"name":"TypeError","message":"Conditional ETag should not be wrapped in quotes (\"715387e1ada6d9fc5cc5d038118c3073\")."}`,
		"unquoted": `{"name":"Error","message":"Invalid ETag in if-match header"}`,
		"unclosed": `{"name":"Error","message":"Unclosed double quote for Etag"}`,
		"noComma":  `{"name":"Error","message":"Comma was expected to separate etags. Encountered a double quote character '\"' instead. This would otherwise indicate the start of a new strong etag."}`,
		"badWeak":  `{"name":"Error","message":"Weak etags must start with W/ and their value must be quoted"}`,
	} {
		equalJSON(t, "get "+name, got["get "+name], want)
	}
	failed := `[true,"ErrPreconditionFailed"]`
	for name, want := range map[string]string{
		"etagMatchesOther": failed, "etagDoesNotMatchAny": failed, "ifMatchHeader": failed,
		"new etagDoesNotMatchAny": `[true,null]`, "none etagMatches": failed, "etagMatches": `[true,null]`,
	} {
		equalJSON(t, "put "+name, got["put "+name], want)
	}
	equal(t, "the object after the puts", got["after"], "replaced")
}

func (s *suite) r2Errors(t *testing.T) {
	got := s.r2Run(t, "errors")
	r2Err := func(op string, code int, msg string) string {
		b, _ := json.Marshal(map[string]any{"op": op, "code": code, "message": msg})
		return string(b)
	}
	for name, want := range map[string]string{
		"badSHA256": r2Err("put", 10037, "The SHA-256 checksum you specified did not match what we received.\nYou provided a SHA-256 checksum with value: "+
			strings.Repeat("0", 64)+"\nActual SHA-256 was: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
		"badMD5": r2Err("put", 10037, "The MD5 checksum you specified did not match what we received.\nYou provided a MD5 checksum with value: "+
			strings.Repeat("0", 32)+"\nActual MD5 was: 5d41402abc4b2a76b9719d911017c592"),
		"shortSHA1":    `{"name":"TypeError","message":"SHA-1 is 20 bytes, not 2"}`,
		"twoChecksums": `{"name":"TypeError","message":"You cannot specify multiple hashing algorithms."}`,
		"goodMD5":      `null`,
		"goodSHA384":   `null`,
		"goodSHA512":   `null`,
		"badSHA384": r2Err("put", 10037, "The SHA-384 checksum you specified did not match what we received.\nYou provided a SHA-384 checksum with value: "+
			"9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da\nActual SHA-384 was: "+
			"59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f"),
		"metadataTooLarge":    r2Err("put", 10012, "Your metadata headers exceed the maximum allowed metadata size."),
		"keyTooLong":          r2Err("put", 10020, "The specified object name is not valid."),
		"headKeyTooLong":      r2Err("head", 10020, "The specified object name is not valid."),
		"deleteKeyTooLong":    r2Err("delete", 10020, "The specified object name is not valid."),
		"shortBody":           `"ErrSize: r2: put \"w/errors/x\": r2: the body's length is not the size given: it ended after 3 of 5 bytes"`,
		"longBody":            `"ErrSize: r2: put \"w/errors/x\": r2: the body's length is not the size given: it has more than 5 bytes"`,
		"unknownSize":         `"ErrUnknownSize"`,
		"shortStream":         `"ErrSize: r2: put \"w/errors/x\": r2: the body's length is not the size given: it ended after 102399 of 102400 bytes"`,
		"longStream":          `"ErrSize: r2: put \"w/errors/x\": r2: the body's length is not the size given: it has more than 102400 bytes"`,
		"failingStream":       `"r2: put \"w/errors/x\": the disk broke"`,
		"rangeOffsetBeyond":   r2Err("get", 10039, "The requested range is not satisfiable"),
		"rangeNegative":       `{"name":"RangeError","message":"Invalid range. Starting offset (-1) must be greater than or equal to 0."}`,
		"rangeNegativeSuffix": `{"name":"RangeError","message":"Invalid suffix. Suffix (-1) must be greater than or equal to 0."}`,
		"rangeSuffixOffset":   `{"name":"TypeError","message":"Suffix is incompatible with offset."}`,
	} {
		equalJSON(t, name, got[name], want)
	}
	// Only the put with the right MD5 stored anything.
	equalJSON(t, "the object after the failures", got["afterFailures"], `{"key":"w/errors/x","size":5,
		"etag":"5d41402abc4b2a76b9719d911017c592","httpEtag":"\"5d41402abc4b2a76b9719d911017c592\"","storageClass":"",
		"version":true,"uploaded":true,"httpMetadata":{},"customMetadata":{},"checksums":{"md5":"5d41402abc4b2a76b9719d911017c592"},
		"hasBody":false,"range":[0,5]}`)
}

func (s *suite) r2List(t *testing.T) {
	got := s.r2Run(t, "list")
	page := func(keys, prefixes string, truncated bool) string {
		return fmt.Sprintf(`{"keys":%s,"prefixes":%s,"truncated":%t,"cursor":%t}`, keys, prefixes, truncated, truncated)
	}
	for name, want := range map[string]string{
		"all":       `[` + page(`["a","b/1","b/2","c","d/1","d/e/2","e"]`, `[]`, false) + `]`,
		"limit 3":   `[` + page(`["a","b/1","b/2"]`, `[]`, true) + `,` + page(`["c","d/1","d/e/2"]`, `[]`, true) + `,` + page(`["e"]`, `[]`, false) + `]`,
		"delimiter": `[` + page(`["a","c","e"]`, `["w/list/b/","w/list/d/"]`, false) + `]`,
		"delimiter limit 2": `[` + page(`["a"]`, `["w/list/b/"]`, true) + `,` + page(`["c"]`, `["w/list/d/"]`, true) + `,` +
			page(`["e"]`, `[]`, false) + `]`,
		"nested prefix":   `[` + page(`["d/1"]`, `["w/list/d/e/"]`, false) + `]`,
		"startAfter":      `[` + page(`["c","d/1","d/e/2","e"]`, `[]`, false) + `]`,
		"limit too large": `[{"op":"list","code":10022,"message":"MaxKeys params must be positive integer <= 1000."}]`,
		"without include": `[{},{},{"md5":"0cc175b9c0f1b6a831c399e269772661"},1,true]`,
		"include http":    `[{"contentType":"text/a"},{},{"md5":"0cc175b9c0f1b6a831c399e269772661"},1,true]`,
		"include both":    `[{"contentType":"text/a"},{"k":"a"},{"md5":"0cc175b9c0f1b6a831c399e269772661"},1,true]`,
		// The cursor is the last key listed, in base64 (w/list/b/1).
		"cursor": `["dy9saXN0L2IvMQ==","b/2"]`,
	} {
		equalJSON(t, name, got[name], want)
	}
}

func (s *suite) r2Multipart(t *testing.T) {
	got := s.r2Run(t, "multipart")
	const object = `"key":"w/multipart/x","size":5243880,"etag":"9caa607a4b94a83ab05b18ce69779646-2",
		"httpEtag":"\"9caa607a4b94a83ab05b18ce69779646-2\"","storageClass":"","version":true,"uploaded":true,
		"httpMetadata":{"contentType":"application/x-parts"},"customMetadata":{"parts":"2"},"checksums":{}`
	noUpload := func(op string) string {
		return `{"op":"` + op + `","code":10024,"message":"The specified multipart upload does not exist."}`
	}
	internal := func(op string) string {
		return `{"op":"` + op + `","code":10001,"message":"We encountered an internal error. Please try again."}`
	}
	for name, want := range map[string]string{
		"upload":           `[true,true]`,
		"unknownSize":      `"ErrUnknownSize"`,
		"parts":            `[1,171,2,true]`,
		"partZero":         `{"name":"TypeError","message":"Part number must be between 1 and 10000 (inclusive). Actual value was: 0"}`,
		"wrongETag":        `{"op":"completeMultipartUpload","code":10025,"message":"One or more of the specified parts could not be found."}`,
		"object":           `{` + object + `,"hasBody":false}`,
		"etagIsMD5OfParts": `true`,
		"read":             `[5243880,true,null,{` + object + `,"hasBody":true,"range":[0,5243880]}]`,
		"tail":             `[true]`,
		"afterComplete":    noUpload("uploadPart"),
		"completeTwice":    noUpload("completeMultipartUpload"),
		"tooSmall":         `[null,{"op":"completeMultipartUpload","code":10011,"message":"Your proposed upload is smaller than the minimum allowed object size."}]`,
		"abort":            `[null,null]`,
		"afterAbort":       noUpload("uploadPart"),
		"unknownPart":      noUpload("uploadPart"),
		"unknownComplete":  internal("completeMultipartUpload"),
		"unknownAbort":     internal("abortMultipartUpload"),
		"empty": `{"key":"w/multipart/empty","size":0,"etag":"d41d8cd98f00b204e9800998ecf8427e-0",
			"httpEtag":"\"d41d8cd98f00b204e9800998ecf8427e-0\"","storageClass":"","version":true,"uploaded":true,
			"httpMetadata":{},"customMetadata":{},"checksums":{},"hasBody":false}`,
	} {
		equalJSON(t, name, got[name], want)
	}
}

// r2FromObject runs scenarios inside a Durable Object, in its I/O context:
// it sees what the stateless Worker sees, under keys of its own.
func (s *suite) r2FromObject(t *testing.T) {
	for _, scenario := range []string{"objects", "conditional", "errors"} {
		var fromObject any
		if err := json.Unmarshal([]byte(strings.ReplaceAll(s.call(t, "r2", "r2", scenario).(string), `o/`, `w/`)), &fromObject); err != nil {
			t.Fatal(err)
		}
		o, _ := json.Marshal(fromObject)
		fromWorker, _ := json.Marshal(s.r2Run(t, scenario))
		if string(o) != string(fromWorker) {
			t.Errorf("%s from an object:\n%s\nfrom the Worker:\n%s", scenario, o, fromWorker)
		}
	}
}

// r2Memory reads the Go instance's memory.
func (s *suite) r2Memory(t *testing.T) map[string]float64 {
	t.Helper()
	var m map[string]float64
	if err := json.Unmarshal(expectStatus(t, s.get(t, "/r2/memory"), 200).Body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// r2Streams uploads an object of 20 MiB (R2BigEnv) through the Go Worker
// as its request body arrives, and serves it back as it comes from R2,
// whole, in part and on conditions; neither sits in the Go instance's
// memory.
func (s *suite) r2Streams(t *testing.T) {
	mib := 20
	if v := os.Getenv(R2BigEnv); v != "" {
		mib, _ = strconv.Atoi(v)
	}
	size := int64(mib) << 20
	before := s.r2Memory(t)

	sum, md := sha256.New(), md5.New()
	req, _ := http.NewRequest("PUT", "http://worker/r2/objects/big", &patternBody{n: size, hashes: []hash.Hash{sum, md}})
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	put := decodeJSON(t, expectStatus(t, s.target.Fetch(t, req), 200)).(map[string]any)
	etag := hex.EncodeToString(md.Sum(nil))
	equal(t, "the object put", []any{put["size"], put["etag"], put["httpMetadata"]},
		[]any{float64(size), etag, map[string]any{"contentType": "application/octet-stream"}})
	afterPut := s.r2Memory(t)

	req, _ = http.NewRequest("GET", "http://worker/r2/objects/big", nil)
	resp := s.target.Stream(t, req)
	read := sha256.New()
	n, err := io.Copy(read, resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("reading the object: %v", err)
	}
	equal(t, "the object read", []any{resp.StatusCode, n, hex.EncodeToString(read.Sum(nil)), resp.Header.Get("ETag"), resp.Header.Get("Content-Type")},
		[]any{200, size, hex.EncodeToString(sum.Sum(nil)), `"` + etag + `"`, "application/octet-stream"})
	afterGet := s.r2Memory(t)
	grew := func(m map[string]float64) float64 { return m["heapSys"] - before["heapSys"] }
	if os.Getenv(R2BigEnv) != "" {
		t.Logf("%s: %d MiB through the Go Worker: HeapSys %.1f MiB before, grew %.1f MiB with the upload, %.1f MiB with the download (HeapInuse after: %.1f MiB; TotalAlloc %.1f MiB)",
			s.target.Name(), mib, before["heapSys"]/(1<<20), grew(afterPut)/(1<<20), grew(afterGet)/(1<<20), afterGet["heapInuse"]/(1<<20), (afterGet["totalAlloc"]-before["totalAlloc"])/(1<<20))
	}
	if g := grew(afterGet); g > float64(size)/2 {
		t.Errorf("the Go heap grew by %.1f MiB for an object of %d MiB: the bodies did not stream", g/(1<<20), mib)
	}

	get := func(h http.Header) *Response {
		req, _ := http.NewRequest("GET", "http://worker/r2/objects/big", nil)
		req.Header = h
		return s.target.Fetch(t, req)
	}
	r := get(http.Header{"Range": {"bytes=100-199"}})
	equal(t, "a range", []any{r.Status, r.Header.Get("Content-Range"), len(r.Body), string(r.Body) == string(patternBytes(100, 100))},
		[]any{206, fmt.Sprintf("bytes 100-199/%d", size), 100, true})
	r = get(http.Header{"If-None-Match": {`"` + etag + `"`}})
	equal(t, "If-None-Match of its ETag", []any{r.Status, r.Header.Get("ETag"), len(r.Body)}, []any{304, `"` + etag + `"`, 0})
	r = get(http.Header{"If-Match": {`"other"`}})
	equal(t, "If-Match of another ETag", r.Status, 412)
	req, _ = http.NewRequest("PUT", "http://worker/r2/objects/big", strings.NewReader("x"))
	req.Header.Set("If-None-Match", "*")
	equal(t, "a create-only PUT of an existing key", s.target.Fetch(t, req).Status, 412)
}

// patternBody is a request body of n bytes of a pattern, hashed as it is
// sent.
type patternBody struct {
	n, off int64
	hashes []hash.Hash
}

func (p *patternBody) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = byte((p.off + int64(i)) * 7)
	}
	p.off += int64(len(b))
	for _, h := range p.hashes {
		h.Write(b)
	}
	return len(b), nil
}

// patternBytes are the bytes of a patternBody from offset off.
func patternBytes(off, n int64) []byte {
	b := make([]byte, n)
	p := &patternBody{n: off + n, off: off}
	io.ReadFull(p, b)
	return b
}
