package workerd

import (
	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// NewJSError returns what workerd throws: a JavaScript error with name and
// message.
func NewJSError(name, message string) *driver.JSError { return driver.NewJSError(name, message) }

func mustMarshal(v any) []byte {
	b, err := abi.Marshal(v)
	if err != nil {
		panic("godurable: encoding an ABI message: " + err.Error())
	}
	return b
}
