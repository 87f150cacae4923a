"""What a valid activation body is, checked before Hermes admits a session."""
from stack.preview import MAX_INSTRUCTION
from stack.preview.web import ID_RULE, valid_id

ACTIVATION_FIELDS = ("clientId", "userId", "instruction")


def activation_problem(body):
    """(field, message) for the first thing wrong with an activation body, or None."""
    for field in ACTIVATION_FIELDS:
        if field not in body or body[field] is None:
            return field, f"{field} is required"
        if not isinstance(body[field], str):
            return field, f"{field} must be a string"
    for field in ("clientId", "userId"):
        if not valid_id(body[field]):
            return field, f"{field} {ID_RULE}"
    if not body["instruction"].strip():
        return "instruction", "instruction must not be empty"
    if len(body["instruction"]) > MAX_INSTRUCTION:
        length = len(body["instruction"])
        return "instruction", f"instruction must be at most {MAX_INSTRUCTION} characters, not {length}"
    return None
