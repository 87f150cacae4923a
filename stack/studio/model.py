"""A deterministic model of one dispatch of one variant: latency, failure, quality and cost.

Real dispatches run a workflow on GPU fleets; here each outcome is drawn from a hash of the
variant id and the dispatch's sequence number, so the same benchmark gives the same rows every
time and the money HUD's winner follows from the seed's numbers, not from luck.
"""
import hashlib
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """Everything the model needs about one (effect revision, workflow, environment, experiment)."""

    variant_id: str
    price_usd: float
    processing_seconds: float
    partner_cost_usd: float
    quality: float
    speed: float
    cost_per_second_usd: float
    failure_rate_percent: float
    queue_wait_seconds: float


@dataclass(frozen=True)
class Outcome:
    seq: int
    failed: bool
    queue_wait_seconds: float
    processing_seconds: float
    latency_ms: int
    compute_cost_usd: float
    partner_cost_usd: float
    revenue_usd: float


def draw(*parts):
    """A number in [0, 1) that depends only on `parts`."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def dispatch(variant, seq):
    failed = draw(variant.variant_id, seq, "failure") * 100 < variant.failure_rate_percent
    processing = variant.processing_seconds * variant.speed * (0.85 + 0.3 * draw(variant.variant_id, seq, "processing"))
    if failed:
        processing *= 0.5  # a failed dispatch stops halfway, but its compute and partner calls are paid
    queue_wait = variant.queue_wait_seconds * (0.5 + draw(variant.variant_id, seq, "queue"))
    return Outcome(
        seq=seq,
        failed=failed,
        queue_wait_seconds=round(queue_wait, 3),
        processing_seconds=round(processing, 3),
        latency_ms=round((queue_wait + processing) * 1000),
        compute_cost_usd=processing * variant.cost_per_second_usd,
        partner_cost_usd=variant.partner_cost_usd,
        revenue_usd=0.0 if failed else variant.price_usd,
    )


def p95(values):
    """Nearest-rank 95th percentile; 0 for no values."""
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def aggregate(outcomes):
    """The metrics every run and every benchmark item reports, from its dispatch outcomes."""
    failures = sum(o.failed for o in outcomes)
    count = len(outcomes)
    compute = sum(o.compute_cost_usd for o in outcomes)
    partner = sum(o.partner_cost_usd for o in outcomes)
    revenue = sum(o.revenue_usd for o in outcomes)
    return {
        "dispatch_count": count,
        "success_count": count - failures,
        "failure_count": failures,
        "failure_rate_percent": round(100 * failures / count, 2) if count else 0.0,
        "p95_latency_ms": p95([o.latency_ms for o in outcomes]),
        "queue_wait_p95_seconds": p95([o.queue_wait_seconds for o in outcomes]),
        "processing_p95_seconds": p95([o.processing_seconds for o in outcomes]),
        "processing_seconds_total": round(sum(o.processing_seconds for o in outcomes), 3),
        "compute_cost_usd": round(compute, 4),
        "partner_cost_usd": round(partner, 4),
        "effective_cost_usd": round(compute + partner, 4),
        "estimated_revenue_usd": round(revenue, 4),
        "margin_usd": round(revenue - compute - partner, 4),
    }


def quality_score(variant_quality, output_ref):
    """What the quality provider would score one output: the variant's quality, give or take 0.05."""
    return round(min(1.0, max(0.0, variant_quality + 0.1 * (draw(output_ref, "quality") - 0.5))), 4)
