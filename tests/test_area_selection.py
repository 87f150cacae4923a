"""A run starts, preflights and sweeps only the areas its tags select."""
from tests.behave_run import run_behave


def test_a_studio_run_starts_only_the_studio():
    run = run_behave("features/studio/access.feature")
    assert run.returncode == 0, run.output[-3000:]
    assert "embedded stack started" in run.output and "with areas studio;" in run.output, run.output[-3000:]
    assert "areas: studio" in run.output
    assert "(preview)" not in run.output, "the preview area was swept although no preview scenario ran"
