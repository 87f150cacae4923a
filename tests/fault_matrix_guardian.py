"""The guardian's faults: which scenario (by its id, the tag without the @) must fail, and at which
Then (by the start of its text).

Every distinct Then of features/guardian/ is named by at least one fault, except those that judge
the infrastructure check itself (the suite's own code, not the guardian's): the unit tests named in
PROVEN_BY_UNIT_TESTS prove them against environments built wrong on purpose.
"""
import glob
import os
import re

MATRIX = {
    "nonce_provisioned_as_plain_text": ("id.guardian.provisioning.as_agreed", "the check finds the"),
    "duplicate_event_accepted": ("id.guardian.false_positives.recorded_once",
                                 "the repeat is refused because the event is already recorded"),
    "duplicate_other_timestamp_accepted": ("id.guardian.false_positives.repeat_other_time",
                                           "the repeat is refused because the event is already recorded"),
    "events_oldest_first": ("id.guardian.false_positives.newest_first", "the events are"),
    "window_since_ignored": ("id.guardian.false_positives.window_since", "the events are"),
    "refused_duplicate_overwrites": ("id.guardian.false_positives.recorded_once", "the rule holds exactly one event"),
    "finding_looked_up_by_other_key": ("id.guardian.false_positives.marked", "the finding of event"),
    "false_positive_rate_over_all_events": ("id.guardian.false_positives.window_statistics",
                                            "the observed false-positive rate"),
    "reviewer_not_recorded": ("id.guardian.false_positives.marked", "the event \"e1\" records that"),
    "pending_counts_reviewed": ("id.guardian.false_positives.window_statistics", "the window counts"),
    "expiry_in_other_attribute": ("id.guardian.false_positives.expiry", "the stored event expires"),
    "refusals_do_not_name_field": ("id.guardian.bad_input.refused", "the event is refused with a reason"),
    "malformed_event_stored": ("id.guardian.bad_input.refused", "nothing is stored for the rule"),
    "organisation_stored_in_clear": ("id.guardian.consent.hashed", "the stored consent is keyed by the SHA-256"),
    "organisation_copied_into_consent": ("id.guardian.consent.hashed", "the organisation's id appears nowhere"),
    "consent_looked_up_in_clear": ("id.guardian.consent.granted", "consent for the primary scope is valid"),
    "revoked_consent_valid": ("id.guardian.consent.revoked", "consent for the primary scope is not valid"),
    "expired_consent_valid": ("id.guardian.consent.expired", "consent for the primary scope is not valid"),
    "consent_scope_ignored": ("id.guardian.consent.granted", "consent for the secondary scope is not valid"),
    "increments_lost_under_concurrency": ("id.guardian.circuit_breaker.parallel", "the rule's count for"),
    "breaker_trips_every_organisation": ("id.guardian.circuit_breaker.one_organisation",
                                         "the rule is not stopped for the second organisation"),
    "breaker_trips_above_threshold": ("id.guardian.circuit_breaker.one_organisation",
                                      "the rule is stopped for the first organisation"),
    "breaker_counts_per_organisation": ("id.guardian.circuit_breaker.one_organisation", "another rule is not stopped"),
    "breaker_reads_unescaped_key": ("id.guardian.circuit_breaker.separator", "the rule of the first pair is stopped"),
    "breaker_keys_collide": ("id.guardian.circuit_breaker.separator", "the rule of the second pair is not stopped"),
    "breaker_bucket_without_expiry": ("id.guardian.circuit_breaker.hourly_bucket", "the count is kept in one bucket"),
    "redaction_first_match_only": ("id.guardian.redaction.every_match", "none of the secrets is left"),
    "redaction_mac_truncated": ("id.guardian.redaction.every_match", "the redacted text carries the brand"),
    "validation_key_as_text": ("id.guardian.redaction.every_match", "the redaction is valid"),
    "redaction_keeps_first_nonce": ("id.guardian.redaction.rotation", "a new redaction uses the new nonce version"),
    "tampered_value_accepted": ("id.guardian.redaction.tampering", "the redaction is not valid"),
    "rotation_overwrites_old_nonce": ("id.guardian.redaction.rotation", "a new nonce version exists"),
    "rotation_retires_old_nonce": ("id.guardian.redaction.rotation", "the text redacted before the rotation"),
    "baselines_unversioned": ("id.guardian.baselines.versions", "the repository has 2 baseline versions"),
    "baselines_unencrypted": ("id.guardian.baselines.encrypted", "every stored version"),
    "baseline_returns_oldest": ("id.guardian.baselines.versions", "the repository's baseline has 5 rules"),
    "missing_baseline_is_error": ("id.guardian.baselines.none", "the repository has no baseline"),
    "nonce_reloaded_slowly": ("id.guardian.speed.latency", "its 95th percentile is within"),
    "window_fetched_one_by_one": ("id.guardian.speed.latency", "its mean time is within"),
    "busy_guardian_refuses_records": ("id.guardian.speed.burst", "every offered event is recorded"),
    "records_serialised": ("id.guardian.speed.burst", "the guardian records at least"),
}

PROVEN_BY_UNIT_TESTS = {
    "the check reports exactly these differences": "tests/stack/test_guardian_check.py",
    "the check changed nothing in that environment": "tests/stack/test_guardian_check.py",
}
FEATURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "features", "guardian")


def _scenarios():
    """{id tag: (feature path, the scenario's name up to its first outline placeholder)}."""
    found = {}
    for path in sorted(glob.glob(os.path.join(FEATURES, "*.feature"))):
        tags = []
        with open(path) as handle:
            for line in handle:
                text = line.strip()
                if text.startswith("@"):
                    tags += text.split()
                elif text.startswith(("Scenario:", "Scenario Outline:")):
                    name = text.split(":", 1)[1].strip().split("<")[0]
                    relative = os.path.relpath(path, os.path.dirname(os.path.dirname(FEATURES)))
                    found.update({tag[1:]: (relative, name) for tag in tags if tag.startswith("@id.")})
                    tags = []
                elif text and not text.startswith("#"):
                    tags = []
    return found


def as_feature_scenario_step():
    """The matrix in tests/fault_matrix.py's shape, (feature, scenario name, step), until the fault
    matrix selects scenarios by id tag."""
    scenarios = _scenarios()
    return {fault: (*scenarios[tag], re.sub(r"\s+", " ", step)) for fault, (tag, step) in MATRIX.items()}
