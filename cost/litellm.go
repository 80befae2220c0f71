package cost

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// This file reads LiteLLM's model map (model_prices_and_context_window.json)
// into ModelInfo values.

// nonModelKeys are the top-level keys of the source data that are not
// models.
var nonModelKeys = map[string]bool{
	"sample_spec":              true,
	"fallback_generalizations": true,
	"last_updated":             true,
}

// given records which parts of an entry a JSON source set, so that loading
// a partial entry over an existing one keeps the rest.
type given uint8

const (
	givenMode given = 1 << iota
	givenMaxInput
	givenMaxOutput
	givenPrices
	givenVariants
	givenDeprecation
)

// parsedEntry is one model read from a JSON source.
type parsedEntry struct {
	info  ModelInfo
	given given
	pixel float64 // input_cost_per_pixel, for image price keys
}

// rateField names one rate of Rates.
type rateField uint8

const (
	rateInput rateField = iota
	rateOutput
	rateCacheRead
	rateCacheWrite
	rateCacheWrite1h
	rateReasoning
	rateAudioInput
	rateAudioOutput
	rateImageInput
	rateImageOutput
	rateVideoOutput
)

func (r *Rates) set(f rateField, v float64) {
	switch f {
	case rateInput:
		r.Input = v
	case rateOutput:
		r.Output = v
	case rateCacheRead:
		r.CacheRead = v
	case rateCacheWrite:
		r.CacheWrite = v
	case rateCacheWrite1h:
		r.CacheWrite1h = v
	case rateReasoning:
		r.Reasoning = v
	case rateAudioInput:
		r.AudioInput = v
	case rateAudioOutput:
		r.AudioOutput = v
	case rateImageInput:
		r.ImageInput = v
	case rateImageOutput:
		r.ImageOutput = v
	case rateVideoOutput:
		r.VideoOutput = v
	}
}

// rateFields are the source data's per-token price fields, longest first so
// that a field is matched by its own name before a shorter prefix. Each
// may carry a tier suffix ("_above_200k_tokens") and a level suffix
// ("_batches", "_priority", "_flex").
var rateFields = []struct {
	name  string
	field rateField
}{
	{"cache_creation_input_token_cost_above_1hr", rateCacheWrite1h},
	{"cache_creation_input_token_cost", rateCacheWrite},
	{"cache_read_input_token_cost", rateCacheRead},
	{"output_cost_per_reasoning_token", rateReasoning},
	{"input_cost_per_audio_token", rateAudioInput},
	{"output_cost_per_audio_token", rateAudioOutput},
	{"input_cost_per_image_token", rateImageInput},
	{"output_cost_per_image_token", rateImageOutput},
	{"output_cost_per_video_token", rateVideoOutput},
	{"input_cost_per_token", rateInput},
	{"output_cost_per_token", rateOutput},
}

// parseRateName splits a source price field name into its rate, level and
// threshold; ok is false for other fields.
func parseRateName(name string) (f rateField, level string, above int, ok bool) {
	for _, rf := range rateFields {
		rest, found := strings.CutPrefix(name, rf.name)
		if !found {
			continue
		}
		for _, l := range [...]struct{ suffix, level string }{
			{"_batches", LevelBatch}, {"_priority", LevelPriority}, {"_flex", LevelFlex},
		} {
			if r, cut := strings.CutSuffix(rest, l.suffix); cut {
				rest, level = r, l.level
				break
			}
		}
		if rest != "" {
			n, cut := strings.CutPrefix(rest, "_above_")
			if !cut {
				continue
			}
			n, cut = strings.CutSuffix(n, "_tokens")
			if !cut {
				continue
			}
			mult := 1000
			if m, mcut := strings.CutSuffix(n, "m"); mcut {
				n, mult = m, 1000000
			} else if k, kcut := strings.CutSuffix(n, "k"); kcut {
				n = k
			} else {
				continue
			}
			v, err := strconv.Atoi(n)
			if err != nil || v <= 0 || v > math.MaxInt32/mult {
				continue
			}
			above = v * mult
		}
		return rf.field, level, above, true
	}
	return 0, "", 0, false
}

// ParseJSON reads a model map in the schema of LiteLLM's
// model_prices_and_context_window.json and returns its models, sorted by
// name, without registering them (see [LoadJSON] and [Table.WithJSON]).
//
// Keys become canonical "provider/model" names (the source spelling is kept
// as an alias), keys that price one image size and quality
// ("hd/1024-x-1792/dall-e-3") become ImageVariants of their model, and the
// fields the package uses become ModelInfo fields; other fields are
// ignored. A known field of the wrong type, or a negative price, is an
// error.
func ParseJSON(r io.Reader) ([]ModelInfo, error) {
	entries, err := parseSource(r)
	if err != nil {
		return nil, err
	}
	out := make([]ModelInfo, len(entries))
	for i := range entries {
		out[i] = entries[i].info
	}
	return out, nil
}

// parseSource reads a LiteLLM-schema model map.
func parseSource(r io.Reader) ([]parsedEntry, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("cost: reading model map: %w", err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		if !nonModelKeys[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)

	type variant struct {
		name, provider string
		mode           Mode
		price          ImagePrice
	}
	var (
		entries  []parsedEntry
		byName   = map[string]int{} // lower-case name -> entries index
		variants []variant
	)
	for _, key := range keys {
		v := bytes.TrimSpace(raw[key])
		if len(v) == 0 || v[0] != '{' {
			continue // not a model
		}
		e, err := parseEntry(key, v)
		if err != nil {
			return nil, err
		}
		src := strings.ToLower(e.info.Provider)
		prov := canonicalProvider(src)
		imageMode := e.info.Mode == ModeImageGeneration || e.info.Mode == ModeImageEdit
		if base, quality, size, ok := splitVariant(key); ok && imageMode {
			price, priced := variantPrice(&e, size)
			if !priced {
				continue
			}
			name, _ := canonicalName(base, src, prov)
			variants = append(variants, variant{name: name, provider: prov, mode: e.info.Mode,
				price: ImagePrice{Quality: quality, Size: size, Price: price}})
			continue
		}
		name, exact := canonicalName(key, src, prov)
		e.info.Name, e.info.Provider = name, prov
		if !strings.EqualFold(key, name) {
			e.info.Aliases = []string{key}
		}
		lower := strings.ToLower(name)
		if i, dup := byName[lower]; dup {
			// Two keys spell the same model. The key spelt exactly as the
			// canonical name wins; the other becomes its alias.
			prev := &entries[i]
			if exact {
				e.info.Aliases = mergeAliases(prev.info.Aliases, e.info.Aliases)
				*prev = e
			} else {
				prev.info.Aliases = mergeAliases(prev.info.Aliases, e.info.Aliases)
			}
			continue
		}
		byName[lower] = len(entries)
		entries = append(entries, e)
	}

	// Attach image variants to their models.
	for _, v := range variants {
		i, ok := byName[strings.ToLower(v.name)]
		if !ok {
			i = len(entries)
			byName[strings.ToLower(v.name)] = i
			entries = append(entries, parsedEntry{info: ModelInfo{Name: v.name, Provider: v.provider, Mode: v.mode}, given: givenMode})
		}
		e := &entries[i]
		if !slices.ContainsFunc(e.info.Prices.ImageVariants, func(p ImagePrice) bool {
			return p.Quality == v.price.Quality && p.Size == v.price.Size
		}) {
			e.info.Prices.ImageVariants = append(e.info.Prices.ImageVariants, v.price)
		}
		e.info.Prices.Units |= UnitImage
		e.given |= givenVariants
	}
	for i := range entries {
		slices.SortFunc(entries[i].info.Prices.ImageVariants, compareImagePrices)
	}
	slices.SortFunc(entries, func(a, b parsedEntry) int { return strings.Compare(a.info.Name, b.info.Name) })
	return entries, nil
}

func compareImagePrices(a, b ImagePrice) int {
	return cmp.Or(strings.Compare(a.Quality, b.Quality), strings.Compare(a.Size, b.Size))
}

// canonicalName returns the "provider/model" name of the source key for the
// source provider src (canonical prov), and whether key was spelt exactly
// so.
func canonicalName(key, src, prov string) (name string, exact bool) {
	if prov == "" {
		return key, true
	}
	model, stripped := stripProviderPrefix(key, src, prov)
	name = prov + "/" + model
	return name, stripped && strings.EqualFold(key, name)
}

// mergeAliases returns the union of a and b in a new slice.
func mergeAliases(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	for _, s := range slices.Concat(a, b) {
		if !slices.ContainsFunc(out, func(t string) bool { return strings.EqualFold(s, t) }) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	slices.Sort(out)
	return out
}

// variantPrice returns the price of one image of an image price key: its
// per-image price, or its per-pixel price times the size's pixels.
func variantPrice(e *parsedEntry, size string) (float64, bool) {
	if p := e.info.Prices.PerImage; p != 0 {
		return p, true
	}
	if e.pixel != 0 {
		w, h, ok := strings.Cut(size, "x")
		wn, err1 := strconv.Atoi(w)
		hn, err2 := strconv.Atoi(h)
		if ok && err1 == nil && err2 == nil {
			return e.pixel * float64(wn) * float64(hn), true
		}
		return 0, false
	}
	return 0, e.info.Prices.Units.Has(UnitImage)
}

// parseEntry reads one model's JSON object.
func parseEntry(key string, obj []byte) (parsedEntry, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(obj, &fields); err != nil {
		return parsedEntry{}, fmt.Errorf("cost: model %q: %w", key, err)
	}
	var e parsedEntry
	m := &e.info
	p := &m.Prices
	bad := func(field, want string) error {
		return fmt.Errorf("cost: model %q: field %q: want %s", key, field, want)
	}
	str := func(field string) (string, bool, error) {
		v, ok := fields[field]
		if !ok || string(v) == "null" {
			return "", false, nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", false, bad(field, "a string")
		}
		return s, true, nil
	}

	if s, ok, err := str("litellm_provider"); err != nil {
		return e, err
	} else if ok {
		m.Provider = s
	}
	if s, ok, err := str("mode"); err != nil {
		return e, err
	} else if ok {
		m.Mode, e.given = Mode(s), e.given|givenMode
	}
	if s, ok, err := str("deprecation_date"); err != nil {
		return e, err
	} else if ok {
		m.DeprecationDate, e.given = s, e.given|givenDeprecation
	}

	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	slices.Sort(names)

	var (
		imageIn, imageOut   float64
		hasImageIn, hasOut  bool
		cacheHit            float64
		hasCacheHit, hasCR  bool
		tierIndex           = map[[2]int]int{} // (level id, above) -> Tiers index
		levelIDs            = map[string]int{LevelStandard: 0, LevelBatch: 1, LevelPriority: 2, LevelFlex: 3}
		maxTokens           int
		hasMax, hasMaxOut   bool
		secondIn, secondOut float64
		hasSecIn, hasSecOut bool
	)
	setRate := func(f rateField, level string, above int, v float64) {
		p.Units |= UnitToken
		if f == rateVideoOutput {
			p.Units |= UnitVideoToken
		}
		e.given |= givenPrices
		if level == LevelStandard && above == 0 {
			p.Rates.set(f, v)
			return
		}
		k := [2]int{levelIDs[level], above}
		i, ok := tierIndex[k]
		if !ok {
			i = len(p.Tiers)
			tierIndex[k] = i
			p.Tiers = append(p.Tiers, Tier{Level: level, Above: above})
		}
		p.Tiers[i].Rates.set(f, v)
	}

	for _, f := range names {
		v := fields[f]
		if string(v) == "null" {
			continue
		}
		if c := sourceCapability(f); c != 0 {
			var b bool
			if err := json.Unmarshal(v, &b); err != nil {
				return e, bad(f, "a boolean")
			}
			if b {
				m.Supports |= c
			} else {
				m.Lacks |= c
			}
			continue
		}
		switch f {
		case "max_input_tokens", "max_output_tokens", "max_tokens":
			n, err := number(v)
			if err != nil || n < 0 {
				return e, bad(f, "a non-negative number")
			}
			t := int(min(n, math.MaxInt32))
			switch f {
			case "max_input_tokens":
				m.MaxInputTokens, e.given = t, e.given|givenMaxInput
			case "max_output_tokens":
				m.MaxOutputTokens, hasMaxOut, e.given = t, true, e.given|givenMaxOutput
			default:
				maxTokens, hasMax = t, true
			}
			continue
		case "search_context_cost_per_query":
			var s map[string]json.RawMessage
			if err := json.Unmarshal(v, &s); err != nil {
				return e, bad(f, "an object")
			}
			for size, dst := range map[string]*float64{
				"search_context_size_low":    &p.WebSearch.Low,
				"search_context_size_medium": &p.WebSearch.Medium,
				"search_context_size_high":   &p.WebSearch.High,
			} {
				if raw, ok := s[size]; ok {
					n, err := price(raw)
					if err != nil {
						return e, bad(f+"."+size, "a non-negative number")
					}
					*dst = n
					p.Units |= UnitWebSearch
					e.given |= givenPrices
				}
			}
			continue
		case "tiered_pricing":
			if err := parseTiers(v, setRate); err != nil {
				return e, fmt.Errorf("cost: model %q: field %q: %w", key, f, err)
			}
			continue
		}
		isPrice := strings.Contains(f, "cost")
		if !isPrice {
			continue
		}
		n, err := price(v)
		if err != nil {
			// Prices are numbers; a few cost fields of the source data are
			// objects or lists the package does not use.
			if len(v) > 0 && (v[0] == '{' || v[0] == '[') {
				continue
			}
			return e, bad(f, "a non-negative number")
		}
		if rf, level, above, ok := parseRateName(f); ok {
			setRate(rf, level, above, n)
			continue
		}
		switch f {
		case "input_cost_per_token_cache_hit":
			cacheHit, hasCacheHit = n, true
		case "output_cost_per_image":
			imageOut, hasOut = n, true
		case "input_cost_per_image":
			imageIn, hasImageIn = n, true
		case "input_cost_per_pixel":
			e.pixel = n
		case "input_cost_per_second":
			secondIn, hasSecIn = n, true
		case "output_cost_per_second":
			secondOut, hasSecOut = n, true
		case "output_cost_per_video_per_second":
			p.PerVideoSecond, p.Units, e.given = n, p.Units|UnitVideoSecond, e.given|givenPrices
		case "input_cost_per_character":
			p.PerCharacter, p.Units, e.given = n, p.Units|UnitCharacter, e.given|givenPrices
		case "input_cost_per_query":
			p.PerQuery, p.Units, e.given = n, p.Units|UnitQuery, e.given|givenPrices
		}
		if f == "cache_read_input_token_cost" {
			hasCR = true
		}
	}

	if !hasMaxOut && hasMax {
		switch m.Mode {
		case ModeChat, ModeCompletion, ModeResponses, ModeRealtime, "":
			// max_tokens is the legacy name of the output limit of models
			// that generate text; elsewhere it repeats the input limit.
			m.MaxOutputTokens, e.given = maxTokens, e.given|givenMaxOutput
		}
	}
	if hasCacheHit && !hasCR {
		setRate(rateCacheRead, LevelStandard, 0, cacheHit)
	}
	// A generated image is priced by output_cost_per_image; image models
	// also spell it input_cost_per_image. On chat models the latter prices
	// input images, which the package does not bill per image.
	imageMode := m.Mode == ModeImageGeneration || m.Mode == ModeImageEdit
	switch {
	case hasOut:
		p.PerImage, p.Units, e.given = imageOut, p.Units|UnitImage, e.given|givenPrices
	case hasImageIn && imageMode:
		p.PerImage, p.Units, e.given = imageIn, p.Units|UnitImage, e.given|givenPrices
	}
	// Seconds: input seconds are audio only for transcription models (chat
	// models use the field for provisioned throughput); output seconds are
	// video only for video models.
	if hasSecIn && m.Mode == ModeAudioTranscription {
		p.PerAudioSecond, p.Units, e.given = secondIn, p.Units|UnitAudioSecond, e.given|givenPrices
	}
	if hasSecOut && m.Mode == ModeVideoGeneration && p.PerVideoSecond == 0 {
		p.PerVideoSecond, p.Units, e.given = secondOut, p.Units|UnitVideoSecond, e.given|givenPrices
	}
	// A tier of zero rates changes nothing (the source has some, priced
	// 0 like their base); dropping it keeps one spelling of each price.
	p.Tiers = slices.DeleteFunc(p.Tiers, func(t Tier) bool { return t.Rates.isZero() })
	if len(p.Tiers) == 0 {
		p.Tiers = nil
	}
	slices.SortFunc(p.Tiers, compareTiers)
	return e, nil
}

func compareTiers(a, b Tier) int {
	return cmp.Or(strings.Compare(a.Level, b.Level), cmp.Compare(a.Above, b.Above))
}

// parseTiers reads tiered_pricing: a list of rate sets, each for a range of
// prompt sizes. The range starting at 0 holds the standard rates; the
// others become tiers above their start. Lists priced by other ranges (such
// as search results) are ignored.
func parseTiers(v json.RawMessage, setRate func(rateField, string, int, float64)) error {
	var tiers []map[string]json.RawMessage
	if err := json.Unmarshal(v, &tiers); err != nil {
		return fmt.Errorf("want a list of objects")
	}
	for _, t := range tiers {
		rng, ok := t["range"]
		if !ok {
			continue
		}
		var bounds []float64
		if err := json.Unmarshal(rng, &bounds); err != nil || len(bounds) != 2 || bounds[0] < 0 || bounds[0] > math.MaxInt32 {
			return fmt.Errorf("range: want [from, to]")
		}
		above := int(bounds[0])
		for name, raw := range t {
			rf, level, tierAbove, ok := parseRateName(name)
			if !ok || level != LevelStandard || tierAbove != 0 {
				continue
			}
			n, err := price(raw)
			if err != nil {
				return fmt.Errorf("%s: want a non-negative number", name)
			}
			setRate(rf, LevelStandard, above, n)
		}
	}
	return nil
}

// sourceCapability returns the capability of a supports_* field, or 0.
func sourceCapability(field string) Capability {
	if !strings.HasPrefix(field, "supports_") {
		return 0
	}
	for _, n := range capabilityNames {
		if n.source == field {
			return n.c
		}
	}
	return 0
}

// number reads a JSON number.
func number(v json.RawMessage) (float64, error) {
	s := string(bytes.TrimSpace(v))
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return 0, fmt.Errorf("not a number")
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, fmt.Errorf("not a finite number")
	}
	return n, nil
}

// price reads a JSON number that must be a finite, non-negative price.
func price(v json.RawMessage) (float64, error) {
	n, err := number(v)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("negative price")
	}
	return n, nil
}
