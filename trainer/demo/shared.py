"""What the demo loader's parts share: the fixed clock, chunk size, populations and table lists."""

from __future__ import annotations

STAMP = "2026-11-01 06:00:00"
CHUNK = 50_000
LOAD_CACHE_KIB = 256 * 1024
SCALES = ("default", "quick", "full")
QUICK_TRAINEES = 10_000  # the quick scale: the default one shrunk, for tests and quick benchmarks
USER_CENTRE = "NIN-MOSUL-01"  # where the registrar and the instructor work
# default scale, per force: (trained persons, never-graduating, experienced without basic here)
POPULATION = {
    "police": (15_000, 3_000, 1_200),
    "border": (6_000, 1_200, 500),
    "army": (1_500, 350, 600),
    "cts": (700, 150, 300),
    "tribal": (1_200, 300, 300),
    "peshmerga": (900, 200, 500),
}
BULK_TABLES = ("trainee", "unit_assignment", "vetting_record", "enrolment", "result", "certificate", "attendance")
REC = ("id", "uuid", "version", "created_at", "updated_at")
TABLES = (
    "centre",
    "unit",
    "requirement",
    "competency",
    "competency_tag",
    "course",
    "course_force",
    "course_prerequisite",
    "course_competency",
    "assessment",
    "instructor_qualification",
    "trainee",
    "unit_assignment",
    "vetting_record",
    "cohort",
    "cohort_instructor",
    "session",
    "enrolment",
    "attendance",
    "result",
    "certificate",
)
