// Package cost prices LLM calls and describes models: an embedded table of
// about 3,000 models (prices, context windows, capabilities), the
// arithmetic that turns a call's usage into an itemised cost in US
// dollars, token counting, and pre-call checks.
//
// The package is a leaf: it imports nothing else of the module and takes
// plain counts, so it also answers for a model and a usage without a call
// (budgets, estimates).
//
//	c, err := cost.Compute("gpt-4o", cost.Usage{PromptTokens: 1200, CachedTokens: 1000, CompletionTokens: 300})
//	// c.Total == 0.00475: c.Input 0.0005 + c.CacheRead 0.00125 + c.Output 0.003
//
// # The table
//
// The table is generated (go generate; see internal/gen) from LiteLLM's
// public model map into the package's own compact format, holding only
// the fields used here, and embedded. It records its sources and their
// dates ([Table.Sources]) and each entry's source ([ModelInfo.Source]).
// It is parsed on first use (a few milliseconds) and never touches the
// network.
//
// Every entry has a canonical name "provider/model", with provider names
// as LiteLLM spells them ("openai", "anthropic", "gemini", "vertex_ai",
// "bedrock", "azure", "mistral", "groq", ...), and keeps the source's own
// spelling as an alias ("gpt-4o" for "openai/gpt-4o").
//
// # Lookup rules
//
// [Lookup] (and everything that takes a model name) resolves a name in
// this order, without regard to case, and stops at the first match:
//
//  1. A canonical name or a source spelling: "openai/gpt-4o", "gpt-4o",
//     "anthropic/claude-sonnet-4-20250514", "claude-sonnet-4-20250514",
//     "gemini/gemini-2.5-pro", "openrouter/anthropic/claude-3.5-sonnet".
//     A bare name the source spells without a provider resolves to that
//     entry: "gemini-2.5-pro" is Vertex AI's, as in LiteLLM.
//  2. A provider prefix spelt as the source data spells providers:
//     "vertex_ai-language-models/gemini-2.5-pro" is
//     "vertex_ai/gemini-2.5-pro", "bedrock_converse/..." is "bedrock/...".
//  3. An Amazon Bedrock cross-region prefix (us., eu., apac., au., jp.,
//     ca., sa., global., us-gov.) when the table has only the base id:
//     "bedrock/apac.anthropic.claude-3-opus-20240229-v1:0" is priced as
//     "bedrock/anthropic.claude-3-opus-20240229-v1:0". Where the table has
//     the prefixed id (its price may differ), that entry is used (rule 1).
//  4. A snapshot of a model family. A snapshot suffix is a date
//     (-20250514, -2024-08-06, @20241022, -0613, -2411, -09-2025), a
//     version (-001, @001) or -latest. A name with a suffix that is not in
//     the table, or a name without one, resolves through its family (the
//     same provider and name without the suffix) only when every member of
//     the family in the table has the same prices: then the member spelt
//     without a suffix (else the first by name) stands for it.
//     "claude-opus-4-1-20990101" is "claude-opus-4-1", whose two entries
//     cost the same; "gpt-4o-2099-01-01" is unknown, because gpt-4o's
//     snapshots differ in price. A rule never crosses a family or a
//     provider.
//  5. For a name without a provider prefix: the model part of exactly one
//     entry ("magistral-medium-2506" is Mistral's). A name two providers
//     serve ("mistral-large-2411": Mistral and Vertex AI) is ambiguous and
//     unknown.
//
// A name that resolves to nothing is unknown: [Info] returns an error
// matching [ErrUnknownModel], and [Compute] returns a Cost with Known false
// and an error matching [ErrUnknownPrice]; never a silent 0.
//
// # Costs
//
// [Usage] takes OpenAI's semantics: PromptTokens is every input token and
// CachedTokens, CacheWriteTokens (of which CacheWrite1hTokens),
// AudioInputTokens and ImageInputTokens are parts of it;
// CompletionTokens is every output token and ReasoningTokens,
// AudioOutputTokens and ImageOutputTokens are parts of it. Each token is
// billed once, at its own rate where the entry has one and otherwise at
// the plain input or output rate ([Rates] lists the fallbacks). [Cost]
// itemises the result; its parts add up to Total.
//
// A long-prompt tier (above 128k, 200k, 272k tokens, ...) applies to the
// whole call once the prompt (PromptTokens, cache included) exceeds its
// threshold. Usage.Batch selects batch prices and Usage.ServiceTier
// priority or flex prices; rates the entry has no special price for keep
// their standard value (see [Prices.RatesFor]). Web searches are priced per
// query by search context size. Media are priced per unit: generated
// images by size and quality where the entry has them (else a flat
// per-image price), seconds of transcribed audio, characters of
// synthesised speech, seconds of generated video, rerank queries.
//
// A Cost is Known only if every unit the usage needs has a price; the
// parts then add up to the exact price according to the table. An entry
// lists its priced units ([Prices.Units]) so that a free unit (a local
// model, a free embedding output) is told apart from an unpriced one.
//
// # Overrides
//
// [Register] adds or replaces one entry of the default table with a Go
// value; [LoadJSON] merges a map in LiteLLM's schema (the same schema as
// the source data) the way LiteLLM's register_model does. Both swap the
// default table atomically: lookups never block and never see a half-made
// change. For per-deployment prices that should not touch the default
// table, keep a [ModelInfo] or [Prices] and call its Cost method, or build
// a [Table] of your own with [NewTable], [Table.With] or
// [Table.WithJSON].
//
// # Tokens
//
// [CountText] and [CountMessages] count with OpenAI's tiktoken encodings
// (o200k_base for the gpt-4o, gpt-4.1, gpt-5 and o families, cl100k_base
// for gpt-4 and gpt-3.5-turbo), embedded in the binary (no download). A
// message costs 3 tokens plus its role and content, 1 more with a name,
// and the reply is primed with 3; images follow OpenAI's rules (512px
// tiles after fitting in 2048x2048 and scaling the short side to 768: 85 +
// 170 per tile for gpt-4o, 2833 + 5667 for gpt-4o-mini, 75 + 150 for
// o1/o3; low detail is the base alone; 32px patches times a multiplier for
// gpt-4.1-mini/nano and o4-mini); tool definitions follow the formula of
// OpenAI's cookbook. Counts for other providers use o200k_base and are
// marked Estimated, as are counts with parts OpenAI does not document
// exactly (see [CountMessages]).
//
// # Glue
//
// The llm package converts its types and calls:
//
//   - [Compute] (or [Table.Compute]) with a [Usage] built field by field
//     from llm.Usage, after each response and on a stream's last chunk;
//   - [Provider] to route a bare model name ("gpt-4o", "claude-...");
//   - [CountMessages] and [Check] for the optional pre-call checks: the
//     errors match [ErrContextWindow] and [ErrUnsupported] (and
//     errors.ErrUnsupported).
//
// Only CountText and CountMessages use the tokenizer; a program that
// never calls them (directly or through code it links) does not link the
// tokenizer's vocabularies, about 12 MB of binary.
package cost
