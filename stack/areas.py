"""Every area of the embedded stack; `python -m stack serve --areas a,b` starts only those."""
from stack.gateway import AREA as GATEWAY
from stack.guardian import AREA as GUARDIAN
from stack.preview import AREA as PREVIEW
from stack.studio import AREA as STUDIO

AREAS = {area.name: area for area in (PREVIEW, STUDIO, GATEWAY, GUARDIAN)}


class UnknownArea(ValueError):
    pass


def parse(spec):
    """`a,b` (or empty for every area) as a list of StackAreas, in the registry's order."""
    names = [name.strip() for name in (spec or "").split(",") if name.strip()] or list(AREAS)
    unknown = sorted(set(names) - AREAS.keys())
    if unknown:
        raise UnknownArea(f"unknown area(s) {', '.join(unknown)}; known: {', '.join(AREAS)}")
    return [area for name, area in AREAS.items() if name in names]
