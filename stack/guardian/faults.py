"""The guardian's named defects: each one breaks one promise of the contract, the way real code does.
The guardian's service owns the switch (`/control/faults` on its own port)."""


def control_url(state):
    """Where this area's faults are switched at run time, from the stack's state file."""
    return state["guardian"]["control_url"] + "/faults"


FAULTS = {
    "repeat_written_before_check": "a repeat is refused only after its event is written: one at another time stays",
    "records_refused_now_and_then": "every twentieth record is refused as busy, however light the load",
    "record_waits_for_audit_flush": "each record holds the next one back until its audit entry is flushed",
    "duplicate_event_accepted": "the FP store writes every event without checking whether it was recorded before",
    "duplicate_other_timestamp_accepted": "the FP store refuses a repeated event only when its timestamp is the same too",
    "events_oldest_first": "a rule's window lists its events oldest first",
    "window_since_ignored": "a window by time ignores its start and returns the rule's latest events",
    "refused_duplicate_overwrites": "a repeated event is written over the stored one before the repeat is refused",
    "finding_looked_up_by_other_key": "finding lookups query the index under another key than events are indexed by",
    "reviewer_not_recorded": "marking a finding as a false positive sets the flag but drops who reviewed it and when",
    "false_positive_rate_over_all_events": "the observed false-positive rate divides by every event, not the reviewed ones",
    "pending_counts_reviewed": "window statistics subtract reviewed events from pending twice, so pending can go negative",
    "expiry_in_other_attribute": "events carry their expiry in a `ttl` attribute, not the one the table expires by",
    "refusals_do_not_name_field": "a malformed event is refused with a generic message that names no field",
    "malformed_event_stored": "the FP store writes an event before validating it, then refuses it",
    "organisation_stored_in_clear": "consent items are keyed by the organisation id itself instead of its SHA-256",
    "organisation_copied_into_consent": "consent items are keyed by the hash but also carry the organisation id",
    "consent_looked_up_in_clear": "consent is stored under the hashed organisation id but looked up under the clear one",
    "revoked_consent_valid": "revoking consent is recorded but the consent check ignores it",
    "expired_consent_valid": "the consent check ignores the expiry time",
    "consent_scope_ignored": "consent for any scope counts as consent for every scope",
    "increments_lost_under_concurrency": "the breaker reads the count, then writes count + 1, so parallel increments are lost",
    "breaker_trips_every_organisation": "the breaker counts per rule and hour only, so one organisation stops the rule for all",
    "breaker_trips_above_threshold": "the breaker trips only when the count passes the threshold, not at it",
    "breaker_counts_per_organisation": "the breaker counts per organisation and hour only, so one rule stops every rule",
    "breaker_reads_unescaped_key": "the breaker reads counts under the unescaped key, so ids containing ':' never trip",
    "breaker_keys_collide": "bucket keys join rule, organisation and hour with ':' unescaped, so ids containing it collide",
    "breaker_bucket_without_expiry": "breaker buckets are written without their expiry time",
    "redaction_first_match_only": "redaction replaces only the first match of each pattern",
    "redaction_mac_truncated": "redaction MACs are cut to their first 32 hex characters",
    "validation_key_as_text": "validation keys the HMAC with the nonce's hex text, redaction with its bytes",
    "redaction_keeps_first_nonce": "redaction takes the first nonce version listed instead of the newest",
    "tampered_value_accepted": "validation checks the MAC's nonce version and shape but never recomputes it",
    "rotation_overwrites_old_nonce": "rotation writes the new nonce over the previous version as well as into the new one",
    "rotation_retires_old_nonce": "rotation ends the previous nonce's grace period at once",
    "nonce_provisioned_as_plain_text": "the redaction nonce is provisioned as a plain String parameter",
    "baselines_unversioned": "the baselines bucket is provisioned without versioning",
    "baselines_unencrypted": "the baselines bucket has no default encryption and objects are written without it",
    "baseline_returns_oldest": "reading a baseline returns its first version instead of the latest",
    "missing_baseline_is_error": "reading a repository's baseline when there is none answers with an internal error",
    # speed
    "nonce_reloaded_slowly": "every tenth redaction reloads the nonce through a cold client, taking 300 ms",
    "window_fetched_one_by_one": "window queries page one key at a time, then fetch each event again by its key",
    "records_serialised": "recording holds one lock for 100 ms per event, so events are recorded one at a time",
    "busy_guardian_refuses_records": "the guardian refuses new events while more than eight are in flight",
}

#: faults that shape what provisioning creates, so they can only be given when the stack starts
STARTUP_ONLY = {
    "nonce_provisioned_as_plain_text": "the nonce parameter is created once, when the stack starts",
    "baselines_unversioned": "the baselines bucket is created once, when the stack starts",
    "baselines_unencrypted": "the baselines bucket's default encryption is set once, when the stack starts",
}
