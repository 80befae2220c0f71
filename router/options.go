package router

import (
	"slices"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/cost"
)

// Deployment is one backend of a model group: callers ask for the group
// (Group), the router sends to Model with Options.
type Deployment struct {
	// ID identifies the deployment in State (it must be the same on every
	// instance sharing a State), in Meta.Deployment and in errors. It
	// defaults to Group + "/" + Model, with "#2", "#3"... appended to
	// repeats.
	ID string
	// Group is the model group name callers ask for, such as "gpt-4o".
	Group string
	// Model is the llm model string, such as "azure/my-gpt-4o".
	Model string
	// Options are the llm options of the deployment's calls (API key, base
	// URL...), applied before the call's own options.
	Options []llm.Option

	// RPM and TPM limit the requests and tokens per minute; MaxParallel
	// limits the requests in flight. Zero means no limit.
	RPM, TPM, MaxParallel int
	// Weight is the deployment's share of the traffic under
	// WeightedShuffle (default: RPM, else TPM, else 1).
	Weight float64
	// Order is the deployment's priority tier: the router uses the lowest
	// Order among the available deployments, whatever the strategy.
	Order int
	// Tags are matched against a call's tags (CallTags): a call with tags
	// goes to the deployments sharing at least one of them, or, when none
	// does, to those tagged "default"; a call without tags may go to any
	// deployment of its group.
	Tags []string
	// Timeout bounds one non-streamed attempt; StreamTimeout bounds the wait
	// for a stream's first chunk. Zero means only the caller's context.
	Timeout, StreamTimeout time.Duration
	// InputCostPerToken and OutputCostPerToken override the router's
	// PriceFunc for this deployment when either is set, for the cost-based
	// strategy and for Meta.Cost of the deployment's results.
	InputCostPerToken, OutputCostPerToken float64
	// ContextWindow overrides the router's ContextWindowFunc: the most
	// tokens the model takes in.
	ContextWindow int
	// Standby keeps the deployment out of its group's routing: it serves
	// only when a fallback list (WithFallbacks..., CallFallbacks) names it
	// by ID. It is LiteLLM's "weight: 0".
	Standby bool
}

// Option configures a Router.
type Option func(*config)

type config struct {
	name            string
	state           State
	strategy        Strategy
	client          *llm.Client
	retries         int
	maxAttempts     int
	retryPolicy     RetryPolicy
	backoff         Backoff
	cooldown        CooldownPolicy
	fallbackPolicy  FallbackPolicy
	fallbacks       map[string][]string
	cwFallbacks     map[string][]string
	cpFallbacks     map[string][]string
	defaultFallback []string
	aliases         map[string]string
	waitCooldown    bool
	price           PriceFunc
	contextWindow   ContextWindowFunc
	tokens          TokenCounter
	customTokens    bool
	now             func() time.Time
	lease           time.Duration
	maxWait         time.Duration
	maxCooldown     time.Duration
	events          func(Event)
	midStream       bool
	probeEvery      time.Duration
	probeTimeout    time.Duration
}

// PriceFunc returns a model's price in US dollars per input and output
// token; ok is false when unknown. model is the deployment's llm model
// string.
type PriceFunc func(model string) (input, output float64, ok bool)

// ContextWindowFunc returns the most tokens a model takes in, or 0 when
// unknown (no pre-call check).
type ContextWindowFunc func(model string) int

// TokenCounter estimates the prompt tokens of a request.
type TokenCounter func(req *llm.CompletionRequest) int

// Defaults.
const (
	DefaultRetries     = 2
	DefaultMaxAttempts = 10
	DefaultLease       = 10 * time.Minute
	// DefaultMaxWait caps a single wait of a call (WithMaxWait): as long as
	// DefaultMaxBackoff, so that the default backoff is never cut short,
	// while a provider's longer Retry-After goes back to the caller (in
	// the rate-limit error's RetryAfter) instead of holding the call.
	DefaultMaxWait = DefaultMaxBackoff
	// DefaultMaxCooldown caps a cooldown decided by the CooldownPolicy
	// (WithMaxCooldown), whatever Retry-After the provider sent: a
	// deployment cooled down this long is then probed by one call
	// (half-open) and serves again if it succeeds.
	DefaultMaxCooldown = 5 * time.Minute
)

// WithName sets the provider name of the router (default "router"): with
// llm.NewClient(llm.WithProvider(r)), model strings "<name>/<group>" go to
// it.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithState sets where the router keeps its state (default NewMemory()).
func WithState(s State) Option { return func(c *config) { c.state = s } }

// WithStrategy sets the routing strategy (default WeightedShuffle()).
func WithStrategy(s Strategy) Option { return func(c *config) { c.strategy = s } }

// WithClient sets the llm client the router calls deployments with (default
// llm.Default() at each call).
func WithClient(cl *llm.Client) Option { return func(c *config) { c.client = cl } }

// WithRetries sets how many times a failed call is retried within its model
// group before its fallbacks (default DefaultRetries).
func WithRetries(n int) Option { return func(c *config) { c.retries = max(n, 0) } }

// WithMaxAttempts bounds the attempts of one call over all its retries and
// fallbacks (default DefaultMaxAttempts).
func WithMaxAttempts(n int) Option { return func(c *config) { c.maxAttempts = max(n, 1) } }

// WithRetryPolicy sets which errors are retried (default DefaultRetryPolicy).
func WithRetryPolicy(p RetryPolicy) Option { return func(c *config) { c.retryPolicy = p } }

// WithBackoff sets the wait before a retry that no other deployment can take
// (default DefaultBackoff).
func WithBackoff(b Backoff) Option { return func(c *config) { c.backoff = b } }

// WithCooldown sets when failing deployments cool down (default
// DefaultCooldown); CooldownAfter builds the usual policy.
func WithCooldown(p CooldownPolicy) Option { return func(c *config) { c.cooldown = p } }

// WithWaitForCooldown makes a call that finds every deployment cooling down
// or at its limits wait (within its context) for the earliest to recover
// instead of failing at once.
func WithWaitForCooldown() Option { return func(c *config) { c.waitCooldown = true } }

// WithMaxWait caps any single wait of a call (default DefaultMaxWait): a
// backoff, a Retry-After or, with WithWaitForCooldown, a cooldown. A wait
// longer than the cap, or one that would end after the context's deadline,
// is not started: the call moves on to its fallbacks or fails at once with
// the error that asked for the wait (a rate limit keeps its RetryAfter).
// A cap of 0 or less means no waiting at all.
func WithMaxWait(d time.Duration) Option { return func(c *config) { c.maxWait = max(d, 0) } }

// WithMaxCooldown caps the cooldowns that the CooldownPolicy decides
// (default DefaultMaxCooldown), so that a provider's huge Retry-After
// cannot take a deployment out for days. Router.Cooldown is not capped.
func WithMaxCooldown(d time.Duration) Option { return func(c *config) { c.maxCooldown = d } }

// WithFallbackPolicy sets which fallback list an error selects (default
// DefaultFallbackPolicy).
func WithFallbackPolicy(p FallbackPolicy) Option { return func(c *config) { c.fallbackPolicy = p } }

// WithFallbacks sets the groups tried in order when group fails with a
// generic error. A name may also be a deployment ID: that deployment alone
// is tried (a Standby deployment serves only this way). Fallback groups' own fallbacks apply in turn (each group is
// tried at most once per call).
func WithFallbacks(group string, fallbacks ...string) Option {
	return func(c *config) { c.fallbacks[group] = fallbacks }
}

// WithContextWindowFallbacks sets the groups tried when group's prompt does
// not fit (KindContextWindowExceeded, or no deployment's context window holds
// it).
func WithContextWindowFallbacks(group string, fallbacks ...string) Option {
	return func(c *config) { c.cwFallbacks[group] = fallbacks }
}

// WithContentPolicyFallbacks sets the groups tried when group refuses a
// request (KindContentPolicy).
func WithContentPolicyFallbacks(group string, fallbacks ...string) Option {
	return func(c *config) { c.cpFallbacks[group] = fallbacks }
}

// WithDefaultFallbacks sets the groups tried after a generic error of a group
// that has no fallbacks of its own.
func WithDefaultFallbacks(groups ...string) Option {
	return func(c *config) { c.defaultFallback = groups }
}

// WithMidStreamFallback makes a stream that fails after chunks were
// yielded continue on another deployment, chosen as for any failure (a
// retry in the group, else its fallbacks), instead of ending with the
// error. The continuation's request is the call's with the text yielded so
// far appended as an assistant message (a prefix the model continues), and
// its first chunk carries Meta.ContinuedFrom, the ID of the deployment that
// failed. A stream whose partial answer holds tool calls is not continued,
// nor one the caller canceled. Off by default: models do not all continue
// a prefix seamlessly.
func WithMidStreamFallback() Option { return func(c *config) { c.midStream = true } }

// WithAlias makes calls for alias go to group.
func WithAlias(alias, group string) Option { return func(c *config) { c.aliases[alias] = group } }

// WithPriceFunc sets where the cost-based strategy finds prices (default:
// the per-token prices of the model table of package cost, cost.Lookup).
func WithPriceFunc(f PriceFunc) Option { return func(c *config) { c.price = f } }

// WithContextWindowFunc sets where the pre-call check finds context windows
// (default: the input context window of the model table of package cost,
// cost.Lookup; 0 means unknown, no check).
func WithContextWindowFunc(f ContextWindowFunc) Option {
	return func(c *config) { c.contextWindow = f }
}

// WithTokenCounter sets how prompts are counted for the tpm limits, the
// usage-based strategy and the context-window check (default: a quarter of
// the prompt's bytes plus four per message, refined by the tokenizer,
// llm.CountTokens, near a context window; a counter set here is used as it
// is).
func WithTokenCounter(f TokenCounter) Option {
	return func(c *config) { c.tokens, c.customTokens = f, true }
}

// WithClock sets the clock of the rate windows and cooldowns (default
// time.Now), for tests. Waits (backoff, WithWaitForCooldown) still use real
// timers, so a stopped clock never sees a cooldown end.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithLease sets how long a request counts as in flight in a shared State if
// its instance dies before releasing it (default DefaultLease).
func WithLease(d time.Duration) Option { return func(c *config) { c.lease = d } }

// defaultPrice returns the per-token input and output prices of the
// model table of package cost (cost.Lookup), which knows model strings such
// as "openai/gpt-4o" or "anthropic/claude-sonnet-4-20250514"; ok is false
// for a model it does not know or does not price by the token.
func defaultPrice(model string) (input, output float64, ok bool) {
	info, found := cost.Lookup(model)
	if !found {
		return 0, 0, false
	}
	p := &info.Prices
	if p.Input == 0 && p.Output == 0 && p.Units&cost.UnitToken == 0 {
		return 0, 0, false
	}
	return p.Input, p.Output, true
}

// defaultContextWindow returns the model's input context window from the
// model table of package cost, or 0 when unknown (no pre-call check).
func defaultContextWindow(model string) int {
	info, ok := cost.Lookup(model)
	if !ok {
		return 0
	}
	return info.MaxInputTokens
}

// estimateTokens estimates a prompt's tokens without a tokenizer, in
// nanoseconds: a quarter of its bytes plus four per message, rounded up. It
// is the default TokenCounter: the tpm windows are corrected with the real
// usage when a call ends, and the context-window check counts the prompt
// with the tokenizer (llm.CountTokens) whenever the estimate comes within a
// factor of three of a deployment's window.
func estimateTokens(req *llm.CompletionRequest) int {
	n := 0
	for i := range req.Messages {
		c := &req.Messages[i].Content
		chars := len(c.Text)
		for _, p := range c.Parts {
			chars += len(p.Text)
		}
		n += 4 + (chars+3)/4
	}
	return n
}

type ctxKey uint8

const (
	tagsKey ctxKey = iota
	traceKey
	fallbacksKey
	noFallbacksKey
)

// CallTags is a call option restricting the call to deployments with one of
// tags (see Deployment.Tags). Like every Call option it is an llm.Option:
// it works on Router's methods and through an llm.Client that routes to the
// router.
func CallTags(tags ...string) llm.Option { return llm.WithValue(tagsKey, tags) }

// CallTrace is a call option that records the call's attempts into t.
func CallTrace(t *Trace) llm.Option { return llm.WithValue(traceKey, t) }

// CallFallbacks is a call option replacing, for this call, the generic
// fallbacks (WithFallbacks, then WithDefaultFallbacks) of the group the call
// asks for. Each name is a model group or a deployment ID; an unknown name
// fails the call with KindInvalidRequest before any attempt.
func CallFallbacks(fallbacks ...string) llm.Option {
	return llm.WithValue(fallbacksKey, slices.Clone(fallbacks))
}

// CallNoFallbacks is a call option disabling every fallback of the call
// (generic, default, context-window and content-policy): it is served by
// the group it asks for or fails (LiteLLM's disable_fallbacks).
func CallNoFallbacks() llm.Option { return llm.WithValue(noFallbacksKey, true) }

// Trace records how a call was served.
type Trace struct {
	// Deployment is the ID of the deployment that served the call, or "".
	Deployment string
	// Attempts lists every attempt, the successful one last.
	Attempts []Attempt
}
