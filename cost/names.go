package cost

import (
	"strings"
)

// providerAliases maps provider names of the source data that differ from
// the library's to the library's. They are data, not logic: a source
// provider name that is not here is used as it is.
var providerAliases = map[string]string{
	"bedrock_converse":          "bedrock",
	"cohere_chat":               "cohere",
	"text-completion-openai":    "openai",
	"text-completion-codestral": "codestral",
	"text-completion-inception": "inception",
	"azure_text":                "azure",
}

// providerFamilies are providers whose source data splits them into
// sub-providers named "<family>-<kind>", such as
// "vertex_ai-anthropic_models"; each sub-provider is the family.
var providerFamilies = []string{"vertex_ai", "fireworks_ai"}

// canonicalProvider returns the library's name of the source provider p
// (already lower case).
func canonicalProvider(p string) string {
	if c, ok := providerAliases[p]; ok {
		return c
	}
	for _, f := range providerFamilies {
		if len(p) > len(f) && p[len(f)] == '-' && strings.HasPrefix(p, f) {
			return f
		}
	}
	return p
}

// stripProviderPrefix removes a leading "<provider>/" spelt as the source
// provider p, as its canonical name c, or as either with '_' written '-'
// ("amazon-nova/" for amazon_nova).
func stripProviderPrefix(key, p, c string) (string, bool) {
	i := strings.IndexByte(key, '/')
	if i <= 0 || p == "" {
		return key, false
	}
	prefix := strings.ToLower(key[:i])
	dash := strings.ReplaceAll(prefix, "-", "_")
	if prefix == p || prefix == c || dash == p || dash == c {
		return key[i+1:], true
	}
	return key, false
}

// variantSegment classifies one "/"-separated segment of an image price
// key: its quality ("hd", "50-steps"), its size ("1024x1792", "max"), or
// neither.
func variantSegment(seg string) (quality, size string) {
	switch seg {
	case "standard", "hd", "low", "medium", "high", "auto", "max-steps":
		return seg, ""
	case "max-x-max":
		return "", "max"
	}
	if w, h, ok := strings.Cut(seg, "-x-"); ok && allDigits(w) && allDigits(h) {
		return "", w + "x" + h
	}
	if n, ok := strings.CutSuffix(seg, "-steps"); ok && allDigits(n) {
		return seg, ""
	}
	return "", ""
}

// splitVariant recognises a source key that prices generated images of one
// size and quality, such as "hd/1024-x-1792/dall-e-3" or
// "azure/low/1024-x-1024/gpt-image-1", and returns the key without those
// segments.
func splitVariant(key string) (base, quality, size string, ok bool) {
	segs := strings.Split(key, "/")
	kept := segs[:0:0]
	for _, s := range segs {
		q, z := variantSegment(strings.ToLower(s))
		switch {
		case z != "":
			if size != "" {
				return key, "", "", false
			}
			size = z
		case q != "":
			if quality != "" {
				quality += "/"
			}
			quality += q
		default:
			kept = append(kept, s)
		}
	}
	if size == "" || len(kept) == 0 {
		return key, "", "", false
	}
	return strings.Join(kept, "/"), quality, size, true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// geoPrefixes are the geography prefixes of Amazon Bedrock's cross-region
// inference profiles ("us.anthropic.claude-...").
var geoPrefixes = []string{"us.", "us-gov.", "eu.", "apac.", "ap.", "au.", "jp.", "ca.", "sa.", "global."}

// stripGeo removes a cross-region geography prefix from a model id shaped
// "<geo>.<vendor>.<model>"; it returns id unchanged otherwise.
func stripGeo(id string) string {
	for _, g := range geoPrefixes {
		if rest, ok := strings.CutPrefix(id, g); ok && strings.IndexByte(rest, '.') > 0 {
			return rest
		}
	}
	return id
}

// stripVersion removes one trailing snapshot suffix from a model name: a
// date (-20250514, -2024-08-06, @20241022, -0613, -2411, -09-2025), a
// version (-001, @001) or -latest / @latest. It reports false when the name
// has none.
func stripVersion(name string) (string, bool) {
	if base, ok := strings.CutSuffix(name, "-latest"); ok && base != "" {
		return base, true
	}
	if base, ok := strings.CutSuffix(name, "@latest"); ok && base != "" {
		return base, true
	}
	i := strings.LastIndexAny(name, "-@")
	if i <= 0 {
		return name, false
	}
	base, suffix := name[:i], name[i+1:]
	switch {
	case len(suffix) == 8 && allDigits(suffix): // YYYYMMDD
		if validDate(suffix[4:6], suffix[6:8]) && suffix[:2] == "20" {
			return base, true
		}
	case len(suffix) == 4 && allDigits(suffix):
		// MMDD (gpt-4-0613) or YYMM (mistral-large-2411).
		if validDate(suffix[:2], suffix[2:]) || suffix[:2] >= "20" && suffix[:2] <= "39" && validMonth(suffix[2:]) {
			return base, true
		}
		// -MM-YYYY (gemini-...-preview-09-2025) and -YYYY-MM-DD.
		if j := strings.LastIndexByte(base, '-'); j > 0 && len(base)-j == 3 && allDigits(base[j+1:]) && validMonth(base[j+1:]) && suffix[:2] == "20" {
			return base[:j], true
		}
	case len(suffix) == 3 && allDigits(suffix): // -001, @001
		return base, true
	case len(suffix) == 2 && allDigits(suffix): // -YYYY-MM-DD
		if len(base) >= 8 && base[len(base)-3] == '-' && base[len(base)-8] == '-' &&
			allDigits(base[len(base)-7:len(base)-3]) && allDigits(base[len(base)-2:]) &&
			validDate(base[len(base)-2:], suffix) {
			return base[:len(base)-8], true
		}
	}
	return name, false
}

func validMonth(mm string) bool { return mm >= "01" && mm <= "12" }

func validDate(mm, dd string) bool { return validMonth(mm) && dd >= "01" && dd <= "31" }
