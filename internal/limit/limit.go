// Package limit holds the module's read caps (response bodies and stream
// events) and the error a read past one of them returns, so that every
// decoder reports it the same way and the client can classify it once.
package limit

import (
	"strconv"
)

// Default caps. A non-streamed answer is one JSON document, so its cap
// bounds the heap a call can take; a stream is read an event at a time, so
// only one event (a line, an SSE event, an event-stream message) is capped,
// however long the stream runs.
const (
	DefaultBody  = 32 << 20
	DefaultEvent = 8 << 20
)

// The options that raise the caps, named in the error.
const (
	BodyOption  = "llm.WithMaxResponseBytes"
	EventOption = "llm.WithMaxEventBytes"
)

// Error is a read that went past its cap.
type Error struct {
	// What was being read, such as "response body" or "stream event".
	What string
	// Max is the cap, in bytes.
	Max int
	// Option is the option that raises the cap.
	Option string
	// Err is the reader's own sentinel, if it has one.
	Err error
}

// Body returns the error of a response body larger than max bytes.
func Body(max int) *Error {
	return &Error{What: "response body", Max: max, Option: BodyOption}
}

// Event returns the error of a stream event larger than max bytes, wrapping
// the decoder's sentinel err.
func Event(max int, err error) *Error {
	return &Error{What: "stream event", Max: max, Option: EventOption, Err: err}
}

// Error implements error.
func (e *Error) Error() string {
	return "the " + e.What + " exceeds the " + Size(e.Max) + " cap (" + e.Option + " raises it)"
}

// BadResponse marks the error as an answer that is not what the protocol
// promises, for the client to classify as such.
func (*Error) BadResponse() {}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Size formats n bytes for a message: "32 MiB", "1536 KiB", "100 bytes".
func Size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + " KiB"
	}
	return strconv.Itoa(n) + " bytes"
}
