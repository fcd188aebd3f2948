"""The demo's data tables: nations, agencies, suppliers, people, subjects and the ~60 requests
with the path each takes (read by `manage.py seed_demo`). Companies, people and part numbers are
fictitious.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from partners.models import Agency

DEFAULT_DEMO_PASSWORD = "sosa-demo-pass"
D = dt.date

# code, name, IANA zone, holidays code, subdivision, SOSA signed on (None: day not published).
# Year-only signings (DOMAIN-NOTES §2): NL 1978, SE 1987, IT 2003, FI 2007, AU 2011, ES 2015,
# GB 2017, NO 2018, CA after Aug 2021, EE Oct 2023, KR Nov 2023.
NATIONS = [
    ("US", "United States", "America/New_York", "US", "", None),
    ("NL", "Netherlands", "Europe/Amsterdam", "NL", "", None),
    ("SE", "Sweden", "Europe/Stockholm", "SE", "", None),
    ("IT", "Italy", "Europe/Rome", "IT", "", None),
    ("FI", "Finland", "Europe/Helsinki", "FI", "", None),
    ("AU", "Australia", "Australia/Sydney", "AU", "ACT", None),
    ("ES", "Spain", "Europe/Madrid", "ES", "MD", None),
    ("GB", "United Kingdom", "Europe/London", "GB", "ENG", None),
    ("NO", "Norway", "Europe/Oslo", "NO", "", None),
    ("CA", "Canada", "America/Toronto", "CA", "ON", None),
    ("LV", "Latvia", "Europe/Riga", "LV", "", D(2022, 10, 25)),
    ("JP", "Japan", "Asia/Tokyo", "JP", "", D(2023, 1, 12)),
    ("DK", "Denmark", "Europe/Copenhagen", "DK", "", D(2023, 2, 8)),
    ("IL", "Israel", "Asia/Jerusalem", "IL", "", D(2023, 3, 1)),
    ("EE", "Estonia", "Europe/Tallinn", "EE", "", None),
    ("LT", "Lithuania", "Europe/Vilnius", "LT", "", D(2023, 10, 27)),
    ("KR", "Republic of Korea", "Asia/Seoul", "KR", "", None),
    ("SG", "Singapore", "Asia/Singapore", "SG", "", D(2023, 12, 5)),
    ("IN", "India", "Asia/Kolkata", "IN", "DL", D(2024, 8, 22)),
    ("DE", "Germany", "Europe/Berlin", "DE", "BE", D(2024, 10, 22)),
]

K = Agency.Kind
AGENCIES = [
    ("US", "DoD Industrial Base Policy", K.PROGRAM_DETERMINATION),
    ("US", "Commerce BIS DPAS office (SIES)", K.RATING_AUTHORITY),
    ("US", "Defense Contract Management Agency", K.CONTRACT_ADMINISTRATION),
    ("IN", "MoD Acquisition Wing", K.MINISTRY),
    ("IN", "Directorate General of Acquisition", K.PROGRAM_DETERMINATION),
    ("GB", "MoD Defence Equipment & Support", K.MINISTRY),
]

# nation, name, CAGE/NCAGE code, Code of Conduct signed on (None: not a signatory).
SUPPLIERS = [
    ("US", "Allegheny Inertial Systems Inc", "3AQT7", None),
    ("US", "Chesapeake Microwave Corp", "5KLM2", None),
    ("US", "Great Lakes Turbine Components LLC", "1RXN9", None),
    ("US", "Piedmont Rotorcraft Dynamics Inc", "7PF40", None),
    ("US", "Tidewater Ordnance Products Co", "0TWD5", None),
    ("IN", "Deccan Avionics Pvt Ltd", "SB4K2", D(2024, 11, 15)),
    ("IN", "Nilgiri Forgings Ltd", "SB7D9", D(2025, 1, 20)),
    ("IN", "Sahyadri Composites Ltd", "SB2M0", D(2025, 3, 3)),
    ("IN", "Kaveri Microwave Systems Pvt Ltd", "SB9P1", None),
    ("IN", "Godavari Cable Harness Pvt Ltd", "SB5H6", None),
    ("GB", "Severn Valley Precision Ltd", "K3R57", None),
]


@dataclass(frozen=True)
class Person:
    username: str
    role: str
    nation: str
    name: str
    agency: str = ""
    supplier: str = ""  # CAGE code
    serves: tuple[str, ...] = ()
    senior: bool = False


PEOPLE = [
    Person("requester.in", "requester", "IN", "Ananya Rao", agency="MoD Acquisition Wing"),
    Person("liaison.in", "liaison", "IN", "Vikram Mehta", "MoD Acquisition Wing", serves=("US",)),
    Person("reviewer.in", "reviewer", "IN", "Priya Nair", "Directorate General of Acquisition"),
    Person("supplier.in", "supplier", "IN", "Rahul Deshpande", supplier="SB4K2"),
    Person("observer.in", "observer", "IN", "Meera Iyer"),
    Person("senior.in", "observer", "IN", "Rajesh Kumar", senior=True),
    Person(
        "requester.us", "requester", "US", "Jordan Miller", "Defense Contract Management Agency"
    ),
    Person(
        "liaison.us",
        "liaison",
        "US",
        "Sarah Whitman",
        "DoD Industrial Base Policy",
        serves=("IN", "GB"),
    ),
    Person("reviewer.us", "reviewer", "US", "Daniel Cho", "DoD Industrial Base Policy"),
    Person("authority.us", "reviewer", "US", "Laura Benitez", "Commerce BIS DPAS office (SIES)"),
    Person("supplier.us", "supplier", "US", "Karen Ostrowski", supplier="3AQT7"),
    Person("senior.us", "observer", "US", "Michael Grant", senior=True),
    Person("requester.gb", "requester", "GB", "Oliver Hughes", "MoD Defence Equipment & Support"),
]


@dataclass(frozen=True)
class Subject:
    """What is ordered: a title, a program, the items, export control, the supplier to ask."""

    title: str
    program: str
    contract: str  # prefix; the demo number completes it
    supplier: str  # CAGE code
    end_user: str
    prime: str
    export: tuple[str, str, str]  # jurisdiction, USML category or ECCN, licence status
    items: tuple[tuple[str, str, str, int, str], ...]  # description, part, NSN, qty, unit


def _s(title, program, contract, supplier, end_user, prime, export, *items) -> Subject:
    return Subject(title, program, contract, supplier, end_user, prime, export, items)


HAL, NONE = "Hindustan Aeronautics Ltd", ("", "", "")
SUBJECTS = {
    # India → US: Indian programs needing US parts.
    "gyro": _s(
        "Ring-laser gyroscopes for Tejas Mk1A navigation units",
        "LCA Tejas Mk1A production",
        "HAL/LCA/PO/26-",
        "3AQT7",
        "Indian Air Force",
        HAL,
        ("EAR", "7A002", "granted"),
        ("Ring-laser gyroscope assembly", "RLG-7720-3", "6605-01-512-3344", 12, "each"),
        ("Gyro power-supply module", "PSM-118", "6130-01-498-2210", 12, "each"),
    ),
    "trm": _s(
        "GaN T/R modules for airborne AESA radar",
        "Airborne AESA radar pre-production",
        "MOD/AW/RDR/26-",
        "5KLM2",
        "Indian Air Force",
        "Bharat Electronics Ltd",
        ("ITAR", "XI(c)", "pending"),
        ("X-band GaN transmit/receive module", "TRM-X-2210", "5840-01-678-1123", 64, "each"),
        ("T/R module cold plate", "CP-2210-A", "5840-01-678-1130", 8, "each"),
    ),
    "f404": _s(
        "F404-IN20 engine hot-section spares",
        "LCA Tejas engine sustainment",
        "HAL/ENG/PO/26-",
        "1RXN9",
        "Indian Air Force",
        HAL,
        ("ITAR", "XIX(f)", "granted"),
        ("High-pressure turbine blade set", "F404-HPT-1187", "2840-01-455-7781", 6, "set"),
        ("Combustor liner", "F404-CL-0423", "2840-01-455-7790", 4, "each"),
        ("Fuel nozzle assembly", "F404-FN-0912", "2915-01-455-8012", 18, "each"),
    ),
    "mh60r": _s(
        "MH-60R tail rotor gearbox spares",
        "MH-60R Seahawk fleet sustainment",
        "IHQ/NAVY/MH60R/26-",
        "7PF40",
        "Indian Navy",
        "",
        ("ITAR", "VIII(h)", "granted"),
        ("Tail rotor gearbox assembly", "70358-06600-045", "1615-01-532-7712", 2, "each"),
        ("Intermediate gearbox seal kit", "SK-70358-11", "1615-01-532-7740", 10, "kit"),
    ),
    "p8i": _s(
        "P-8I acoustic processor circuit cards",
        "P-8I maritime patrol availability",
        "IHQ/NAVY/P8I/26-",
        "5KLM2",
        "Indian Navy",
        "",
        ("ITAR", "XI(a)", "granted"),
        ("Acoustic signal processor card", "ASP-4410-2", "5998-01-622-9015", 8, "each"),
    ),
    "m777": _s(
        "M777 howitzer recoil mechanism seal kits",
        "M777 ultra-lightweight howitzer sustainment",
        "MOD/AW/ARTY/26-",
        "0TWD5",
        "Indian Army",
        "",
        ("ITAR", "II(j)", "granted"),
        ("Recoil mechanism seal kit", "13041235-SK", "1025-01-560-4471", 40, "kit"),
        ("Muzzle brake retaining pin", "13041290", "1025-01-560-4480", 40, "each"),
    ),
    "c130j": _s(
        "C-130J propeller de-ice brush blocks",
        "C-130J Super Hercules fleet availability",
        "IAF/AIRHQ/C130J/26-",
        "1RXN9",
        "Indian Air Force",
        "",
        ("ITAR", "VIII(h)", "granted"),
        ("Propeller de-ice brush block assembly", "BB-68165-2", "1610-01-587-3320", 16, "each"),
        ("Slip ring assembly", "SR-68165-9", "1610-01-587-3335", 4, "each"),
    ),
    "apache": _s(
        "AH-64E target acquisition sensor spares",
        "AH-64E Apache (Army Aviation)",
        "MOD/AW/AVN/26-",
        "5KLM2",
        "Indian Army Aviation Corps",
        "",
        ("ITAR", "XII(c)", "pending"),
        ("TADS laser rangefinder module", "LRF-1340-7", "5855-01-601-2288", 3, "each"),
        ("Sensor turret bearing", "TB-1340-22", "3110-01-601-2301", 6, "each"),
    ),
    "mq9b": _s(
        "MQ-9B SATCOM datalink modem spares",
        "MQ-9B SeaGuardian (Navy)",
        "IHQ/NAVY/MQ9B/26-",
        "5KLM2",
        "Indian Navy",
        "",
        ("ITAR", "XI(c)", "granted"),
        ("Ku-band SATCOM modem", "KSM-900-4", "5895-01-644-1020", 2, "each"),
    ),
    "f414": _s(
        "F414 co-production machining fixtures",
        "F414-INS6 co-production (Tejas Mk2)",
        "HAL/F414/PO/26-",
        "1RXN9",
        "Hindustan Aeronautics Ltd, Bengaluru",
        HAL,
        ("EAR", "9B001", "pending"),
        ("Blisk machining fixture", "FX-414-031", "", 2, "each"),
        ("Coordinate measuring probe set", "CMP-2200", "6635-01-610-0045", 1, "set"),
    ),
    "chinook": _s(
        "CH-47F(I) Chinook swashplate bearings",
        "CH-47F(I) Chinook fleet sustainment",
        "IAF/AIRHQ/CH47/26-",
        "7PF40",
        "Indian Air Force",
        "",
        ("ITAR", "VIII(h)", "granted"),
        ("Swashplate bearing assembly", "114DS3004-3", "3110-01-577-8841", 4, "each"),
    ),
    "javelin": _s(
        "Javelin command launch unit batteries",
        "Javelin emergency procurement",
        "MOD/AW/EP/26-",
        "0TWD5",
        "Indian Army",
        "",
        ("ITAR", "IV(h)", "granted"),
        ("CLU battery, BA-5590 type", "BA-5590/U", "6135-01-036-3495", 200, "each"),
    ),
    # US → India: US programs needing Indian parts (Code of Conduct signatories).
    "forging": _s(
        "Titanium landing-gear forgings",
        "F/A-18E/F Super Hornet sustainment",
        "N00019-26-C-",
        "SB7D9",
        "US Navy",
        "The Boeing Company",
        NONE,
        (
            "Main landing gear trunnion forging, Ti-6Al-4V",
            "74A410234-1005",
            "1620-01-623-7745",
            10,
            "each",
        ),
    ),
    "shell": _s(
        "155 mm projectile body forgings",
        "155 mm artillery production ramp-up",
        "W15QKN-26-C-",
        "SB7D9",
        "US Army",
        "",
        NONE,
        ("M795 projectile body forging, 155 mm", "9342335", "1320-01-452-6650", 5000, "each"),
    ),
    "harness": _s(
        "Stryker vehicle wiring harness assemblies",
        "Stryker A1 production",
        "W56HZV-26-C-",
        "SB4K2",
        "US Army",
        "General Dynamics Land Systems",
        NONE,
        ("Hull wiring harness assembly", "12479331-HH", "6150-01-690-2231", 40, "each"),
        ("Driver display cable assembly", "12479345-DC", "6150-01-690-2240", 40, "each"),
    ),
    "cca": _s(
        "Radar receiver/exciter circuit card assemblies",
        "AN/APG-79 radar sustainment",
        "SPRPA1-26-C-",
        "SB4K2",
        "US Navy",
        "",
        NONE,
        ("Receiver/exciter circuit card assembly", "CCA-79-4471", "5998-01-655-1204", 24, "each"),
    ),
    "radome": _s(
        "Composite radome panels",
        "P-8A Poseidon production",
        "N00019-26-F-",
        "SB2M0",
        "US Navy",
        "The Boeing Company",
        NONE,
        ("Aft radome panel", "RP-737-1140", "1560-01-640-3321", 6, "each"),
        ("Radome edge seal", "RS-737-1142", "5330-01-640-3330", 24, "m"),
    ),
    "valve": _s(
        "Copper-nickel sea-water valve castings",
        "Virginia-class submarine industrial base",
        "N00024-26-C-",
        "SB7D9",
        "US Navy",
        "General Dynamics Electric Boat",
        NONE,
        ("Sea-water valve body casting, CuNi 70/30", "VB-7740-2", "4820-01-612-5509", 12, "each"),
    ),
    "fin": _s(
        "Missile fin actuator housings",
        "GMLRS production",
        "W31P4Q-26-C-",
        "SB7D9",
        "US Army",
        "Lockheed Martin Missiles and Fire Control",
        NONE,
        ("Fin actuator housing, 7075 aluminium", "FAH-2201-3", "1420-01-677-4412", 300, "each"),
    ),
    "fairing": _s(
        "C-130J cargo-ramp composite fairings",
        "C-130J production",
        "FA8625-26-C-",
        "SB2M0",
        "US Air Force",
        "Lockheed Martin Aeronautics",
        NONE,
        ("Cargo-ramp fairing, composite", "CRF-382-77", "1560-01-688-0192", 8, "each"),
    ),
    "nvg": _s(
        "Night-vision goggle battery cables",
        "ENVG-B soldier lethality",
        "W909MY-26-C-",
        "SB4K2",
        "US Army",
        "",
        NONE,
        ("Battery pack cable assembly", "ENVG-BC-21", "6150-01-700-1186", 500, "each"),
    ),
    "shaft": _s(
        "Propulsion shaft coupling bolts",
        "DDG-51 Arleigh Burke production",
        "N00024-26-F-",
        "SB7D9",
        "US Navy",
        "Bath Iron Works",
        NONE,
        ("Shaft coupling bolt, fitted", "SCB-5120-8", "5306-01-615-7702", 64, "each"),
        ("Coupling nut", "SCN-5120-9", "5310-01-615-7710", 64, "each"),
    ),
    # United Kingdom → US.
    "f35b": _s(
        "F-35B lift-fan clutch spares",
        "F-35B Lightning (Carrier Strike Group)",
        "DESLTN/",
        "1RXN9",
        "Royal Air Force",
        "",
        ("ITAR", "XIX(f)", "granted"),
        ("Lift-fan clutch plate set", "LFC-4412-7", "2840-01-660-2214", 3, "set"),
    ),
    "hc6": _s(
        "Chinook HC6 rotor-head bearings",
        "Chinook HC6 fleet availability",
        "DESCHN/",
        "7PF40",
        "Royal Air Force",
        "",
        ("ITAR", "VIII(h)", "granted"),
        ("Rotor-head elastomeric bearing", "145H6110-2", "3110-01-669-4410", 6, "each"),
    ),
    "protector": _s(
        "Protector RG1 SATCOM modem spares",
        "Protector RG Mk1",
        "DESPRT/",
        "5KLM2",
        "Royal Air Force",
        "",
        ("ITAR", "XI(c)", "granted"),
        ("Ku-band SATCOM modem", "KSM-900-4", "5895-01-644-1020", 2, "each"),
    ),
}

# The actions that take a request to each demo outcome (a `note_*` is a comment on the way).
# `submit` includes the endorsement where the requesting nation requires one (`file` stops
# before it), and `support` is the responding nation's yes: the DoD's determination and
# Commerce's authorisation on the DPAS route, the MoD's approval on Code of Conduct
# (`demo_steps`).
PATHS: dict[str, tuple[str, ...]] = {
    "draft": (),
    "awaiting_endorsement": ("file",),
    "submitted": ("submit",),
    "needs_info_triage": ("submit", "ask_liaison"),
    "needs_info_review": ("submit", "triage", "ask_reviewer"),
    "in_review": ("submit", "triage", "note_internal"),
    "in_review_answered": ("submit", "ask_liaison", "answer", "triage"),
    "awaiting_authorisation": ("submit", "triage", "determine"),
    "approved": ("submit", "triage", "support"),
    "approved_after_reject": ("submit", "triage", "support", "forward", "reject"),
    "with_supplier": ("submit", "triage", "support", "forward", "note_supplier"),
    "accepted": ("submit", "triage", "support", "forward", "accept"),
    "accepted_delayed": ("submit", "triage", "support", "forward", "accept", "delay"),
    "fulfilled": ("submit", "triage", "support", "forward", "accept", "fulfil"),
    # Items one by one (DESIGN §4a): the last item refused and split into a follow-on (left
    # approved, for the liaison officer to forward), half of the first delivered.
    "partly_delivered": (
        "submit",
        "triage",
        "support",
        "forward",
        "accept_some",
        "split",
        "deliver_part",
    ),
    "declined_triage": ("submit", "decline_liaison"),
    "declined_review": ("submit", "triage", "note_internal", "decline_reviewer"),
    "withdrawn_draft": ("withdraw",),
    "withdrawn_submitted": ("submit", "withdraw"),
    "withdrawn_review": ("submit", "triage", "withdraw"),
    "unfulfilled_approved": ("submit", "triage", "support", "close"),
    "unfulfilled_supplier": ("submit", "triage", "support", "forward", "close"),
    "unfulfilled_accepted": ("submit", "triage", "support", "forward", "accept", "close"),
}


def demo_steps(path: tuple[str, ...], *, route: str, endorsed: bool) -> tuple[str, ...]:
    """The service actions of a demo path on a route, with endorsement where it is required."""
    support = ("determine", "authorise") if route == "dpas" else ("approve",)
    steps: list[str] = []
    for step in path:
        if step == "file":
            steps.append("submit")
        elif step == "submit":
            steps += ["submit", "endorse"] if endorsed else ["submit"]
        elif step == "support":
            steps += support
        else:
            steps.append(step)
    return tuple(steps)


# Nations whose own liaison officer endorses each request before it leaves, and who does it.
ENDORSING_NATIONS = ("IN",)
ENDORSERS = {"IN": "liaison.in"}
# Who holds the second key of the DPAS route: Commerce (BIS).
AUTHORITIES = {"US": "authority.us"}

# Who acts for each direction: requesting and responding nation, and their people.
CAST = {
    "IN>US": ("IN", "US", "requester.in", "liaison.us", "reviewer.us"),
    "US>IN": ("US", "IN", "requester.us", "liaison.in", "reviewer.in"),
    "GB>US": ("GB", "US", "requester.gb", "liaison.us", "reviewer.us"),
}


@dataclass(frozen=True)
class Demo:
    number: int
    direction: str
    subject: str
    outcome: str
    rating: str  # "DX-G2" or ""
    urgency: str
    last_days_ago: float  # when the last action happened
    gap_days: float  # between actions
    lead_days: int = 30  # committed delivery date after acceptance


R, U, E = "routine", "urgent", "emergency"
DEMOS = [
    Demo(n, *row)
    for n, row in enumerate(
        [
            # India → US
            ("IN>US", "gyro", "draft", "", R, 1, 1),
            ("IN>US", "trm", "draft", "", U, 3, 1),
            ("IN>US", "f404", "submitted", "", E, 0.1, 1),
            ("IN>US", "mh60r", "submitted", "", U, 1.5, 1),
            ("IN>US", "p8i", "submitted", "", R, 9, 1),
            ("IN>US", "m777", "needs_info_triage", "", R, 4, 1),
            ("IN>US", "c130j", "needs_info_review", "", U, 2, 2),
            ("IN>US", "apache", "in_review", "", U, 1, 1.5),
            ("IN>US", "mq9b", "in_review", "", E, 4, 1),
            ("IN>US", "f414", "in_review_answered", "", R, 6, 2),
            ("IN>US", "chinook", "approved", "DO-G2", U, 0.2, 1.5),
            ("IN>US", "javelin", "approved", "DX-G2", E, 3, 1),
            ("IN>US", "gyro", "approved_after_reject", "DO-G3", R, 2, 2),
            ("IN>US", "trm", "with_supplier", "DX-G2", U, 3, 2),
            ("IN>US", "f404", "with_supplier", "DO-G3", R, 12, 2),
            ("IN>US", "mh60r", "with_supplier", "DX-G2", E, 14, 1.5),
            ("IN>US", "p8i", "with_supplier", "DO-G2", R, 22, 2),
            ("IN>US", "m777", "accepted", "DX-G2", U, 5, 2, 45),
            ("IN>US", "c130j", "accepted", "DO-G2", R, 20, 2, 8),
            ("IN>US", "apache", "accepted_delayed", "DO-G2", U, 4, 2.5, 20),
            ("IN>US", "gyro", "fulfilled", "DX-G2", U, 2, 3, 10),
            ("IN>US", "chinook", "fulfilled", "DO-G3", R, 6, 4, 14),
            ("IN>US", "mq9b", "fulfilled", "DO-G2", R, 1, 5, 12),
            ("IN>US", "f414", "declined_triage", "", R, 10, 1),
            ("IN>US", "javelin", "declined_review", "", U, 5, 3),
            ("IN>US", "trm", "withdrawn_draft", "", R, 15, 3),
            ("IN>US", "p8i", "withdrawn_review", "", R, 8, 2),
            ("IN>US", "m777", "unfulfilled_supplier", "DO-G3", R, 3, 4),
            ("IN>US", "c130j", "unfulfilled_accepted", "DX-G2", U, 1, 4, 10),
            ("IN>US", "f414", "approved", "DO-J1", R, 1, 2),
            # US → India
            ("US>IN", "forging", "draft", "", R, 2, 1),
            ("US>IN", "shell", "submitted", "", U, 0.5, 1),
            ("US>IN", "harness", "submitted", "", R, 6, 1),
            ("US>IN", "cca", "needs_info_triage", "", R, 2, 1),
            ("US>IN", "radome", "needs_info_review", "", U, 8, 2),
            ("US>IN", "valve", "in_review", "", R, 2, 2),
            ("US>IN", "fin", "in_review", "", E, 0.5, 1),
            ("US>IN", "fairing", "in_review", "", U, 7, 2),
            ("US>IN", "nvg", "approved", "DX-A7", U, 2, 2),
            ("US>IN", "shaft", "approved", "DO-A3", R, 0.2, 1),
            ("US>IN", "forging", "with_supplier", "DX-A1", U, 6, 2),
            ("US>IN", "shell", "with_supplier", "DX-A6", E, 13, 1),
            ("US>IN", "harness", "with_supplier", "DO-A4", R, 24, 1.5),
            ("US>IN", "cca", "with_supplier", "DO-A7", U, 9, 2),
            ("US>IN", "radome", "accepted", "DO-A1", R, 3, 3, 60),
            ("US>IN", "valve", "accepted", "DX-A3", U, 18, 2, 9),
            ("US>IN", "fin", "accepted_delayed", "DX-A2", E, 2, 3, 30),
            ("US>IN", "fairing", "accepted", "DO-A1", R, 10, 2, 11),
            ("US>IN", "nvg", "fulfilled", "DO-A7", R, 3, 4, 15),
            ("US>IN", "shaft", "fulfilled", "DX-A3", U, 1, 5, 20),
            ("US>IN", "forging", "fulfilled", "DO-A1", R, 8, 3, 10),
            ("US>IN", "shell", "declined_triage", "", U, 4, 2),
            ("US>IN", "harness", "declined_review", "", R, 12, 3),
            ("US>IN", "cca", "withdrawn_submitted", "", R, 9, 2),
            ("US>IN", "radome", "withdrawn_review", "", U, 1, 3),
            ("US>IN", "valve", "unfulfilled_approved", "DO-A3", R, 6, 3),
            ("US>IN", "fin", "unfulfilled_supplier", "DX-A2", U, 2, 4),
            ("US>IN", "nvg", "approved_after_reject", "DO-A7", R, 1, 2),
            # United Kingdom → US
            ("GB>US", "f35b", "submitted", "", U, 1, 1),
            ("GB>US", "hc6", "with_supplier", "DX-G2", E, 4, 2),
            ("GB>US", "protector", "fulfilled", "DO-G2", R, 5, 3, 10),
            ("GB>US", "f35b", "accepted", "DO-G2", U, 6, 2, 40),
            # The steps added with the two routes: endorsement and Commerce's key.
            ("IN>US", "apache", "awaiting_endorsement", "", U, 0.3, 1),
            ("IN>US", "javelin", "awaiting_authorisation", "DX-G2", E, 0.5, 1),
            ("GB>US", "hc6", "awaiting_authorisation", "DO-G2", U, 1, 1),
            # Items answered and delivered one by one, a follow-on for the refused one.
            ("US>IN", "shaft", "partly_delivered", "", U, 1, 2, 25),
        ],
        start=1,
    )
]

QUESTION = "Please attach the purchase order and confirm the delivery schedule for each line item."
ANSWER = "Purchase order attached; all line items are needed by the required date, no partials."
INTERNAL_NOTE = (
    "Spoke to the program office: the need is genuine, the supplier's capacity is tight."
)
SUPPLIER_NOTE = (
    "Checking capacity against our earlier rated orders; we will answer within the period."
)
