from tests.allocation.team_fixtures import (  # noqa: F401 (fixtures of the offender management team)
    aroha,
    ben,
    hemi,
    manager,
    offender,
    other_prison,
    prison,
    prison_manager,
    prison_sentence,
    tui,
    weights,
)
