"""The demo offence catalogue: common New Zealand offences with their Act, section and a Ministry
of Justice seriousness score (the average prison days imposed for the offence; DOMAIN.md).

The scores are plausible values for demonstration (murder about 11,900, burglary about 120, drink
driving about 10, possession of cannabis about 2), not the Ministry's published table; the sections
are the usual ones but should be checked against legislation.govt.nz before anyone relies on them.

`frequency` is how often the generator picks the offence as the lead offence of a synthetic case,
relative to the others; it shapes the demo population (many low-level offences, few homicides)
and is not part of the catalogue the portal stores.
"""

from decimal import Decimal
from typing import NamedTuple

from sentences.models import OffenceCategory

CRIMES = "Crimes Act 1961"
DRUGS = "Misuse of Drugs Act 1975"
SUMMARY = "Summary Offences Act 1981"
TRANSPORT = "Land Transport Act 1998"
TERRORISM = "Terrorism Suppression Act 2002"
CORRECTIONS = "Corrections Act 2004"
ARMS = "Arms Act 1983"
FAMILY_VIOLENCE = "Family Violence Act 2018"
SENTENCING = "Sentencing Act 2002"
PAROLE = "Parole Act 2002"

VIOLENCE = OffenceCategory.VIOLENCE.value
SERIOUS_ASSAULT = OffenceCategory.SERIOUS_ASSAULT.value
DRUG = OffenceCategory.DRUGS.value
ESCAPE = OffenceCategory.ESCAPE.value
TERROR = OffenceCategory.TERRORISM.value
CHILD_SEX = OffenceCategory.CHILD_SEX.value


class OffenceSpec(NamedTuple):
    code: str
    description: str
    act: str
    section: str
    seriousness: Decimal
    categories: tuple[str, ...]
    frequency: int


def _offence(code, description, act, section, seriousness, categories=(), frequency=10) -> OffenceSpec:
    return OffenceSpec(code, description, act, section, Decimal(str(seriousness)), categories, frequency)


OFFENCES: tuple[OffenceSpec, ...] = (
    # Crimes Act 1961: homicide and violence
    _offence("CA172", "Murder", CRIMES, "172", 11900, (VIOLENCE, SERIOUS_ASSAULT), 1),
    _offence("CA173", "Attempted murder", CRIMES, "173", 3600, (VIOLENCE, SERIOUS_ASSAULT), 1),
    _offence("CA177", "Manslaughter", CRIMES, "177", 2500, (VIOLENCE, SERIOUS_ASSAULT), 1),
    _offence(
        "CA188-1",
        "Wounding with intent to cause grievous bodily harm",
        CRIMES,
        "188(1)",
        1500,
        (VIOLENCE, SERIOUS_ASSAULT),
        3,
    ),
    _offence(
        "CA188-2", "Wounding with intent to injure", CRIMES, "188(2)", 600, (VIOLENCE, SERIOUS_ASSAULT), 4
    ),
    _offence(
        "CA189-1",
        "Injuring with intent to cause grievous bodily harm",
        CRIMES,
        "189(1)",
        900,
        (VIOLENCE, SERIOUS_ASSAULT),
        3,
    ),
    _offence("CA189-2", "Injuring with intent to injure", CRIMES, "189(2)", 250, (VIOLENCE,), 6),
    _offence("CA189A", "Strangulation or suffocation", CRIMES, "189A", 180, (VIOLENCE, SERIOUS_ASSAULT), 8),
    _offence("CA191", "Aggravated wounding or injury", CRIMES, "191", 1000, (VIOLENCE, SERIOUS_ASSAULT), 2),
    _offence("CA192", "Aggravated assault", CRIMES, "192", 80, (VIOLENCE,), 6),
    _offence("CA193", "Assault with intent to injure", CRIMES, "193", 70, (VIOLENCE,), 12),
    _offence("CA194B", "Male assaults female", CRIMES, "194(b)", 60, (VIOLENCE,), 30),
    _offence("CA194A", "Assault on a person in a family relationship", CRIMES, "194A", 40, (VIOLENCE,), 20),
    _offence(
        "CA195",
        "Ill-treatment or neglect of a child or vulnerable adult",
        CRIMES,
        "195",
        250,
        (VIOLENCE,),
        2,
    ),
    _offence("CA196", "Common assault", CRIMES, "196", 25, (VIOLENCE,), 10),
    _offence(
        "CA198",
        "Discharging a firearm with intent to do grievous bodily harm",
        CRIMES,
        "198(1)",
        1100,
        (VIOLENCE, SERIOUS_ASSAULT),
        1,
    ),
    _offence("CA306", "Threatening to kill", CRIMES, "306(1)(a)", 90, (VIOLENCE,), 8),
    # Crimes Act 1961: sexual offending
    _offence("CA128B", "Sexual violation by rape", CRIMES, "128B", 3000, (VIOLENCE, SERIOUS_ASSAULT), 1),
    _offence(
        "CA132-1",
        "Sexual connection with a child under 12",
        CRIMES,
        "132(1)",
        3500,
        (CHILD_SEX, SERIOUS_ASSAULT),
        1,
    ),
    _offence("CA132-3", "Indecent act on a child under 12", CRIMES, "132(3)", 650, (CHILD_SEX,), 1),
    _offence(
        "CA134-1",
        "Sexual connection with a young person under 16",
        CRIMES,
        "134(1)",
        700,
        (CHILD_SEX,),
        1,
    ),
    _offence(
        "CA131B", "Meeting a young person following sexual grooming", CRIMES, "131B", 500, (CHILD_SEX,), 1
    ),
    # Crimes Act 1961: dishonesty, property and justice
    _offence("CA235", "Aggravated robbery", CRIMES, "235", 1200, (VIOLENCE, SERIOUS_ASSAULT), 4),
    _offence("CA234", "Robbery", CRIMES, "234", 450, (VIOLENCE,), 4),
    _offence("CA232", "Aggravated burglary", CRIMES, "232", 900, (VIOLENCE,), 2),
    _offence("CA231", "Burglary", CRIMES, "231", 120, (), 40),
    _offence("CA219-1K", "Theft (value over $1,000)", CRIMES, "219, 223(b)", 15, (), 20),
    _offence("CA219-500", "Theft (value $500 or less)", CRIMES, "219, 223(d)", 2, (), 35),
    _offence("CA226", "Unlawfully taking a motor vehicle", CRIMES, "226(1)", 18, (), 15),
    _offence("CA246", "Receiving stolen property", CRIMES, "246", 15, (), 10),
    _offence("CA228", "Dishonestly taking or using a document", CRIMES, "228", 20, (), 10),
    _offence("CA240", "Obtaining by deception", CRIMES, "240", 30, (), 8),
    _offence("CA267", "Arson", CRIMES, "267", 400, (), 2),
    _offence("CA269", "Intentional damage", CRIMES, "269", 12, (), 15),
    _offence("CA120", "Escape from lawful custody", CRIMES, "120", 200, (ESCAPE,), 2),
    _offence("CA98A", "Participation in an organised criminal group", CRIMES, "98A", 300, (), 2),
    _offence("CA117", "Attempting to pervert the course of justice", CRIMES, "117(e)", 150, (), 2),
    # Misuse of Drugs Act 1975
    _offence("MDA6-1A", "Importing a Class A controlled drug", DRUGS, "6(1)(a)", 3000, (DRUG,), 1),
    _offence("MDA6-1B", "Manufacturing methamphetamine", DRUGS, "6(1)(b)", 1900, (DRUG,), 1),
    _offence("MDA6-1C", "Supplying methamphetamine", DRUGS, "6(1)(c)", 1100, (DRUG,), 3),
    _offence("MDA6-1F", "Possession of methamphetamine for supply", DRUGS, "6(1)(f)", 700, (DRUG,), 4),
    _offence("MDA6-1E", "Selling cannabis", DRUGS, "6(1)(e)", 60, (DRUG,), 5),
    _offence("MDA9", "Cultivating cannabis", DRUGS, "9", 25, (DRUG,), 6),
    _offence("MDA7-A", "Possession of methamphetamine", DRUGS, "7(1)(a)", 15, (DRUG,), 10),
    _offence("MDA7-C", "Possession of cannabis", DRUGS, "7(1)(a)", 2, (DRUG,), 15),
    _offence("MDA13", "Possession of a utensil for drug use", DRUGS, "13(1)(a)", 1, (DRUG,), 10),
    # Summary Offences Act 1981
    _offence("SOA9", "Common assault", SUMMARY, "9", 8, (VIOLENCE,), 15),
    _offence("SOA3", "Disorderly behaviour", SUMMARY, "3", 0.5, (), 15),
    _offence("SOA4", "Offensive behaviour or language", SUMMARY, "4", 0.2, (), 8),
    _offence("SOA7", "Fighting in a public place", SUMMARY, "7", 3, (VIOLENCE,), 6),
    _offence("SOA11", "Wilful damage", SUMMARY, "11", 2, (), 12),
    _offence("SOA13A", "Possession of a knife in a public place", SUMMARY, "13A", 10, (), 6),
    _offence("SOA21", "Intimidation", SUMMARY, "21", 6, (VIOLENCE,), 5),
    _offence("SOA23", "Resisting police", SUMMARY, "23(a)", 5, (), 8),
    _offence("SOA29", "Found on property without reasonable excuse", SUMMARY, "29", 4, (), 6),
    # Land Transport Act 1998
    _offence("LTA56-1", "Driving with excess breath alcohol (drink driving)", TRANSPORT, "56(1)", 10, (), 35),
    _offence(
        "LTA56-4",
        "Driving with excess breath alcohol, third or subsequent",
        TRANSPORT,
        "56(4)",
        35,
        (),
        12,
    ),
    _offence("LTA32", "Driving while disqualified", TRANSPORT, "32(1)(a)", 12, (), 25),
    _offence(
        "LTA36",
        "Reckless or dangerous driving causing death",
        TRANSPORT,
        "36(1)",
        700,
        (),
        1,
    ),
    _offence("LTA114", "Failing to stop when followed by police", TRANSPORT, "114(2)", 8, (), 12),
    # Terrorism Suppression Act 2002
    _offence("TSA6A", "Carrying out a terrorist act", TERRORISM, "6A", 5000, (TERROR, VIOLENCE), 0),
    _offence("TSA8", "Financing of terrorism", TERRORISM, "8", 1500, (TERROR,), 0),
    _offence("TSA13", "Participating in a terrorist group", TERRORISM, "13", 1000, (TERROR,), 0),
    # Corrections Act 2004
    _offence(
        "COR141",
        "Delivering an unauthorised item to a prisoner",
        CORRECTIONS,
        "141",
        30,
        (),
        2,
    ),
    # Arms Act 1983
    _offence(
        "ARM45",
        "Carrying a firearm without lawful, proper and sufficient purpose",
        ARMS,
        "45(1)",
        60,
        (VIOLENCE,),
        4,
    ),
    _offence(
        "ARM50",
        "Unlawful possession of a pistol or restricted weapon",
        ARMS,
        "50",
        90,
        (),
        2,
    ),
    _offence("ARM20", "Unlawful possession of a firearm", ARMS, "20", 25, (), 4),
    # Family Violence Act 2018
    _offence("FVA112", "Contravening a protection order", FAMILY_VIOLENCE, "112", 20, (VIOLENCE,), 15),
    # Sentencing Act 2002 and Parole Act 2002: breaches of sentences and orders
    _offence("SA71", "Breach of community work", SENTENCING, "71", 5, (), 0),
    _offence("SA70", "Breach of supervision", SENTENCING, "70", 8, (), 0),
    _offence("SA70A", "Breach of intensive supervision", SENTENCING, "70A", 12, (), 0),
    _offence("SA70B", "Breach of community detention", SENTENCING, "70B", 10, (), 0),
    _offence("SA80S", "Breach of home detention conditions", SENTENCING, "80S", 45, (), 0),
    _offence("PA71", "Breach of release conditions", PAROLE, "71", 40, (), 0),
    _offence("PA107T", "Breach of extended supervision order conditions", PAROLE, "107T", 60, (), 0),
)

# The breach offence that follows a breach of each kind of sentence (by sentence type value).
BREACH_OFFENCE_BY_SENTENCE_TYPE = {
    "community_work": "SA71",
    "supervision": "SA70",
    "intensive_supervision": "SA70A",
    "community_detention": "SA70B",
    "home_detention": "SA80S",
    "parole": "PA71",
    "release_on_conditions": "PA71",
    "extended_supervision": "PA107T",
}

OFFENCES_BY_CODE = {offence.code: offence for offence in OFFENCES}
