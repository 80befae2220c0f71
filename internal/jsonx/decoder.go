package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// ErrTrailingData is returned by Decoder.Decode for data that holds more
// than one JSON value.
var ErrTrailingData = errors.New("jsonx: data after the JSON value")

// Decoder decodes a sequence of JSON documents given one at a time, such as
// the events of a stream, with json.Unmarshal's rules. It reuses one
// encoding/json Decoder for all of them, so decoding a document allocates
// only what the value itself needs: json.Unmarshal builds its decoding state
// (and scanner stack) again for every call. The zero value is ready to use;
// a Decoder is not safe for concurrent use.
type Decoder struct {
	src source
	dec *json.Decoder
	fed int64 // bytes given to dec since it was created
}

// Decode decodes data, which must hold exactly one JSON value, into v. Its
// errors are json.Unmarshal's (a *json.SyntaxError, *json.UnmarshalTypeError
// ...) or ErrTrailingData; after an error the next call starts afresh.
func (d *Decoder) Decode(data []byte, v any) error {
	if d.dec == nil {
		d.dec, d.fed = json.NewDecoder(&d.src), 0
	}
	d.src.b = data
	d.fed += int64(len(data))
	if err := d.dec.Decode(v); err != nil {
		d.dec = nil // encoding/json's Decoder keeps its error
		if err == io.EOF {
			err = io.ErrUnexpectedEOF // no value at all
		}
		return err
	}
	if rest := d.fed - d.dec.InputOffset(); rest > 0 {
		tail := data[max(0, int64(len(data))-rest):]
		if len(bytes.TrimLeft(tail, " \t\r\n")) > 0 { // JSON's whitespace only
			d.dec = nil
			return ErrTrailingData
		}
	}
	return nil
}

// source feeds one document at a time to the json.Decoder.
type source struct{ b []byte }

func (s *source) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}
