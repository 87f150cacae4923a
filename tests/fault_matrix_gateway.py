"""The gateway's faults and the scenario step each must make fail (see tests/fault_matrix.py).

Each fault names its scenario by id tag and the Then it breaks; every Then of features/gateway
appears at least once, so no gateway assertion is one that cannot fail.
"""
ACCESS = "@id.gateway.access.refused"
SCOPES = "@id.gateway.access.scopes"
EXPLAINED = "@id.gateway.explained_answer.trace_completes"
TOKEN_GRAPH = "@id.gateway.explained_answer.token_graph"
LIVE_STREAM = "@id.gateway.explained_answer.live_stream"
WEBHOOK = "@id.gateway.explained_answer.webhook"
STREAMED = "@id.gateway.explained_answer.streamed"
ISOLATION = "@id.gateway.tenant_isolation.other_tenant"
ISOLATION_AUDITED = "@id.gateway.tenant_isolation.audited"
RATE_LIMIT = "@id.gateway.slowing_down.rate_limit"
QUEUE_BURST = "@id.gateway.slowing_down.queue_burst"
FAILURE = "@id.gateway.failure_recovery.attribution"
CANCEL_RUNNING = "@id.gateway.cancellation.running"
CANCEL_FINISHED = "@id.gateway.cancellation.finished"
EXPIRED = "@id.gateway.cancellation.expired"
BOOKS_METRICS = "@id.gateway.books.metrics"
BOOKS_AUDIT = "@id.gateway.books.audit"
PUBLISHED = "@id.gateway.published_api.no_open_operation"
SPEED = "@id.gateway.speed.explanation_latency"
MANIFEST = "@id.gateway.deployment.manifest"
CAPACITY = "@id.gateway.deployment.capacity"

MATRIX = {
    "gateway_scope_not_checked": (ACCESS, "the gateway refuses the request because"),
    "gateway_tenantless_token_accepted": (ACCESS, "the gateway refuses the request because"),
    "gateway_refused_chat_forwarded": (ACCESS, "no answer or trace was created"),
    "gateway_read_scope_can_cancel": (SCOPES, "tenant A's read-only user can read the trace but cannot cancel it"),
    "gateway_write_implies_read": (SCOPES, "tenant A's write-only user cannot read the trace"),
    "gateway_trace_id_not_returned": (EXPLAINED, "the answer arrives with a trace reference the gateway knows"),
    "gateway_status_never_progresses": (EXPLAINED, "the trace completes within the trace complete budget"),
    "gateway_graph_missing_incidences": (EXPLAINED, "the trace's graph is a valid hypergraph"),
    "gateway_graph_wrong_granularity": (TOKEN_GRAPH, "the trace's graph is a valid hypergraph"),
    "gateway_stream_skips_progress": (LIVE_STREAM, "the stream announces progress through the stages in order"),
    "gateway_stream_no_completion": (LIVE_STREAM, "the stream ends by announcing the completion"),
    "gateway_webhook_not_sent": (WEBHOOK, "the webhook receives the trace's completion"),
    "gateway_webhook_signature_wrong": (WEBHOOK, "the webhook's signature verifies with the secret"),
    "gateway_chat_stream_empty": (STREAMED, "the answer arrives in several pieces of text and ends properly"),
    "gateway_cross_tenant_read": (ISOLATION, "every attempt is refused as if the trace did not exist"),
    "gateway_cross_tenant_cancel": (ISOLATION, "every attempt is refused as if the trace did not exist"),
    "gateway_refused_cancel_applied": (ISOLATION, "tenant A's trace still completes within the trace complete budget"),
    "gateway_cross_tenant_denial_not_audited": (ISOLATION_AUDITED, "the audit log shows every attempt as a denial"),
    "gateway_retry_after_missing": (RATE_LIMIT, "tenant B is told to come back later with a wait in whole seconds"),
    "gateway_burst_ignored": (RATE_LIMIT, "only after its burst of reads was used up"),
    "gateway_rate_limit_shared": (RATE_LIMIT, "at that moment tenant A is still served"),
    "gateway_queue_unbounded": (QUEUE_BURST, "some are accepted and the rest are told to come back later"),
    "gateway_queue_rejections_not_counted": (QUEUE_BURST, "the metrics count every refusal for the queue"),
    "gateway_accepted_trace_dropped": (QUEUE_BURST, "every accepted trace completes with a valid hypergraph"),
    "gateway_failure_hangs": (FAILURE, "the trace fails with a reason within the trace complete budget"),
    "gateway_no_recovery": (FAILURE, "the trace completes within the trace complete budget"),
    "gateway_cancel_running_refused": (CANCEL_RUNNING, "the cancellation is accepted"),
    "gateway_cancel_ignored": (CANCEL_RUNNING, "the trace ends cancelled, without a graph"),
    "gateway_cancel_finished_accepted": (CANCEL_FINISHED, "the cancellation is refused because the trace has already"),
    "gateway_expiry_not_enforced": (EXPIRED, "its graph is gone for good within the trace expiry budget"),
    "gateway_tenant_label_anon": (BOOKS_METRICS, "the request, chat, rate-limit and denial counters rose by exactly"),
    "gateway_chat_counted_twice": (BOOKS_METRICS, "the request, chat, rate-limit and denial counters rose by exactly"),
    "gateway_raw_id_label": (BOOKS_METRICS, "no metric label holds a trace reference"),
    "gateway_audit_duplicated": (BOOKS_AUDIT, "the audit log records each of those events once"),
    "gateway_audit_pii_unmasked": (BOOKS_AUDIT, "no audit line holds a token, the credentials"),
    "gateway_unauthenticated_webhook_register": (PUBLISHED, "every call without credentials is refused"),
    "gateway_malformed_body_500": (PUBLISHED, "every malformed request is refused with a reason"),
    "gateway_trace_lost_now_and_then": (SPEED, "every explanation completes"),
    "gateway_completion_batched": (SPEED, "the 95th percentile of explanation latency is within the"),
    "gateway_chart_missing_network_policy": (MANIFEST, "the manifest holds deployments, services"),
    "gateway_chart_scaler_drift": (MANIFEST, "the scaled object's replica bounds and backlog target agree"),
    "gateway_chart_no_gpu_provisioner": (MANIFEST, "node provisioners exist for CPU and for GPU nodes"),
    "gateway_chart_replicas_capped": (CAPACITY, "the replicas needed at the target concurrency are within"),
}
