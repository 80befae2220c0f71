package openaicompat

import (
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/openai"
)

// vendors is the table: one row per OpenAI-compatible API. Default base
// URLs and environment variable names follow the vendors' documentation and
// LiteLLM's; docs/vendors.md lists where each comes from and which are
// unconfirmed.
var vendors = []openai.Spec{
	{
		Name: "groq", BaseURL: "https://api.groq.com/openai/v1",
		KeyEnv: []string{"GROQ_API_KEY"}, BaseURLEnv: []string{"GROQ_API_BASE"},
		// Groq documents a 400 for these OpenAI parameters.
		Unsupported: []string{"logprobs", "top_logprobs", "logit_bias"},
		// reasoning_format "parsed" returns the reasoning in "reasoning";
		// streamed usage arrives in x_groq.usage on the last chunk.
		ReasoningField: "reasoning", UsagePath: "x_groq.usage",
		// Groq documents that it has no text completions.
		NoTextCompletion: true,
	},
	{
		Name: "deepseek", BaseURL: "https://api.deepseek.com",
		KeyEnv: []string{"DEEPSEEK_API_KEY"}, BaseURLEnv: []string{"DEEPSEEK_API_BASE"},
	},
	{
		Name: "together_ai", BaseURL: "https://api.together.xyz/v1",
		KeyEnv:     []string{"TOGETHER_API_KEY", "TOGETHER_AI_API_KEY", "TOGETHERAI_API_KEY", "TOGETHER_AI_TOKEN"},
		BaseURLEnv: []string{"TOGETHER_AI_API_BASE"},
	},
	{
		Name: "fireworks_ai", BaseURL: "https://api.fireworks.ai/inference/v1",
		KeyEnv:     []string{"FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIREWORKSAI_API_KEY", "FIREWORKS_AI_TOKEN"},
		BaseURLEnv: []string{"FIREWORKS_API_BASE"},
	},
	{
		Name: "openrouter", BaseURL: "https://openrouter.ai/api/v1",
		KeyEnv: []string{"OPENROUTER_API_KEY"}, BaseURLEnv: []string{"OPENROUTER_API_BASE"},
		ReasoningField: "reasoning",
		// OpenRouter's error code is the HTTP status, also inside a 200
		// (https://openrouter.ai/docs/api-reference/errors-and-debugging).
		StatusInCode: true,
	},
	{
		Name: "xai", BaseURL: "https://api.x.ai/v1",
		KeyEnv: []string{"XAI_API_KEY"}, BaseURLEnv: []string{"XAI_API_BASE"},
		// Reasoning tokens are counted beside completion_tokens.
		Amend: xaiAmend, AmendStream: xaiAmendStream,
	},
	{
		// Perplexity sends usage on every chunk of a stream, and no
		// [DONE] at its end.
		Name: "perplexity", BaseURL: "https://api.perplexity.ai", NoDone: true,
		KeyEnv: []string{"PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"}, BaseURLEnv: []string{"PERPLEXITY_API_BASE"},
		// Citations become annotations; searches are counted (perplexity.go).
		Amend: perplexityAmend, AmendStream: perplexityAmendStream,
	},
	{
		Name: "deepinfra", BaseURL: "https://api.deepinfra.com/v1/openai",
		KeyEnv: []string{"DEEPINFRA_API_KEY"}, BaseURLEnv: []string{"DEEPINFRA_API_BASE"},
	},
	{
		Name: "cerebras", BaseURL: "https://api.cerebras.ai/v1",
		KeyEnv: []string{"CEREBRAS_API_KEY"}, BaseURLEnv: []string{"CEREBRAS_API_BASE"},
	},
	{
		Name: "sambanova", BaseURL: "https://api.sambanova.ai/v1",
		KeyEnv: []string{"SAMBANOVA_API_KEY"}, BaseURLEnv: []string{"SAMBANOVA_API_BASE"},
	},
	{
		Name: "nvidia_nim", BaseURL: "https://integrate.api.nvidia.com/v1",
		KeyEnv: []string{"NVIDIA_NIM_API_KEY"}, BaseURLEnv: []string{"NVIDIA_NIM_API_BASE"},
	},
	{
		// A vLLM server: the base URL is required, the key only if the
		// server was started with --api-key.
		Name: "hosted_vllm", KeyOptional: true,
		KeyEnv: []string{"HOSTED_VLLM_API_KEY"}, BaseURLEnv: []string{"HOSTED_VLLM_API_BASE"},
		ReasoningField: "reasoning",
	},
	{
		Name: "lm_studio", BaseURL: "http://localhost:1234/v1", KeyOptional: true,
		KeyEnv: []string{"LM_STUDIO_API_KEY"}, BaseURLEnv: []string{"LM_STUDIO_API_BASE"},
		ReasoningField: "reasoning",
	},
	{
		// Alibaba Cloud Model Studio (Qwen), compatible mode, international
		// endpoint; mainland China is https://dashscope.aliyuncs.com/compatible-mode/v1.
		Name: "dashscope", BaseURL: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
		KeyEnv: []string{"DASHSCOPE_API_KEY"}, BaseURLEnv: []string{"DASHSCOPE_API_BASE"},
	},
	{
		// Z.ai (GLM), international endpoint.
		Name: "zai", BaseURL: "https://api.z.ai/api/paas/v4",
		KeyEnv: []string{"ZAI_API_KEY"}, BaseURLEnv: []string{"ZAI_API_BASE"},
	},
	{
		// Zhipu AI BigModel (GLM), mainland China endpoint.
		Name: "zhipu", BaseURL: "https://open.bigmodel.cn/api/paas/v4",
		KeyEnv: []string{"ZHIPUAI_API_KEY", "ZHIPU_API_KEY"}, BaseURLEnv: []string{"ZHIPUAI_API_BASE"},
	},
	{
		// Moonshot (Kimi) puts the usage of a stream inside its last choice.
		Name: "moonshot", BaseURL: "https://api.moonshot.ai/v1",
		KeyEnv: []string{"MOONSHOT_API_KEY"}, BaseURLEnv: []string{"MOONSHOT_API_BASE"},
		UsagePath: "choices.0.usage",
	},
	{
		// Volcengine Ark (Doubao), Beijing region.
		Name: "volcengine", BaseURL: "https://ark.cn-beijing.volces.com/api/v3",
		KeyEnv: []string{"VOLCENGINE_API_KEY", "ARK_API_KEY"}, BaseURLEnv: []string{"VOLCENGINE_API_BASE"},
	},
	{
		// Baidu Qianfan (ERNIE), the v2 OpenAI-compatible API.
		Name: "qianfan", BaseURL: "https://qianfan.baidubce.com/v2",
		KeyEnv: []string{"QIANFAN_API_KEY"}, BaseURLEnv: []string{"QIANFAN_API_BASE"},
	},
	{
		Name: "baichuan", BaseURL: "https://api.baichuan-ai.com/v1",
		KeyEnv: []string{"BAICHUAN_API_KEY"}, BaseURLEnv: []string{"BAICHUAN_API_BASE"},
	},
	{
		// SiliconFlow, mainland China endpoint; international is
		// https://api.siliconflow.com/v1.
		Name: "siliconflow", BaseURL: "https://api.siliconflow.cn/v1",
		KeyEnv: []string{"SILICONFLOW_API_KEY"}, BaseURLEnv: []string{"SILICONFLOW_API_BASE"},
	},
	{
		// MiniMax, international endpoint.
		Name: "minimax", BaseURL: "https://api.minimax.io/v1",
		KeyEnv: []string{"MINIMAX_API_KEY"}, BaseURLEnv: []string{"MINIMAX_API_BASE"},
		// <think> tags split into reasoning, and put back in the history
		// (minimax.go).
		Prepare: minimaxPrepare, Amend: minimaxAmend, AmendStream: minimaxAmendStream,
	},
	{
		Name: "novita", BaseURL: "https://api.novita.ai/v3/openai",
		KeyEnv: []string{"NOVITA_API_KEY"}, BaseURLEnv: []string{"NOVITA_API_BASE"},
	},
	{
		Name: "nebius", BaseURL: "https://api.studio.nebius.ai/v1",
		KeyEnv: []string{"NEBIUS_API_KEY"}, BaseURLEnv: []string{"NEBIUS_API_BASE"},
	},
	{
		Name: "hyperbolic", BaseURL: "https://api.hyperbolic.xyz/v1",
		KeyEnv: []string{"HYPERBOLIC_API_KEY"}, BaseURLEnv: []string{"HYPERBOLIC_API_BASE"},
	},
	{
		// GitHub Models.
		Name: "github", BaseURL: "https://models.inference.ai.azure.com",
		KeyEnv: []string{"GITHUB_API_KEY"}, BaseURLEnv: []string{"GITHUB_API_BASE"},
	},
	{
		// Hugging Face Inference Providers through the router; with a base
		// URL, a dedicated Inference Endpoint or a TGI server.
		Name: "huggingface", BaseURL: huggingFaceRouter,
		KeyEnv:     []string{"HF_TOKEN", "HUGGINGFACE_API_KEY"},
		BaseURLEnv: []string{"HF_API_BASE", "HUGGINGFACE_API_BASE"},
		ErrorCodes: map[string]llm.Kind{"overloaded": llm.KindOverloaded, "validation": llm.KindInvalidRequest},
		URL:        huggingFaceURL,
	},
	{
		// Any OpenAI-compatible server: the base URL is required.
		Name: "openai_like", KeyOptional: true,
		KeyEnv: []string{"OPENAI_LIKE_API_KEY"}, BaseURLEnv: []string{"OPENAI_LIKE_API_BASE"},
		ReasoningField: "reasoning",
	},
}

const huggingFaceRouter = "https://router.huggingface.co/v1"

// huggingFaceURL is the router's URL, or that of a dedicated endpoint or TGI
// server given as a base URL: TGI serves the OpenAI API under /v1, which is
// added when the base URL lacks it (a full .../v1/chat/completions URL is
// accepted too).
func huggingFaceURL(cfg *llm.Config, model, path string) (string, error) {
	base := cfg.BaseURLOr(huggingFaceRouter, "HF_API_BASE", "HUGGINGFACE_API_BASE")
	base = strings.TrimSuffix(base, path)
	base = strings.TrimRight(base, "/")
	if !strings.HasSuffix(base, "/v1") {
		base += "/v1"
	}
	return base + path, nil
}
