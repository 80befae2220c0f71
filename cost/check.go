package cost

import (
	"errors"
	"fmt"
)

// ErrContextWindow reports a prompt that cannot fit the model's context
// window.
var ErrContextWindow = errors.New("cost: prompt exceeds the context window")

// ErrUnsupported reports a request that uses something the model's entry
// says it lacks. Errors matching it match [errors.ErrUnsupported] too.
var ErrUnsupported = errors.New("cost: unsupported by the model")

// checkError is a pre-call check failure.
type checkError struct {
	kind error // ErrContextWindow or ErrUnsupported
	msg  string
}

func (e *checkError) Error() string { return e.msg }

func (e *checkError) Is(target error) bool {
	return target == e.kind || e.kind == ErrUnsupported && target == errors.ErrUnsupported
}

// Request describes a call for the pre-call checks of [ModelInfo.Check].
type Request struct {
	// PromptTokens is the prompt's size, as counted by [CountMessages].
	PromptTokens int
	// Estimated reports that PromptTokens is an estimate.
	Estimated bool
	// Tools reports that the request offers tools.
	Tools bool
	// Images reports that the prompt holds images.
	Images bool
	// Audio reports that the prompt holds audio.
	Audio bool
	// ResponseSchema reports that the request asks for a JSON schema
	// response format.
	ResponseSchema bool
	// SystemMessages reports that the prompt holds system messages.
	SystemMessages bool
}

// estimateSlack is how far an estimated prompt may exceed the context
// window before the check fails: estimates of other providers' tokenizers
// can be off, and a check must not refuse a call the provider would take.
const estimateSlack = 1.10

// Check runs the pre-call checks for a request to the model: a prompt
// larger than MaxInputTokens fails with an error matching
// [ErrContextWindow] (an estimated prompt only when it exceeds the window
// by more than 10%); tools, images, audio, a response schema or system
// messages sent to a model whose entry says it lacks them fail with an
// error matching [ErrUnsupported]. Capabilities the entry does not
// document either way pass, and so does everything when MaxInputTokens is
// unknown.
func (m *ModelInfo) Check(r Request) error {
	if limit := m.MaxInputTokens; limit > 0 {
		over := r.PromptTokens > limit
		if r.Estimated {
			over = float64(r.PromptTokens) > float64(limit)*estimateSlack
		}
		if over {
			about := ""
			if r.Estimated {
				about = "about "
			}
			return &checkError{kind: ErrContextWindow, msg: fmt.Sprintf(
				"cost: prompt of %s%d tokens exceeds the %d-token context window of %s",
				about, r.PromptTokens, limit, m.Name)}
		}
	}
	for _, c := range [...]struct {
		used bool
		cap  Capability
		what string
	}{
		{r.Tools, Tools, "tools"},
		{r.Images, Vision, "image input"},
		{r.Audio, AudioInput, "audio input"},
		{r.ResponseSchema, ResponseSchema, "JSON schema responses"},
		{r.SystemMessages, SystemMessages, "system messages"},
	} {
		if c.used && m.Lacks.Has(c.cap) {
			return &checkError{kind: ErrUnsupported, msg: fmt.Sprintf("cost: %s does not support %s", m.Name, c.what)}
		}
	}
	return nil
}

// Check runs the pre-call checks of [ModelInfo.Check] for model with the
// default table. A model that is not in the table passes: there is nothing
// to check it against.
func Check(model string, r Request) error {
	m := Default().find(model)
	if m == nil {
		return nil
	}
	return m.Check(r)
}
