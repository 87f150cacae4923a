"""A run starts, preflights and sweeps only the areas its tags select. (That every scenario passes is
`make behave-all`.)"""
import pytest

from tests.behave_run import run_behave


@pytest.mark.parametrize("area, feature", [("studio", "features/studio/access.feature"),
                                           ("gateway", "features/gateway/access.feature")])
def test_a_run_of_one_area_starts_only_that_area(area, feature):
    run = run_behave(feature)
    assert run.returncode == 0, run.output[-3000:]
    assert "embedded stack started" in run.output and f"with areas {area};" in run.output, run.output[-3000:]
    assert f"areas: {area}" in run.output
    assert "(preview)" not in run.output, "the preview area was swept although no preview scenario ran"
