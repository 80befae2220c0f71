package router

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/llmux/llm"
)

// Attempt is one try of a call on one deployment.
type Attempt struct {
	Group      string
	Deployment string // empty when no deployment was available
	Kind       llm.Kind
	Err        error // nil for the successful attempt
	Latency    time.Duration
}

// Error is the error of a call that every attempt failed. It wraps the last
// attempt's error (so llm.KindOf, errors.Is(err, llm.ErrRateLimit) and
// errors.As(err, &*llm.Error) see it) and lists the attempts.
type Error struct {
	// Group is the model group the call asked for.
	Group    string
	Attempts []Attempt
	// RetryAt is set when the call failed because every deployment was
	// cooling down or at its limits: the earliest time one recovers.
	RetryAt time.Time
	// Err is the last error.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("router: ")
	b.WriteString(e.Group)
	if len(e.Attempts) == 0 {
		b.WriteString(": ")
		if e.Err != nil {
			b.WriteString(e.Err.Error())
		}
		return b.String()
	}
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(len(e.Attempts)))
	b.WriteString(" attempt(s) failed")
	for i, a := range e.Attempts {
		if i == 0 {
			b.WriteString(" [")
		} else {
			b.WriteString("; ")
		}
		if a.Deployment != "" {
			b.WriteString(a.Deployment)
		} else {
			b.WriteString(a.Group)
		}
		b.WriteString(": ")
		b.WriteString(a.Kind.String())
		if a.Latency > 0 {
			b.WriteString(" in ")
			b.WriteString(a.Latency.Round(time.Microsecond).String())
		}
		if i == len(e.Attempts)-1 {
			b.WriteByte(']')
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the last error.
func (e *Error) Unwrap() error { return e.Err }

// unavailable is the error of a group none of whose deployments could take a
// call: a rate-limit error (code "cooldown", "rpm_limit", "tpm_limit",
// "max_parallel", "no_deployment") whose RetryAfter says when one recovers.
func unavailable(group, code string, retryAfter time.Duration, msg string) *llm.Error {
	k := llm.KindRateLimit
	switch code {
	case "no_deployment":
		k = llm.KindNotFound
	case "context_window":
		k = llm.KindContextWindowExceeded
	}
	return &llm.Error{Kind: k, Provider: "router", Model: group, Code: code, RetryAfter: retryAfter, Message: msg}
}

// configError is the error of New for a configuration it rejects.
func configError(err error, format string, args ...any) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Provider: "router", Message: "router: " + fmt.Sprintf(format, args...), Err: err}
}

// stateError gives a State's error a Kind: the caller's cancellation and
// deadline keep theirs (KindCanceled, KindTimeout); any other failure of
// the state store is KindConnection (code "state"). The router only sees
// such errors from a State used without the fallback to memory (which
// absorbs a shared State's failures) or from a custom in-process State.
func stateError(err error) error {
	if llm.KindOf(err) != llm.KindUnknown {
		return err
	}
	return &llm.Error{Kind: llm.KindConnection, Provider: "router", Code: "state", Message: "router state: " + err.Error(), Err: err}
}
