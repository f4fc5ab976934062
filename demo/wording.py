"""Words for the demo data: sentence conditions and casenote text. Placeholders in casenote
text: {name} (the offender's first or preferred name), {office}, {programme}."""

SUPERVISION_CONDITIONS = (
    "To attend an alcohol and drug assessment and complete any treatment recommended, as directed "
    "by a probation officer.",
    "Not to consume alcohol or non-prescribed drugs.",
    "To attend and complete a non-violence programme as directed by a probation officer.",
    "Not to associate with or contact the victim, directly or indirectly.",
    "To live at an address approved by a probation officer and not move without prior approval.",
    "To take part in employment, education or training as directed by a probation officer.",
    "To attend and complete a tikanga Māori programme as directed by a probation officer.",
    "To attend a budgeting service as directed by a probation officer.",
)
CHILD_SAFETY_CONDITIONS = (
    "Not to be in the company of, or contact, any person under the age of 16 except with the prior "
    "written approval of a probation officer.",
    "Not to enter any school, early childhood centre, playground or public swimming pool.",
    "To attend and complete a psychological assessment and any treatment recommended.",
)

# ---------------------------------------------------------------------------------------------
# Casenote wording


CONTACT_NOTES = (
    (
        "Reported as directed",
        "{name} reported as directed at {office}. Discussed progress on the "
        "sentence conditions and plans for the coming fortnight. No concerns raised.",
    ),
    (
        "Reported as directed",
        "{name} reported on time. Confirmed address and phone number unchanged. "
        "Next report booked for two weeks' time.",
    ),
    (
        "Home visit",
        "Home visit completed. {name} was home and the address remains suitable. "
        "Spoke briefly with whānau present.",
    ),
    (
        "Failed to report",
        "{name} did not report as directed. Phoned and left a message; letter sent "
        "giving a new reporting date. Warned that a further failure may lead to breach action.",
    ),
    (
        "Phone contact",
        "{name} phoned to say they could not report because of work. Rescheduled to "
        "later in the week; employer letter to be provided.",
    ),
    (
        "Employment",
        "{name} has started casual work with a local contractor. Hours discussed so they "
        "fit around reporting and programme attendance.",
    ),
    (
        "Programme progress",
        "Discussed attendance at {programme}. {name} says the sessions are useful "
        "and has attended every session so far.",
    ),
    (
        "Reported as directed",
        "{name} reported. Talked about the triggers for the offending and the "
        "safety plan. Agreed goals: keep working, stay away from alcohol.",
    ),
    (
        "Community work",
        "{name} attended community work at the work centre. Hours completed this "
        "week recorded on the work sheet.",
    ),
    (
        "Community work",
        "{name} did not attend the community work party. No reason given; absence "
        "recorded and a warning letter sent.",
    ),
    (
        "Whānau hui",
        "Whānau hui held at {office} with {name} and support people to plan for "
        "accommodation and employment.",
    ),
    (
        "Reported as directed",
        "{name} reported and presented well. Has been attending appointments with the doctor; no new issues.",
    ),
)
ACTION_NOTES = (
    (
        "Induction completed",
        "Induction completed: sentence conditions explained, reporting "
        "instructions given and signed. {name} understood the conditions.",
    ),
    ("Referral made", "Referral made to {programme}. Provider to contact {name} with a start date."),
    (
        "Sentence plan",
        "Sentence plan drafted with {name}: goals for employment, alcohol and drug "
        "treatment and family relationships.",
    ),
    ("Letter sent", "Letter sent to {name} confirming the next reporting date."),
    ("Police check", "Checked with Police: no new charges since the last review."),
    (
        "Address check",
        "Proposed address checked with the occupants, who agreed to {name} living there. Address approved.",
    ),
    ("Breach warning", "Formal warning issued to {name} for failing to comply with the conditions."),
    ("Report written", "Progress report written for the file; {name} is complying with the sentence."),
)
PRISON_NOTES = (
    ("Reception", "{name} received into custody. Induction and at-risk assessment completed."),
    ("Case management", "Case management meeting held with {name} to review the offender plan."),
    ("Parole readiness", "Release plan discussed with {name}: proposed address and support on release."),
    ("Programme progress", "{name} has enrolled in a rehabilitation programme in the unit."),
)
SENSITIVE_NOTES = (
    (
        "Victim information",
        "Information from the victim's advocate about safety concerns; not to be disclosed to {name}.",
    ),
    (
        "Health information",
        "{name} disclosed a mental health diagnosis and current medication. "
        "Referred to the forensic mental health liaison.",
    ),
    ("Informant information", "Police intelligence received about {name}'s associations. Restricted."),
    (
        "Family violence disclosure",
        "Partner disclosed further family violence incidents. Safety "
        "plan discussed with the partner; Police informed.",
    ),
)
