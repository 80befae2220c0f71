package ndjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// ErrTrailingData is the Err of a DecodeError for a line that holds more
// than one JSON value.
var ErrTrailingData = errors.New("ndjson: data after the JSON value on the line")

// DecodeError is a line that could not be decoded, as opposed to a failure to
// read the body (which Decode returns unwrapped).
type DecodeError struct {
	Err error // encoding/json's error, or ErrTrailingData
}

// Error implements error.
func (e *DecodeError) Error() string { return "ndjson: " + e.Err.Error() }

// Unwrap returns Err.
func (e *DecodeError) Unwrap() error { return e.Err }

// Decoder decodes each line of an NDJSON body into a value. It reuses one
// encoding/json Decoder for every line, so decoding a line allocates only
// what the value itself needs (json.Unmarshal would allocate its decoding
// state again for every line).
type Decoder struct {
	r    *Reader
	src  lineSource
	dec  *json.Decoder
	fed  int64 // bytes given to dec since it was created
	line []byte
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: NewReader(r)} }

// Reader returns the underlying line reader (to set its maximum line size).
func (d *Decoder) Reader() *Reader { return d.r }

// Line returns the line the last call to Decode read, valid until the next
// call.
func (d *Decoder) Line() []byte { return d.line }

// Decode reads the next non-blank line and decodes it into v with
// encoding/json's rules. At the end of the body it returns io.EOF; a read
// error is returned as is; a line that is not exactly one JSON value of v's
// shape is a *DecodeError, after which the next line decodes afresh.
func (d *Decoder) Decode(v any) error {
	line, err := d.r.Next()
	if err != nil {
		d.line = nil
		return err
	}
	d.line = line
	if d.dec == nil {
		d.dec, d.fed = json.NewDecoder(&d.src), 0
	}
	d.src.b = line
	d.fed += int64(len(line))
	if err := d.dec.Decode(v); err != nil {
		d.dec = nil // encoding/json's Decoder keeps its error
		if err == io.EOF {
			err = io.ErrUnexpectedEOF // a non-blank line with no value
		}
		return &DecodeError{Err: err}
	}
	if rest := d.fed - d.dec.InputOffset(); rest > 0 {
		tail := line[max(0, int64(len(line))-rest):]
		if len(bytes.TrimLeft(tail, " \t\r\n")) > 0 { // JSON's whitespace only
			d.dec = nil
			return &DecodeError{Err: ErrTrailingData}
		}
	}
	return nil
}

// lineSource feeds one line at a time to the json.Decoder.
type lineSource struct{ b []byte }

func (s *lineSource) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}
