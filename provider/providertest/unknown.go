package providertest

import (
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/llmux/llm"
)

// This file holds the unknown-types check: APIs add content-block, part,
// event and field types without notice, and a translator that meets one it
// does not know must go on as if it were not there (keeping it raw, where
// the provider keeps unknown content, in ProviderSpecificFields), never fail
// the call.

// UnknownType is the type name a harness gives the blocks, parts, events and
// fields of Harness.UnknownFrames and Harness.UnknownCompletion: a type no
// API has. The check looks for it in ProviderSpecificFields[UnknownKey].
const UnknownType = "providertest_unknown"

// unknownPositions are where the check inserts Harness.UnknownFrames into a
// successful stream of n frames.
var unknownPositions = []struct {
	name string
	at   func(n int) int
}{
	{"Start", func(int) int { return 0 }},
	{"AfterFirst", func(int) int { return 1 }},
	{"Middle", func(n int) int { return n / 2 }},
	{"BeforeEnd", func(n int) int { return n - 1 }},
}

// unknown runs the check: the answer with an unknown block or part
// (Harness.UnknownCompletion) decodes to its text, finish reason and usage;
// a stream with Harness.UnknownFrames inserted at each of unknownPositions
// yields, without an error, the same text, finish reason and usage as the
// stream without them; and, when Harness.UnknownKey is set, the unknown
// content is kept raw in ProviderSpecificFields[UnknownKey] of the message,
// non-streamed and collected.
func unknown(t *testing.T, h Harness) {
	if h.UnknownCompletion != nil {
		t.Run("Completion", func(t *testing.T) { unknownCompletion(t, h) })
	}
	if h.UnknownFrames != nil {
		t.Run("Stream", func(t *testing.T) { unknownStream(t, h) })
	}
}

func unknownStream(t *testing.T, h Harness) {
	pieces := []string{"Hel", "lo", ", wor", "ld!"}
	base := h.StreamFrames(pieces, usage)
	want := collectStream(t, h, base)
	if want.text != strings.Join(pieces, "") || want.finish != llm.FinishStop || want.usage == nil {
		t.Fatalf("the stream without unknown frames: got %q, finish %q, usage %v, want %q, stop and usage",
			want.text, want.finish, want.usage, strings.Join(pieces, ""))
	}
	for _, pos := range unknownPositions {
		t.Run(pos.name, func(t *testing.T) {
			at := pos.at(len(base))
			frames := slices.Concat(base[:at:at], h.UnknownFrames(), base[at:])
			got := collectStream(t, h, frames)
			if got.text != want.text {
				t.Errorf("text: got %q, want %q (as without the unknown frames)", got.text, want.text)
			}
			if got.finish != want.finish {
				t.Errorf("finish reason: got %q, want %q", got.finish, want.finish)
			}
			if !reflect.DeepEqual(got.usage, want.usage) {
				t.Errorf("usage: got %+v, want %+v", got.usage, want.usage)
			}
			if got.toolCalls != 0 {
				t.Errorf("got %d tool calls, want none", got.toolCalls)
			}
			if h.UnknownKey != "" {
				checkKept(t, "collected message", got.psf, h.UnknownKey)
			}
		})
	}
}

// streamed is what a stream came to.
type streamed struct {
	text      string
	finish    string
	usage     *llm.Usage
	toolCalls int
	psf       map[string]any // llm.Collect's message's ProviderSpecificFields
}

// collectStream streams frames through llm.Collect, failing t on an error.
func collectStream(t *testing.T, h Harness, frames [][]byte) streamed {
	t.Helper()
	e := newEnv(t, h, func(w http.ResponseWriter, r *http.Request) { h.writeStream(w, frames) })
	resp, err := llm.Collect(llm.CompletionStream(t.Context(), request(h.Model), e.opts...))
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	s := streamed{usage: resp.Usage}
	if len(resp.Choices) > 0 {
		c := resp.Choices[0]
		s.text, s.finish, s.toolCalls, s.psf = c.Message.Content.Text, c.FinishReason, len(c.Message.ToolCalls), c.Message.ProviderSpecificFields
	}
	return s
}

func unknownCompletion(t *testing.T, h Harness) {
	resp := completeHello(t, h, h.UnknownCompletion("Hello, world!", usage))
	c := resp.Choices[0]
	if c.FinishReason != llm.FinishStop {
		t.Errorf("finish reason: got %q, want stop", c.FinishReason)
	}
	if len(c.Message.ToolCalls) != 0 {
		t.Errorf("got %d tool calls, want none", len(c.Message.ToolCalls))
	}
	checkUsage(t, resp.Usage)
	if h.UnknownKey != "" {
		checkKept(t, "message", c.Message.ProviderSpecificFields, h.UnknownKey)
	}
}

// checkKept fails t unless psf[key], as JSON, holds UnknownType.
func checkKept(t *testing.T, what string, psf map[string]any, key string) {
	t.Helper()
	v, ok := psf[key]
	if !ok {
		t.Errorf("%s: no ProviderSpecificFields[%q] (got keys %v), want the unknown content there", what, key, slices.Sorted(maps.Keys(psf)))
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Errorf("%s: ProviderSpecificFields[%q] does not marshal: %v", what, key, err)
		return
	}
	if !strings.Contains(string(b), UnknownType) {
		t.Errorf("%s: ProviderSpecificFields[%q] = %s, want the %s content in it", what, key, b, UnknownType)
	}
}
