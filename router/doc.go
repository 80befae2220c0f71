// Package router spreads LLM calls over deployments: several backends (keys,
// regions, providers) serving one model group, with routing strategies,
// retries with backoff, fallbacks to other groups, cooldowns of failing
// deployments and per-deployment rpm, tpm and parallel-request limits. It is
// the part of LiteLLM's Router that production users depend on, done so that
// its guarantees can be tested.
//
//	r, err := router.New([]router.Deployment{
//		{Group: "gpt-4o", Model: "azure/gpt-4o-eu", Options: []llm.Option{llm.WithAPIKey(k1)}, RPM: 600},
//		{Group: "gpt-4o", Model: "openai/gpt-4o", Options: []llm.Option{llm.WithAPIKey(k2)}, RPM: 500},
//		{Group: "claude", Model: "anthropic/claude-sonnet-4-20250514"},
//	}, router.WithFallbacks("gpt-4o", "claude"))
//	resp, err := r.Completion(ctx, llm.CompletionRequest{Model: "gpt-4o", Messages: msgs})
//	fmt.Println(resp.Meta.Deployment) // which deployment answered
//
// The Router has the methods of llm.Client (Completion, CompletionStream)
// with req.Model naming a group or an alias, and r.Provider() makes it an
// llm provider: llm.NewClient(llm.WithProvider(r.Provider())) routes model
// strings "router/<group>" to it.
//
// # Choosing a deployment
//
// The candidates of a call are the deployments of its group that match its
// tags (CallTags), whose context window holds its prompt (pre-call check:
// Deployment.ContextWindow or WithContextWindowFunc, with the prompt counted
// by WithTokenCounter), that are not cooling down and not at a limit. Among
// them the lowest Order tier is used, whatever the strategy: the next tier
// only when every deployment of the tier is unavailable. The Strategy picks
// within the tier: WeightedShuffle (default), Priority, LeastBusy,
// UsageBased, LatencyBased (with a tolerance band) or CostBased; the pick is
// then acquired atomically in the State (so two calls never both take the
// last slot of a limit), and if it was taken meanwhile the strategy picks
// again.
//
// # Failures
//
// A failed attempt is retried (WithRetries, default 2, for the errors
// RetryPolicy accepts: by default rate limits, timeouts, connection errors,
// overloaded and server errors) on another deployment of the group that has
// not failed in this call, at once; only when no other deployment can take
// it does the router wait (Backoff: exponential with full jitter, or the
// provider's Retry-After) and retry the same ones. All waits end when the
// context does, and no wait is started that would end after the context's
// deadline or exceed WithMaxWait (default 10 s): the group then fails at
// once with the error that asked for the wait (a rate limit keeps its
// RetryAfter). When the group is exhausted, the FallbackPolicy picks a list
// by the error's Kind: context-window fallbacks, content-policy fallbacks,
// or the generic fallbacks of the group (else the default fallbacks).
// Fallback groups have their own retries and fallbacks; each group is tried
// at most once per call, and WithMaxAttempts bounds the attempts of a call
// (default 10), so no configuration can loop or explode. When every attempt
// fails the error is an *Error listing them (deployment, Kind, latency) and
// wrapping the last error, so llm.KindOf and errors.Is see through it.
//
// A deployment cools down (CooldownPolicy, default DefaultCooldown, as
// LiteLLM's): at once on a 429, 401, 403 or 404, for the Retry-After if
// given, else 5 s; otherwise when more than half of its requests in the
// current minute failed, once that minute has at least 5 requests (the
// State counts successes and failures). CooldownAfter is the count rule
// (LiteLLM's allowed_fails), as an option. Invalid requests,
// context-window and content-policy errors, errors of unknown Kind and the
// caller's cancellations say nothing about the deployment and never count.
// A cooldown lasts at most WithMaxCooldown (default 5 minutes), whatever the
// Retry-After. A later cooldown never shortens an earlier one's deadline;
// when it passes the deployment is half-open: one call probes it while the
// others still see it cooling down, and it serves again if the probe
// succeeds or cools down again if it fails. Health reports each deployment's cooldown, in-flight requests,
// minute counts and latency. When every deployment of a group is cooling
// down or at its limits, the call fails with a KindRateLimit error whose
// RetryAfter (and *Error.RetryAt) says when the first one recovers, or,
// with WithWaitForCooldown, waits for it within its context.
//
// # Streams
//
// CompletionStream retries and falls back like Completion until the first
// chunk has been yielded to the caller (Deployment.StreamTimeout bounds the
// wait for it). After that, an error ends the stream as it would without a
// router: the caller already holds part of an answer, which another
// deployment would not continue. The failure still counts against the
// deployment.
//
// # State
//
// In-flight counts, minute windows of requests, tokens and failures,
// cooldowns and latency averages live in a State: NewMemory (default) or
// router/redisstate, which lets several router instances share them through
// Redis (an rpm limit then holds across instances, and a cooldown set by one
// is seen by all). Package router/statetest is the conformance suite of
// State implementations. Windows are fixed calendar minutes, as in LiteLLM.
//
// A shared State is not a single point of failure: when it fails, the
// router switches at once to local in-memory state, reports StateDegraded
// through WithEvents, lets one call per second probe the shared State
// (WithStateProbe) and goes back to it, reporting StateRecovered, when it
// answers.
package router
