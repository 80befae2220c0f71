package providertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llmux/llm"
)

// EmbeddingErrorCase is an answer to an embedding call of Inputs texts
// ("x" each) and what the call must return: an error of Kind whose text
// contains Msg.
type EmbeddingErrorCase struct {
	Name   string
	Status int
	Body   string
	Inputs int
	Kind   llm.Kind
	Msg    string
}

// EmbeddingErrors runs each case against a test server that answers with
// its status and body (as JSON), calling model with key, and checks the
// error's Kind and text, and that the key appears nowhere in it.
func EmbeddingErrors(t *testing.T, model, key string, cases []EmbeddingErrorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.Status)
				_, _ = w.Write([]byte(tc.Body))
			}))
			t.Cleanup(srv.Close)
			texts := make([]string, max(tc.Inputs, 1))
			for i := range texts {
				texts[i] = "x"
			}
			_, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: model, Input: llm.EmbedTexts(texts...)},
				llm.WithBaseURL(srv.URL), llm.WithAPIKey(key))
			if err == nil {
				t.Fatalf("got no error, want %v", tc.Kind)
			}
			if got := llm.KindOf(err); got != tc.Kind {
				t.Errorf("kind: got %v, want %v (%v)", got, tc.Kind, err)
			}
			if !strings.Contains(err.Error(), tc.Msg) {
				t.Errorf("error %q does not contain %q", err, tc.Msg)
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error %q holds the key", err)
			}
		})
	}
}

// EmbedCase returns an EmbeddingErrorCase, for compact case tables.
func EmbedCase(name string, status int, body string, inputs int, kind llm.Kind, msg string) EmbeddingErrorCase {
	return EmbeddingErrorCase{Name: name, Status: status, Body: body, Inputs: inputs, Kind: kind, Msg: msg}
}
