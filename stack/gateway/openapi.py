"""The gateway's OpenAPI 3 document: every public operation, and which need a bearer token."""

ERROR = {"$ref": "#/components/schemas/Error"}
TRACE_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def _op(summary, secured=True, parameters=(), body=None, answers=("200",)):
    operation = {"summary": summary, "responses": {code: {"description": summary} for code in answers}}
    operation["security"] = [{"bearer": []}] if secured else []
    if parameters:
        operation["parameters"] = list(parameters)
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if secured:
        operation["responses"].update({"401": {"description": "no or invalid credentials",
                                               "content": {"application/json": {"schema": ERROR}}},
                                       "403": {"description": "token refused or scope missing"}})
    return operation


DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Async sidecar gateway", "version": "1.0.0"},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Error": {"type": "object", "required": ["detail"], "properties": {"detail": {
            "type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}},
    },
    "paths": {
        "/v1/chat/completions": {"post": _op(
            "chat completion, optionally explained as a trace",
            body={"type": "object", "required": ["messages"],
                  "properties": {"messages": {"type": "array"}, "model": {"type": "string"},
                                 "stream": {"type": "boolean"}}})},
        "/v1/traces/{id}/status": {"get": _op("a trace's state and progress", parameters=[TRACE_ID])},
        "/v1/traces/{id}/graph": {"get": _op("a complete trace's hypergraph (HIF)", parameters=[TRACE_ID],
                                             answers=("200", "404", "410"))},
        "/v1/traces/{id}/stream": {"get": _op("server-sent events of a trace's progress", parameters=[TRACE_ID])},
        "/v1/traces/{id}/webhooks": {"post": _op(
            "register a webhook for a trace's completion", parameters=[TRACE_ID], answers=("201",),
            body={"type": "object", "required": ["url"],
                  "properties": {"url": {"type": "string"}, "secret": {"type": "string"},
                                 "events": {"type": "array", "items": {"type": "string"}}}})},
        "/v1/traces/{id}": {"delete": _op("cancel a trace", parameters=[TRACE_ID], answers=("202", "409"))},
        "/healthz": {"get": _op("liveness", secured=False)},
        "/metrics": {"get": _op("Prometheus metrics", secured=False)},
        "/openapi.json": {"get": _op("this document", secured=False)},
    },
}
