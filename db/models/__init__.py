"""All models, in dependency order (the order tables are created in)."""

from db.models.access import ROLES, AuditEvent, User, UserCentre
from db.models.base import BaseModel, Record, now
from db.models.calendar import Holiday
from db.models.cohorts import (
    COHORT_STATUSES,
    ENROLMENT_STATUSES,
    SESSION_STATUSES,
    Cohort,
    CohortInstructor,
    Enrolment,
    Session,
)
from db.models.courses import (
    COURSE_CATEGORIES,
    COURSE_STATUSES,
    Assessment,
    Competency,
    CompetencyTag,
    Course,
    CourseCompetency,
    CourseForce,
    CoursePrerequisite,
)
from db.models.imports import HELD_STATUSES, HeldRow, ImportBatch, Merge
from db.models.people import (
    GENDERS,
    TRAINEE_STATUSES,
    VETTING_KINDS,
    VETTING_RESULTS,
    Trainee,
    UnitAssignment,
    VettingRecord,
)
from db.models.records import (
    ATTENDANCE_MARKS,
    CERTIFICATE_STATUSES,
    Attendance,
    Certificate,
    InstructorQualification,
    Result,
)
from db.models.reference import Centre, Force, Province, Requirement, Setting, Unit
from db.models.security import LoginThrottle, UserSession
from db.models.stations import (
    CHECK_STAGES,
    END_REASONS,
    ITEM_CONDITIONS,
    KIT_ACTIONS,
    KIT_STATES,
    STATION_KINDS,
    STATION_STATUSES,
    CohortDelivery,
    CohortNation,
    InventoryCheck,
    InventoryLine,
    Kit,
    KitItem,
    KitMovement,
    Posting,
    Program,
    Station,
)
from db.models.summary import CohortSummary, PersonSummary

MODELS = (
    Force,
    Province,
    Centre,
    Unit,
    Requirement,
    Setting,
    User,
    UserCentre,
    AuditEvent,
    UserSession,
    LoginThrottle,
    Trainee,
    UnitAssignment,
    VettingRecord,
    Competency,
    CompetencyTag,
    Course,
    CourseForce,
    CoursePrerequisite,
    CourseCompetency,
    Assessment,
    Cohort,
    CohortInstructor,
    Session,
    Enrolment,
    Attendance,
    Result,
    Certificate,
    InstructorQualification,
    CohortSummary,
    PersonSummary,
    Holiday,
    ImportBatch,
    HeldRow,
    Merge,
    Station,
    Kit,
    KitItem,
    KitMovement,
    InventoryCheck,
    InventoryLine,
    Posting,
    Program,
    CohortDelivery,
    CohortNation,
)
