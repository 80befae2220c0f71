package cost

import (
	"slices"
	"strings"
)

// Prices are a model's prices in US dollars.
//
// Token prices are [Rates]: the embedded standard rates, replaced field by
// field by the [Tier] that applies to a call (a service level such as
// priority or batch, a long-prompt tier such as above 200k tokens, or both).
// Media are priced per unit: per image, per second of audio or video, per
// character, per query.
//
// A zero price means "no price": the table cannot tell a free unit from an
// unpriced one by the number alone, so Units lists the units that are priced
// (zero included), and a call that uses a unit outside Units costs
// "unknown" rather than 0. When Units is zero (as in a Prices literal
// written in Go), every unit with a nonzero price counts as priced; set
// Units explicitly to declare something free, such as a local model:
//
//	cost.Prices{Units: cost.UnitToken} // tokens are free
type Prices struct {
	// Rates are the standard per-token rates.
	Rates
	// Tiers replace some of the standard rates for a service level, past a
	// prompt size, or both; see [Prices.RatesFor].
	Tiers []Tier
	// PerImage is the price of one generated image when no ImageVariants
	// entry matches the call's size and quality.
	PerImage float64
	// ImageVariants price generated images by quality and size.
	ImageVariants []ImagePrice
	// PerAudioSecond is the price of one second of input audio
	// (transcription).
	PerAudioSecond float64
	// PerCharacter is the price of one input character (speech synthesis).
	PerCharacter float64
	// PerVideoSecond is the price of one second of generated video.
	PerVideoSecond float64
	// PerQuery is the price of one query or search unit (rerank, search).
	PerQuery float64
	// WebSearch is the price of one web search made by the model, by search
	// context size.
	WebSearch SearchPrices
	// Units lists the priced units; when zero, the units with a nonzero
	// price.
	Units Unit
}

// Rates are per-token prices in US dollars. Each kind of token falls back
// to a more general rate when its own is zero: CacheRead, CacheWrite,
// AudioInput and ImageInput to Input; CacheWrite1h to CacheWrite, then
// Input; Reasoning, AudioOutput and ImageOutput to Output. In a [Tier], a
// zero rate keeps the rate the tier replaces, except Reasoning: a tier that
// sets Output and not Reasoning bills reasoning at its Output rate, as the
// providers bill thinking tokens as output tokens at the tier's price.
type Rates struct {
	// Input is the rate of prompt tokens that no more specific rate covers.
	Input float64
	// Output is the rate of completion tokens that no more specific rate
	// covers.
	Output float64
	// CacheRead is the rate of prompt tokens read from the prompt cache.
	CacheRead float64
	// CacheWrite is the rate of prompt tokens written to the prompt cache
	// (the default five-minute cache).
	CacheWrite float64
	// CacheWrite1h is the rate of prompt tokens written to the one-hour
	// prompt cache.
	CacheWrite1h float64
	// Reasoning is the rate of reasoning (thinking) tokens.
	Reasoning float64
	// AudioInput is the rate of audio prompt tokens.
	AudioInput float64
	// AudioOutput is the rate of audio completion tokens.
	AudioOutput float64
	// ImageInput is the rate of image prompt tokens.
	ImageInput float64
	// ImageOutput is the rate of image completion tokens.
	ImageOutput float64
	// VideoOutput is the rate of video completion tokens. Unlike the other
	// kinds, video has no fallback: video tokens without a rate make the
	// cost unknown (see [UnitVideoToken]), since they cost about twice the
	// text rate where they are priced.
	VideoOutput float64
}

// override sets every nonzero rate of t in r; an output rate without a
// reasoning rate also makes reasoning follow it.
func (r *Rates) override(t *Rates) {
	if t.Input != 0 {
		r.Input = t.Input
	}
	if t.Output != 0 {
		r.Output = t.Output
		// A tier's output rate covers reasoning unless the tier has a
		// reasoning rate of its own (set below): providers bill thinking
		// as output at the tier's price.
		r.Reasoning = 0
	}
	if t.CacheRead != 0 {
		r.CacheRead = t.CacheRead
	}
	if t.CacheWrite != 0 {
		r.CacheWrite = t.CacheWrite
	}
	if t.CacheWrite1h != 0 {
		r.CacheWrite1h = t.CacheWrite1h
	}
	if t.Reasoning != 0 {
		r.Reasoning = t.Reasoning
	}
	if t.AudioInput != 0 {
		r.AudioInput = t.AudioInput
	}
	if t.AudioOutput != 0 {
		r.AudioOutput = t.AudioOutput
	}
	if t.ImageInput != 0 {
		r.ImageInput = t.ImageInput
	}
	if t.ImageOutput != 0 {
		r.ImageOutput = t.ImageOutput
	}
	if t.VideoOutput != 0 {
		r.VideoOutput = t.VideoOutput
	}
}

// isZero reports whether every rate is zero.
func (r *Rates) isZero() bool { return *r == Rates{} }

// The service levels of [Tier.Level] and [Usage.ServiceTier].
const (
	LevelStandard = ""
	LevelPriority = "priority"
	LevelFlex     = "flex"
	LevelBatch    = "batch"
)

// Tier holds rates that replace the standard ones for a service level, for
// prompts longer than a threshold, or for both.
type Tier struct {
	// Level is the service level: LevelStandard (""), LevelPriority,
	// LevelFlex or LevelBatch.
	Level string
	// Above is the prompt size, in tokens, past which the tier applies: it
	// applies when the prompt has more than Above tokens. 0: always.
	Above int
	// Rates are the tier's rates; zero ones keep the rate they replace,
	// except that reasoning follows the tier's Output when the tier has no
	// Reasoning rate (see [Rates]).
	Rates
}

// RatesFor returns the per-token rates of a call at the service level level
// ("" for standard) with a prompt of prompt tokens.
//
// A tier past a threshold applies to the whole call, not to the tokens past
// the threshold (the providers' rule). The rates are built in four steps,
// each replacing the nonzero rates of the previous one: the standard rates;
// the standard tier with the highest threshold below prompt; the level's
// tier without a threshold; the level's tier with the highest threshold
// below prompt. So a level's rate wins over a long-prompt rate where the
// source data has no rate for the two combined.
func (p *Prices) RatesFor(level string, prompt int) Rates {
	r := p.Rates
	if len(p.Tiers) == 0 {
		return r
	}
	var std, lvl, lvlAbove *Tier
	for i := range p.Tiers {
		t := &p.Tiers[i]
		switch {
		case t.Level == LevelStandard:
			if t.Above > 0 && prompt > t.Above && (std == nil || t.Above > std.Above) {
				std = t
			}
		case t.Level == level:
			if t.Above == 0 {
				lvl = t
			} else if prompt > t.Above && (lvlAbove == nil || t.Above > lvlAbove.Above) {
				lvlAbove = t
			}
		}
	}
	if std != nil {
		r.override(&std.Rates)
	}
	if lvl != nil {
		r.override(&lvl.Rates)
	}
	if lvlAbove != nil {
		r.override(&lvlAbove.Rates)
	}
	return r
}

// ImagePrice is the price of one generated image of a given quality and
// size.
type ImagePrice struct {
	// Quality is the quality setting ("standard", "hd", "low", "medium",
	// "high", or a provider's own such as "max-steps"); "" prices images of
	// any quality not listed.
	Quality string
	// Size is the image size as "WIDTHxHEIGHT", such as "1024x1792".
	Size string
	// Price is the price of one image.
	Price float64
}

// SearchPrices are the prices of one web search query by search context
// size.
type SearchPrices struct {
	Low, Medium, High float64
}

// forSize returns the price for the search context size ("low", "medium",
// "high"; "" is medium).
func (s SearchPrices) forSize(size string) float64 {
	switch strings.ToLower(size) {
	case "low":
		return s.Low
	case "high":
		return s.High
	default:
		return s.Medium
	}
}

// Unit is a set of billing units, one bit each.
type Unit uint16

// The billing units.
const (
	// UnitToken counts prompt and completion tokens, priced by Rates.
	UnitToken Unit = 1 << iota
	// UnitImage counts generated images, priced by PerImage and
	// ImageVariants.
	UnitImage
	// UnitAudioSecond counts seconds of input audio, priced by
	// PerAudioSecond.
	UnitAudioSecond
	// UnitCharacter counts input characters, priced by PerCharacter.
	UnitCharacter
	// UnitVideoSecond counts seconds of generated video, priced by
	// PerVideoSecond.
	UnitVideoSecond
	// UnitQuery counts queries or search units, priced by PerQuery.
	UnitQuery
	// UnitWebSearch counts web searches made by the model, priced by
	// WebSearch.
	UnitWebSearch
	// UnitVideoToken counts video completion tokens, priced by
	// Rates.VideoOutput (of the standard rates or a tier).
	UnitVideoToken
)

var unitNames = [...]struct {
	u    Unit
	name string
}{
	{UnitToken, "token"},
	{UnitImage, "image"},
	{UnitAudioSecond, "audio_second"},
	{UnitCharacter, "character"},
	{UnitVideoSecond, "video_second"},
	{UnitQuery, "query"},
	{UnitWebSearch, "web_search"},
	{UnitVideoToken, "video_token"},
}

// Has reports whether every unit in want is in u.
func (u Unit) Has(want Unit) bool { return want != 0 && u&want == want }

// String returns the units' names separated by commas, such as
// "token,image".
func (u Unit) String() string {
	var b strings.Builder
	for _, n := range unitNames {
		if u&n.u != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(n.name)
		}
	}
	return b.String()
}

func parseUnits(s string) (Unit, bool) {
	var u Unit
	for name := range strings.SplitSeq(s, ",") {
		found := false
		for _, n := range unitNames {
			if n.name == name {
				u |= n.u
				found = true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
	return u, true
}

// PricedUnits returns the units p prices: Units when set, else the units
// with a nonzero price.
func (p *Prices) PricedUnits() Unit {
	if p.Units != 0 {
		return p.Units
	}
	var u Unit
	if !p.Rates.isZero() {
		u |= UnitToken
	} else {
		for i := range p.Tiers {
			if !p.Tiers[i].Rates.isZero() {
				u |= UnitToken
				break
			}
		}
	}
	if p.PerImage != 0 || len(p.ImageVariants) > 0 {
		u |= UnitImage
	}
	if p.PerAudioSecond != 0 {
		u |= UnitAudioSecond
	}
	if p.PerCharacter != 0 {
		u |= UnitCharacter
	}
	if p.PerVideoSecond != 0 {
		u |= UnitVideoSecond
	}
	if p.PerQuery != 0 {
		u |= UnitQuery
	}
	if p.WebSearch != (SearchPrices{}) {
		u |= UnitWebSearch
	}
	if p.VideoOutput != 0 || slices.ContainsFunc(p.Tiers, func(t Tier) bool { return t.VideoOutput != 0 }) {
		u |= UnitVideoToken
	}
	return u
}

// imagePrice returns the price of one image of the given quality and size,
// and false when the prices have none for it. An ImageVariants entry must
// match the size exactly ("1024x1792"; "1024-x-1792" is accepted too) and
// the quality ("" and "standard" match each other); otherwise PerImage
// applies when the image unit is priced.
func (p *Prices) imagePrice(quality, size string, units Unit) (float64, bool) {
	if len(p.ImageVariants) > 0 && size != "" {
		for i := range p.ImageVariants {
			v := &p.ImageVariants[i]
			if sameSize(v.Size, size) && sameQuality(v.Quality, quality) {
				return v.Price, true
			}
		}
	}
	if p.PerImage != 0 || units.Has(UnitImage) && len(p.ImageVariants) == 0 {
		return p.PerImage, true
	}
	return 0, false
}

func sameSize(table, call string) bool {
	if strings.EqualFold(table, call) {
		return true
	}
	w, h, ok := strings.Cut(call, "-x-")
	return ok && len(table) == len(w)+1+len(h) && strings.EqualFold(table, w+"x"+h)
}

func sameQuality(table, call string) bool {
	if table == "standard" {
		table = ""
	}
	if strings.EqualFold(call, "standard") {
		call = ""
	}
	return strings.EqualFold(table, call)
}
