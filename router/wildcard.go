package router

import (
	"slices"
	"strings"
)

// Wildcard groups: a Deployment.Group containing "*" (such as "openai/*" or
// "anthropic/claude-*") serves every requested model that matches it, "*"
// matching any run of characters, "/" included. The parts that the stars
// matched replace the stars of the deployment's Model, in order
// ("openai/*" with Model "azure/*" serves "openai/gpt-4o" as
// "azure/gpt-4o"). An exact group (or alias) wins over every pattern; among
// patterns, the most specific wins: the most characters other than "*",
// then the first given to New.

// isPattern reports whether a group name is a wildcard pattern.
func isPattern(name string) bool { return strings.Contains(name, "*") }

// specificity orders patterns: more literal characters first.
func specificity(pattern string) int { return len(pattern) - strings.Count(pattern, "*") }

// sortPatterns sorts pattern groups by specificity, stably.
func sortPatterns(gs []*group) {
	slices.SortStableFunc(gs, func(a, b *group) int { return specificity(b.name) - specificity(a.name) })
}

// match matches s against pattern and returns what each "*" matched.
func match(pattern, s string) ([]string, bool) {
	lits := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, lits[0]) {
		return nil, false
	}
	rest := s[len(lits[0]):]
	caps := make([]string, 0, len(lits)-1)
	for i := 1; i < len(lits); i++ {
		lit := lits[i]
		if i == len(lits)-1 {
			if !strings.HasSuffix(rest, lit) {
				return nil, false
			}
			caps = append(caps, rest[:len(rest)-len(lit)])
			return caps, true
		}
		j := strings.Index(rest, lit)
		if j < 0 {
			return nil, false
		}
		caps = append(caps, rest[:j])
		rest = rest[j+len(lit):]
	}
	return caps, rest == ""
}

// substitute replaces the stars of model by caps, in order (the last
// capture serves any extra star).
func substitute(model string, caps []string) string {
	if len(caps) == 0 || !strings.Contains(model, "*") {
		return model
	}
	var b strings.Builder
	i := 0
	for {
		j := strings.IndexByte(model, '*')
		if j < 0 {
			b.WriteString(model)
			return b.String()
		}
		b.WriteString(model[:j])
		b.WriteString(caps[min(i, len(caps)-1)])
		i++
		model = model[j+1:]
	}
}

// findGroup returns the group serving a requested model: an alias or exact
// group, else the most specific matching pattern with its captures.
func (r *Router) findGroup(model string) (*group, []string) {
	if g := r.groups[r.resolveGroup(model)]; g != nil {
		return g, nil
	}
	for _, g := range r.patterns {
		if caps, ok := match(g.name, model); ok {
			return g, caps
		}
	}
	return nil, nil
}
