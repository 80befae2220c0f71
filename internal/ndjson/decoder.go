package ndjson

import (
	"io"

	"github.com/llmux/llm/internal/jsonx"
)

// ErrTrailingData is the Err of a DecodeError for a line that holds more
// than one JSON value.
var ErrTrailingData = jsonx.ErrTrailingData

// DecodeError is a line that could not be decoded, as opposed to a failure to
// read the body (which Decode returns unwrapped).
type DecodeError struct {
	Err error // encoding/json's error, or ErrTrailingData
}

// Error implements error.
func (e *DecodeError) Error() string { return "ndjson: " + e.Err.Error() }

// Unwrap returns Err.
func (e *DecodeError) Unwrap() error { return e.Err }

// Decoder decodes each line of an NDJSON body into a value. It decodes with
// a jsonx.Decoder, which reuses one encoding/json decoder for every line, so
// decoding a line allocates only what the value itself needs.
type Decoder struct {
	r    *Reader
	dec  jsonx.Decoder
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
// json.Unmarshal's rules. At the end of the body it returns io.EOF; a read
// error is returned as is; a line that is not exactly one JSON value of v's
// shape is a *DecodeError, after which the next line decodes afresh.
func (d *Decoder) Decode(v any) error {
	line, err := d.r.Next()
	if err != nil {
		d.line = nil
		return err
	}
	d.line = line
	if err := d.dec.Decode(line, v); err != nil {
		return &DecodeError{Err: err}
	}
	return nil
}
