"""Every area of the suite, and which of them a run selects.

A run selects an area when its profile describes a target for it and at least one scenario the
run's tags select belongs to it. Adding a sixth area means one line here (and its package).
"""
from support.gateway import AREA as GATEWAY
from support.guardian import AREA as GUARDIAN
from support.preview import AREA as PREVIEW
from support.studio import AREA as STUDIO

AREAS = (PREVIEW, STUDIO, GATEWAY, GUARDIAN)
BY_NAME = {area.name: area for area in AREAS}


def area_of(tags):
    """The area a scenario belongs to, from its tags; None for a scenario of no area."""
    return next((area for area in AREAS if area.name in tags), None)


def selected_scenarios(features, config):
    """Every scenario (outline rows included) that the run's tags and names select."""
    for feature in features:
        for scenario in feature.walk_scenarios():
            if scenario.should_run_with_tags(config.tag_expression) and scenario.should_run_with_name_select(config):
                yield scenario


def areas_needed(features, config):
    """The areas of the scenarios a run selects, in the registry's order."""
    needed = {area.name for scenario in selected_scenarios(features, config)
              for area in [area_of(scenario.effective_tags)] if area}
    return [area for area in AREAS if area.name in needed]
