"""Version 1 of the Review Security Classification instrument (seed 003): items, options and the
default points. docs/classification-instrument.md explains every choice. This is the data the
0002 migration loads; later versions are drafted as copies through classification.services, never
by editing this file (a version that has scored a review must not change)."""

INTERNAL_B_FROM = 27  # seed 003, C.2.1: internal 0-26 -> A, 27+ -> B
EXTERNAL_B_FROM = 24  # seed 003, C.2.1: external 0-23 -> A, 24+ -> B

YES_NO = [("no", "No", 0), ("yes", "Yes", 0)]
BANDS = [  # seed 003, A.4.1: MoJ seriousness bands
    ("none", "None", 0),
    ("VL", "Lowest (VL) 0.1-19.9", 1),
    ("L", "Low (L) 20-99.99", 2),
    ("M", "Moderate (M) 100-999.99", 4),
    ("H", "High (H) 1000 and above", 7),
]
COOPERATION = [("good", "Good", 0), ("average", "Average", 2), ("poor", "Poor", 4)]

# (code, section, text, kind, prepopulated, options [(code, label, points)]). The text is the question in
# plain words: the item number (the code) is shown beside it as secondary text, and a carried-over
# item's section A sources come from scoring.CARRY_OVERS, so neither is written into the text.
ITEMS = [
    ("A.1.1", "A", "Terrorism charges or offences", "override", False, YES_NO),
    ("A.1.2", "A", "New serious assault on any person", "override", False, YES_NO),
    (
        "A.2.1",
        "A",
        "Time since last escape or attempt",
        "scored",
        True,
        [
            ("none", "No escape or attempt", 0),
            ("5y_plus", "5 years or more", 2),
            ("3_5y", "3 years to less than 5 years", 4),
            ("1_3y", "1 year to less than 3 years", 8),
            ("under_1y", "Less than 1 year", 14),
        ],
    ),
    ("A.3.1", "A", "Stability", "scored", False, [("S", "Stable (S)", 0), ("U", "Unstable (U)", 6)]),
    ("A.4.1", "A", "Most serious current offence", "scored", True, BANDS),
    ("A.4.2", "A", "Most serious outstanding charge", "scored", True, BANDS),
    (
        "A.4.3",
        "A",
        "Corrections Act convictions and charges, past 3 months, excluding drugs, violence or escape",
        "scored",
        True,
        [("0", "None", 0), ("1", "1", 2), ("2", "2", 4), ("3_plus", "3 or more", 6)],
    ),
    (
        "A.4.4",
        "A",
        "Corrections Act convictions and charges, past 3 months, for drugs, violence or escape",
        "scored",
        True,
        [("0", "None", 0), ("1", "1", 4), ("2_plus", "2 or more", 8)],
    ),
    (
        "A.4.5",
        "A",
        "Other Acts convictions and charges, past 3 months, excluding drugs, violence or escape",
        "scored",
        True,
        [("0", "None", 0), ("1", "1", 2), ("2_plus", "2 or more", 4)],
    ),
    (
        "A.4.6",
        "A",
        "Other Acts convictions and charges, past 4 months, for drugs, violence or escape",
        "scored",
        True,
        [("0", "None", 0), ("1", "1", 4), ("2_plus", "2 or more", 8)],
    ),
    (
        "A.5.1",
        "A",
        "Incident reports",
        "scored",
        False,
        [("good", "None", 0), ("average", "1 or 2", 2), ("poor", "3 or more", 4)],
    ),
    ("A.5.2", "A", "Compliance with staff requests", "scored", False, COOPERATION),
    ("A.5.3", "A", "Interaction with staff and other prisoners", "scored", False, COOPERATION),
    ("A.5.4", "A", "Compliance with prison rules", "scored", False, COOPERATION),
    ("A.5.5", "A", "Motivation to achieve Sentence Plan activities", "scored", False, COOPERATION),
    ("B.1.1", "B", "Terrorism charges or offences", "override", False, YES_NO),
    ("B.2.1", "B", "Time since last escape or attempt", "carry_over", True, []),
    ("B.2.2", "B", "Most serious current offence", "carry_over", True, []),
    ("B.2.3", "B", "Charges and convictions under other Acts", "carry_over", True, []),
    ("B.2.4", "B", "Cooperation and motivation", "carry_over", True, []),
    (
        "B.3.1",
        "B",
        "Time left to serve",
        "scored",
        True,
        [
            ("under_6m", "Less than 6 months", 0),
            ("6_12m", "6 months to less than 1 year", 1),
            ("1_2y", "1 year to less than 2 years", 3),
            ("2_5y", "2 years to less than 5 years", 6),
            ("5y_plus", "5 years or more, or no release date", 9),
        ],
    ),
    (
        "B.3.2",
        "B",
        "Subject to extradition, deportation or removal order",
        "scored",
        False,
        [("no", "No", 0), ("yes", "Yes", 8)],
    ),
    (
        "B.4.1",
        "B",
        "Previous conviction history",
        "scored",
        True,
        [
            ("none", "First conviction (none in 7 years)", 0),
            ("VL", "Lowest (VL) 0.1-19.9", 1),
            ("L", "Low (L) 20-99.99", 2),
            ("M", "Moderate (M) 100-999.99", 4),
            ("H", "High (H) 1000 and above", 6),
        ],
    ),
    (
        "B.4.2",
        "B",
        "Time since that conviction",
        "scored",
        True,
        [
            ("none", "First conviction", 0),
            ("5_7y", "5 years to 7 years", 1),
            ("2_5y", "2 years to less than 5 years", 2),
            ("under_2y", "Less than 2 years", 4),
        ],
    ),
    (
        "B.4.3",
        "B",
        "Information from other sources",
        "scored",
        False,
        [("none", "No information", 0), ("L", "L", 2), ("M", "M", 5), ("H", "H", 10)],
    ),
    ("B.4.4", "B", "Internal risk assessment", "scored", True, [("A", "A", 0), ("B", "B", 8)]),
]


def load_instrument(Instrument, InstrumentItem, InstrumentOption, *, version, effective_from, status):
    """Create one instrument version from ITEMS; takes the model classes so a migration can pass
    its historical models."""
    instrument = Instrument.objects.create(
        version=version,
        effective_from=effective_from,
        status=status,
        internal_b_from=INTERNAL_B_FROM,
        external_b_from=EXTERNAL_B_FROM,
        notes="Default points; see docs/classification-instrument.md.",
    )
    options = []
    for position, (code, section, text, kind, prepopulated, item_options) in enumerate(ITEMS):
        item = InstrumentItem.objects.create(
            instrument=instrument,
            code=code,
            section=section,
            text=text,
            kind=kind,
            prepopulated=prepopulated,
            position=position,
        )
        options += [
            InstrumentOption(item=item, code=opt_code, label=label, points=points, position=index)
            for index, (opt_code, label, points) in enumerate(item_options)
        ]
    InstrumentOption.objects.bulk_create(options)
    return instrument
