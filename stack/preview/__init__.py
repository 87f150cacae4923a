"""The preview platform: ECS orchestrator, edit workers, Hermes session API and the load balancer."""
import os

from stack.area import Service, StackArea

# Hermes refuses a longer instruction; the suite reads this limit from the state file.
MAX_INSTRUCTION = 2000
# What the platform logs at each stage of an instruction (the worker and Hermes write these).
LOG_MARKERS = {
    "email_received": "Processing email",
    "container_started": "Container started",
    "instruction_done": "Claude command completed",
    "build_done": "Build complete",
    "upload_done": "S3 sync complete",
    "push_done": "Git push complete",
}
EMAIL_DOMAIN = "edit.webordinary.test"
# SES receiving writes each inbound message under this prefix of the inbox bucket (stack/preview/intake.py).
INBOX_PREFIX = "inbound/"
# Not part of the preview section the suite reads as `names`: each is published where its driver reads it.
UNPUBLISHED_NAMES = ("sender", "inbox_bucket", "baseline_bucket")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# What `aws ecs execute-command` needs on this machine: the stack's stand-in for the Session Manager
# plugin (stack/preview/bin/) and the AWS CLI in an environment of its own (`make tools`).
EXEC_TOOLS = (os.path.join(HERE, "bin"), os.path.join(ROOT, ".tools", "bin"))


def _provision(settings):
    from stack import cloud  # boto3 is imported only by a stack that runs the preview
    cloud.provision(settings)


def _publish(settings):
    endpoints = settings["endpoints"]
    names = {key: value for key, value in settings["names"].items() if key not in UNPUBLISHED_NAMES}
    return {
        "endpoints": {"ecs": endpoints["ecs"], "load_balancer": endpoints["lb"],
                      "ecs_control": endpoints["ecs"] + "/control", "hermes_control": endpoints["hermes"] + "/control"},
        "names": {**names, "preview_prefix": "{client}/{session}/"},
        "workspace": {"root": settings["workspace_root"], "tools_path": list(EXEC_TOOLS)},
        "email": {"recipient": "{client}@" + EMAIL_DOMAIN, "inbox_bucket": settings["names"]["inbox_bucket"],
                  "inbox_prefix": INBOX_PREFIX},
        "log_markers": dict(LOG_MARKERS),
        "limits": {"edit_service_max_tasks": settings["max_edit_tasks"], "max_instruction_chars": MAX_INSTRUCTION},
        "performance": {"baseline": {"bucket": settings["names"]["baseline_bucket"]}},
        "idle_timeout_s": settings["idle_timeout_s"],
    }


AREA = StackArea(
    name="preview",
    services={
        "ecs": Service("stack.preview.orchestrator", "/health"),
        "hermes": Service("stack.preview.hermes", "/hermes/health"),
        "lb": Service("stack.preview.router", "/health", control=None),
    },
    needs_aws=True,
    provision=_provision,
    publish=_publish,
)
