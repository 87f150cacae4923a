"""Redaction with the SSM nonce: every match replaced, then an HMAC-SHA256 of the result keyed by
the newest nonce version, so a tampered value or MAC is detected and an old MAC still validates
while its nonce version is in its grace period.

Nonces are `/guardian/<env>/redaction_nonce_v{n}` (SecureString, 64 hex). A rotation adds `v{n+1}`
and tags `v{n}` with the end of its grace period; nothing is cached, so every process sees a
rotation at once.
"""
import hashlib
import hmac
import re
import secrets
import time

from stack.guardian import validation as v

BRAND = "MirrorDissonanceRedactedText"
GRACE_TAG = "graceUntil"
MAX_PATTERNS = 50


def _patterns(body):
    patterns = body.get("patterns")
    if not isinstance(patterns, list) or not patterns or len(patterns) > MAX_PATTERNS:
        raise v.invalid("patterns", f"must be a list of 1 to {MAX_PATTERNS} {{regex, replacement}} objects")
    compiled = []
    for index, pattern in enumerate(patterns):
        field = f"patterns[{index}]"
        v.mapping(pattern, field)
        regex = v.text(pattern.get("regex"), f"{field}.regex")
        replacement = pattern.get("replacement")
        if not isinstance(replacement, str):
            raise v.invalid(f"{field}.replacement", "must be a string")
        try:
            compiled.append((re.compile(regex), replacement))
        except re.error as error:
            raise v.invalid(f"{field}.regex", f"is not a regular expression ({error})") from None
    return compiled


class Redaction:
    def __init__(self, ssm, prefix, grace_s, fault):
        self.ssm, self.prefix, self.grace_s, self.fault = ssm, prefix, grace_s, fault

    def _nonces(self):
        """{version: hex nonce} of every stored nonce version."""
        found, token = {}, None
        path = self.prefix.rsplit("/", 1)[0] + "/"
        while True:
            page = self.ssm.get_parameters_by_path(Path=path, WithDecryption=True,
                                                   **({"NextToken": token} if token else {}))
            for parameter in page["Parameters"]:
                version = parameter["Name"][len(self.prefix):]
                if parameter["Name"].startswith(self.prefix) and version.isdigit():
                    found[int(version)] = parameter["Value"]
            token = page.get("NextToken")
            if not token:
                return found

    @staticmethod
    def _mac(nonce, value):
        return hmac.new(bytes.fromhex(nonce), value.encode(), hashlib.sha256).hexdigest()

    def _validation_mac(self, nonce, value):
        if self.fault("validation_key_as_text"):
            return hmac.new(nonce.encode(), value.encode(), hashlib.sha256).hexdigest()
        return self._mac(nonce, value)

    def redact(self, body):
        v.mapping(body, "body")
        text = body.get("text")
        if not isinstance(text, str):
            raise v.invalid("text", "must be a string")
        value, hits = text, 0
        for regex, replacement in _patterns(body):
            value, count = regex.subn(replacement, value, count=1 if self.fault("redaction_first_match_only") else 0)
            hits += count
        nonces = self._nonces()
        version = min(nonces) if self.fault("redaction_keeps_first_nonce") else max(nonces)
        mac = self._mac(nonces[version], value)
        if self.fault("redaction_mac_truncated"):
            mac = mac[:32]
        return {"value": value, "brand": BRAND, "mac": mac, "nonceVersion": version, "redactionHits": hits}

    def _in_grace(self, version, newest):
        if version == newest:
            return True
        tags = self.ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=f"{self.prefix}{version}")
        until = {tag["Key"]: tag["Value"] for tag in tags["TagList"]}.get(GRACE_TAG)
        return until is None or float(until) > time.time()

    def validate(self, body):
        v.mapping(body, "body")
        value = body.get("value")
        if not isinstance(value, str):
            raise v.invalid("value", "must be a string")
        mac = body.get("mac")
        if not isinstance(mac, str) or not re.fullmatch(r"[0-9a-f]{64}", mac):
            return {"valid": False}
        version = v.whole(body.get("nonceVersion"), "nonceVersion", maximum=10**6)
        nonces = self._nonces()
        if body.get("brand") != BRAND or version not in nonces or not self._in_grace(version, max(nonces)):
            return {"valid": False}
        if self.fault("tampered_value_accepted"):
            return {"valid": True}
        return {"valid": hmac.compare_digest(self._validation_mac(nonces[version], value), mac)}

    def rotate(self):
        current = max(self._nonces())
        fresh = secrets.token_hex(32)
        try:
            self.ssm.put_parameter(Name=f"{self.prefix}{current + 1}", Type="SecureString", Value=fresh)
        except self.ssm.exceptions.ParameterAlreadyExists:
            raise v.conflict(f"another rotation created nonce version {current + 1} first; try again") from None
        if self.fault("rotation_overwrites_old_nonce"):
            self.ssm.put_parameter(Name=f"{self.prefix}{current}", Type="SecureString", Value=fresh, Overwrite=True)
        grace = 0 if self.fault("rotation_retires_old_nonce") else self.grace_s
        self.ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=f"{self.prefix}{current}",
                                      Tags=[{"Key": GRACE_TAG, "Value": str(int(time.time() + grace))}])
        return {"version": current + 1}
