"""What the courts app adds to an offender's record (records.sections gathers it): whether the
viewer may ask the courts to correct the record's data."""

from courts.access import can_raise_correction


def permissions(user, offender) -> dict[str, bool]:
    return {"raise_correction": can_raise_correction(user, offender)}
