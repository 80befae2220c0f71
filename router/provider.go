package router

import (
	"context"
	"iter"

	"github.com/llmux/llm"
)

// Provider returns the router as an llm provider (an llm.Completer and
// llm.Streamer named r.Name()), so that anything that takes a provider takes
// a router:
//
//	client := llm.NewClient(llm.WithProvider(r.Provider()))
//	resp, err := client.Completion(ctx, llm.CompletionRequest{Model: "router/gpt-4o", ...})
//
// The model after "router/" is the group. CallTags and CallTrace work as call
// options of that client; its other options (keys, base URLs) are not passed
// on: deployments carry their own. The response's Meta.Provider and
// Meta.Model are then "router" and the group, and Meta.Deployment names the
// deployment.
func (r *Router) Provider() llm.Provider { return provider{r} }

type provider struct{ r *Router }

func (p provider) Name() string { return p.r.cfg.name }

func (p provider) Completion(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	cp := *req
	return p.r.complete(ctx, &cp, nil, readCallOptions(cfg))
}

func (p provider) CompletionStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	cp := *req
	return p.r.stream(ctx, &cp, nil, readCallOptions(cfg))
}

var (
	_ llm.Completer = provider{}
	_ llm.Streamer  = provider{}
)
