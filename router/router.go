package router

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/cost"
)

// Router spreads calls for model groups over deployments, retrying, falling
// back and cooling deployments down as configured. It is safe for concurrent
// use.
type Router struct {
	cfg    config
	deps   []*dep
	groups map[string]*group
	byID   map[string]*group // one-deployment groups, for fallbacks naming a deployment
	// patterns are the wildcard groups, most specific first.
	patterns []*group
}

type group struct {
	name string
	deps []*dep
	// named marks the group of one deployment named by its ID in a
	// fallback list, where a Standby deployment may serve.
	named bool
}

// dep is a deployment with what New resolved about it.
type dep struct {
	d       Deployment
	limits  Limits
	window  int // context window, 0 if unknown
	in, out float64
	priced  bool
}

// New returns a router over deployments. It fails (with an *llm.Error of
// KindInvalidRequest) when a deployment lacks a
// group or a valid model string, when two deployments share an ID, or when a
// fallback or alias names an unknown group.
func New(deployments []Deployment, opts ...Option) (*Router, error) {
	c := config{
		name: "router", retries: DefaultRetries, maxAttempts: DefaultMaxAttempts,
		retryPolicy: DefaultRetryPolicy, backoff: DefaultBackoff, cooldown: DefaultCooldown,
		fallbackPolicy: DefaultFallbackPolicy,
		fallbacks:      map[string][]string{}, cwFallbacks: map[string][]string{}, cpFallbacks: map[string][]string{},
		aliases: map[string]string{}, price: defaultPrice, contextWindow: defaultContextWindow,
		tokens: estimateTokens, now: time.Now, lease: DefaultLease,
		maxWait: DefaultMaxWait, maxCooldown: DefaultMaxCooldown,
	}
	for _, o := range opts {
		o(&c)
	}
	if c.state == nil {
		c.state = NewMemory()
	} else if _, ok := c.state.(*memory); !ok {
		c.state = newFallback(c.state, &c)
	}
	if c.strategy == nil {
		c.strategy = WeightedShuffle()
	}
	r := &Router{cfg: c, groups: map[string]*group{}, byID: map[string]*group{}}
	ids := map[string]bool{}
	for i, d := range deployments {
		if d.Group == "" {
			return nil, configError(nil, "deployment %d (%s) has no Group", i, d.Model)
		}
		if _, _, err := llm.ParseModel(d.Model); err != nil {
			return nil, configError(err, "deployment %d of group %q: %v", i, d.Group, err)
		}
		if d.ID == "" {
			d.ID = d.Group + "/" + d.Model
			for n := 2; ids[d.ID]; n++ {
				d.ID = fmt.Sprintf("%s/%s#%d", d.Group, d.Model, n)
			}
		}
		if ids[d.ID] {
			return nil, configError(nil, "two deployments have the ID %q", d.ID)
		}
		ids[d.ID] = true
		d.Options = slices.Clip(slices.Clone(d.Options))
		d.Tags = slices.Clone(d.Tags)
		x := &dep{d: d, limits: Limits{RPM: d.RPM, TPM: d.TPM, MaxParallel: d.MaxParallel}}
		x.window = d.ContextWindow
		if x.window == 0 {
			x.window = c.contextWindow(d.Model)
		}
		if d.InputCostPerToken != 0 || d.OutputCostPerToken != 0 {
			x.in, x.out, x.priced = d.InputCostPerToken, d.OutputCostPerToken, true
		} else {
			x.in, x.out, x.priced = c.price(d.Model)
		}
		r.deps = append(r.deps, x)
		r.byID[d.ID] = &group{name: d.ID, deps: []*dep{x}, named: true}
		g := r.groups[d.Group]
		if g == nil {
			g = &group{name: d.Group}
			r.groups[d.Group] = g
			if isPattern(d.Group) {
				r.patterns = append(r.patterns, g)
			}
		}
		g.deps = append(g.deps, x)
	}
	check := func(what string, names ...string) error {
		for _, n := range names {
			if r.groups[n] == nil {
				return configError(nil, "%s: unknown model group %q", what, n)
			}
		}
		return nil
	}
	sortPatterns(r.patterns)
	checkFallbacks := func(what string, names ...string) error {
		for _, n := range names {
			if isPattern(n) {
				return configError(nil, "%s: wildcard group %q cannot be a fallback (it serves the models that match it)", what, n)
			}
			if r.lookup(n) == nil {
				return configError(nil, "%s: unknown model group or deployment %q", what, n)
			}
		}
		return nil
	}
	for _, m := range []map[string][]string{c.fallbacks, c.cwFallbacks, c.cpFallbacks} {
		for g, fs := range m {
			if err := check("fallbacks of "+g, g); err != nil {
				return nil, err
			}
			if err := checkFallbacks("fallbacks of "+g, fs...); err != nil {
				return nil, err
			}
		}
	}
	if err := checkFallbacks("default fallbacks", c.defaultFallback...); err != nil {
		return nil, err
	}
	for a, g := range c.aliases {
		if err := check("alias "+a, g); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Name returns the router's provider name (WithName, default "router").
func (r *Router) Name() string { return r.cfg.name }

// Groups returns the sorted names of the model groups.
func (r *Router) Groups() []string {
	names := make([]string, 0, len(r.groups))
	for n := range r.groups {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Health is a deployment's state.
type Health struct {
	ID, Group, Model string
	Stats
	// CoolingDown reports whether the deployment is cooling down now.
	CoolingDown bool
}

// Health returns the state of the deployments of group ("" for all), in the
// order they were given to New.
func (r *Router) Health(ctx context.Context, group string) ([]Health, error) {
	deps := r.deps
	if group != "" {
		g := r.groups[r.resolveGroup(group)]
		if g == nil {
			return nil, unavailable(group, "no_deployment", 0, "no such model group")
		}
		deps = g.deps
	}
	ids := make([]string, len(deps))
	for i, d := range deps {
		ids[i] = d.d.ID
	}
	stats := make([]Stats, len(deps))
	now := r.cfg.now()
	if err := r.cfg.state.Stats(ctx, ids, now, stats); err != nil {
		return nil, stateError(err)
	}
	out := make([]Health, len(deps))
	for i, d := range deps {
		out[i] = Health{ID: d.d.ID, Group: d.d.Group, Model: d.d.Model, Stats: stats[i], CoolingDown: stats[i].CooldownUntil.After(now)}
	}
	return out, nil
}

// Cooldown cools deployment id down until until, as a failure would (an
// earlier deadline never shortens a later one).
func (r *Router) Cooldown(ctx context.Context, id string, until time.Time) error {
	return r.cfg.state.Cooldown(ctx, id, r.cfg.now(), until)
}

// lookup returns the group of a fallback name: a model group, else the
// one-deployment group of a deployment ID; nil if neither.
func (r *Router) lookup(name string) *group {
	if g := r.groups[name]; g != nil {
		return g
	}
	return r.byID[name]
}

func (r *Router) resolveGroup(name string) string {
	if g, ok := r.cfg.aliases[name]; ok {
		return g
	}
	return name
}

func (r *Router) client() *llm.Client {
	if r.cfg.client != nil {
		return r.cfg.client
	}
	return llm.Default()
}

// callOptions are the router's own call options, read from llm options.
type callOptions struct {
	tags        []string
	trace       *Trace
	fallbacks   []string
	ownFallback bool // CallFallbacks was given
	noFallbacks bool
}

func readCallOptions(cfg *llm.Config) callOptions {
	var co callOptions
	co.tags, _ = cfg.Value(tagsKey).([]string)
	co.trace, _ = cfg.Value(traceKey).(*Trace)
	co.fallbacks, co.ownFallback = cfg.Value(fallbacksKey).([]string)
	co.noFallbacks, _ = cfg.Value(noFallbacksKey).(bool)
	return co
}

func readOpts(opts []llm.Option) callOptions {
	if len(opts) == 0 {
		return callOptions{}
	}
	var cfg llm.Config
	for _, o := range opts {
		o(&cfg)
	}
	return readCallOptions(&cfg)
}

// Completion routes a chat completion: req.Model names a model group (or an
// alias). opts are applied to the deployment's call after the deployment's
// own options; CallTags and CallTrace are read from them. The response's
// Meta.Deployment names the deployment that served it. When every attempt
// fails the error is an *Error listing them and wrapping the last error.
func (r *Router) Completion(ctx context.Context, req llm.CompletionRequest, opts ...llm.Option) (*llm.CompletionResponse, error) {
	return r.complete(ctx, &req, opts, readOpts(opts))
}

func (r *Router) complete(ctx context.Context, req *llm.CompletionRequest, opts []llm.Option, co callOptions) (*llm.CompletionResponse, error) {
	p, err := r.newPlan(req, co)
	if err != nil {
		return nil, err
	}
	defer releasePlan(p)
	req = p.req
	cl := r.client()
	model := req.Model
	for {
		d, g, err := p.next(ctx)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		actx, cancel := ctx, context.CancelFunc(nil)
		if d.d.Timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, d.d.Timeout)
		}
		req.Model = p.modelOf(d)
		resp, err := cl.Completion(actx, *req, r.deploymentOptions(d, opts)...)
		if cancel != nil {
			cancel()
		}
		req.Model = model
		lat := time.Since(start)
		if err == nil && p.filters() && responseFiltered(resp) {
			err = contentFiltered(p, d)
		}
		if err == nil {
			p.succeed(ctx, d, g, lat, resp.Usage)
			resp.Meta.Deployment = d.d.ID
			if c := d.customCost(resp.Usage); c != nil {
				resp.Meta.Cost = c
			}
			return resp, nil
		}
		p.fail(ctx, d, g, err, lat)
	}
}

func (r *Router) deploymentOptions(d *dep, opts []llm.Option) []llm.Option {
	if len(opts) == 0 {
		return d.d.Options
	}
	return append(d.d.Options, opts...) // Options is clipped: this copies
}

// customCost prices a call with the deployment's own per-token prices, or
// returns nil when it has none (the llm client's price from the model table
// then stands).
func (d *dep) customCost(u *llm.Usage) *llm.Cost {
	if u == nil || (d.d.InputCostPerToken == 0 && d.d.OutputCostPerToken == 0) {
		return nil
	}
	p := cost.Prices{Rates: cost.Rates{Input: d.d.InputCostPerToken, Output: d.d.OutputCostPerToken}, Units: cost.UnitToken}
	c, _ := p.Cost(cost.Usage{
		PromptTokens: u.PromptTokens, CachedTokens: u.PromptTokensDetails.CachedTokens,
		CacheWriteTokens: u.PromptTokensDetails.CacheCreationTokens,
		CompletionTokens: u.CompletionTokens, ReasoningTokens: u.CompletionTokensDetails.ReasoningTokens,
	})
	return &c
}

// filters reports whether a filtered answer (finish reason content_filter)
// is a content-policy failure in the current group: when the group has
// content-policy fallbacks.
func (p *plan) filters() bool {
	return len(p.r.cfg.cpFallbacks[p.group.name]) > 0
}

func responseFiltered(resp *llm.CompletionResponse) bool {
	for i := range resp.Choices {
		if resp.Choices[i].FinishReason == llm.FinishContentFilter {
			return true
		}
	}
	return false
}

// contentFiltered is the error of an answer that finished with
// content_filter in a group with content-policy fallbacks.
func contentFiltered(p *plan, d *dep) error {
	return &llm.Error{Kind: llm.KindContentPolicy, Provider: "router", Model: p.group.name, Code: llm.FinishContentFilter,
		Message: "deployment " + d.d.ID + " answered with finish reason content_filter"}
}
