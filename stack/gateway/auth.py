"""Static bearer tokens (AUTH_MODE=static): who is calling, for which tenant, with which scopes.

Every refusal names its reason in the contract's envelope; a missing or non-bearer credential is
a 401 that tells the client how to authenticate, anything else a 403.
"""

READ, WRITE = "traces:read", "traces:write"


class Refusal(Exception):
    """An answer the gateway gives instead of doing the work: status, code, message, headers."""

    def __init__(self, status, code, message, headers=None, reason=None, who=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.reason = reason or code
        #: whom the gateway recognised before refusing ({tenant_id, subject}), for the audit line
        self.who = who


def principal_of(header, tokens, allow_tenantless=False):
    """The token's {tenant_id, subject, scopes}, or a Refusal saying why there is none."""
    if not header:
        raise Refusal(401, "unauthorized", "Missing Authorization header", {"WWW-Authenticate": "Bearer"},
                      reason="missing_credentials")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refusal(401, "unauthorized", "Invalid Authorization scheme", {"WWW-Authenticate": "Bearer"},
                      reason="invalid_scheme")
    found = tokens.get(token.strip())
    if found is None:
        raise Refusal(403, "forbidden", "Invalid token", reason="invalid_token")
    if not found.get("tenant_id") and not allow_tenantless:
        raise Refusal(403, "forbidden", "Token has no tenant", reason="no_tenant",
                      who={"tenant_id": None, "subject": found.get("subject")})
    return {"tenant_id": found.get("tenant_id") or "none", "subject": found.get("subject"),
            "scopes": list(found.get("scopes", []))}


def require(principal, scope, skip=False):
    if scope not in principal["scopes"] and not skip:
        raise Refusal(403, "missing_scope", f"Missing required scopes: ['{scope}']", reason="missing_scope",
                      who=principal)
