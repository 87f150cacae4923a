from support.run import Run


def test_names_carry_the_run_namespace_and_are_unique():
    run = Run()
    first, second = run.name("owner"), run.name("owner")
    assert first != second
    assert first.startswith(f"TEST_{run.id}_owner_")
    assert run.owns(first) and not Run().owns(first)
