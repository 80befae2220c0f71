// Package sse decodes text/event-stream bodies (Server-Sent Events) as the
// WHATWG HTML standard defines them, for every provider in the module.
//
// The decoder reads in the caller's goroutine, accepts CRLF, LF and CR line
// endings, multi-line data fields, comments, event names and ids, and lines of
// any length: its buffer grows as needed instead of failing the way a
// bufio.Scanner with its 64 KiB default does. After warm-up, decoding an event
// allocates nothing.
package sse

import (
	"bytes"
	"errors"
	"io"

	"github.com/llmux/llm/internal/limit"
)

// DefaultMaxEventSize bounds the bytes a single line or event may use (8 MiB),
// so that a misbehaving server cannot make the decoder buffer without limit.
const DefaultMaxEventSize = limit.DefaultEvent

// ErrEventTooLarge is wrapped by the *limit.Error returned when a line or an
// event exceeds the decoder's maximum size.
var ErrEventTooLarge = errors.New("sse: event exceeds the maximum size")

// Event is one dispatched server-sent event. Its byte slices are only valid
// until the next call to Decoder.Next.
type Event struct {
	// Type is the value of the last "event:" field, or empty (which the
	// standard calls "message").
	Type []byte
	// Data is the concatenation of the event's "data:" fields joined by "\n".
	Data []byte
	// ID is the value of the last "id:" field in the event, if any.
	ID []byte
}

// Decoder reads events from an io.Reader.
type Decoder struct {
	r       io.Reader
	buf     []byte // buf[start:end] holds unread bytes
	start   int
	end     int
	eof     bool
	err     error
	max     int
	data    []byte
	typ     []byte
	id      []byte
	hasData bool
	bom     bool
}

const initialBufSize = 8 << 10

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r, buf: make([]byte, initialBufSize), max: DefaultMaxEventSize}
}

// SetMaxEventSize changes the largest line or event the decoder accepts.
// A value of zero or less restores DefaultMaxEventSize.
func (d *Decoder) SetMaxEventSize(n int) {
	if n <= 0 {
		n = DefaultMaxEventSize
	}
	d.max = n
}

// Next returns the next event. At the end of the stream it returns io.EOF; an
// event not terminated by a blank line before the end is still returned, since
// several providers omit the final blank line.
func (d *Decoder) Next() (Event, error) {
	d.data = d.data[:0]
	d.typ = d.typ[:0]
	d.id = d.id[:0]
	d.hasData = false
	for {
		line, err := d.line()
		if err != nil {
			if err == io.EOF && d.hasData {
				return d.event(), nil
			}
			return Event{}, err
		}
		if len(line) == 0 {
			if d.hasData {
				return d.event(), nil
			}
			// A blank line with no data resets the event type (per the standard).
			d.typ = d.typ[:0]
			d.id = d.id[:0]
			continue
		}
		if line[0] == ':' {
			continue // comment
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "data":
			if d.hasData {
				d.data = append(d.data, '\n')
			}
			d.data = append(d.data, value...)
			d.hasData = true
			if len(d.data) > d.max {
				return Event{}, limit.Event(d.max, ErrEventTooLarge)
			}
		case "event":
			d.typ = append(d.typ[:0], value...)
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				d.id = append(d.id[:0], value...)
			}
		}
		// "retry" and unknown fields are ignored.
	}
}

func (d *Decoder) event() Event {
	return Event{Type: d.typ, Data: d.data, ID: d.id}
}

// line returns the next line without its terminator. The slice aliases the
// internal buffer and is valid until the next call.
func (d *Decoder) line() ([]byte, error) {
	scanFrom := 0
	for {
		window := d.buf[d.start+scanFrom : d.end]
		if i := bytes.IndexByte(window, '\n'); i >= 0 {
			i += scanFrom
			seg := d.buf[d.start : d.start+i]
			if j := bytes.IndexByte(seg, '\r'); j >= 0 {
				// A CR ends the line first; CRLF counts as one terminator.
				line := seg[:j]
				if j+1 == i {
					d.start += i + 1
				} else {
					d.start += j + 1
				}
				return d.trimBOM(line), nil
			}
			d.start += i + 1
			return d.trimBOM(seg), nil
		}
		// No LF buffered: a CR followed by more bytes also ends a line.
		if j := bytes.IndexByte(window, '\r'); j >= 0 {
			j += scanFrom
			if d.start+j+1 < d.end || d.eof {
				line := d.buf[d.start : d.start+j]
				d.start += j + 1
				return d.trimBOM(line), nil
			}
			// CR is the last buffered byte: need one more byte to know if LF follows.
		}
		if d.eof {
			if d.err != nil {
				return nil, d.err // a truncated line is not a line
			}
			if d.start < d.end {
				line := d.buf[d.start:d.end]
				d.start = d.end
				return d.trimBOM(line), nil
			}
			return nil, io.EOF
		}
		scanFrom = d.end - d.start
		if scanFrom > 0 && d.buf[d.end-1] == '\r' {
			scanFrom-- // rescan the trailing CR once more bytes arrive
		}
		if err := d.fill(); err != nil {
			return nil, err
		}
	}
}

// fill reads more bytes, compacting or growing the buffer as needed.
func (d *Decoder) fill() error {
	if d.start > 0 {
		n := copy(d.buf, d.buf[d.start:d.end])
		d.start, d.end = 0, n
	}
	if d.end == len(d.buf) {
		if len(d.buf) >= d.max {
			return limit.Event(d.max, ErrEventTooLarge)
		}
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

// trimBOM drops a UTF-8 byte order mark at the very start of the stream.
func (d *Decoder) trimBOM(line []byte) []byte {
	if !d.bom {
		d.bom = true
		line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
	}
	return line
}
