package mistral_test

import (
	"encoding/json"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMessageShapes checks the messages Mistral's API takes, against its
// OpenAPI description (/work/shared/specs/mistral-openapi.yaml): roles
// system, user, assistant and tool only (developer is sent as system); a
// document is a DocumentURLChunk {"type": "document_url", "document_url",
// "document_name"} or, uploaded, a FileChunk {"type": "file", "file_id"};
// audio is an AudioChunk whose input_audio is the bare base64 string (the
// document-understanding example of
// https://docs.mistral.ai/capabilities/OCR/document_understanding and the
// Voxtral audio example give the same shapes). testdata/parts.request.json
// is the body expected on the wire.
func TestMessageShapes(t *testing.T) {
	t.Parallel()
	w := newWire(t, 200, "application/json", providertest.Fixture(t, "magistral.response.json"))
	user := llm.Message{Role: llm.RoleUser, Content: llm.Parts(
		llm.TextPart("what is the last sentence in the document"),
		llm.Part{Type: llm.PartFile, File: &llm.File{FileID: "https://arxiv.org/pdf/1805.04770", Filename: "1805.04770.pdf"}},
		llm.Part{Type: llm.PartFile, File: &llm.File{FileID: "6b3a0f4e-8d1c-4a55-9f1e-2c7d9e0b1a23"}},
	), CacheControl: &llm.CacheControl{Type: "ephemeral"}}
	req := llm.CompletionRequest{Model: "mistral/voxtral-small-latest", Messages: []llm.Message{
		{Role: llm.RoleDeveloper, Content: llm.Text("Answer in one line.")},
		user,
		{Role: llm.RoleUser, Content: llm.Parts(llm.AudioPart("UklGRiQAAABXQVZFZm10IBAAAAABAAEA", "wav"), llm.TextPart("What's in this file?"))},
	}}
	_, err := llm.Completion(t.Context(), req, w.opts()...)
	require.NoError(t, err)
	_, body := w.Last()
	assert.JSONEq(t, string(providertest.Fixture(t, "parts.request.json")), string(body))
	assert.Equal(t, llm.RoleDeveloper, req.Messages[0].Role, "the caller's request is not changed")
	assert.Equal(t, "https://arxiv.org/pdf/1805.04770", req.Messages[1].Content.Parts[1].File.FileID)
}

// TestMessageShapesRefused checks that what Mistral's API cannot take is an
// llm.KindUnsupported error before anything is sent: a document given
// inline (Mistral takes documents by URL or uploaded file id). (Empty and
// unknown parts are refused for every provider, as invalid requests.)
func TestMessageShapesRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		part llm.Part
		want string
	}{
		{"inline document", llm.FilePart("report.pdf", "data:application/pdf;base64,JVBERi0xLjQ="), "file_data"},
		{"data URL as id", llm.Part{Type: llm.PartFile, File: &llm.File{FileID: "data:application/pdf;base64,JVBERi0xLjQ="}}, "file_data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t, 200, "application/json", providertest.Fixture(t, "magistral.response.json"))
			req := llm.CompletionRequest{Model: "mistral/mistral-small-latest", Messages: []llm.Message{
				{Role: llm.RoleUser, Content: llm.Parts(llm.TextPart("Summarise."), c.part)}}}
			_, err := llm.Completion(t.Context(), req, w.opts()...)
			require.ErrorIs(t, err, llm.ErrUnsupported)
			var le *llm.Error
			require.ErrorAs(t, err, &le)
			assert.Equal(t, llm.KindUnsupported, le.Kind)
			assert.Contains(t, le.Message, c.want)
			r, _ := w.Last()
			assert.Nil(t, r, "nothing is sent")
			for c, err := range llm.CompletionStream(t.Context(), req, w.opts()...) {
				assert.Nil(t, c)
				require.ErrorIs(t, err, llm.ErrUnsupported)
			}
			r, _ = w.Last()
			assert.Nil(t, r, "nothing is sent")
		})
	}
}

// TestUnknownContentChunks checks that content chunks the translator does
// not turn into text or reasoning (Mistral's "reference" chunk, from its
// ContentChunk union, and a type no version of the spec has) fail nothing:
// the text goes on, and the chunks are kept raw, in order, in the message's
// or delta's ProviderSpecificFields["content_chunks"].
func TestUnknownContentChunks(t *testing.T) {
	t.Parallel()
	content := `[{"type":"text","text":"Paris"},{"type":"reference","reference_ids":[1,2]},{"type":"hologram","data":{"x":1}},{"type":"text","text":" is the capital."}]`
	answer := `{"id":"cmpl-u1","object":"chat.completion","model":"mistral-medium-latest","created":1,"choices":[{"index":0,"message":{"role":"assistant","content":` + content + `},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11}}`
	want := []json.RawMessage{json.RawMessage(`{"type":"reference","reference_ids":[1,2]}`), json.RawMessage(`{"type":"hologram","data":{"x":1}}`)}

	w := newWire(t, 200, "application/json", []byte(answer))
	resp, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "mistral/mistral-medium-latest", Messages: []llm.Message{llm.UserText("Capital of France?")}}, w.opts()...)
	require.NoError(t, err)
	assert.Equal(t, "Paris is the capital.", resp.Text())
	assert.Equal(t, want, resp.Choices[0].Message.ProviderSpecificFields["content_chunks"])

	sse := `data: {"id":"cmpl-u2","object":"chat.completion.chunk","created":1,"model":"mistral-medium-latest","choices":[{"index":0,"delta":{"role":"assistant","content":` + content + `},"finish_reason":null}]}` + "\n\n" +
		`data: {"id":"cmpl-u2","object":"chat.completion.chunk","created":1,"model":"mistral-medium-latest","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11}}` + "\n\n" +
		"data: [DONE]\n\n"
	ws := newWire(t, 200, "text/event-stream", []byte(sse))
	chunks := streamAll(t, ws, llm.CompletionRequest{Model: "mistral/mistral-medium-latest", Messages: []llm.Message{llm.UserText("Capital of France?")}})
	got := collect(chunks)
	assert.Equal(t, "Paris is the capital.", got.Text())
	assert.Equal(t, want, got.Choices[0].Message.ProviderSpecificFields["content_chunks"])
}
