package cost

import (
	"fmt"
	"io"
	"iter"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Table is an immutable set of model entries with the indexes that resolve
// model names to them. It is safe for concurrent use. Methods that change
// a table ([Table.With], [Table.WithJSON]) return a new one.
//
// The package functions ([Lookup], [Compute], ...) use the default table
// ([Default]): the embedded table plus what [Register] and [LoadJSON] added.
type Table struct {
	models  []ModelInfo
	sources []Source

	index     map[string]int32 // lower-case name or alias -> models index
	providers map[string]bool  // canonical provider names

	aliasOnce sync.Once
	family    map[string]int32 // lower-case name without snapshot suffix -> index, or -1 when ambiguous
	bare      map[string]int32 // lower-case model part of a name -> index, or -1 when ambiguous
}

// Source describes where a table's numbers came from.
type Source struct {
	// ID names the source in [ModelInfo.Source].
	ID string
	// File is the source file's name.
	File string
	// Date is the date of the source's numbers (YYYY-MM-DD), if known.
	Date string
	// Models is the number of the table's entries taken from the source.
	Models int
	// Note says what the source is.
	Note string
}

// NewTable returns a table of the given models, recording the given
// sources. When two models have the same name (compared without regard to
// case), the later one wins.
func NewTable(models []ModelInfo, sources ...Source) *Table {
	t := &Table{sources: slices.Clone(sources)}
	byName := make(map[string]int, len(models))
	for _, m := range models {
		m.Name = strings.TrimSpace(m.Name)
		if m.Name == "" {
			continue
		}
		if m.Provider == "" {
			if p, _, ok := strings.Cut(m.Name, "/"); ok {
				m.Provider = canonicalProvider(strings.ToLower(p))
			}
		}
		key := strings.ToLower(m.Name)
		if i, ok := byName[key]; ok {
			t.models[i] = m
			continue
		}
		byName[key] = len(t.models)
		t.models = append(t.models, m)
	}
	slices.SortFunc(t.models, func(a, b ModelInfo) int { return strings.Compare(a.Name, b.Name) })
	t.build()
	return t
}

// build makes the indexes of t.models.
func (t *Table) build() {
	n := len(t.models)
	t.index = make(map[string]int32, n+n/4)
	t.providers = make(map[string]bool)
	// Names first: a canonical name always resolves to its own entry.
	for i := range t.models {
		m := &t.models[i]
		t.index[strings.ToLower(m.Name)] = int32(i)
		if m.Provider != "" {
			t.providers[m.Provider] = true
		}
	}
	// Then aliases, in name order; the first entry claiming one keeps it.
	for i := range t.models {
		for _, a := range t.models[i].Aliases {
			k := strings.ToLower(a)
			if _, taken := t.index[k]; !taken {
				t.index[k] = int32(i)
			}
		}
	}

}

// buildAliases makes the indexes of the alias rules; they are needed only
// for names that miss the main index, so they are built on first need.
func (t *Table) buildAliases() {
	// Snapshot families: every spelling without its snapshot suffix. A
	// family resolves to one entry only if all its members have the same
	// prices; the member spelt without a suffix (else the first by name)
	// represents it. The result does not depend on map order.
	type member struct {
		i         int32
		undated   bool
		ambiguous bool
	}
	families := make(map[string]member, len(t.index))
	for k, i := range t.index {
		f, dated := stripVersion(k)
		cur, seen := families[f]
		switch {
		case !seen:
			families[f] = member{i: i, undated: !dated}
		case cur.ambiguous || cur.i == i:
		case !reflect.DeepEqual(t.models[cur.i].Prices, t.models[i].Prices):
			families[f] = member{ambiguous: true}
		case !dated && !cur.undated, !dated == cur.undated && i < cur.i:
			families[f] = member{i: i, undated: !dated}
		}
	}
	t.family = make(map[string]int32, len(families))
	for f, m := range families {
		if m.ambiguous {
			t.family[f] = -1
		} else {
			t.family[f] = m.i
		}
	}

	// Bare model names: the part after the provider, when one entry alone
	// has it.
	t.bare = make(map[string]int32, len(t.models))
	for i := range t.models {
		m := &t.models[i]
		if m.Provider == "" {
			continue
		}
		part, ok := strings.CutPrefix(strings.ToLower(m.Name), m.Provider+"/")
		if !ok {
			continue
		}
		if _, dup := t.bare[part]; dup {
			t.bare[part] = -1
		} else {
			t.bare[part] = int32(i)
		}
	}
}

// Len returns the number of entries.
func (t *Table) Len() int { return len(t.models) }

// Sources returns the sources of the table's numbers.
func (t *Table) Sources() []Source { return slices.Clone(t.sources) }

// Models returns the entries in name order. The slices inside each
// ModelInfo are the table's own; treat them as read-only.
func (t *Table) Models() iter.Seq[ModelInfo] {
	return func(yield func(ModelInfo) bool) {
		for i := range t.models {
			if !yield(t.models[i]) {
				return
			}
		}
	}
}

// Lookup returns the entry model resolves to (see the package
// documentation for the rules) and reports whether there is one. The
// slices inside the ModelInfo are the table's own; treat them as
// read-only.
func (t *Table) Lookup(model string) (ModelInfo, bool) {
	if m := t.find(model); m != nil {
		return *m, true
	}
	return ModelInfo{}, false
}

// Info is like [Table.Lookup] but reports a missing model with an error
// matching [ErrUnknownModel].
func (t *Table) Info(model string) (ModelInfo, error) {
	if m := t.find(model); m != nil {
		return *m, nil
	}
	return ModelInfo{}, &priceError{model: model, unknownModel: true}
}

// Compute prices the usage u of a call to model. For a model not in the
// table the Cost is unknown and the error matches [ErrUnknownModel] and
// [ErrUnknownPrice]; see [Prices.Cost] for the rest.
func (t *Table) Compute(model string, u Usage) (Cost, error) {
	m := t.find(model)
	if m == nil {
		err := &priceError{model: model, unknownModel: true}
		return Cost{Reason: err.reason()}, err
	}
	return m.cost(&u)
}

// Provider returns the provider of model: the provider its prefix names
// ("anthropic/..."), or else the provider of the entry it resolves to
// ("gpt-4o" is "openai"). It reports false when neither is known.
func (t *Table) Provider(model string) (string, bool) {
	if p, _, ok := t.splitProvider(strings.ToLower(model)); ok {
		return p, true
	}
	if m := t.find(model); m != nil && m.Provider != "" {
		return m.Provider, true
	}
	return "", false
}

// find returns the entry model resolves to, or nil.
func (t *Table) find(model string) *ModelInfo {
	key := strings.ToLower(model)
	if i, ok := t.index[key]; ok {
		return &t.models[i]
	}
	if i := t.resolve(key); i >= 0 {
		return &t.models[i]
	}
	return nil
}

// splitProvider splits key ("anthropic/claude-...") into its canonical
// provider and the rest when its first segment names a provider of the
// table.
func (t *Table) splitProvider(key string) (provider, rest string, ok bool) {
	p, rest, found := strings.Cut(key, "/")
	if !found || rest == "" {
		return "", "", false
	}
	p = canonicalProvider(p)
	if !t.providers[p] {
		return "", "", false
	}
	return p, rest, true
}

// resolve applies the alias rules to a lower-case key that is not in the
// index: a provider spelt as the source data spells it, a Bedrock geography
// prefix, a snapshot suffix, and (for names without a provider) a model
// name only one provider has. It returns -1 when no rule applies.
func (t *Table) resolve(key string) int32 {
	t.aliasOnce.Do(t.buildAliases)
	var cands [2]string
	n := 0
	provider, rest, hasProvider := t.splitProvider(key)
	if hasProvider {
		cands[0] = provider + "/" + rest
		n = 1
		if g := stripGeo(rest); g != rest {
			cands[1] = provider + "/" + g
			n = 2
		}
	} else {
		cands[0] = key
		n = 1
		if g := stripGeo(key); g != key {
			cands[1] = g
			n = 2
		}
	}
	for _, c := range cands[:n] {
		if i, ok := t.index[c]; ok {
			return i
		}
	}
	for _, c := range cands[:n] {
		if f, ok := stripVersion(c); ok {
			if i, ok := t.family[f]; ok && i >= 0 {
				return i
			}
		} else if i, ok := t.family[c]; ok && i >= 0 {
			return i
		}
	}
	if !hasProvider {
		for _, c := range cands[:n] {
			if i, ok := t.bare[c]; ok && i >= 0 {
				return i
			}
		}
	}
	return -1
}

// With returns a copy of t with the given models added. A model whose name
// (compared without regard to case) is the name or an alias of an entry of
// t replaces that entry: the entry keeps its name and aliases and gains the
// model's aliases. Other models are added as new entries.
func (t *Table) With(models ...ModelInfo) *Table {
	entries := make([]parsedEntry, len(models))
	for i, m := range models {
		entries[i] = parsedEntry{info: m, given: ^given(0)}
	}
	return t.with(entries)
}

// WithJSON returns a copy of t with the models of r, a model map in the
// schema of LiteLLM's model_prices_and_context_window.json (see
// [ParseJSON]). An entry of r for a model of t updates it the way LiteLLM's
// register_model does: the fields r gives replace the entry's, the others
// stay, except prices, which r replaces as a whole when it gives any (so
// that stale prices do not mix with new ones).
func (t *Table) WithJSON(r io.Reader) (*Table, error) {
	entries, err := parseSource(r)
	if err != nil {
		return nil, err
	}
	return t.with(entries), nil
}

func (t *Table) with(entries []parsedEntry) *Table {
	models := slices.Clone(t.models)
	index := make(map[string]int, len(entries))
	lookup := func(name string) (int, bool) {
		k := strings.ToLower(name)
		if i, ok := index[k]; ok {
			return i, true
		}
		if i, ok := t.index[k]; ok {
			return int(i), true
		}
		return 0, false
	}
	for _, e := range entries {
		m := e.info
		if strings.TrimSpace(m.Name) == "" {
			continue
		}
		i, ok := lookup(m.Name)
		if !ok {
			for _, a := range m.Aliases {
				if i, ok = lookup(a); ok {
					break
				}
			}
		}
		if !ok {
			if m.Provider == "" {
				if p, _, found := strings.Cut(m.Name, "/"); found {
					m.Provider = canonicalProvider(strings.ToLower(p))
				}
			}
			index[strings.ToLower(m.Name)] = len(models)
			models = append(models, m)
			continue
		}
		models[i] = merge(models[i], e)
	}
	nt := &Table{models: models, sources: t.sources}
	// Re-sort and rebuild: names are unique by construction.
	slices.SortFunc(nt.models, func(a, b ModelInfo) int { return strings.Compare(a.Name, b.Name) })
	nt.build()
	return nt
}

// merge applies e to the entry old it names. A full entry (from Go values)
// replaces old but for its name and aliases; a partial one (from JSON)
// replaces only the parts its source gave.
func merge(old ModelInfo, e parsedEntry) ModelInfo {
	m := e.info
	aliases := mergeAliases(old.Aliases, m.Aliases)
	if e.given == ^given(0) {
		out := m
		out.Name, out.Aliases = old.Name, aliases
		if out.Provider == "" {
			out.Provider = old.Provider
		}
		return out
	}
	out := old
	out.Aliases = aliases
	out.Source = m.Source
	if e.given&givenMode != 0 {
		out.Mode = m.Mode
	}
	if e.given&givenMaxInput != 0 {
		out.MaxInputTokens = m.MaxInputTokens
	}
	if e.given&givenMaxOutput != 0 {
		out.MaxOutputTokens = m.MaxOutputTokens
	}
	if e.given&givenDeprecation != 0 {
		out.DeprecationDate = m.DeprecationDate
	}
	set := m.Supports | m.Lacks
	out.Supports = out.Supports&^set | m.Supports
	out.Lacks = out.Lacks&^set | m.Lacks
	switch {
	case e.given&givenPrices != 0:
		variants := m.Prices.ImageVariants
		if e.given&givenVariants == 0 {
			variants = old.Prices.ImageVariants
		}
		out.Prices = m.Prices
		out.Prices.ImageVariants = variants
		if len(variants) > 0 {
			out.Prices.Units |= UnitImage
		}
	case e.given&givenVariants != 0:
		out.Prices.ImageVariants = m.Prices.ImageVariants
		out.Prices.Units |= UnitImage
	}
	return out
}

// String returns a short description of the table, such as "cost.Table(3214
// models)".
func (t *Table) String() string { return fmt.Sprintf("cost.Table(%d models)", len(t.models)) }
