"""Offices, courts, prisons, suburbs and agencies for the demo data.

Place names are real New Zealand towns, suburbs, courts and prisons; street addresses and phone
numbers are synthetic (a 555 exchange). Agencies are invented names of the kinds of provider
Community Corrections works with; the programme names are generic descriptions.
"""

import math
import random
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
    weight: float  # relative share of the demo offenders managed here
    suburbs: tuple[tuple[str, str], ...]  # (suburb, postcode)
    address_city: str = ""  # the city of its addresses, when not `city` (an office in a suburb)


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


# ---------------------------------------------------------------------------------------------
# Smaller offices: at national size the 24 offices above would each hold thousands of people, so
# their areas are shared with offices in suburbs and country towns. Each line is "locality
# postcode", or "suburb, city postcode" for a suburb (the city is then the city of its addresses);
# listed roughly from the largest place down. Postcodes are those of the places as best known, not
# checked against the postal file. Which of them exist depends on the size (`probation_offices`).

SATELLITE_PLACES: dict[str, str] = {
    "CC-WRE": """
        Kaitāia 0410
        Kerikeri 0230
        Kaikohe 0405
        Dargaville 0310
        Kamo, Whangārei 0112
        Onerahi, Whangārei 0110
        Moerewa 0211
        Kawakawa 0210
        Paihia 0200
        Ruakākā 0116
        Mangawhai 0505
        Waipū 0510
        Hikurangi 0114
        Maungaturoto 0520
        Morningside, Whangārei 0110
        Maunu, Whangārei 0110
        Ruawai 0530
        Awanui 0486
        Ahipara 0481
        Taipa 0420
        Kaeo 0478
        Rāwene 0473
        Ōkaihau 0475
        Russell 0202
        Houhora 0484
        Kohukohu 0491
        Ngunguru 0173
    """,
    "CC-NSH": """
        Ōrewa 0931
        Whangaparāoa 0932
        Browns Bay, Auckland 0630
        Northcote, Auckland 0627
        Silverdale 0932
        Warkworth 0910
        Devonport, Auckland 0624
        Milford, Auckland 0620
        Beach Haven, Auckland 0626
        Sunnynook, Auckland 0620
        Torbay, Auckland 0630
        Wellsford 0900
        Mairangi Bay, Auckland 0630
        Forrest Hill, Auckland 0620
        Unsworth Heights, Auckland 0632
        Snells Beach 0920
        Red Beach 0932
        Bayview, Auckland 0629
        Totara Vale, Auckland 0629
        Castor Bay, Auckland 0620
        Matakana 0985
        Long Bay, Auckland 0630
        Pūhoi 0994
    """,
    "CC-WTK": """
        New Lynn, Auckland 0600
        Te Atatū South, Auckland 0610
        Kelston, Auckland 0602
        Te Atatū Peninsula, Auckland 0610
        Swanson, Auckland 0612
        Sunnyvale, Auckland 0612
        Avondale, Auckland 1026
        Hobsonville, Auckland 0616
        Helensville 0800
        Westgate, Auckland 0614
        Titirangi, Auckland 0604
        Glendene, Auckland 0602
        McLaren Park, Auckland 0610
        Kumeū 0810
        West Harbour, Auckland 0618
        Green Bay, Auckland 0604
        Huapai 0810
        Whenuapai, Auckland 0618
        Henderson Valley, Auckland 0612
        Waimauku 0812
        Laingholm, Auckland 0604
        Oratia, Auckland 0604
        Piha 0772
    """,
    "CC-AKL": """
        Ōtāhuhu, Auckland 1062
        Mount Roskill, Auckland 1041
        Mount Wellington, Auckland 1060
        Panmure, Auckland 1072
        Point England, Auckland 1072
        Mount Eden, Auckland 1024
        Sandringham, Auckland 1025
        Ponsonby, Auckland 1011
        Newmarket, Auckland 1023
        Ellerslie, Auckland 1051
        Penrose, Auckland 1061
        Three Kings, Auckland 1042
        Hillsborough, Auckland 1041
        Lynfield, Auckland 1042
        Blockhouse Bay, Auckland 0600
        Waterview, Auckland 1026
        Point Chevalier, Auckland 1022
        Kingsland, Auckland 1021
        Royal Oak, Auckland 1023
        Epsom, Auckland 1023
        Remuera, Auckland 1050
        Parnell, Auckland 1052
        Te Papapa, Auckland 1061
        Oranga, Auckland 1061
        Stonefields, Auckland 1072
        Meadowbank, Auckland 1072
        Ōrākei, Auckland 1071
        Mission Bay, Auckland 1071
        St Heliers, Auckland 1071
        Waiheke Island 1081
        Freemans Bay, Auckland 1011
        Eden Terrace, Auckland 1021
        Grafton, Auckland 1023
        Balmoral, Auckland 1024
        Westmere, Auckland 1022
        Herne Bay, Auckland 1011
        Great Barrier Island 0991
    """,
    "CC-MNK": """
        Papakura 2110
        Pukekohe 2120
        Clendon Park, Auckland 2103
        Māngere East, Auckland 2024
        Takanini 2112
        Wiri, Auckland 2104
        Favona, Auckland 2024
        Weymouth, Auckland 2103
        Randwick Park, Auckland 2105
        Howick, Auckland 2014
        Pakuranga, Auckland 2010
        Flat Bush, Auckland 2019
        Waiuku 2123
        Tuakau 2121
        Māngere Bridge, Auckland 2022
        Homai, Auckland 2105
        Goodwood Heights, Auckland 2105
        Wattle Downs, Auckland 2103
        Puhinui, Auckland 2104
        Botany Downs, Auckland 2010
        East Tāmaki, Auckland 2013
        Highland Park, Auckland 2010
        Pōkeno 2402
        Drury 2113
        Rosehill, Papakura 2113
        Red Hill, Papakura 2110
        Conifer Grove, Papakura 2112
        Bucklands Beach, Auckland 2012
        Half Moon Bay, Auckland 2012
        Dannemora, Auckland 2016
        Beachlands 2018
        Maraetai 2018
        Karaka 2113
        Patumāhoe 2678
        Bombay 2675
        Clevedon 2582
        Ardmore 2582
        Whitford 2571
        Hunua 2583
    """,
    "CC-HLZ": """
        Huntly 3700
        Te Awamutu 3800
        Tokoroa 3420
        Cambridge 3434
        Ngāruawāhia 3720
        Thames 3500
        Te Kūiti 3910
        Matamata 3400
        Morrinsville 3300
        Dinsdale, Hamilton 3204
        Melville, Hamilton 3206
        Paeroa 3600
        Waihī 3610
        Putāruru 3411
        Te Aroha 3320
        Claudelands, Hamilton 3214
        Hamilton East, Hamilton 3216
        Chartwell, Hamilton 3210
        Te Rapa, Hamilton 3200
        Glenview, Hamilton 3206
        Ōtorohanga 3900
        Raglan 3225
        Whitianga 3510
        Whangamatā 3620
        Ngatea 3503
        Te Kauwhata 3710
        Rototuna, Hamilton 3210
        Huntington, Hamilton 3210
        Flagstaff, Hamilton 3210
        Pukete, Hamilton 3200
        Bader, Hamilton 3206
        Deanwell, Hamilton 3206
        Coromandel 3506
        Tairua 3508
        Kihikihi 3800
        Pirongia 3802
        Taupiri 3721
        Tīrau 3410
        Mangakino 3421
        Piopio 3912
        Benneydale 3987
    """,
    "CC-TRG": """
        Whakatāne 3120
        Pāpāmoa 3118
        Te Puke 3119
        Welcome Bay, Tauranga 3112
        Kawerau 3127
        Ōpōtiki 3122
        Brookfield, Tauranga 3110
        Katikati 3129
        Otūmoetai, Tauranga 3110
        Judea, Tauranga 3110
        Bethlehem, Tauranga 3110
        Murupara 3025
        Edgecumbe 3120
        Parkvale, Tauranga 3112
        Hairini, Tauranga 3112
        Tauranga South, Tauranga 3112
        Bayfair, Tauranga 3116
        Arataki, Tauranga 3116
        Matua, Tauranga 3110
        Pyes Pā, Tauranga 3112
        Poike, Tauranga 3112
        Ōmokoroa 3114
        Te Teko 3192
        Matatā 3194
        Ōhope 3121
        Tāneatua 3123
        Waihī Beach 3611
        Maketu 3189
        Te Kaha 3199
    """,
    "CC-ROT": """
        Taupō 3330
        Tūrangi 3334
        Ngongotahā 3010
        Selwyn Heights, Rotorua 3015
        Mangakakahi, Rotorua 3015
        Pukehangi, Rotorua 3015
        Sunnybrook, Rotorua 3015
        Utuhina, Rotorua 3015
        Fenton Park, Rotorua 3010
        Glenholme, Rotorua 3010
        Kawaha Point, Rotorua 3010
        Lynmore, Rotorua 3010
        Reporoa 3083
        Acacia Bay, Taupō 3330
        Kinloch 3377
        Ātiamuri 3078
        Rotoiti 3074
    """,
    "CC-GIS": """
        Wairoa 4108
        Outer Kaiti, Gisborne 4010
        Ruatōria 4032
        Riverdale, Gisborne 4010
        Whataupoko, Gisborne 4010
        Lytton West, Gisborne 4010
        Tolaga Bay 4077
        Tokomaru Bay 4079
        Te Karaka 4022
        Te Araroa 4087
        Frasertown 4193
        Nūhaka 4165
        Māhia 4198
        Patutahi 4072
        Manutuke 4053
        Matawai 4075
        Hicks Bay 4087
    """,
    "CC-NPE": """
        Taradale, Napier 4112
        Greenmeadows, Napier 4112
        Pirimai, Napier 4112
        Nelson Park, Napier 4110
        Napier South, Napier 4110
        Ahuriri, Napier 4110
        Westshore, Napier 4110
        Bay View 4104
        Bluff Hill, Napier 4110
        Hospital Hill, Napier 4110
        Meeanee 4112
        Poraiti, Napier 4112
        Awatoto, Napier 4110
        Eskdale 4182
        Puketapu 4183
        Tutira 4181
    """,
    "CC-HST": """
        Havelock North 4130
        Waipukurau 4200
        Akina, Hastings 4122
        St Leonards, Hastings 4120
        Mayfair, Hastings 4122
        Frimley, Hastings 4120
        Waipawa 4210
        Clive 4102
        Whakatū 4172
        Haumoana 4102
        Ōtāne 4202
        Takapau 4203
        Bridge Pā 4175
        Twyford 4175
        Pakipaki 4172
        Pōrangahau 4292
        Tikokino 4279
    """,
    "CC-NPL": """
        Hāwera 4610
        Stratford 4332
        Bell Block 4312
        Inglewood 4330
        Merrilands, New Plymouth 4312
        Moturoa, New Plymouth 4310
        Fitzroy, New Plymouth 4312
        Welbourn, New Plymouth 4310
        Vogeltown, New Plymouth 4310
        Lynmouth, New Plymouth 4310
        Frankleigh Park, New Plymouth 4310
        Blagdon, New Plymouth 4310
        Eltham 4322
        Ōpunake 4616
        Pātea 4520
        Manaia 4612
        Waverley 4510
        Ōakura 4314
        Normanby 4614
        Kaponga 4679
        Urenui 4375
        Okato 4381
    """,
    "CC-WAG": """
        Marton 4710
        Taumarunui 3920
        Taihape 4720
        Springvale, Whanganui 4501
        St Johns Hill, Whanganui 4501
        Tawhero, Whanganui 4501
        Durie Hill, Whanganui 4500
        Putiki, Whanganui 4500
        Ōhakune 4625
        Raetihi 4632
        Bulls 4818
        Waiouru 4861
        Hunterville 4730
        Rātana 4581
        National Park 3948
        Mangaweka 4797
    """,
    "CC-PMR": """
        Levin 5510
        Feilding 4702
        Dannevirke 4930
        Foxton 4814
        Terrace End, Palmerston North 4410
        Cloverlea, Palmerston North 4412
        Westbrook, Palmerston North 4412
        Milson, Palmerston North 4414
        Kelvin Grove, Palmerston North 4414
        Hokowhitu, Palmerston North 4410
        West End, Palmerston North 4412
        Fitzherbert, Palmerston North 4410
        Aokautere, Palmerston North 4410
        Pahiatua 4910
        Woodville 4920
        Shannon 4821
        Ashhurst 4810
        Eketāhuna 4900
        Foxton Beach 4815
        Sanson 4817
        Rongotea 4865
        Linton 4820
        Bunnythorpe 4481
    """,
    "CC-MST": """
        Carterton 5713
        Featherston 5710
        Greytown 5712
        Martinborough 5711
        Te Ore Ore, Masterton 5810
        Upper Plain, Masterton 5810
        Homebush, Masterton 5810
        Castlepoint 5889
        Riversdale Beach 5872
    """,
    "CC-HUT": """
        Upper Hutt 5018
        Petone, Lower Hutt 5012
        Epuni, Lower Hutt 5011
        Waiwhetu, Lower Hutt 5010
        Moera, Lower Hutt 5010
        Avalon, Lower Hutt 5011
        Waterloo, Lower Hutt 5011
        Arakura, Wainuiomata 5014
        Trentham, Upper Hutt 5018
        Alicetown, Lower Hutt 5010
        Totara Park, Upper Hutt 5018
        Heretaunga, Upper Hutt 5018
        Silverstream, Upper Hutt 5019
        Maungaraki, Lower Hutt 5010
        Belmont, Lower Hutt 5010
        Boulcott, Lower Hutt 5010
        Woburn, Lower Hutt 5010
        Normandale, Lower Hutt 5010
        Kelson, Lower Hutt 5010
        Pinehaven, Upper Hutt 5019
        Wallaceville, Upper Hutt 5018
        Eastbourne 5013
    """,
    "CC-POR": """
        Paraparaumu 5032
        Waikanae 5036
        Ōtaki 5512
        Elsdon, Porirua 5022
        Takapūwāhia, Porirua 5022
        Tawa, Wellington 5028
        Raumati Beach 5032
        Ranui Heights, Porirua 5024
        Kenepuru, Porirua 5022
        Linden, Wellington 5028
        Aotea, Porirua 5024
        Paremata, Porirua 5024
        Papakōwhai, Porirua 5024
        Whitby, Porirua 5024
        Camborne, Porirua 5026
        Plimmerton, Porirua 5026
        Pukerua Bay 5026
        Paekākāriki 5034
    """,
    "CC-WLG": """
        Kilbirnie, Wellington 6022
        Miramar, Wellington 6022
        Karori, Wellington 6012
        Island Bay, Wellington 6023
        Berhampore, Wellington 6023
        Newlands, Wellington 6037
        Brooklyn, Wellington 6021
        Mount Cook, Wellington 6021
        Hataitai, Wellington 6021
        Lyall Bay, Wellington 6022
        Rongotai, Wellington 6022
        Churton Park, Wellington 6037
        Khandallah, Wellington 6035
        Mount Victoria, Wellington 6011
        Thorndon, Wellington 6011
        Kelburn, Wellington 6012
        Ngaio, Wellington 6035
        Crofton Downs, Wellington 6035
        Grenada Village, Wellington 6037
        Paparangi, Wellington 6037
        Woodridge, Wellington 6037
        Broadmeadows, Wellington 6035
        Kaiwharawhara, Wellington 6035
        Wadestown, Wellington 6012
        Northland, Wellington 6012
        Seatoun, Wellington 6022
        Owhiro Bay, Wellington 6023
        Houghton Bay, Wellington 6023
    """,
    "CC-NSN": """
        Richmond 7020
        Greymouth 7805
        Motueka 7120
        Westport 7825
        Hokitika 7810
        Nelson South, Nelson 7010
        Annesbrook, Nelson 7011
        Enner Glynn, Nelson 7011
        The Wood, Nelson 7010
        Runanga 7803
        Cobden, Greymouth 7802
        Reefton 7830
        Tākaka 7110
        Wakefield 7025
        Brightwater 7022
        Māpua 7005
        Riwaka 7198
        Murchison 7007
        Tapawera 7096
        Collingwood 7073
        Karamea 7893
        Blackball 7804
        Kumara 7832
        Ross 7812
        Harihari 7884
        Franz Josef 7886
    """,
    "CC-BHE": """
        Picton 7220
        Kaikōura 7300
        Renwick 7204
        Riverlands, Blenheim 7201
        Yelverton, Blenheim 7201
        Burleigh, Blenheim 7201
        Havelock 7100
        Seddon 7210
        Spring Creek 7202
        Grovetown 7202
        Fairhall 7272
        Rārangi 7273
    """,
    "CC-CHC": """
        Rangiora 7400
        Kaiapoi 7630
        Rolleston 7614
        Riccarton, Christchurch 8011
        Sydenham, Christchurch 8023
        Shirley, Christchurch 8013
        New Brighton, Christchurch 8061
        Wainoni, Christchurch 8061
        Bexley, Christchurch 8061
        Woolston, Christchurch 8062
        Phillipstown, Christchurch 8011
        Spreydon, Christchurch 8024
        Addington, Christchurch 8024
        Hillmorton, Christchurch 8024
        Hoon Hay, Christchurch 8025
        Halswell, Christchurch 8025
        Wigram, Christchurch 8042
        Sockburn, Christchurch 8042
        Hei Hei, Christchurch 8042
        Islington, Christchurch 8042
        Upper Riccarton, Christchurch 8041
        Burwood, Christchurch 8083
        Parklands, Christchurch 8083
        Avonside, Christchurch 8061
        Dallington, Christchurch 8061
        Waltham, Christchurch 8011
        Opawa, Christchurch 8023
        Beckenham, Christchurch 8023
        Somerfield, Christchurch 8024
        Bishopdale, Christchurch 8053
        Burnside, Christchurch 8053
        Harewood, Christchurch 8051
        Belfast, Christchurch 8051
        Redwood, Christchurch 8051
        Mairehau, Christchurch 8013
        Edgeware, Christchurch 8013
        St Albans, Christchurch 8014
        Ilam, Christchurch 8041
        Avonhead, Christchurch 8042
        Aidanfield, Christchurch 8025
        Fendalton, Christchurch 8052
        Cashmere, Christchurch 8022
        Huntsbury, Christchurch 8022
        Ferrymead, Christchurch 8023
        Mount Pleasant, Christchurch 8081
        Sumner, Christchurch 8081
        Lyttelton 8082
        Woodend 7610
        Lincoln 7608
        Prebbleton 7604
        Leeston 7632
        Darfield 7510
        Oxford 7430
        Amberley 7410
        Akaroa 7520
        Culverden 7392
        Hanmer Springs 7334
        Cheviot 7310
        Waikari 7420
    """,
    "CC-TIU": """
        Ashburton 7700
        Oamaru 9400
        Temuka 7920
        Waimate 7924
        Geraldine 7930
        Tinwald, Ashburton 7700
        Allenton, Ashburton 7700
        Gleniti, Timaru 7910
        Waimataitai, Timaru 7910
        Washdyke, Timaru 7910
        Methven 7730
        Pleasant Point 7903
        Twizel 7901
        Fairlie 7925
        Rakaia 7710
        Palmerston 9430
        Kurow 9435
        Hampden 9410
        Ōmarama 9412
        St Andrews 7988
    """,
    "CC-DUD": """
        Green Island, Dunedin 9018
        Balclutha 9230
        Alexandra 9320
        Queenstown 9300
        Cromwell 9310
        Wānaka 9305
        Milton 9220
        Mornington, Dunedin 9011
        Corstorphine, Dunedin 9012
        St Kilda, Dunedin 9012
        St Clair, Dunedin 9012
        Halfway Bush, Dunedin 9010
        Kaikorai, Dunedin 9010
        Wakari, Dunedin 9010
        Pine Hill, Dunedin 9010
        North East Valley, Dunedin 9010
        Dunedin North, Dunedin 9016
        Abbotsford, Dunedin 9018
        Andersons Bay, Dunedin 9013
        Musselburgh, Dunedin 9013
        Māori Hill, Dunedin 9010
        Port Chalmers 9023
        Ravensbourne, Dunedin 9022
        Brighton 9035
        Waikouaiti 9510
        Roxburgh 9500
        Clyde 9330
        Arrowtown 9302
        Ranfurly 9332
        Lawrence 9532
        Kaitangata 9210
        Owaka 9535
        Clinton 9534
        Outram 9019
        Middlemarch 9597
    """,
    "CC-IVC": """
        Gore 9710
        Georgetown, Invercargill 9812
        Appleby, Invercargill 9812
        Waikiwi, Invercargill 9810
        Grasmere, Invercargill 9810
        Hawthorndale, Invercargill 9810
        Kingswell, Invercargill 9812
        Gladstone, Invercargill 9810
        Avenal, Invercargill 9810
        Otatara 9879
        Mataura 9712
        Winton 9720
        Bluff 9814
        Riverton 9822
        Te Anau 9600
        Edendale 9825
        Wyndham 9831
        Otautau 9610
        Lumsden 9730
        Tuatapere 9620
        Nightcaps 9630
        Ohai 9635
        Mossburn 9792
        Stewart Island 9818
    """,
}

# People per probation office at national size: about 500 offices for 250,000 offenders.
OFFENDERS_PER_OFFICE = 550
# A smaller office's share, in the units of ProbationOffice.weight: a lognormal draw (most offices
# small, a few large), so that at national size they hold 50 to 600 people on the muster against
# 600 to 2,400 at the main offices (issue 10).
SATELLITE_MEDIAN_WEIGHT = 0.45
SATELLITE_WEIGHT_SPREAD = 0.55
SATELLITE_WEIGHT_RANGE = (0.25, 2.0)


def _satellites() -> list[tuple[int, int, ProbationOffice]]:
    """Every smaller office as (rank in its area, area, office): the largest place of each area
    has rank 0."""
    offices = []
    for area, hub in enumerate(PROBATION_OFFICES):
        lines = [line.strip() for line in SATELLITE_PLACES.get(hub.code, "").strip().splitlines()]
        rng = random.Random(f"satellite offices:{hub.code}")
        low, high = SATELLITE_WEIGHT_RANGE
        weights = sorted(
            (
                min(high, max(low, SATELLITE_MEDIAN_WEIGHT * math.exp(rng.gauss(0, SATELLITE_WEIGHT_SPREAD))))
                for _ in lines
            ),
            reverse=True,
        )
        for rank, (line, weight) in enumerate(zip(lines, weights, strict=True)):
            place, postcode = line.rsplit(" ", 1)
            locality, _, city = place.partition(", ")
            office = ProbationOffice(
                code=f"{hub.code}-{rank + 1:02d}",
                city=locality,
                region=hub.region,
                area_code=hub.area_code,
                court=hub.court,
                weight=round(weight, 3),
                suburbs=((locality, postcode),),
                address_city=city or locality,
            )
            offices.append((rank, area, office))
    return offices


SATELLITE_OFFICES = tuple(office for _, _, office in sorted(_satellites(), key=lambda item: item[:2]))


def probation_offices(total_offenders: int) -> tuple[ProbationOffice, ...]:
    """The main offices and, once the demo is big enough, smaller ones: about one office for every
    OFFENDERS_PER_OFFICE offenders. Smaller offices are added a round at a time across the areas
    (the largest place of each area first), so a country grows evenly."""
    extra = max(0, total_offenders // OFFENDERS_PER_OFFICE - len(PROBATION_OFFICES))
    return PROBATION_OFFICES + SATELLITE_OFFICES[:extra]


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
