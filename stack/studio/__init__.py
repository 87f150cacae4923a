"""The studio admin API: benchmarks, quality, the money HUD, routing and action logs, on SQLite."""
from stack.area import Service, StackArea


def _publish(settings):
    return {"base_url": settings["endpoints"]["studio"]}


AREA = StackArea(
    name="studio",
    services={"studio": Service("stack.studio.server", "/health")},
    publish=_publish,
)
