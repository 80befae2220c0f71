package anthropic

import (
	"encoding/json"

	"github.com/llmux/llm"
)

// EncodeWithStdlib encodes like EncodeRequest but with encoding/json, the
// reference the hand-written encoder is checked against.
func EncodeWithStdlib(req *llm.CompletionRequest, cfg *llm.Config, opts EncodeOptions) ([]byte, error) {
	r, extra, err := build(req, cfg, opts)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return mergeExtra(body, extra)
}
