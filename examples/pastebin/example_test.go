package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/godurable/godurable/durableobject/dotest"
)

// A paste put over RPC, as another Worker puts one through a service
// binding (env.PASTEBIN.put("hello", 3600) in JavaScript), read back over
// HTTP, in part.
func ExamplePastebin_Put() {
	w, err := dotest.Start(nil) // this package, with its wrangler.toml: KV, R2 and the cron trigger
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	var p Paste
	if err := w.Entrypoint("").Call(context.Background(), "put", &p, "hello, paste", 3600); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Size, p.ContentType, len(p.ID), p.ExpiresAt != nil)

	req := httptest.NewRequest("GET", "/pastes/"+p.ID, nil)
	req.Header.Set("Range", "bytes=-5")
	resp := w.Fetch(req)
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Range"), string(body), strings.Trim(resp.Header.Get("ETag"), `"`) == p.ETag)
	// Output:
	// 12 text/plain 12 true
	// 206 bytes 7-11/12 paste true
}
