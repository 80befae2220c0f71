package cost

// Usage is what one call used, in plain counts with OpenAI's semantics.
//
// Token counts nest: PromptTokens is every input token, and CachedTokens,
// CacheWriteTokens, AudioInputTokens and ImageInputTokens are parts of it;
// CompletionTokens is every output token, and ReasoningTokens,
// AudioOutputTokens and ImageOutputTokens are parts of it. Each token is
// billed once, at the most specific rate that covers it, in this order:
// cache read, cache write, audio, image, then plain input (or reasoning,
// audio, image, then plain output). If the parts add up to more than their
// total, the later ones are cut to fit (a cached audio token is billed as a
// cache read). Anthropic reports cache reads and writes beside its
// input_tokens, not inside them: add them to PromptTokens.
//
// Media counts (images, seconds, characters, queries) are priced per unit
// and independent of the token counts.
type Usage struct {
	// PromptTokens is the number of input tokens, every kind included.
	PromptTokens int
	// CachedTokens is the part of PromptTokens read from the prompt cache.
	CachedTokens int
	// CacheWriteTokens is the part of PromptTokens written to the prompt
	// cache, with any lifetime.
	CacheWriteTokens int
	// CacheWrite1hTokens is the part of CacheWriteTokens written with a
	// one-hour lifetime; the rest have the default five minutes.
	CacheWrite1hTokens int
	// AudioInputTokens is the part of PromptTokens that is audio.
	AudioInputTokens int
	// ImageInputTokens is the part of PromptTokens that is images.
	ImageInputTokens int

	// CompletionTokens is the number of output tokens, every kind included.
	CompletionTokens int
	// ReasoningTokens is the part of CompletionTokens spent reasoning.
	ReasoningTokens int
	// AudioOutputTokens is the part of CompletionTokens that is audio.
	AudioOutputTokens int
	// ImageOutputTokens is the part of CompletionTokens that is images.
	ImageOutputTokens int
	// VideoOutputTokens is the part of CompletionTokens that is video.
	VideoOutputTokens int

	// WebSearchQueries is the number of web searches the model made.
	WebSearchQueries int
	// WebSearchContext is the search context size: "low", "medium" or
	// "high"; "" is medium.
	WebSearchContext string

	// Images is the number of generated images.
	Images int
	// ImageSize is their size as "WIDTHxHEIGHT", such as "1024x1792".
	ImageSize string
	// ImageQuality is their quality, such as "standard", "hd", "low",
	// "medium" or "high".
	ImageQuality string
	// AudioSeconds is the duration of input audio (transcription).
	AudioSeconds float64
	// Characters is the number of input characters (speech synthesis).
	Characters int
	// VideoSeconds is the duration of generated video.
	VideoSeconds float64
	// Queries is the number of queries or search units (rerank, search).
	Queries int

	// Batch reports that the call ran through a batch API.
	Batch bool
	// ServiceTier is the service tier the provider served the call at, as
	// OpenAI spells it: "priority", "flex", or "" ("default", "auto" and
	// "standard" mean the same as "").
	ServiceTier string
}

// level returns the service level of the call.
func (u *Usage) level() string {
	if u.Batch {
		return LevelBatch
	}
	switch u.ServiceTier {
	case LevelPriority, LevelFlex:
		return u.ServiceTier
	}
	return LevelStandard
}

// units returns the billing units the usage needs.
func (u *Usage) units() Unit {
	var n Unit
	if u.PromptTokens > 0 || u.CompletionTokens > 0 {
		n |= UnitToken
	}
	if u.Images > 0 {
		n |= UnitImage
	}
	if u.AudioSeconds > 0 {
		n |= UnitAudioSecond
	}
	if u.Characters > 0 {
		n |= UnitCharacter
	}
	if u.VideoSeconds > 0 {
		n |= UnitVideoSecond
	}
	if u.Queries > 0 {
		n |= UnitQuery
	}
	if u.WebSearchQueries > 0 {
		n |= UnitWebSearch
	}
	if u.VideoOutputTokens > 0 && u.CompletionTokens > 0 {
		n |= UnitVideoToken
	}
	return n
}
