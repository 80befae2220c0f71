// Package ndjson reads newline-delimited JSON (NDJSON, JSON Lines) bodies, as
// Ollama streams them, for every provider in the module.
//
// The reader works in the caller's goroutine and accepts lines of any length:
// its buffer grows as needed instead of failing the way a bufio.Scanner with
// its 64 KiB default does. Lines end at LF; a CR before the LF is dropped, and
// blank (or whitespace-only) lines are skipped. After warm-up, reading a line
// allocates nothing.
package ndjson

import (
	"bytes"
	"errors"
	"io"

	"github.com/llmux/llm/internal/limit"
)

// DefaultMaxLineSize bounds the bytes a single line may use (8 MiB), so that
// a misbehaving server cannot make the reader buffer without limit.
const DefaultMaxLineSize = limit.DefaultEvent

// ErrLineTooLarge is wrapped by the *limit.Error returned when a line exceeds
// the reader's maximum size.
var ErrLineTooLarge = errors.New("ndjson: line exceeds the maximum size")

const initialBufSize = 8 << 10

// Reader reads the lines of an NDJSON body.
type Reader struct {
	r     io.Reader
	buf   []byte // buf[start:end] holds unread bytes
	start int
	end   int
	max   int
	eof   bool
	err   error // a read error other than io.EOF, returned once the buffer drains
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, buf: make([]byte, initialBufSize), max: DefaultMaxLineSize}
}

// SetMaxLineSize changes the longest line the reader accepts. A value of zero
// or less restores DefaultMaxLineSize.
func (d *Reader) SetMaxLineSize(n int) {
	if n <= 0 {
		n = DefaultMaxLineSize
	}
	d.max = n
}

// Next returns the next non-blank line, without its line terminator. The slice
// aliases the reader's buffer and is valid only until the next call. At the end
// of the body it returns io.EOF; a last line without a final newline is still
// returned. A read error other than io.EOF is returned as is, and a truncated
// last line is then not returned as a line.
func (d *Reader) Next() ([]byte, error) {
	for {
		line, err := d.line()
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(line)) > 0 {
			return line, nil
		}
	}
}

// line returns the next line, blank or not.
func (d *Reader) line() ([]byte, error) {
	scanFrom := 0
	for {
		if i := bytes.IndexByte(d.buf[d.start+scanFrom:d.end], '\n'); i >= 0 {
			i += d.start + scanFrom
			line := d.buf[d.start:i]
			d.start = i + 1
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			return line, nil
		}
		if d.eof {
			if d.err != nil {
				return nil, d.err
			}
			if d.start < d.end {
				line := d.buf[d.start:d.end]
				d.start = d.end
				if n := len(line); line[n-1] == '\r' {
					line = line[:n-1]
				}
				return line, nil
			}
			return nil, io.EOF
		}
		scanFrom = d.end - d.start
		if err := d.fill(); err != nil {
			return nil, err
		}
	}
}

// fill reads more bytes, compacting or growing the buffer as needed.
func (d *Reader) fill() error {
	if d.start > 0 {
		n := copy(d.buf, d.buf[d.start:d.end])
		d.start, d.end = 0, n
	}
	if d.end >= d.max {
		return limit.Event(d.max, ErrLineTooLarge)
	}
	if d.end == len(d.buf) {
		nb := make([]byte, min(2*len(d.buf), d.max))
		copy(nb, d.buf[:d.end])
		d.buf = nb
	}
	for range 100 {
		n, err := d.r.Read(d.buf[d.end:])
		d.end += n
		if err != nil {
			d.eof = true
			if err != io.EOF {
				d.err = err
			}
			return nil
		}
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}
