"""Offices, courts, prisons, suburbs and agencies for the demo data.

Place names are real New Zealand towns, suburbs, courts and prisons; street addresses and phone
numbers are synthetic (a 555 exchange). Agencies are invented names of the kinds of provider
Community Corrections works with; the programme names are generic descriptions.
"""

from typing import NamedTuple

NORTHERN = "Northern"
CENTRAL = "Central"
LOWER_NORTH = "Lower North"
SOUTHERN = "Southern"


class ProbationOffice(NamedTuple):
    code: str
    city: str  # also the name: "<city> Community Corrections"
    region: str
    area_code: str
    court: str  # code of the district court that sentences most of its people
    weight: int  # relative share of the demo offenders managed here
    suburbs: tuple[tuple[str, str], ...]  # (suburb, postcode)


PROBATION_OFFICES: tuple[ProbationOffice, ...] = (
    ProbationOffice(
        "CC-WRE",
        "Whangārei",
        NORTHERN,
        "09",
        "DC-WRE",
        4,
        (("Kensington", "0112"), ("Tikipunga", "0112"), ("Raumanga", "0110"), ("Otangarei", "0112")),
    ),
    ProbationOffice(
        "CC-NSH",
        "North Shore",
        NORTHERN,
        "09",
        "DC-NSH",
        4,
        (("Takapuna", "0622"), ("Glenfield", "0629"), ("Birkenhead", "0626"), ("Albany", "0632")),
    ),
    ProbationOffice(
        "CC-WTK",
        "Waitākere",
        NORTHERN,
        "09",
        "DC-WTK",
        5,
        (("Henderson", "0612"), ("Massey", "0614"), ("Ranui", "0612"), ("Glen Eden", "0602")),
    ),
    ProbationOffice(
        "CC-AKL",
        "Auckland Central",
        NORTHERN,
        "09",
        "DC-AKL",
        6,
        (("Grey Lynn", "1021"), ("Mount Albert", "1025"), ("Onehunga", "1061"), ("Glen Innes", "1072")),
    ),
    ProbationOffice(
        "CC-MNK",
        "Manukau",
        NORTHERN,
        "09",
        "DC-MNK",
        8,
        (("Ōtara", "2023"), ("Māngere", "2022"), ("Manurewa", "2102"), ("Papatoetoe", "2025")),
    ),
    ProbationOffice(
        "CC-HLZ",
        "Hamilton",
        CENTRAL,
        "07",
        "DC-HLZ",
        6,
        (("Frankton", "3204"), ("Enderley", "3214"), ("Nawton", "3200"), ("Fairfield", "3214")),
    ),
    ProbationOffice(
        "CC-TRG",
        "Tauranga",
        CENTRAL,
        "07",
        "DC-TRG",
        5,
        (("Greerton", "3112"), ("Merivale", "3112"), ("Gate Pā", "3112"), ("Mount Maunganui", "3116")),
    ),
    ProbationOffice(
        "CC-ROT",
        "Rotorua",
        CENTRAL,
        "07",
        "DC-ROT",
        4,
        (("Fordlands", "3015"), ("Western Heights", "3015"), ("Koutu", "3010"), ("Ōwhata", "3010")),
    ),
    ProbationOffice(
        "CC-GIS",
        "Gisborne",
        CENTRAL,
        "06",
        "DC-GIS",
        3,
        (("Kaiti", "4010"), ("Elgin", "4010"), ("Te Hapara", "4010"), ("Mangapapa", "4010")),
    ),
    ProbationOffice(
        "CC-NPE",
        "Napier",
        CENTRAL,
        "06",
        "DC-NPE",
        3,
        (("Maraenui", "4110"), ("Onekawa", "4110"), ("Tamatea", "4112"), ("Marewa", "4110")),
    ),
    ProbationOffice(
        "CC-HST",
        "Hastings",
        CENTRAL,
        "06",
        "DC-HST",
        4,
        (("Flaxmere", "4120"), ("Camberley", "4120"), ("Mahora", "4120"), ("Raureka", "4120")),
    ),
    ProbationOffice(
        "CC-NPL",
        "New Plymouth",
        CENTRAL,
        "06",
        "DC-NPL",
        3,
        (("Marfell", "4310"), ("Waitara", "4320"), ("Spotswood", "4310"), ("Westown", "4310")),
    ),
    ProbationOffice(
        "CC-WAG",
        "Whanganui",
        LOWER_NORTH,
        "06",
        "DC-WAG",
        3,
        (("Castlecliff", "4501"), ("Aramoho", "4500"), ("Gonville", "4501"), ("Whanganui East", "4500")),
    ),
    ProbationOffice(
        "CC-PMR",
        "Palmerston North",
        LOWER_NORTH,
        "06",
        "DC-PMR",
        4,
        (("Highbury", "4412"), ("Takaro", "4412"), ("Awapuni", "4412"), ("Roslyn", "4414")),
    ),
    ProbationOffice(
        "CC-MST",
        "Masterton",
        LOWER_NORTH,
        "06",
        "DC-MST",
        2,
        (("Lansdowne", "5810"), ("Solway", "5810"), ("Kuripuni", "5810"), ("Opaki", "5810")),
    ),
    ProbationOffice(
        "CC-HUT",
        "Lower Hutt",
        LOWER_NORTH,
        "04",
        "DC-HUT",
        4,
        (("Naenae", "5011"), ("Taitā", "5011"), ("Wainuiomata", "5014"), ("Stokes Valley", "5019")),
    ),
    ProbationOffice(
        "CC-POR",
        "Porirua",
        LOWER_NORTH,
        "04",
        "DC-POR",
        3,
        (("Cannons Creek", "5024"), ("Waitangirua", "5024"), ("Ascot Park", "5024"), ("Titahi Bay", "5022")),
    ),
    ProbationOffice(
        "CC-WLG",
        "Wellington",
        LOWER_NORTH,
        "04",
        "DC-WLG",
        4,
        (("Newtown", "6021"), ("Strathmore Park", "6022"), ("Johnsonville", "6037"), ("Te Aro", "6011")),
    ),
    ProbationOffice(
        "CC-NSN",
        "Nelson",
        SOUTHERN,
        "03",
        "DC-NSN",
        3,
        (("Stoke", "7011"), ("Tāhunanui", "7011"), ("Victory", "7010"), ("Atawhai", "7010")),
    ),
    ProbationOffice(
        "CC-BHE",
        "Blenheim",
        SOUTHERN,
        "03",
        "DC-BHE",
        2,
        (("Mayfield", "7201"), ("Redwoodtown", "7201"), ("Witherlea", "7201"), ("Springlands", "7201")),
    ),
    ProbationOffice(
        "CC-CHC",
        "Christchurch",
        SOUTHERN,
        "03",
        "DC-CHC",
        7,
        (("Aranui", "8061"), ("Hornby", "8042"), ("Linwood", "8062"), ("Papanui", "8053")),
    ),
    ProbationOffice(
        "CC-TIU",
        "Timaru",
        SOUTHERN,
        "03",
        "DC-TIU",
        2,
        (("Watlington", "7910"), ("Highfield", "7910"), ("Parkside", "7910"), ("Marchwiel", "7910")),
    ),
    ProbationOffice(
        "CC-DUD",
        "Dunedin",
        SOUTHERN,
        "03",
        "DC-DUD",
        4,
        (("South Dunedin", "9012"), ("Caversham", "9012"), ("Brockville", "9011"), ("Mosgiel", "9024")),
    ),
    ProbationOffice(
        "CC-IVC",
        "Invercargill",
        SOUTHERN,
        "03",
        "DC-IVC",
        3,
        (("Glengarry", "9810"), ("Strathern", "9812"), ("Heidelberg", "9812"), ("Windsor", "9810")),
    ),
)


class Place(NamedTuple):
    code: str
    name: str
    region: str
    city: str
    area_code: str


SERVICE_CENTRES: tuple[Place, ...] = (
    Place("SC-NAT", "National Office", LOWER_NORTH, "Wellington", "04"),
    Place("SC-NTH", "Northern Region Service Centre", NORTHERN, "Auckland", "09"),
    Place("SC-CEN", "Central Region Service Centre", CENTRAL, "Hamilton", "07"),
    Place("SC-STH", "Southern Region Service Centre", SOUTHERN, "Christchurch", "03"),
)


class Prison(NamedTuple):
    code: str
    name: str
    region: str
    city: str
    area_code: str
    women: bool


PRISONS: tuple[Prison, ...] = (
    Prison("PR-NRCF", "Northland Region Corrections Facility", NORTHERN, "Ngāwhā", "09", False),
    Prison("PR-AKP", "Auckland Prison", NORTHERN, "Paremoremo", "09", False),
    Prison("PR-MECF", "Mount Eden Corrections Facility", NORTHERN, "Auckland", "09", False),
    Prison("PR-ARWCF", "Auckland Region Women's Corrections Facility", NORTHERN, "Wiri", "09", True),
    Prison("PR-SHCF", "Spring Hill Corrections Facility", CENTRAL, "Te Kauwhata", "07", False),
    Prison("PR-WKR", "Waikeria Prison", CENTRAL, "Te Awamutu", "07", False),
    Prison("PR-HBRP", "Hawke's Bay Regional Prison", CENTRAL, "Hastings", "06", False),
    Prison("PR-MNP", "Manawatu Prison", LOWER_NORTH, "Palmerston North", "06", False),
    Prison("PR-RMK", "Rimutaka Prison", LOWER_NORTH, "Upper Hutt", "04", False),
    Prison("PR-ARO", "Arohata Prison", LOWER_NORTH, "Tawa", "04", True),
    Prison("PR-CMP", "Christchurch Men's Prison", SOUTHERN, "Christchurch", "03", False),
    Prison("PR-CWP", "Christchurch Women's Prison", SOUTHERN, "Christchurch", "03", True),
    Prison("PR-OCF", "Otago Corrections Facility", SOUTHERN, "Milton", "03", False),
)


class Court(NamedTuple):
    code: str
    name: str
    region: str
    city: str
    area_code: str
    number: str  # the three digits in a court file number, CRI-<year>-<number>-<serial>
    high_court: bool


COURTS: tuple[Court, ...] = (
    Court("DC-WRE", "Whangārei District Court", NORTHERN, "Whangārei", "09", "088", False),
    Court("DC-NSH", "North Shore District Court", NORTHERN, "Auckland", "09", "044", False),
    Court("DC-WTK", "Waitākere District Court", NORTHERN, "Auckland", "09", "090", False),
    Court("DC-AKL", "Auckland District Court", NORTHERN, "Auckland", "09", "004", False),
    Court("DC-MNK", "Manukau District Court", NORTHERN, "Auckland", "09", "092", False),
    Court("DC-HLZ", "Hamilton District Court", CENTRAL, "Hamilton", "07", "019", False),
    Court("DC-TRG", "Tauranga District Court", CENTRAL, "Tauranga", "07", "070", False),
    Court("DC-ROT", "Rotorua District Court", CENTRAL, "Rotorua", "07", "063", False),
    Court("DC-GIS", "Gisborne District Court", CENTRAL, "Gisborne", "06", "016", False),
    Court("DC-NPE", "Napier District Court", CENTRAL, "Napier", "06", "041", False),
    Court("DC-HST", "Hastings District Court", CENTRAL, "Hastings", "06", "020", False),
    Court("DC-NPL", "New Plymouth District Court", CENTRAL, "New Plymouth", "06", "043", False),
    Court("DC-WAG", "Whanganui District Court", LOWER_NORTH, "Whanganui", "06", "083", False),
    Court("DC-PMR", "Palmerston North District Court", LOWER_NORTH, "Palmerston North", "06", "054", False),
    Court("DC-MST", "Masterton District Court", LOWER_NORTH, "Masterton", "06", "035", False),
    Court("DC-HUT", "Hutt Valley District Court", LOWER_NORTH, "Lower Hutt", "04", "032", False),
    Court("DC-POR", "Porirua District Court", LOWER_NORTH, "Porirua", "04", "091", False),
    Court("DC-WLG", "Wellington District Court", LOWER_NORTH, "Wellington", "04", "085", False),
    Court("DC-NSN", "Nelson District Court", SOUTHERN, "Nelson", "03", "042", False),
    Court("DC-BHE", "Blenheim District Court", SOUTHERN, "Blenheim", "03", "006", False),
    Court("DC-CHC", "Christchurch District Court", SOUTHERN, "Christchurch", "03", "009", False),
    Court("DC-TIU", "Timaru District Court", SOUTHERN, "Timaru", "03", "076", False),
    Court("DC-DUD", "Dunedin District Court", SOUTHERN, "Dunedin", "03", "012", False),
    Court("DC-IVC", "Invercargill District Court", SOUTHERN, "Invercargill", "03", "025", False),
    Court("HC-AKL", "High Court at Auckland", NORTHERN, "Auckland", "09", "404", True),
    Court("HC-HLZ", "High Court at Hamilton", CENTRAL, "Hamilton", "07", "419", True),
    Court("HC-WLG", "High Court at Wellington", LOWER_NORTH, "Wellington", "04", "485", True),
    Court("HC-CHC", "High Court at Christchurch", SOUTHERN, "Christchurch", "03", "409", True),
)

HIGH_COURT_BY_REGION = {court.region: court.code for court in COURTS if court.high_court}

# Teams in each kind of office.
PROBATION_TEAMS = ("Case Management North", "Case Management South", "Community Work", "Administration")
PRISON_TEAMS = ("Custodial", "Case Management", "Classification")
SERVICE_CENTRE_TEAMS = ("Help Desk", "Sentence Management", "Information Sharing")


class AgencySpec(NamedTuple):
    name: str
    kind: str
    programmes: tuple[tuple[str, str, str], ...]  # (name, kind: programme|service, description)
    office_codes: tuple[str, ...]  # where its programmes run; empty: national
    discontinued: bool = False


AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        "Department of Corrections Programmes",
        "government",
        (
            (
                "Medium Intensity Rehabilitation Programme",
                "programme",
                "Group programme addressing the thinking and behaviour behind offending.",
            ),
            ("Short Motivational Programme", "programme", "Brief programme to build motivation to change."),
            ("Alcohol and Other Drug Treatment Programme", "programme", "Group treatment for substance use."),
        ),
        (),
    ),
    AgencySpec(
        "Kōwhai Stopping Violence Services",
        "NGO",
        (("Non-Violence Programme", "programme", "Programme for men who have used violence in the family."),),
        ("CC-WLG", "CC-HUT", "CC-POR", "CC-PMR", "CC-MST"),
    ),
    AgencySpec(
        "Te Whare Oranga Whānau Trust",
        "iwi provider",
        (("Tikanga Māori Programme", "programme", "Kaupapa Māori programme on identity and whānau."),),
        ("CC-WRE", "CC-ROT", "CC-GIS", "CC-HST", "CC-WAG", "CC-MNK"),
    ),
    AgencySpec(
        "Aotearoa Addiction Recovery Services",
        "health provider",
        (("Community Alcohol and Drug Counselling", "service", "One-to-one alcohol and drug counselling."),),
        ("CC-AKL", "CC-WTK", "CC-HLZ", "CC-TRG", "CC-CHC", "CC-DUD", "CC-WLG"),
    ),
    AgencySpec(
        "Pasifika Family Services Trust",
        "Pacific provider",
        (("Pacific Focus Programme", "programme", "Programme grounded in Pacific values and family."),),
        ("CC-MNK", "CC-AKL", "CC-POR", "CC-HUT", "CC-CHC"),
    ),
    AgencySpec(
        "Northern Employment and Training Trust",
        "NGO",
        (
            ("Employment Skills Training", "programme", "Work readiness and trade taster courses."),
            ("Driver Licence Programme", "service", "Help to gain a learner or restricted licence."),
        ),
        ("CC-NSH", "CC-WTK", "CC-AKL", "CC-MNK", "CC-WRE"),
    ),
    AgencySpec(
        "Southern Literacy Trust",
        "NGO",
        (("Adult Literacy and Numeracy", "programme", "Reading, writing and maths for adults."),),
        ("CC-NSN", "CC-BHE", "CC-CHC", "CC-TIU", "CC-DUD", "CC-IVC"),
    ),
    AgencySpec(
        "Open Door Housing Trust",
        "NGO",
        (("Supported Accommodation", "service", "Transitional housing with a support worker."),),
        ("CC-AKL", "CC-HLZ", "CC-WLG", "CC-CHC", "CC-DUD"),
    ),
    AgencySpec(
        "Community Budgeting Network",
        "NGO",
        (("Budgeting Service", "service", "Budget advice and help with debt."),),
        (),
    ),
    AgencySpec(
        "Safe Roads Education Trust",
        "NGO",
        (("Driving Offender Programme", "programme", "Programme for repeat drink drivers."),),
        ("CC-HLZ", "CC-TRG", "CC-ROT", "CC-NPE", "CC-NPL", "CC-PMR", "CC-IVC"),
    ),
    AgencySpec(
        "Whānau Parenting Collective",
        "NGO",
        (("Parenting Programme", "programme", "Parenting skills for mothers and fathers."),),
        ("CC-MNK", "CC-HUT", "CC-ROT", "CC-CHC"),
    ),
    AgencySpec(
        "Central Districts Rehabilitation Trust",
        "NGO",
        (("Community Reintegration Service", "service", "Support on release from prison."),),
        ("CC-WAG", "CC-PMR"),
        discontinued=True,
    ),
)
