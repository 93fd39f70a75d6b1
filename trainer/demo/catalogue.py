"""Tables for the demo data's sites and catalogue (trainer.demo): centres, competencies, courses,
units, requirements and the holiday calendar.
"""

from __future__ import annotations

from dataclasses import dataclass

CENTRES: tuple[tuple[str, str, str, str], ...] = (
    # code, province, English name, Arabic name
    ("NIN-MOSUL-01", "IQ-NI", "Mosul Police Training Centre", "مركز تدريب شرطة الموصل"),
    ("NIN-MOSUL-02", "IQ-NI", "Mosul East Border and Security Academy", "أكاديمية الحدود والأمن في شرق الموصل"),
    ("NIN-TALAFAR-01", "IQ-NI", "Tal Afar Training Centre", "مركز تدريب تلعفر"),
    ("ANB-RAMADI-01", "IQ-AN", "Ramadi Police Training Centre", "مركز تدريب شرطة الرمادي"),
    ("ANB-ASAD-01", "IQ-AN", "Al Asad Border Guard Training Centre", "مركز تدريب حرس الحدود في عين الأسد"),
    ("SAL-TIKRIT-01", "IQ-SD", "Tikrit Training Centre", "مركز تدريب تكريت"),
    ("KIR-KIRKUK-01", "IQ-KI", "Kirkuk Police Training Centre", "مركز تدريب شرطة كركوك"),
    ("DIY-BAQUBA-01", "IQ-DI", "Baquba Training Centre", "مركز تدريب بعقوبة"),
    ("BGD-BAGHDAD-01", "IQ-BG", "Baghdad Police College Annex", "ملحق كلية الشرطة في بغداد"),
    ("ERB-ERBIL-01", "IQ-AR", "Erbil Training Centre", "مركز تدريب أربيل"),
)

WITHDRAWAL_REASONS = ("transferred", "medical", "security", "did not report", "dismissed")

# --- catalogue ----------------------------------------------------------------
# Competencies: code, English, Arabic, tags (what reports group by).
COMPETENCIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("law-procedure", "Criminal law and procedure", "القانون والإجراءات الجزائية", ("law",)),
    ("human-rights", "Human rights and policing ethics", "حقوق الإنسان وأخلاقيات العمل الشرطي", ("human-rights",)),
    ("loac", "Law of armed conflict", "قانون النزاعات المسلحة", ("human-rights", "law")),
    ("weapons-safety", "Weapons safety and handling", "السلامة في استخدام الأسلحة", ("weapons",)),
    ("marksmanship", "Marksmanship", "الرماية", ("weapons",)),
    ("first-aid", "First aid and casualty care", "الإسعافات الأولية", ("first-aid",)),
    ("intel-analysis", "Crime intelligence analysis", "تحليل المعلومات الجنائية", ("ilp",)),
    ("source-handling", "Source handling", "إدارة المصادر", ("ilp",)),
    ("crime-mapping", "Crime pattern mapping", "رسم خرائط الجريمة", ("ilp", "evidence")),
    ("community-engagement", "Community engagement", "التواصل مع المجتمع", ("community",)),
    ("problem-solving", "Problem-oriented policing", "العمل الشرطي القائم على حل المشكلات", ("community", "ilp")),
    ("gender-protection", "Protection of women and children", "حماية النساء والأطفال", ("community", "human-rights")),
    ("evidence-handling", "Evidence collection and chain of custody", "جمع الأدلة وسلسلة الحيازة", ("evidence",)),
    ("interviewing", "Investigative interviewing", "مهارات المقابلة التحقيقية", ("evidence", "human-rights")),
    ("checkpoint-ops", "Checkpoint and search procedures", "إجراءات نقاط التفتيش", ("security",)),
    ("border-control", "Border control and patrol", "مراقبة الحدود والدوريات", ("security",)),
    ("cied-awareness", "Explosive hazard awareness", "التوعية بمخاطر المتفجرات", ("security",)),
    ("small-unit-leadership", "Small-unit leadership", "قيادة الوحدات الصغيرة", ("leadership",)),
    ("instruction", "Instructional technique", "مهارات التدريب والتعليم", ("training",)),
    ("fitness", "Physical fitness", "اللياقة البدنية", ("fitness",)),
    ("fieldcraft", "Fieldcraft", "المهارات الميدانية", ("security",)),
)

ALL_FORCES = ("police", "border", "army", "cts", "tribal", "peshmerga")
POLICE_CENTRES = (
    "NIN-MOSUL-01",
    "NIN-TALAFAR-01",
    "ANB-RAMADI-01",
    "SAL-TIKRIT-01",
    "KIR-KIRKUK-01",
    "DIY-BAQUBA-01",
    "BGD-BAGHDAD-01",
)
ANY_CENTRE = tuple(c[0] for c in CENTRES)


@dataclass(frozen=True)
class CourseSpec:
    code: str
    title_en: str
    title_ar: str
    category: str
    forces: tuple[str, ...]
    duration_days: int
    grants: bool
    months: int | None  # certificate validity; None: never expires
    competencies: tuple[str, ...]
    # code, title, max_score, pass_mark, weight
    assessments: tuple[tuple[str, str, float, float, float], ...]
    centres: tuple[str, ...]
    cohorts: int = 0  # completed cohorts at the default scale (basic: from targets)
    weight: float = 0.0  # share of cohorts at the full scale (%)
    prerequisite: str | None = None
    min_weighted: int = 0


_LAW = ("LAW", "Law and procedure exam", 100, 60, 0.35)
_WPN = ("WPN", "Weapons handling test", 100, 70, 0.3)
_FIELD = ("FIELD", "Fieldcraft exercise", 100, 60, 0.4)
_LOAC = ("LOAC", "Law of armed conflict exam", 50, 30, 0.2)

COURSES: tuple[CourseSpec, ...] = (
    CourseSpec(
        "BASIC-POL",
        "Basic Police Training",
        "التدريب الأساسي للشرطة",
        "basic",
        ("police",),
        56,
        True,
        None,
        ("law-procedure", "human-rights", "weapons-safety", "first-aid", "community-engagement"),
        (_LAW, ("HR", "Human rights exam", 100, 60, 0.2), ("FIT", "Physical fitness test", 50, 30, 0.15), _WPN),
        POLICE_CENTRES,
        weight=6,
        min_weighted=60,
    ),
    CourseSpec(
        "BASIC-BG",
        "Basic Border Guard Training",
        "التدريب الأساسي لحرس الحدود",
        "basic",
        ("border",),
        42,
        True,
        24,
        ("law-procedure", "border-control", "weapons-safety", "human-rights"),
        (_LAW, ("PATROL", "Border patrol exercise", 100, 60, 0.4), _WPN),
        ("ANB-ASAD-01", "NIN-MOSUL-02"),
        weight=2,
    ),
    CourseSpec(
        "BASIC-ARMY",
        "Basic Infantry Skills",
        "المهارات الأساسية للمشاة",
        "basic",
        ("army",),
        35,
        True,
        None,
        ("fieldcraft", "marksmanship", "loac", "first-aid"),
        (_FIELD, _WPN, _LOAC),
        ("NIN-TALAFAR-01", "SAL-TIKRIT-01", "BGD-BAGHDAD-01"),
        weight=2,
    ),
    CourseSpec(
        "BASIC-CTS",
        "Counter Terrorism Service Basic Course",
        "الدورة الأساسية لجهاز مكافحة الإرهاب",
        "basic",
        ("cts",),
        70,
        True,
        None,
        ("marksmanship", "fieldcraft", "loac", "fitness"),
        (
            ("FIT", "Physical fitness test", 100, 70, 0.2),
            ("WPN", "Marksmanship test", 100, 80, 0.4),
            ("CQB", "Close-quarters exercise", 100, 70, 0.4),
        ),
        ("BGD-BAGHDAD-01",),
        weight=1,
    ),
    CourseSpec(
        "BASIC-TMF",
        "Tribal Mobilization Basic Course",
        "الدورة الأساسية للحشد العشائري",
        "basic",
        ("tribal",),
        21,
        True,
        None,
        ("weapons-safety", "checkpoint-ops", "human-rights"),
        (("WPN", "Weapons handling test", 100, 60, 0.5), ("CHECK", "Checkpoint drill", 100, 60, 0.5)),
        ("ANB-RAMADI-01", "SAL-TIKRIT-01", "NIN-MOSUL-02"),
        weight=1.5,
    ),
    CourseSpec(
        "BASIC-PESH",
        "Peshmerga Basic Training",
        "التدريب الأساسي للبيشمركة",
        "basic",
        ("peshmerga",),
        35,
        True,
        None,
        ("fieldcraft", "marksmanship", "loac", "first-aid"),
        (_FIELD, _WPN, _LOAC),
        ("ERB-ERBIL-01",),
        weight=1.5,
    ),
    CourseSpec(
        "ILP-1",
        "Intelligence-Led Policing",
        "العمل الشرطي المبني على المعلومات",
        "intelligence-led-policing",
        ("police",),
        15,
        True,
        None,
        ("intel-analysis", "source-handling", "crime-mapping"),
        (
            ("ANALYSIS", "Analysis exercise", 100, 60, 0.5),
            ("CASE", "Case study", 100, 60, 0.3),
            ("BRIEF", "Intelligence briefing", 50, 30, 0.2),
        ),
        POLICE_CENTRES,
        cohorts=45,
        weight=3,
        prerequisite="BASIC-POL",
    ),
    CourseSpec(
        "COMM-1",
        "Community Policing",
        "الشرطة المجتمعية",
        "community-policing",
        ("police", "border"),
        10,
        True,
        None,
        ("community-engagement", "problem-solving", "gender-protection"),
        (("PROJECT", "Community project", 100, 60, 0.6), ("EXAM", "Written exam", 100, 60, 0.4)),
        POLICE_CENTRES,
        cohorts=45,
        weight=3,
    ),
    CourseSpec(
        "WPN-Q",
        "Weapons Qualification",
        "تأهيل الأسلحة",
        "specialist",
        ALL_FORCES,
        5,
        True,
        12,
        ("weapons-safety", "marksmanship"),
        (
            ("SAFETY", "Safety test", 20, 18, 0.2),
            ("RANGE", "Range qualification", 50, 35, 0.6),
            ("MAINT", "Maintenance test", 20, 12, 0.2),
        ),
        ANY_CENTRE,
        cohorts=70,
        weight=5,
    ),
    CourseSpec(
        "FA-1",
        "First Aid and Casualty Care",
        "الإسعافات الأولية ورعاية المصابين",
        "specialist",
        ALL_FORCES,
        5,
        True,
        24,
        ("first-aid",),
        (("THEORY", "Theory exam", 50, 30, 0.4), ("PRACT", "Practical assessment", 50, 35, 0.6)),
        ANY_CENTRE,
        cohorts=40,
        weight=3,
    ),
    CourseSpec(
        "LEAD-1",
        "Junior Leadership",
        "القيادة للمراتب الصغرى",
        "leadership",
        ALL_FORCES,
        20,
        True,
        None,
        ("small-unit-leadership", "human-rights"),
        (
            ("PLAN", "Planning exercise", 100, 60, 0.4),
            ("FIELD", "Leadership in the field", 100, 60, 0.4),
            ("ESSAY", "Written essay", 100, 50, 0.2),
        ),
        ANY_CENTRE,
        cohorts=25,
        weight=2,
    ),
    CourseSpec(
        "TTT-1",
        "Train the Trainer",
        "تدريب المدربين",
        "train-the-trainer",
        ALL_FORCES,
        15,
        True,
        36,
        ("instruction",),
        (("TEACH", "Teaching practice", 100, 70, 0.6), ("THEORY", "Theory exam", 100, 60, 0.4)),
        ANY_CENTRE,
        cohorts=12,
        weight=1,
    ),
    CourseSpec(
        "HR-LOAC",
        "Human Rights and the Law of Armed Conflict",
        "حقوق الإنسان وقانون النزاعات المسلحة",
        "specialist",
        ALL_FORCES,
        3,
        False,
        None,
        ("human-rights", "loac"),
        (
            ("EXAM", "Written exam", 100, 60, 0.5),
            ("CASE", "Case discussion", 50, 30, 0.3),
            ("SCEN", "Scenario exercise", 50, 30, 0.2),
        ),
        ANY_CENTRE,
        cohorts=40,
        weight=20,
    ),
    CourseSpec(
        "CIED-1",
        "Explosive Hazard Awareness",
        "التوعية بمخاطر المتفجرات",
        "specialist",
        ALL_FORCES,
        3,
        False,
        None,
        ("cied-awareness",),
        (("EXAM", "Written exam", 100, 70, 0.5), ("DRILL", "Lane drill", 50, 35, 0.5)),
        ANY_CENTRE,
        cohorts=25,
        weight=17,
    ),
    CourseSpec(
        "CHECK-1",
        "Checkpoint and Search Procedures",
        "إجراءات نقاط التفتيش والتفتيش",
        "specialist",
        ("police", "border", "army", "tribal"),
        5,
        False,
        None,
        ("checkpoint-ops", "human-rights"),
        (("DRILL", "Checkpoint drill", 100, 60, 0.6), ("EXAM", "Written exam", 100, 60, 0.4)),
        ANY_CENTRE,
        cohorts=25,
        weight=17,
    ),
    CourseSpec(
        "EVID-1",
        "Crime Scene and Evidence Handling",
        "مسرح الجريمة والتعامل مع الأدلة",
        "specialist",
        ("police",),
        10,
        False,
        None,
        ("evidence-handling", "interviewing"),
        (
            ("EXAM", "Written exam", 100, 60, 0.4),
            ("SCENE", "Crime scene exercise", 100, 60, 0.4),
            ("INTERVIEW", "Interview role-play", 100, 60, 0.2),
        ),
        POLICE_CENTRES,
        cohorts=20,
        weight=15,
        prerequisite="BASIC-POL",
    ),
)

UNIT_NAMES = {
    "police": "{province} Police, District {n}",
    "border": "{province} Border Guard Regiment {n}",
    "army": "{province} Infantry Battalion {n}",
    "cts": "{province} CTS Battalion {n}",
    "tribal": "{province} Tribal Mobilization Regiment {n}",
    "peshmerga": "{province} Peshmerga Brigade {n}",
}
UNIT_PREFIX = {"police": "POL", "border": "BG", "army": "ARMY", "cts": "CTS", "tribal": "TMF", "peshmerga": "PESH"}
SERVICE_PREFIX = {"police": "P", "border": "B", "army": "A", "cts": "C", "tribal": "T", "peshmerga": "K"}
FEMALE_SHARE = {"police": 0.05, "border": 0.01, "army": 0.01, "cts": 0.02, "tribal": 0.0, "peshmerga": 0.05}

# Trained persons needed, per (province, force). Ninawa police: 25,000 (2017 report).
REQUIREMENTS: dict[tuple[str, str], int] = {
    ("IQ-NI", "police"): 25000,
    ("IQ-AN", "police"): 16000,
    ("IQ-SD", "police"): 11000,
    ("IQ-KI", "police"): 9000,
    ("IQ-DI", "police"): 8500,
    ("IQ-BG", "police"): 30000,
    ("IQ-NI", "border"): 3500,
    ("IQ-AN", "border"): 4500,
    ("IQ-DI", "border"): 1500,
    ("IQ-BA", "border"): 2000,
    ("IQ-MU", "border"): 900,
    ("IQ-WA", "border"): 1000,
    ("IQ-NI", "tribal"): 5000,
    ("IQ-AN", "tribal"): 6000,
    ("IQ-SD", "tribal"): 3000,
    ("IQ-KI", "tribal"): 1000,
    ("IQ-DI", "tribal"): 1000,
    ("IQ-NI", "army"): 6000,
    ("IQ-AN", "army"): 4000,
    ("IQ-BG", "cts"): 3000,
    ("IQ-AR", "peshmerga"): 4000,
    ("IQ-DA", "peshmerga"): 3000,
    ("IQ-SU", "peshmerga"): 3000,
}
REQUIREMENT_SOURCE = "2017 coalition progress report (demo figures)"

PROVINCE_SHORT = {
    "IQ-NI": "Ninawa",
    "IQ-AN": "Anbar",
    "IQ-SD": "Salah ad Din",
    "IQ-KI": "Kirkuk",
    "IQ-DI": "Diyala",
    "IQ-BG": "Baghdad",
    "IQ-BB": "Babil",
    "IQ-WA": "Wasit",
    "IQ-BA": "Basra",
    "IQ-MU": "Muthanna",
    "IQ-DQ": "Dhi Qar",
    "IQ-NA": "Najaf",
    "IQ-KA": "Karbala",
    "IQ-QA": "Qadisiyah",
    "IQ-AR": "Erbil",
    "IQ-DA": "Duhok",
    "IQ-SU": "Sulaymaniyah",
}

# Public holidays for the demo's calendar (Islamic ones as expected; sites confirm them each year).
HOLIDAYS: tuple[tuple[str, str, str], ...] = tuple(
    (f"{year}-{md}", en, ar)
    for year in (2026, 2027)
    for md, en, ar in (
        ("01-01", "New Year's Day", "رأس السنة الميلادية"),
        ("01-06", "Army Day", "عيد الجيش"),
        ("03-21", "Nowruz", "عيد نوروز"),
        ("05-01", "Labour Day", "عيد العمال"),
        ("07-14", "Republic Day", "ذكرى ثورة 14 تموز"),
        ("10-03", "National Day", "اليوم الوطني"),
        ("12-10", "Victory Day", "يوم النصر"),
        ("12-25", "Christmas Day", "عيد الميلاد المجيد"),
    )
) + (
    ("2026-03-20", "Eid al-Fitr", "عيد الفطر"),
    ("2026-03-22", "Eid al-Fitr", "عيد الفطر"),
    ("2026-05-27", "Eid al-Adha", "عيد الأضحى"),
    ("2026-05-28", "Eid al-Adha", "عيد الأضحى"),
    ("2026-05-29", "Eid al-Adha", "عيد الأضحى"),
    ("2026-06-16", "Islamic New Year", "رأس السنة الهجرية"),
    ("2026-06-25", "Ashura", "عاشوراء"),
    ("2026-08-25", "Prophet's Birthday", "المولد النبوي"),
    ("2027-03-10", "Eid al-Fitr", "عيد الفطر"),
    ("2027-05-17", "Eid al-Adha", "عيد الأضحى"),
)
