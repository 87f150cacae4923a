"""The gateway's realistic defects, each breaking one promise a gateway scenario names. The gateway
switches them on its control port (`/control/faults`), never on its public one."""


def control_url(state):
    """Where this area's faults are switched at run time, from the stack's state file."""
    return state["gateway"]["control_url"] + "/control/faults"


FAULTS = {
    "gateway_scope_not_checked": "the gateway accepts a token for any operation, whatever its scopes",
    "gateway_tenantless_token_accepted": "the gateway accepts a token that maps to no tenant",
    "gateway_refused_chat_forwarded": "the gateway forwards a chat to the model before checking the caller's scope",
    "gateway_trace_id_not_returned": "the gateway creates an explained answer's trace but never returns its reference",
    "gateway_status_never_progresses": "the trace worker never picks traces up, so they stay queued",
    "gateway_graph_missing_incidences": "the gateway serves graphs without their incidences",
    "gateway_graph_wrong_granularity": "the gateway builds every graph at sentence granularity, whatever was asked",
    "gateway_stream_no_completion": "the live stream of a trace announces progress but never its completion",
    "gateway_webhook_not_sent": "registered webhooks are stored but never called",
    "gateway_webhook_signature_wrong": "webhook signatures are computed over the body with the trace id as key",
    "gateway_chat_stream_empty": "a streamed answer ends properly but carries no text",
    "gateway_cross_tenant_read": "the gateway serves any tenant's trace status to any tenant",
    "gateway_cross_tenant_cancel": "the gateway lets another tenant cancel a trace",
    "gateway_cross_tenant_denial_not_audited": "a refused cross-tenant attempt is not written to the audit log",
    "gateway_retry_after_missing": "rate-limited answers leave out how long to wait",
    "gateway_rate_limit_shared": "the token buckets are shared by every tenant",
    "gateway_queue_rejections_not_counted": "queue rejections are answered but never counted in the metrics",
    "gateway_queue_unbounded": "the trace queue has no bound, so a burst is accepted whole and waits in memory",
    "gateway_burst_ignored": "the token buckets hold a single request, so a tenant cannot burst at all",
    "gateway_stream_skips_progress": "the live stream of a trace sends its first and final states only",
    "gateway_refused_cancel_applied": "another tenant's cancellation is refused only after the trace was cancelled",
    "gateway_cancel_running_refused": "cancelling a running trace is refused as if it had finished",
    "gateway_write_implies_read": "a token with the write scope may also read traces",
    "gateway_read_scope_can_cancel": "cancelling a trace asks for the read scope instead of the write scope",
    "gateway_accepted_trace_dropped": ("when the queue is full the gateway refuses the new trace and also drops the "
                                       "oldest accepted one"),
    "gateway_failure_hangs": "a trace whose attribution stage fails stays running forever",
    "gateway_no_recovery": "once the attribution stage has failed, the worker keeps failing after it is restored",
    "gateway_cancel_ignored": "cancelling a running trace answers 'accepted' but the trace runs on to completion",
    "gateway_cancel_finished_accepted": "cancelling a finished trace is accepted",
    "gateway_expiry_not_enforced": "the graph of an expired trace is still served",
    "gateway_tenant_label_anon": "metrics label every request with tenant 'anon'",
    "gateway_raw_id_label": "metrics label requests by their raw path, trace ids included",
    "gateway_chat_counted_twice": "every chat is counted twice in the chat counter",
    "gateway_audit_pii_unmasked": "chat snippets reach the audit log with e-mail addresses and phone numbers unmasked",
    "gateway_audit_duplicated": "every audit event is written twice",
    "gateway_unauthenticated_webhook_register": "webhook registration is reachable without credentials",
    "gateway_malformed_body_500": "a chat request whose body is not JSON fails with a server error",
    "gateway_trace_lost_now_and_then": "one trace in ten is lost between the queue and a worker and stays queued",
    "gateway_completion_batched": "finished traces are marked complete by a flush that runs once a second",
    "gateway_token_attribution_hangs": "the attribution stage never returns for a trace explained token by token",
    # Faults of the rendered chart the embedded gateway publishes (they take effect at stack start).
    "gateway_chart_missing_network_policy": "the chart renders no NetworkPolicy, so any pod may call the explainer",
    "gateway_chart_scaler_drift": "the KEDA ScaledObject caps the gateway at 2 replicas while the values say 12",
    "gateway_chart_no_gpu_provisioner": "the chart renders a Karpenter provisioner for CPU nodes only",
    "gateway_chart_replicas_capped": "the chart's values and its scaler both cap the gateway at 2 replicas",
}

#: faults that can only be given at start (`STACK_FAULTS`), each with the reason
STARTUP_ONLY = {
    "gateway_chart_missing_network_policy": "the chart is rendered once, when the stack starts",
    "gateway_chart_scaler_drift": "the chart is rendered once, when the stack starts",
    "gateway_chart_no_gpu_provisioner": "the chart is rendered once, when the stack starts",
    "gateway_chart_replicas_capped": "the chart is rendered once, when the stack starts",
    "gateway_no_recovery": "the worker it breaks stays broken after the fault is switched off",
    "gateway_raw_id_label": "the metric series it labels by raw path stay in the registry after it is switched off",
}
