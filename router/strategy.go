package router

import (
	"math"
	"math/rand/v2"
	"time"
)

// Strategy picks the deployment of a call among the available candidates:
// those of the requested group that match the call's tags, whose context
// window holds the prompt, that are not cooling down, not at a limit, and in
// the lowest Order tier present. The router then acquires the pick
// atomically; if another call took the last slot meanwhile, it asks again
// without it.
type Strategy interface {
	// Pick returns the index in cands of the deployment to use. cands is
	// never empty; Pick must not keep it.
	Pick(cands []Candidate) int
}

// Candidate is a deployment that may serve a call, with its statistics and
// the call's token estimate. Stats are left zero for WeightedShuffle,
// Priority and CostBased, which do not read them (a custom Strategy always
// gets them).
type Candidate struct {
	Deployment *Deployment
	Stats      Stats
	// Tokens is the estimate of the call's prompt tokens.
	Tokens int
	// InputPrice and OutputPrice are the deployment's prices per input and
	// output token, from its own prices or the router's PriceFunc;
	// PriceKnown is false when there are none.
	InputPrice, OutputPrice float64
	PriceKnown              bool

	dep *dep
}

// statsFree marks the built-in strategies that do not read Candidate.Stats,
// for which the router skips reading statistics: a decision is then one
// State round trip (Acquire), which refuses cooling or limited deployments.
type statsFree struct{ StrategyFunc }

func needsStats(s Strategy) bool {
	_, free := s.(statsFree)
	return !free
}

// StrategyFunc adapts a function to Strategy.
type StrategyFunc func(cands []Candidate) int

// Pick calls f.
func (f StrategyFunc) Pick(cands []Candidate) int { return f(cands) }

// WeightedShuffle picks at random, in proportion to each deployment's
// weight: Weight if set, else RPM, else TPM, else 1. It is the default.
func WeightedShuffle() Strategy { return statsFree{weightedPick} }

func weightOf(d *Deployment) float64 {
	switch {
	case d.Weight > 0:
		return d.Weight
	case d.RPM > 0:
		return float64(d.RPM)
	case d.TPM > 0:
		return float64(d.TPM)
	}
	return 1
}

func weightedPick(cands []Candidate) int {
	if len(cands) == 1 {
		return 0
	}
	total := 0.0
	for i := range cands {
		total += weightOf(cands[i].Deployment)
	}
	x := rand.Float64() * total
	for i := range cands {
		x -= weightOf(cands[i].Deployment)
		if x < 0 {
			return i
		}
	}
	return len(cands) - 1
}

// Priority picks the first candidate in the order the deployments were given
// to New. Together with Order tiers (which every strategy respects) it keeps
// a strict order: the next deployment is used only when all before it are
// unavailable.
func Priority() Strategy { return statsFree{func([]Candidate) int { return 0 }} }

// LeastBusy picks the deployment with the fewest requests in flight, at
// random among ties.
func LeastBusy() Strategy {
	return StrategyFunc(func(cands []Candidate) int {
		return argmin(cands, func(c *Candidate) float64 { return float64(c.Stats.InFlight) }, 0)
	})
}

// UsageBased picks the deployment with the most headroom under its limits:
// the lowest of (requests this minute + 1) / RPM and (tokens this minute +
// the call's estimate) / TPM, at random among ties. A deployment without
// limits has full headroom; its tokens this minute break the tie.
func UsageBased() Strategy {
	return StrategyFunc(func(cands []Candidate) int {
		return argmin(cands, func(c *Candidate) float64 {
			d, s := c.Deployment, &c.Stats
			u := 0.0
			if d.RPM > 0 {
				u = max(u, float64(s.RPM+1)/float64(d.RPM))
			}
			if d.TPM > 0 {
				u = max(u, float64(s.TPM+c.Tokens)/float64(d.TPM))
			}
			if d.RPM == 0 && d.TPM == 0 {
				u = float64(s.TPM) * 1e-12
			}
			return u
		}, 0)
	})
}

// LatencyBased picks at random among the deployments whose average latency
// (time to first token for streams) is within tolerance of the fastest one
// (0.1 = 10% slower), so that load spreads among near-equal deployments. A
// deployment without measurements yet counts as fastest, so that it gets
// measured.
func LatencyBased(tolerance float64) Strategy {
	return StrategyFunc(func(cands []Candidate) int {
		return argmin(cands, func(c *Candidate) float64 { return float64(c.Stats.Latency) / float64(time.Millisecond) }, tolerance)
	})
}

// CostBased picks the cheapest deployment (input plus output price per
// token), at random among ties; deployments of unknown price come last.
func CostBased() Strategy {
	return statsFree{func(cands []Candidate) int {
		return argmin(cands, func(c *Candidate) float64 {
			if !c.PriceKnown {
				return math.MaxFloat64
			}
			return c.InputPrice + c.OutputPrice
		}, 0)
	}}
}

// argmin returns a random index among the candidates whose score is at most
// the lowest score × (1 + tolerance), without allocating.
func argmin(cands []Candidate, score func(*Candidate) float64, tolerance float64) int {
	best := math.Inf(1)
	for i := range cands {
		best = min(best, score(&cands[i]))
	}
	limit := best
	if tolerance > 0 && best > 0 && !math.IsInf(best, 1) {
		limit = best * (1 + tolerance)
	}
	// Reservoir sampling over the candidates within the limit.
	pick, n := 0, 0
	for i := range cands {
		if score(&cands[i]) <= limit {
			n++
			if n == 1 || rand.IntN(n) == 0 {
				pick = i
			}
		}
	}
	return pick
}
