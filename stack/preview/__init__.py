"""The preview platform: ECS orchestrator, edit workers, Hermes session API and the load balancer."""
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


def _provision(settings):
    from stack import cloud  # boto3 is imported only by a stack that runs the preview
    cloud.provision(settings)


def _publish(settings):
    endpoints = settings["endpoints"]
    names = {key: value for key, value in settings["names"].items() if key != "sender"}
    return {
        "endpoints": {"ecs": endpoints["ecs"], "load_balancer": endpoints["lb"],
                      "ecs_control": endpoints["ecs"] + "/control", "hermes_control": endpoints["hermes"] + "/control"},
        "names": {**names, "preview_prefix": "{client}/{session}/"},
        "workspace": {"root": settings["workspace_root"]},
        "email": {"recipient": "{client}@" + EMAIL_DOMAIN},
        "log_markers": dict(LOG_MARKERS),
        "limits": {"edit_service_max_tasks": settings["max_edit_tasks"], "max_instruction_chars": MAX_INSTRUCTION},
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
