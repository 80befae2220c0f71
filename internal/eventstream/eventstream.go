// Package eventstream decodes the AWS event-stream framing
// (application/vnd.amazon.eventstream) that Amazon Bedrock uses for
// ConverseStream and InvokeModelWithResponseStream answers.
//
// A message is:
//
//	prelude    total length (uint32), headers length (uint32), CRC32 of those 8 bytes
//	headers    repeated: name length (uint8), name, value type (uint8), value
//	payload    total length - headers length - 16 bytes
//	trailer    CRC32 of everything before it
//
// All integers are big-endian and both checksums are CRC32 (IEEE). The
// Decoder verifies both checksums and every length before it trusts them, so
// a corrupt or truncated message is a *FrameError, never a panic or an
// allocation of an attacker-chosen size. It reads in the caller's goroutine
// and reuses one buffer: after warm-up, decoding a message allocates nothing.
package eventstream

import (
	"cmp"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"strconv"

	"github.com/llmux/llm/internal/limit"
)

// Size limits of the format: a payload holds at most 16 MiB and the headers
// at most 128 KiB.
const (
	MaxPayloadSize = 16 << 20
	MaxHeadersSize = 128 << 10
	preludeSize    = 12
	trailerSize    = 4
	minMessageSize = preludeSize + trailerSize
)

// The errors a FrameError wraps; test for them with errors.Is.
var (
	// ErrTruncated means the stream ended inside a message.
	ErrTruncated = errors.New("eventstream: truncated message")
	// ErrPreludeChecksum means the prelude's CRC32 does not match.
	ErrPreludeChecksum = errors.New("eventstream: prelude checksum mismatch")
	// ErrMessageChecksum means the message's CRC32 does not match.
	ErrMessageChecksum = errors.New("eventstream: message checksum mismatch")
	// ErrLength means the prelude's lengths are impossible or too large.
	ErrLength = errors.New("eventstream: invalid message length")
	// ErrHeader means a header is malformed or of an unknown type.
	ErrHeader = errors.New("eventstream: malformed header")
	// ErrMessageTooLarge is wrapped by the *limit.Error returned for a
	// message larger than the Decoder's maximum size.
	ErrMessageTooLarge = errors.New("eventstream: message exceeds the maximum size")
)

// DefaultMaxMessageSize is the largest message a Decoder accepts unless told
// otherwise (8 MiB, below the format's own limit of 16 MiB of payload), so
// that a misbehaving server cannot make it allocate more.
const DefaultMaxMessageSize = limit.DefaultEvent

// FrameError is a message the Decoder could not accept.
type FrameError struct {
	// Offset is the position of the message's first byte in the stream.
	Offset int64
	// Err is one of ErrTruncated, ErrPreludeChecksum, ErrMessageChecksum,
	// ErrLength or ErrHeader.
	Err error
	// Detail says what exactly was wrong.
	Detail string
}

// Error implements error.
func (e *FrameError) Error() string {
	s := e.Err.Error() + " at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns Err.
func (e *FrameError) Unwrap() error { return e.Err }

// Type is the type of a header value.
type Type uint8

// The header value types of the format.
const (
	TypeTrue      Type = 0 // boolean true, no value bytes
	TypeFalse     Type = 1 // boolean false, no value bytes
	TypeByte      Type = 2 // int8
	TypeInt16     Type = 3
	TypeInt32     Type = 4
	TypeInt64     Type = 5
	TypeBytes     Type = 6 // uint16 length, then bytes
	TypeString    Type = 7 // uint16 length, then UTF-8 bytes
	TypeTimestamp Type = 8 // int64 milliseconds since the Unix epoch
	TypeUUID      Type = 9 // 16 bytes
)

// Header is one header of a message. Its byte slices point into the
// Decoder's buffer and are valid until the next call to Decoder.Next.
type Header struct {
	Name []byte
	Type Type
	// Int is the value of the boolean (1 for true), integer and timestamp
	// types.
	Int int64
	// Bytes is the value of the bytes, string and UUID types.
	Bytes []byte
}

// Bool reports whether h is a boolean true.
func (h *Header) Bool() bool { return h.Type == TypeTrue }

// Message is one decoded message. Its slices are valid until the next call
// to Decoder.Next.
type Message struct {
	Headers []Header
	Payload []byte
}

// Header returns the header called name, or nil.
func (m *Message) Header(name string) *Header {
	for i := range m.Headers {
		if string(m.Headers[i].Name) == name {
			return &m.Headers[i]
		}
	}
	return nil
}

// Value returns the bytes of the string or bytes header called name, or nil.
func (m *Message) Value(name string) []byte {
	if h := m.Header(name); h != nil && (h.Type == TypeString || h.Type == TypeBytes) {
		return h.Bytes
	}
	return nil
}

// Decoder reads messages from an io.Reader.
type Decoder struct {
	r      io.Reader
	buf    []byte
	msg    Message
	offset int64
	max    int
}

// NewDecoder returns a Decoder reading from r. r is read in the caller's
// goroutine, in whole messages.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r, max: DefaultMaxMessageSize} }

// SetMaxMessageSize changes the largest message (prelude, headers, payload
// and trailer) the decoder accepts; a larger one is a *limit.Error wrapping
// ErrMessageTooLarge. A value of zero or less restores
// DefaultMaxMessageSize.
func (d *Decoder) SetMaxMessageSize(n int) {
	if n <= 0 {
		n = DefaultMaxMessageSize
	}
	d.max = n
}

// Next returns the next message. It returns io.EOF at the end of the stream
// when that falls between messages, a *FrameError for a corrupt or truncated
// message, and any other read error as it is (a canceled request, a reset
// connection). After a FrameError the stream cannot be resynchronised, so
// callers should stop.
func (d *Decoder) Next() (*Message, error) {
	if cap(d.buf) < preludeSize {
		d.buf = make([]byte, 4096)
	}
	start := d.offset
	buf := d.buf[:preludeSize]
	n, err := readFull(d.r, buf)
	d.offset += int64(n)
	if err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		if err == errTruncated {
			return nil, &FrameError{Offset: start, Err: ErrTruncated, Detail: "inside the prelude"}
		}
		return nil, err
	}
	total := binary.BigEndian.Uint32(buf[0:4])
	headersLen := binary.BigEndian.Uint32(buf[4:8])
	if got, want := crc32.ChecksumIEEE(buf[:8]), binary.BigEndian.Uint32(buf[8:12]); got != want {
		return nil, &FrameError{Offset: start, Err: ErrPreludeChecksum,
			Detail: "computed " + strconv.FormatUint(uint64(got), 16) + ", prelude says " + strconv.FormatUint(uint64(want), 16)}
	}
	if err := checkLengths(total, headersLen); err != nil {
		return nil, &FrameError{Offset: start, Err: ErrLength, Detail: err.Error()}
	}
	size := int(total)
	if maxSize := cmp.Or(d.max, DefaultMaxMessageSize); size > maxSize {
		return nil, limit.Event(maxSize, ErrMessageTooLarge)
	}
	if cap(d.buf) < size {
		nb := make([]byte, size, max(size, 2*cap(d.buf)))
		copy(nb, buf)
		d.buf = nb
	}
	buf = d.buf[:size]
	n, err = readFull(d.r, buf[preludeSize:])
	d.offset += int64(n)
	if err != nil {
		if err == io.EOF || err == errTruncated {
			return nil, &FrameError{Offset: start, Err: ErrTruncated,
				Detail: "got " + strconv.Itoa(preludeSize+n) + " of " + strconv.Itoa(size) + " bytes"}
		}
		return nil, err
	}
	body := buf[:size-trailerSize]
	if got, want := crc32.ChecksumIEEE(body), binary.BigEndian.Uint32(buf[size-trailerSize:]); got != want {
		return nil, &FrameError{Offset: start, Err: ErrMessageChecksum,
			Detail: "computed " + strconv.FormatUint(uint64(got), 16) + ", message says " + strconv.FormatUint(uint64(want), 16)}
	}
	hs, err := parseHeaders(d.msg.Headers[:0], body[preludeSize:preludeSize+int(headersLen)])
	if err != nil {
		return nil, &FrameError{Offset: start, Err: ErrHeader, Detail: err.Error()}
	}
	d.msg.Headers = hs
	d.msg.Payload = body[preludeSize+int(headersLen):]
	return &d.msg, nil
}

// readFull is io.ReadFull, except that a read error is returned as it is
// even when it is io.ErrUnexpectedEOF (a connection broken mid-body), so
// that only a clean end inside a message reads as a truncated message.
func readFull(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if n == len(buf) {
			return n, nil
		}
		if err == io.EOF {
			if n == 0 {
				return 0, io.EOF
			}
			return n, errTruncated
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// errTruncated is readFull's clean end inside buf.
var errTruncated = errors.New("eventstream: truncated")

type lengthError string

func (e lengthError) Error() string { return string(e) }

func checkLengths(total, headersLen uint32) error {
	switch {
	case total < minMessageSize:
		return lengthError("total length " + strconv.FormatUint(uint64(total), 10) + " is below the minimum of 16")
	case headersLen > MaxHeadersSize:
		return lengthError("headers length " + strconv.FormatUint(uint64(headersLen), 10) + " exceeds 128 KiB")
	case headersLen > total-minMessageSize:
		return lengthError("headers length " + strconv.FormatUint(uint64(headersLen), 10) + " exceeds the message")
	case total-minMessageSize-headersLen > MaxPayloadSize:
		return lengthError("payload length " + strconv.FormatUint(uint64(total-minMessageSize-headersLen), 10) + " exceeds 16 MiB")
	}
	return nil
}

type headerError string

func (e headerError) Error() string { return string(e) }

// parseHeaders appends the headers encoded in b to hs.
func parseHeaders(hs []Header, b []byte) ([]Header, error) {
	for len(b) > 0 {
		nameLen := int(b[0])
		if nameLen == 0 {
			return hs, headerError("empty header name")
		}
		if len(b) < 1+nameLen+1 {
			return hs, headerError("header name runs past the headers")
		}
		h := Header{Name: b[1 : 1+nameLen], Type: Type(b[1+nameLen])}
		b = b[2+nameLen:]
		var n int // value bytes
		switch h.Type {
		case TypeTrue:
			h.Int = 1
		case TypeFalse:
		case TypeByte:
			n = 1
		case TypeInt16:
			n = 2
		case TypeInt32:
			n = 4
		case TypeInt64, TypeTimestamp:
			n = 8
		case TypeUUID:
			n = 16
		case TypeBytes, TypeString:
			if len(b) < 2 {
				return hs, headerError("header " + strconv.Quote(string(h.Name)) + ": value length runs past the headers")
			}
			l := int(binary.BigEndian.Uint16(b))
			b = b[2:]
			n = l
		default:
			return hs, headerError("header " + strconv.Quote(string(h.Name)) + ": unknown value type " + strconv.Itoa(int(h.Type)))
		}
		if len(b) < n {
			return hs, headerError("header " + strconv.Quote(string(h.Name)) + ": value runs past the headers")
		}
		v := b[:n]
		switch h.Type {
		case TypeByte:
			h.Int = int64(int8(v[0]))
		case TypeInt16:
			h.Int = int64(int16(binary.BigEndian.Uint16(v)))
		case TypeInt32:
			h.Int = int64(int32(binary.BigEndian.Uint32(v)))
		case TypeInt64, TypeTimestamp:
			h.Int = int64(binary.BigEndian.Uint64(v))
		case TypeBytes, TypeString, TypeUUID:
			h.Bytes = v
		}
		b = b[n:]
		hs = append(hs, h)
	}
	return hs, nil
}
