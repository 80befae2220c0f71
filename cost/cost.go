package cost

import (
	"errors"
	"fmt"
)

// ErrUnknownModel reports a model that is not in the table.
var ErrUnknownModel = errors.New("cost: unknown model")

// ErrUnknownPrice reports a cost that cannot be known: the model is not in
// the table (such errors match [ErrUnknownModel] too), or its entry has no
// price for a unit the call used.
var ErrUnknownPrice = errors.New("cost: unknown price")

// priceError is the error of an unknown price.
type priceError struct {
	model        string
	units        Unit // the unpriced units the call used
	unknownModel bool
}

func (e *priceError) Error() string { return "cost: unknown price: " + e.reason() }

// reason is the error's message without its prefix, for Cost.Reason.
func (e *priceError) reason() string {
	switch {
	case e.unknownModel:
		return fmt.Sprintf("model %q is not in the table", e.model)
	case e.model == "":
		return fmt.Sprintf("no price per %s", e.units)
	default:
		return fmt.Sprintf("%s has no price per %s", e.model, e.units)
	}
}

func (e *priceError) Is(target error) bool {
	return target == ErrUnknownPrice || e.unknownModel && target == ErrUnknownModel
}

// Cost is the price of a call in US dollars, itemised. Every unit the call
// used lands in exactly one part, and Total is the sum of the parts.
//
// Known is false when the price cannot be known (an unknown model, or a
// unit the model's entry does not price): the parts then hold what could be
// priced, and Total is a lower bound. The zero Cost is unknown, so a cost
// nobody computed never reads as free.
type Cost struct {
	// Total is the sum of the parts.
	Total float64 `json:"total"`
	// Input prices prompt tokens billed at the plain input rate, and input
	// characters (speech synthesis).
	Input float64 `json:"input,omitempty"`
	// CacheRead prices prompt tokens read from the prompt cache.
	CacheRead float64 `json:"cache_read,omitempty"`
	// CacheWrite prices prompt tokens written to the prompt cache.
	CacheWrite float64 `json:"cache_write,omitempty"`
	// Output prices completion tokens billed at the plain output rate.
	Output float64 `json:"output,omitempty"`
	// Reasoning prices reasoning tokens (at the reasoning rate, or at the
	// output rate when the model has none).
	Reasoning float64 `json:"reasoning,omitempty"`
	// Audio prices audio tokens, in and out, and seconds of input audio.
	Audio float64 `json:"audio,omitempty"`
	// Image prices image tokens, in and out, and generated images.
	Image float64 `json:"image,omitempty"`
	// Video prices seconds of generated video and video completion tokens.
	Video float64 `json:"video,omitempty"`
	// WebSearch prices the web searches the model made.
	WebSearch float64 `json:"web_search,omitempty"`
	// Query prices queries and search units (rerank, search).
	Query float64 `json:"query,omitempty"`
	// Known reports that every unit the call used has a price.
	Known bool `json:"known"`
	// Model is the name of the table entry that priced the call.
	Model string `json:"model,omitempty"`
	// Reason says, when Known is false, why the price is unknown (the
	// model is not in the table, or a unit has no price).
	Reason string `json:"reason,omitempty"`
}

// Add returns the sum of c and d, part by part. The sum is known when both
// are; the zero Cost is the identity, so a running total can start from it.
// Model is kept when both name the same entry.
func (c Cost) Add(d Cost) Cost {
	if c == (Cost{}) {
		return d
	}
	if d == (Cost{}) {
		return c
	}
	s := Cost{
		Input:      c.Input + d.Input,
		CacheRead:  c.CacheRead + d.CacheRead,
		CacheWrite: c.CacheWrite + d.CacheWrite,
		Output:     c.Output + d.Output,
		Reasoning:  c.Reasoning + d.Reasoning,
		Audio:      c.Audio + d.Audio,
		Image:      c.Image + d.Image,
		Video:      c.Video + d.Video,
		WebSearch:  c.WebSearch + d.WebSearch,
		Query:      c.Query + d.Query,
		Known:      c.Known && d.Known,
	}
	if !s.Known {
		s.Reason = c.Reason
		if s.Reason == "" {
			s.Reason = d.Reason
		}
	}
	if c.Model == d.Model {
		s.Model = c.Model
	}
	s.Total = c.Total + d.Total
	return s
}

// String formats the cost as dollars, such as "$0.001234", or "unknown"
// with the lower bound when the cost is not known.
func (c Cost) String() string {
	if !c.Known {
		return fmt.Sprintf("unknown (at least $%.6f)", c.Total)
	}
	return fmt.Sprintf("$%.6f", c.Total)
}

// Cost prices the usage u. The error, when the price is not known, matches
// [ErrUnknownPrice] and names the units that have no price; the Cost is
// then marked unknown and holds what could be priced.
func (p *Prices) Cost(u Usage) (Cost, error) {
	var c Cost
	if missing := p.cost(&u, &c); missing != 0 {
		err := &priceError{units: missing}
		c.Reason = err.reason()
		return c, err
	}
	return c, nil
}

// cost prices u into c and returns the units u needs that p does not
// price; c.Known is set when there are none.
func (p *Prices) cost(u *Usage, c *Cost) Unit {
	units := p.PricedUnits()
	need := u.units()

	if need&UnitToken != 0 && units&UnitToken != 0 {
		p.tokenCost(u, c)
	}
	if need&UnitImage != 0 {
		if price, ok := p.imagePrice(u.ImageQuality, u.ImageSize, units); ok {
			c.Image += float64(u.Images) * price
		} else {
			units &^= UnitImage
		}
	}
	if need&UnitAudioSecond != 0 {
		c.Audio += u.AudioSeconds * p.PerAudioSecond
	}
	if need&UnitCharacter != 0 {
		c.Input += float64(u.Characters) * p.PerCharacter
	}
	if need&UnitVideoSecond != 0 {
		c.Video += u.VideoSeconds * p.PerVideoSecond
	}
	if need&UnitQuery != 0 {
		c.Query += float64(u.Queries) * p.PerQuery
	}
	if need&UnitWebSearch != 0 {
		c.WebSearch += float64(u.WebSearchQueries) * p.WebSearch.forSize(u.WebSearchContext)
	}
	c.Total = c.Input + c.CacheRead + c.CacheWrite + c.Output + c.Reasoning +
		c.Audio + c.Image + c.Video + c.WebSearch + c.Query
	missing := need &^ units
	c.Known = missing == 0
	return missing
}

// tokenCost adds the price of u's tokens to c.
func (p *Prices) tokenCost(u *Usage, c *Cost) {
	r := p.RatesFor(u.level(), u.PromptTokens)

	// Input: cache reads, cache writes, audio, images, then plain text.
	rest := max(u.PromptTokens, 0)
	cached := take(&rest, u.CachedTokens)
	write := take(&rest, u.CacheWriteTokens)
	write1h := min(max(u.CacheWrite1hTokens, 0), write)
	audioIn := take(&rest, u.AudioInputTokens)
	imageIn := take(&rest, u.ImageInputTokens)

	write5mRate := or(r.CacheWrite, r.Input)
	c.Input += float64(rest) * r.Input
	c.CacheRead += float64(cached) * or(r.CacheRead, r.Input)
	c.CacheWrite += float64(write-write1h)*write5mRate + float64(write1h)*or(r.CacheWrite1h, write5mRate)
	c.Audio += float64(audioIn) * or(r.AudioInput, r.Input)
	c.Image += float64(imageIn) * or(r.ImageInput, r.Input)

	// Output: video, reasoning, audio, images, then plain text. Video has
	// no fallback rate: unpriced video tokens are reported by cost.
	rest = max(u.CompletionTokens, 0)
	videoOut := take(&rest, u.VideoOutputTokens)
	reasoning := take(&rest, u.ReasoningTokens)
	audioOut := take(&rest, u.AudioOutputTokens)
	imageOut := take(&rest, u.ImageOutputTokens)
	c.Video += float64(videoOut) * r.VideoOutput
	c.Output += float64(rest) * r.Output
	c.Reasoning += float64(reasoning) * or(r.Reasoning, r.Output)
	c.Audio += float64(audioOut) * or(r.AudioOutput, r.Output)
	c.Image += float64(imageOut) * or(r.ImageOutput, r.Output)
}

// take removes up to n (at least 0) from *rest and returns what it took.
func take(rest *int, n int) int {
	n = min(max(n, 0), *rest)
	*rest -= n
	return n
}

// or returns a, or b when a is zero.
func or(a, b float64) float64 {
	if a != 0 {
		return a
	}
	return b
}
