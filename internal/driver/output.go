package driver

import (
	"bytes"
)

// The guest's standard output and error, line by line.

func (inst *Instance) flushOutput() {
	for _, w := range inst.out[1:] {
		if w != nil {
			w.Flush()
		}
	}
}

// lineWriter decodes UTF-8 output and emits it line by line.
type lineWriter struct {
	buf  []byte
	emit func(string)
}

func (w *lineWriter) Write(b []byte) {
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.emit(DecodeUTF8(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}

func (w *lineWriter) Flush() {
	if len(w.buf) > 0 {
		w.emit(DecodeUTF8(w.buf))
		w.buf = nil
	}
}
