"""The initial schema: every table of the domain, frozen as DDL per dialect.

Frozen (not built from db.models) so that later migrations apply to exactly
this schema whatever the models become.
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator

SQLITE = [
    (
        'CREATE TABLE "course" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "code" VARCHAR(32) NOT NULL, '
        '"title_en" VARCHAR(255) NOT NULL, "title_ar" VARCHAR(255) NOT NULL, '
        "\"category\" VARCHAR(32) NOT NULL CHECK (\"category\" IN ('basic', 'specialist', 'leadership', "
        "'train-the-trainer', 'intelligence-led-policing', 'community-policing')), "
        '"duration_days" INTEGER NOT NULL CHECK (duration_days > 0), "curriculum_version" VARCHAR(255) NOT NULL, '
        '"rule_all_assessments" INTEGER NOT NULL, '
        '"rule_min_attendance" INTEGER NOT NULL CHECK (rule_min_attendance BETWEEN 0 AND 100), '
        '"rule_min_weighted" INTEGER NOT NULL CHECK (rule_min_weighted BETWEEN 0 AND 100), '
        '"grants_certificate" INTEGER NOT NULL, '
        '"certificate_months" INTEGER CHECK (certificate_months IS NULL OR certificate_months > 0), '
        '"recert_window_days" INTEGER NOT NULL, "status" VARCHAR(32) NOT NULL CHECK ("status" IN (\'active\', '
        "'retired')))"
    ),
    'CREATE UNIQUE INDEX "course_uuid" ON "course" ("uuid")',
    'CREATE UNIQUE INDEX "course_code" ON "course" ("code")',
    (
        'CREATE TABLE "assessment" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"course_id" INTEGER NOT NULL, "code" VARCHAR(32) NOT NULL, "title" VARCHAR(255) NOT NULL, '
        '"max_score" REAL NOT NULL CHECK (max_score > 0), "pass_mark" REAL NOT NULL, '
        '"weight" REAL NOT NULL CHECK (weight >= 0), "position" INTEGER NOT NULL, '
        'FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE, '
        "CHECK (pass_mark >= 0 AND pass_mark <= max_score))"
    ),
    'CREATE UNIQUE INDEX "assessment_uuid" ON "assessment" ("uuid")',
    'CREATE INDEX "assessment_course_id" ON "assessment" ("course_id")',
    'CREATE UNIQUE INDEX "assessment_course_id_code" ON "assessment" ("course_id", "code")',
    (
        'CREATE TABLE "province" ("code" VARCHAR(8) NOT NULL PRIMARY KEY, "name_en" VARCHAR(255) NOT NULL, '
        '"name_ar" VARCHAR(255) NOT NULL, "aliases" TEXT NOT NULL, "liberated" INTEGER NOT NULL)'
    ),
    (
        'CREATE TABLE "centre" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "code" VARCHAR(32) NOT NULL, '
        '"name_en" VARCHAR(255) NOT NULL, "name_ar" VARCHAR(255) NOT NULL, "province_id" VARCHAR(8) NOT NULL, '
        'FOREIGN KEY ("province_id") REFERENCES "province" ("code") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "centre_uuid" ON "centre" ("uuid")',
    'CREATE UNIQUE INDEX "centre_code" ON "centre" ("code")',
    'CREATE INDEX "centre_province_id" ON "centre" ("province_id")',
    (
        'CREATE TABLE "cohort" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "code" VARCHAR(48) NOT NULL, '
        '"course_id" INTEGER NOT NULL, "centre_id" INTEGER NOT NULL, "start_date" DATE NOT NULL, '
        '"end_date" DATE NOT NULL, "capacity" INTEGER NOT NULL CHECK (capacity > 0), "funder" VARCHAR(255) NOT NULL, '
        '"coalition_funded" INTEGER NOT NULL, "status" VARCHAR(32) NOT NULL CHECK ("status" IN (\'planned\', '
        "'running', 'completed', 'cancelled')), \"rules\" TEXT NOT NULL, "
        'FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("centre_id") REFERENCES "centre" ("id") ON DELETE RESTRICT, CHECK (end_date >= start_date))'
    ),
    'CREATE UNIQUE INDEX "cohort_uuid" ON "cohort" ("uuid")',
    'CREATE UNIQUE INDEX "cohort_code" ON "cohort" ("code")',
    'CREATE INDEX "cohort_course_id" ON "cohort" ("course_id")',
    'CREATE INDEX "cohort_centre_id" ON "cohort" ("centre_id")',
    'CREATE INDEX "cohort_start_date" ON "cohort" ("start_date")',
    (
        'CREATE TABLE "session" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"cohort_id" INTEGER NOT NULL, "day" DATE NOT NULL, '
        "\"status\" VARCHAR(32) NOT NULL CHECK (\"status\" IN ('planned', 'held', 'cancelled')), "
        '"topic" VARCHAR(255) NOT NULL, FOREIGN KEY ("cohort_id") REFERENCES "cohort" ("id") ON DELETE CASCADE)'
    ),
    'CREATE UNIQUE INDEX "session_uuid" ON "session" ("uuid")',
    'CREATE INDEX "session_cohort_id" ON "session" ("cohort_id")',
    'CREATE INDEX "session_cohort_id_day" ON "session" ("cohort_id", "day")',
    (
        'CREATE TABLE "force" ("code" VARCHAR(16) NOT NULL PRIMARY KEY, "name_en" VARCHAR(255) NOT NULL, '
        '"name_ar" VARCHAR(255) NOT NULL)'
    ),
    (
        'CREATE TABLE "trainee" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"given_name" VARCHAR(255) NOT NULL, "father_name" VARCHAR(255) NOT NULL, '
        '"grandfather_name" VARCHAR(255) NOT NULL, "family_name" VARCHAR(255) NOT NULL, '
        '"mother_name" VARCHAR(255) NOT NULL, "given_name_latin" VARCHAR(255) NOT NULL, '
        '"father_name_latin" VARCHAR(255) NOT NULL, "grandfather_name_latin" VARCHAR(255) NOT NULL, '
        '"family_name_latin" VARCHAR(255) NOT NULL, "search_text" TEXT NOT NULL, "match_key" VARCHAR(255) NOT NULL, '
        '"date_of_birth" DATE NOT NULL, "gender" VARCHAR(32) NOT NULL CHECK ("gender" IN (\'m\', \'f\')), '
        '"national_id" VARCHAR(20) CHECK (national_id IS NULL OR length(national_id) BETWEEN 8 AND 20), '
        '"service_number" VARCHAR(32), "force_id" VARCHAR(16) NOT NULL, "province_id" VARCHAR(8) NOT NULL, '
        '"rank" VARCHAR(255) NOT NULL, "phone" VARCHAR(255) NOT NULL, '
        "\"status\" VARCHAR(32) NOT NULL CHECK (\"status\" IN ('active', 'inactive', 'dismissed', 'deceased', "
        '\'merged\')), "merged_into_id" INTEGER, "source" VARCHAR(255) NOT NULL, '
        'FOREIGN KEY ("force_id") REFERENCES "force" ("code") ON DELETE RESTRICT, '
        'FOREIGN KEY ("province_id") REFERENCES "province" ("code") ON DELETE RESTRICT, '
        'FOREIGN KEY ("merged_into_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "trainee_uuid" ON "trainee" ("uuid")',
    'CREATE INDEX "trainee_match_key" ON "trainee" ("match_key")',
    'CREATE INDEX "trainee_date_of_birth" ON "trainee" ("date_of_birth")',
    'CREATE UNIQUE INDEX "trainee_national_id" ON "trainee" ("national_id")',
    'CREATE UNIQUE INDEX "trainee_service_number" ON "trainee" ("service_number")',
    'CREATE INDEX "trainee_force_id" ON "trainee" ("force_id")',
    'CREATE INDEX "trainee_province_id" ON "trainee" ("province_id")',
    'CREATE INDEX "trainee_merged_into_id" ON "trainee" ("merged_into_id")',
    (
        'CREATE TABLE "enrolment" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"cohort_id" INTEGER NOT NULL, "trainee_id" INTEGER NOT NULL, '
        "\"status\" VARCHAR(32) NOT NULL CHECK (\"status\" IN ('enrolled', 'waitlisted', 'withdrawn', "
        "'graduated', 'failed')), \"enrolled_on\" DATE NOT NULL, \"waitlist_position\" INTEGER, "
        '"withdrawal_reason" VARCHAR(255) NOT NULL, "outcome_reason" TEXT NOT NULL, "decided_at" DATETIME, '
        'FOREIGN KEY ("cohort_id") REFERENCES "cohort" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT, '
        "CHECK (status <> 'withdrawn' OR withdrawal_reason <> ''), "
        "CHECK (status <> 'waitlisted' OR waitlist_position IS NOT NULL))"
    ),
    'CREATE UNIQUE INDEX "enrolment_uuid" ON "enrolment" ("uuid")',
    'CREATE INDEX "enrolment_cohort_id" ON "enrolment" ("cohort_id")',
    'CREATE INDEX "enrolment_trainee_id" ON "enrolment" ("trainee_id")',
    'CREATE UNIQUE INDEX "enrolment_cohort_id_trainee_id" ON "enrolment" ("cohort_id", "trainee_id")',
    (
        'CREATE TABLE "user" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "username" VARCHAR(64) NOT NULL, '
        '"display_name" VARCHAR(255) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, '
        "\"role\" VARCHAR(32) NOT NULL CHECK (\"role\" IN ('admin', 'registrar', 'instructor', 'analyst', "
        '\'auditor\')), "disabled" INTEGER NOT NULL, "failed_logins" INTEGER NOT NULL, "locked_until" DATETIME, '
        '"last_login" DATETIME)'
    ),
    'CREATE UNIQUE INDEX "user_uuid" ON "user" ("uuid")',
    'CREATE UNIQUE INDEX "user_username" ON "user" ("username")',
    (
        'CREATE TABLE "attendance" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"session_id" INTEGER NOT NULL, "enrolment_id" INTEGER NOT NULL, '
        "\"mark\" VARCHAR(32) NOT NULL CHECK (\"mark\" IN ('present', 'absent', 'excused', 'late')), "
        '"entered_by_id" INTEGER, FOREIGN KEY ("session_id") REFERENCES "session" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("enrolment_id") REFERENCES "enrolment" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("entered_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "attendance_uuid" ON "attendance" ("uuid")',
    'CREATE INDEX "attendance_session_id" ON "attendance" ("session_id")',
    'CREATE INDEX "attendance_enrolment_id" ON "attendance" ("enrolment_id")',
    'CREATE INDEX "attendance_entered_by_id" ON "attendance" ("entered_by_id")',
    'CREATE UNIQUE INDEX "attendance_session_id_enrolment_id" ON "attendance" ("session_id", "enrolment_id")',
    (
        'CREATE TABLE "audit_event" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, "user_id" INTEGER, '
        '"username" VARCHAR(255) NOT NULL, "action" VARCHAR(32) NOT NULL, "entity" VARCHAR(64) NOT NULL, '
        '"entity_uuid" VARCHAR(36) NOT NULL, "detail" TEXT NOT NULL, "chain" VARCHAR(64) NOT NULL, '
        'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX "audit_event_user_id" ON "audit_event" ("user_id")',
    (
        'CREATE TABLE "certificate" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"number" VARCHAR(32) NOT NULL, "verification_code" VARCHAR(32) NOT NULL, "enrolment_id" INTEGER, '
        '"trainee_id" INTEGER NOT NULL, "course_id" INTEGER NOT NULL, "issued_on" DATE NOT NULL, "expires_on" DATE, '
        "\"status\" VARCHAR(32) NOT NULL CHECK (\"status\" IN ('valid', 'expired', 'revoked', 'superseded')), "
        '"revoked_reason" TEXT NOT NULL, "superseded_by_id" INTEGER, "issued_by_id" INTEGER, '
        'FOREIGN KEY ("enrolment_id") REFERENCES "enrolment" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("superseded_by_id") REFERENCES "certificate" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("issued_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        "CHECK (expires_on IS NULL OR expires_on > issued_on), CHECK (status <> 'revoked' OR revoked_reason <> ''))"
    ),
    'CREATE UNIQUE INDEX "certificate_uuid" ON "certificate" ("uuid")',
    'CREATE UNIQUE INDEX "certificate_number" ON "certificate" ("number")',
    'CREATE UNIQUE INDEX "certificate_verification_code" ON "certificate" ("verification_code")',
    'CREATE INDEX "certificate_enrolment_id" ON "certificate" ("enrolment_id")',
    'CREATE INDEX "certificate_trainee_id" ON "certificate" ("trainee_id")',
    'CREATE INDEX "certificate_course_id" ON "certificate" ("course_id")',
    'CREATE INDEX "certificate_expires_on" ON "certificate" ("expires_on")',
    'CREATE INDEX "certificate_superseded_by_id" ON "certificate" ("superseded_by_id")',
    'CREATE INDEX "certificate_issued_by_id" ON "certificate" ("issued_by_id")',
    (
        'CREATE TABLE "cohort_instructor" ("id" INTEGER NOT NULL PRIMARY KEY, "cohort_id" INTEGER NOT NULL, '
        '"user_id" INTEGER NOT NULL, FOREIGN KEY ("cohort_id") REFERENCES "cohort" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX "cohort_instructor_cohort_id" ON "cohort_instructor" ("cohort_id")',
    'CREATE INDEX "cohort_instructor_user_id" ON "cohort_instructor" ("user_id")',
    'CREATE UNIQUE INDEX "cohort_instructor_cohort_id_user_id" ON "cohort_instructor" ("cohort_id", "user_id")',
    (
        'CREATE TABLE "competency" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"code" VARCHAR(64) NOT NULL, "name_en" VARCHAR(255) NOT NULL, "name_ar" VARCHAR(255) NOT NULL)'
    ),
    'CREATE UNIQUE INDEX "competency_uuid" ON "competency" ("uuid")',
    'CREATE UNIQUE INDEX "competency_code" ON "competency" ("code")',
    (
        'CREATE TABLE "competency_tag" ("id" INTEGER NOT NULL PRIMARY KEY, "competency_id" INTEGER NOT NULL, '
        '"tag" VARCHAR(32) NOT NULL, FOREIGN KEY ("competency_id") REFERENCES "competency" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX "competency_tag_competency_id" ON "competency_tag" ("competency_id")',
    'CREATE UNIQUE INDEX "competency_tag_competency_id_tag" ON "competency_tag" ("competency_id", "tag")',
    (
        'CREATE TABLE "course_competency" ("id" INTEGER NOT NULL PRIMARY KEY, "course_id" INTEGER NOT NULL, '
        '"competency_id" INTEGER NOT NULL, FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("competency_id") REFERENCES "competency" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX "course_competency_course_id" ON "course_competency" ("course_id")',
    'CREATE INDEX "course_competency_competency_id" ON "course_competency" ("competency_id")',
    (
        'CREATE UNIQUE INDEX "course_competency_course_id_competency_id" ON "course_competency" ("course_id", '
        '"competency_id")'
    ),
    (
        'CREATE TABLE "course_force" ("id" INTEGER NOT NULL PRIMARY KEY, "course_id" INTEGER NOT NULL, '
        '"force_id" VARCHAR(16) NOT NULL, FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("force_id") REFERENCES "force" ("code") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX "course_force_course_id" ON "course_force" ("course_id")',
    'CREATE INDEX "course_force_force_id" ON "course_force" ("force_id")',
    'CREATE UNIQUE INDEX "course_force_course_id_force_id" ON "course_force" ("course_id", "force_id")',
    (
        'CREATE TABLE "course_prerequisite" ("id" INTEGER NOT NULL PRIMARY KEY, "course_id" INTEGER NOT NULL, '
        '"requires_id" INTEGER NOT NULL, FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("requires_id") REFERENCES "course" ("id") ON DELETE RESTRICT, CHECK (course_id <> requires_id))'
    ),
    'CREATE INDEX "course_prerequisite_course_id" ON "course_prerequisite" ("course_id")',
    'CREATE INDEX "course_prerequisite_requires_id" ON "course_prerequisite" ("requires_id")',
    (
        'CREATE UNIQUE INDEX "course_prerequisite_course_id_requires_id" ON "course_prerequisite" ("course_id", '
        '"requires_id")'
    ),
    (
        'CREATE TABLE "instructor_qualification" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"user_id" INTEGER NOT NULL, "course_id" INTEGER NOT NULL, "valid_from" DATE NOT NULL, "valid_until" DATE, '
        '"reference" VARCHAR(255) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE, '
        "CHECK (valid_until IS NULL OR valid_until >= valid_from))"
    ),
    'CREATE UNIQUE INDEX "instructor_qualification_uuid" ON "instructor_qualification" ("uuid")',
    'CREATE INDEX "instructor_qualification_user_id" ON "instructor_qualification" ("user_id")',
    'CREATE INDEX "instructor_qualification_course_id" ON "instructor_qualification" ("course_id")',
    (
        'CREATE TABLE "requirement" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"province_id" VARCHAR(8) NOT NULL, "force_id" VARCHAR(16) NOT NULL, '
        '"required" INTEGER NOT NULL CHECK (required >= 0), "as_of" DATE NOT NULL, "source" VARCHAR(255) NOT NULL, '
        'FOREIGN KEY ("province_id") REFERENCES "province" ("code") ON DELETE RESTRICT, '
        'FOREIGN KEY ("force_id") REFERENCES "force" ("code") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "requirement_uuid" ON "requirement" ("uuid")',
    'CREATE INDEX "requirement_province_id" ON "requirement" ("province_id")',
    'CREATE INDEX "requirement_force_id" ON "requirement" ("force_id")',
    'CREATE UNIQUE INDEX "requirement_province_id_force_id" ON "requirement" ("province_id", "force_id")',
    (
        'CREATE TABLE "result" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "enrolment_id" INTEGER NOT NULL, '
        '"assessment_id" INTEGER NOT NULL, "attempt" INTEGER NOT NULL CHECK (attempt >= 1), '
        '"score" REAL NOT NULL CHECK (score >= 0), "entered_by_id" INTEGER, "entered_at" DATETIME NOT NULL, '
        'FOREIGN KEY ("enrolment_id") REFERENCES "enrolment" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("assessment_id") REFERENCES "assessment" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("entered_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "result_uuid" ON "result" ("uuid")',
    'CREATE INDEX "result_enrolment_id" ON "result" ("enrolment_id")',
    'CREATE INDEX "result_assessment_id" ON "result" ("assessment_id")',
    'CREATE INDEX "result_entered_by_id" ON "result" ("entered_by_id")',
    (
        'CREATE UNIQUE INDEX "result_enrolment_id_assessment_id_attempt" ON "result" ("enrolment_id", '
        '"assessment_id", "attempt")'
    ),
    'CREATE TABLE "setting" ("key" VARCHAR(64) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    (
        'CREATE TABLE "unit" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "code" VARCHAR(64) NOT NULL, '
        '"name" VARCHAR(255) NOT NULL, "force_id" VARCHAR(16) NOT NULL, "province_id" VARCHAR(8), '
        'FOREIGN KEY ("force_id") REFERENCES "force" ("code") ON DELETE RESTRICT, '
        'FOREIGN KEY ("province_id") REFERENCES "province" ("code") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "unit_uuid" ON "unit" ("uuid")',
    'CREATE UNIQUE INDEX "unit_code" ON "unit" ("code")',
    'CREATE INDEX "unit_force_id" ON "unit" ("force_id")',
    'CREATE INDEX "unit_province_id" ON "unit" ("province_id")',
    (
        'CREATE TABLE "unit_assignment" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"trainee_id" INTEGER NOT NULL, "unit_id" INTEGER NOT NULL, "start_date" DATE NOT NULL, "end_date" DATE, '
        'FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("unit_id") REFERENCES "unit" ("id") ON DELETE RESTRICT, '
        "CHECK (end_date IS NULL OR end_date >= start_date))"
    ),
    'CREATE UNIQUE INDEX "unit_assignment_uuid" ON "unit_assignment" ("uuid")',
    'CREATE INDEX "unit_assignment_trainee_id" ON "unit_assignment" ("trainee_id")',
    'CREATE INDEX "unit_assignment_unit_id" ON "unit_assignment" ("unit_id")',
    (
        'CREATE TABLE "user_centre" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, '
        '"centre_id" INTEGER NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("centre_id") REFERENCES "centre" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX "user_centre_user_id" ON "user_centre" ("user_id")',
    'CREATE INDEX "user_centre_centre_id" ON "user_centre" ("centre_id")',
    'CREATE UNIQUE INDEX "user_centre_user_id_centre_id" ON "user_centre" ("user_id", "centre_id")',
    (
        'CREATE TABLE "vetting_record" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"trainee_id" INTEGER, "unit_id" INTEGER, "kind" VARCHAR(32) NOT NULL CHECK ("kind" IN (\'individual\', '
        "'unit')), \"case_ref\" VARCHAR(255) NOT NULL, "
        "\"result\" VARCHAR(32) NOT NULL CHECK (\"result\" IN ('pending', 'approved', 'denied', 'suspended')), "
        '"decision_date" DATE, "funder" VARCHAR(255) NOT NULL, "note" TEXT NOT NULL, '
        'FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("unit_id") REFERENCES "unit" ("id") ON DELETE RESTRICT, '
        "CHECK ((kind = 'individual' AND trainee_id IS NOT NULL) OR (kind = 'unit' AND unit_id IS NOT NULL)), "
        "CHECK (result = 'pending' OR decision_date IS NOT NULL))"
    ),
    'CREATE UNIQUE INDEX "vetting_record_uuid" ON "vetting_record" ("uuid")',
    'CREATE INDEX "vetting_record_trainee_id" ON "vetting_record" ("trainee_id")',
    'CREATE INDEX "vetting_record_unit_id" ON "vetting_record" ("unit_id")',
]

POSTGRES = [
    (
        'CREATE TABLE "course" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "code" VARCHAR(32) NOT NULL, '
        '"title_en" VARCHAR(255) NOT NULL, "title_ar" VARCHAR(255) NOT NULL, '
        "\"category\" VARCHAR(32) NOT NULL CHECK (\"category\" IN ('basic', 'specialist', 'leadership', "
        "'train-the-trainer', 'intelligence-led-policing', 'community-policing')), "
        '"duration_days" INTEGER NOT NULL CHECK (duration_days > 0), "curriculum_version" VARCHAR(255) NOT NULL, '
        '"rule_all_assessments" BOOLEAN NOT NULL, '
        '"rule_min_attendance" INTEGER NOT NULL CHECK (rule_min_attendance BETWEEN 0 AND 100), '
        '"rule_min_weighted" INTEGER NOT NULL CHECK (rule_min_weighted BETWEEN 0 AND 100), '
        '"grants_certificate" BOOLEAN NOT NULL, '
        '"certificate_months" INTEGER CHECK (certificate_months IS NULL OR certificate_months > 0), '
        '"recert_window_days" INTEGER NOT NULL, "status" VARCHAR(32) NOT NULL CHECK ("status" IN (\'active\', '
        "'retired')))"
    ),
    'CREATE UNIQUE INDEX "course_uuid" ON "course" ("uuid")',
    'CREATE UNIQUE INDEX "course_code" ON "course" ("code")',
    (
        'CREATE TABLE "assessment" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
        '"course_id" INTEGER NOT NULL, "code" VARCHAR(32) NOT NULL, "title" VARCHAR(255) NOT NULL, '
        '"max_score" REAL NOT NULL CHECK (max_score > 0), "pass_mark" REAL NOT NULL, '
        '"weight" REAL NOT NULL CHECK (weight >= 0), "position" INTEGER NOT NULL, '
        'FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE, '
        "CHECK (pass_mark >= 0 AND pass_mark <= max_score))"
    ),
    'CREATE UNIQUE INDEX "assessment_uuid" ON "assessment" ("uuid")',
    'CREATE INDEX "assessment_course_id" ON "assessment" ("course_id")',
    'CREATE UNIQUE INDEX "assessment_course_id_code" ON "assessment" ("course_id", "code")',
    (
        'CREATE TABLE "province" ("code" VARCHAR(8) NOT NULL PRIMARY KEY, "name_en" VARCHAR(255) NOT NULL, '
        '"name_ar" VARCHAR(255) NOT NULL, "aliases" TEXT NOT NULL, "liberated" BOOLEAN NOT NULL)'
    ),
    (
        'CREATE TABLE "centre" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "code" VARCHAR(32) NOT NULL, '
        '"name_en" VARCHAR(255) NOT NULL, "name_ar" VARCHAR(255) NOT NULL, "province_id" VARCHAR(8) NOT NULL, '
        'FOREIGN KEY ("province_id") REFERENCES "province" ("code") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "centre_uuid" ON "centre" ("uuid")',
    'CREATE UNIQUE INDEX "centre_code" ON "centre" ("code")',
    'CREATE INDEX "centre_province_id" ON "centre" ("province_id")',
    (
        'CREATE TABLE "cohort" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "code" VARCHAR(48) NOT NULL, '
        '"course_id" INTEGER NOT NULL, "centre_id" INTEGER NOT NULL, "start_date" DATE NOT NULL, '
        '"end_date" DATE NOT NULL, "capacity" INTEGER NOT NULL CHECK (capacity > 0), "funder" VARCHAR(255) NOT NULL, '
        '"coalition_funded" BOOLEAN NOT NULL, "status" VARCHAR(32) NOT NULL CHECK ("status" IN (\'planned\', '
        "'running', 'completed', 'cancelled')), \"rules\" TEXT NOT NULL, "
        'FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("centre_id") REFERENCES "centre" ("id") ON DELETE RESTRICT, CHECK (end_date >= start_date))'
    ),
    'CREATE UNIQUE INDEX "cohort_uuid" ON "cohort" ("uuid")',
    'CREATE UNIQUE INDEX "cohort_code" ON "cohort" ("code")',
    'CREATE INDEX "cohort_course_id" ON "cohort" ("course_id")',
    'CREATE INDEX "cohort_centre_id" ON "cohort" ("centre_id")',
    'CREATE INDEX "cohort_start_date" ON "cohort" ("start_date")',
    (
        'CREATE TABLE "session" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "cohort_id" INTEGER NOT NULL, '
        '"day" DATE NOT NULL, "status" VARCHAR(32) NOT NULL CHECK ("status" IN (\'planned\', \'held\', '
        "'cancelled')), \"topic\" VARCHAR(255) NOT NULL, "
        'FOREIGN KEY ("cohort_id") REFERENCES "cohort" ("id") ON DELETE CASCADE)'
    ),
    'CREATE UNIQUE INDEX "session_uuid" ON "session" ("uuid")',
    'CREATE INDEX "session_cohort_id" ON "session" ("cohort_id")',
    'CREATE INDEX "session_cohort_id_day" ON "session" ("cohort_id", "day")',
    (
        'CREATE TABLE "force" ("code" VARCHAR(16) NOT NULL PRIMARY KEY, "name_en" VARCHAR(255) NOT NULL, '
        '"name_ar" VARCHAR(255) NOT NULL)'
    ),
    (
        'CREATE TABLE "trainee" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "given_name" VARCHAR(255) NOT NULL, '
        '"father_name" VARCHAR(255) NOT NULL, "grandfather_name" VARCHAR(255) NOT NULL, '
        '"family_name" VARCHAR(255) NOT NULL, "mother_name" VARCHAR(255) NOT NULL, '
        '"given_name_latin" VARCHAR(255) NOT NULL, "father_name_latin" VARCHAR(255) NOT NULL, '
        '"grandfather_name_latin" VARCHAR(255) NOT NULL, "family_name_latin" VARCHAR(255) NOT NULL, '
        '"search_text" TEXT NOT NULL, "match_key" VARCHAR(255) NOT NULL, "date_of_birth" DATE NOT NULL, '
        "\"gender\" VARCHAR(32) NOT NULL CHECK (\"gender\" IN ('m', 'f')), "
        '"national_id" VARCHAR(20) CHECK (national_id IS NULL OR length(national_id) BETWEEN 8 AND 20), '
        '"service_number" VARCHAR(32), "force_id" VARCHAR(16) NOT NULL, "province_id" VARCHAR(8) NOT NULL, '
        '"rank" VARCHAR(255) NOT NULL, "phone" VARCHAR(255) NOT NULL, '
        "\"status\" VARCHAR(32) NOT NULL CHECK (\"status\" IN ('active', 'inactive', 'dismissed', 'deceased', "
        '\'merged\')), "merged_into_id" INTEGER, "source" VARCHAR(255) NOT NULL, '
        'FOREIGN KEY ("force_id") REFERENCES "force" ("code") ON DELETE RESTRICT, '
        'FOREIGN KEY ("province_id") REFERENCES "province" ("code") ON DELETE RESTRICT, '
        'FOREIGN KEY ("merged_into_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "trainee_uuid" ON "trainee" ("uuid")',
    'CREATE INDEX "trainee_match_key" ON "trainee" ("match_key")',
    'CREATE INDEX "trainee_date_of_birth" ON "trainee" ("date_of_birth")',
    'CREATE UNIQUE INDEX "trainee_national_id" ON "trainee" ("national_id")',
    'CREATE UNIQUE INDEX "trainee_service_number" ON "trainee" ("service_number")',
    'CREATE INDEX "trainee_force_id" ON "trainee" ("force_id")',
    'CREATE INDEX "trainee_province_id" ON "trainee" ("province_id")',
    'CREATE INDEX "trainee_merged_into_id" ON "trainee" ("merged_into_id")',
    (
        'CREATE TABLE "enrolment" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
        '"cohort_id" INTEGER NOT NULL, "trainee_id" INTEGER NOT NULL, '
        "\"status\" VARCHAR(32) NOT NULL CHECK (\"status\" IN ('enrolled', 'waitlisted', 'withdrawn', "
        "'graduated', 'failed')), \"enrolled_on\" DATE NOT NULL, \"waitlist_position\" INTEGER, "
        '"withdrawal_reason" VARCHAR(255) NOT NULL, "outcome_reason" TEXT NOT NULL, "decided_at" TIMESTAMP, '
        'FOREIGN KEY ("cohort_id") REFERENCES "cohort" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT, '
        "CHECK (status <> 'withdrawn' OR withdrawal_reason <> ''), "
        "CHECK (status <> 'waitlisted' OR waitlist_position IS NOT NULL))"
    ),
    'CREATE UNIQUE INDEX "enrolment_uuid" ON "enrolment" ("uuid")',
    'CREATE INDEX "enrolment_cohort_id" ON "enrolment" ("cohort_id")',
    'CREATE INDEX "enrolment_trainee_id" ON "enrolment" ("trainee_id")',
    'CREATE UNIQUE INDEX "enrolment_cohort_id_trainee_id" ON "enrolment" ("cohort_id", "trainee_id")',
    (
        'CREATE TABLE "user" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "username" VARCHAR(64) NOT NULL, '
        '"display_name" VARCHAR(255) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, '
        "\"role\" VARCHAR(32) NOT NULL CHECK (\"role\" IN ('admin', 'registrar', 'instructor', 'analyst', "
        '\'auditor\')), "disabled" BOOLEAN NOT NULL, "failed_logins" INTEGER NOT NULL, "locked_until" TIMESTAMP, '
        '"last_login" TIMESTAMP)'
    ),
    'CREATE UNIQUE INDEX "user_uuid" ON "user" ("uuid")',
    'CREATE UNIQUE INDEX "user_username" ON "user" ("username")',
    (
        'CREATE TABLE "attendance" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
        '"session_id" INTEGER NOT NULL, "enrolment_id" INTEGER NOT NULL, '
        "\"mark\" VARCHAR(32) NOT NULL CHECK (\"mark\" IN ('present', 'absent', 'excused', 'late')), "
        '"entered_by_id" INTEGER, FOREIGN KEY ("session_id") REFERENCES "session" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("enrolment_id") REFERENCES "enrolment" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("entered_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "attendance_uuid" ON "attendance" ("uuid")',
    'CREATE INDEX "attendance_session_id" ON "attendance" ("session_id")',
    'CREATE INDEX "attendance_enrolment_id" ON "attendance" ("enrolment_id")',
    'CREATE INDEX "attendance_entered_by_id" ON "attendance" ("entered_by_id")',
    'CREATE UNIQUE INDEX "attendance_session_id_enrolment_id" ON "attendance" ("session_id", "enrolment_id")',
    (
        'CREATE TABLE "audit_event" ("id" SERIAL NOT NULL PRIMARY KEY, "at" TIMESTAMP NOT NULL, "user_id" INTEGER, '
        '"username" VARCHAR(255) NOT NULL, "action" VARCHAR(32) NOT NULL, "entity" VARCHAR(64) NOT NULL, '
        '"entity_uuid" VARCHAR(36) NOT NULL, "detail" TEXT NOT NULL, "chain" VARCHAR(64) NOT NULL, '
        'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX "audit_event_user_id" ON "audit_event" ("user_id")',
    (
        'CREATE TABLE "certificate" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
        '"number" VARCHAR(32) NOT NULL, "verification_code" VARCHAR(32) NOT NULL, "enrolment_id" INTEGER, '
        '"trainee_id" INTEGER NOT NULL, "course_id" INTEGER NOT NULL, "issued_on" DATE NOT NULL, "expires_on" DATE, '
        "\"status\" VARCHAR(32) NOT NULL CHECK (\"status\" IN ('valid', 'expired', 'revoked', 'superseded')), "
        '"revoked_reason" TEXT NOT NULL, "superseded_by_id" INTEGER, "issued_by_id" INTEGER, '
        'FOREIGN KEY ("enrolment_id") REFERENCES "enrolment" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("superseded_by_id") REFERENCES "certificate" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("issued_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        "CHECK (expires_on IS NULL OR expires_on > issued_on), CHECK (status <> 'revoked' OR revoked_reason <> ''))"
    ),
    'CREATE UNIQUE INDEX "certificate_uuid" ON "certificate" ("uuid")',
    'CREATE UNIQUE INDEX "certificate_number" ON "certificate" ("number")',
    'CREATE UNIQUE INDEX "certificate_verification_code" ON "certificate" ("verification_code")',
    'CREATE INDEX "certificate_enrolment_id" ON "certificate" ("enrolment_id")',
    'CREATE INDEX "certificate_trainee_id" ON "certificate" ("trainee_id")',
    'CREATE INDEX "certificate_course_id" ON "certificate" ("course_id")',
    'CREATE INDEX "certificate_expires_on" ON "certificate" ("expires_on")',
    'CREATE INDEX "certificate_superseded_by_id" ON "certificate" ("superseded_by_id")',
    'CREATE INDEX "certificate_issued_by_id" ON "certificate" ("issued_by_id")',
    (
        'CREATE TABLE "cohort_instructor" ("id" SERIAL NOT NULL PRIMARY KEY, "cohort_id" INTEGER NOT NULL, '
        '"user_id" INTEGER NOT NULL, FOREIGN KEY ("cohort_id") REFERENCES "cohort" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX "cohort_instructor_cohort_id" ON "cohort_instructor" ("cohort_id")',
    'CREATE INDEX "cohort_instructor_user_id" ON "cohort_instructor" ("user_id")',
    'CREATE UNIQUE INDEX "cohort_instructor_cohort_id_user_id" ON "cohort_instructor" ("cohort_id", "user_id")',
    (
        'CREATE TABLE "competency" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
        '"code" VARCHAR(64) NOT NULL, "name_en" VARCHAR(255) NOT NULL, "name_ar" VARCHAR(255) NOT NULL)'
    ),
    'CREATE UNIQUE INDEX "competency_uuid" ON "competency" ("uuid")',
    'CREATE UNIQUE INDEX "competency_code" ON "competency" ("code")',
    (
        'CREATE TABLE "competency_tag" ("id" SERIAL NOT NULL PRIMARY KEY, "competency_id" INTEGER NOT NULL, '
        '"tag" VARCHAR(32) NOT NULL, FOREIGN KEY ("competency_id") REFERENCES "competency" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX "competency_tag_competency_id" ON "competency_tag" ("competency_id")',
    'CREATE UNIQUE INDEX "competency_tag_competency_id_tag" ON "competency_tag" ("competency_id", "tag")',
    (
        'CREATE TABLE "course_competency" ("id" SERIAL NOT NULL PRIMARY KEY, "course_id" INTEGER NOT NULL, '
        '"competency_id" INTEGER NOT NULL, FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("competency_id") REFERENCES "competency" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX "course_competency_course_id" ON "course_competency" ("course_id")',
    'CREATE INDEX "course_competency_competency_id" ON "course_competency" ("competency_id")',
    (
        'CREATE UNIQUE INDEX "course_competency_course_id_competency_id" ON "course_competency" ("course_id", '
        '"competency_id")'
    ),
    (
        'CREATE TABLE "course_force" ("id" SERIAL NOT NULL PRIMARY KEY, "course_id" INTEGER NOT NULL, '
        '"force_id" VARCHAR(16) NOT NULL, FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("force_id") REFERENCES "force" ("code") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX "course_force_course_id" ON "course_force" ("course_id")',
    'CREATE INDEX "course_force_force_id" ON "course_force" ("force_id")',
    'CREATE UNIQUE INDEX "course_force_course_id_force_id" ON "course_force" ("course_id", "force_id")',
    (
        'CREATE TABLE "course_prerequisite" ("id" SERIAL NOT NULL PRIMARY KEY, "course_id" INTEGER NOT NULL, '
        '"requires_id" INTEGER NOT NULL, FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("requires_id") REFERENCES "course" ("id") ON DELETE RESTRICT, CHECK (course_id <> requires_id))'
    ),
    'CREATE INDEX "course_prerequisite_course_id" ON "course_prerequisite" ("course_id")',
    'CREATE INDEX "course_prerequisite_requires_id" ON "course_prerequisite" ("requires_id")',
    (
        'CREATE UNIQUE INDEX "course_prerequisite_course_id_requires_id" ON "course_prerequisite" ("course_id", '
        '"requires_id")'
    ),
    (
        'CREATE TABLE "instructor_qualification" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
        '"user_id" INTEGER NOT NULL, "course_id" INTEGER NOT NULL, "valid_from" DATE NOT NULL, "valid_until" DATE, '
        '"reference" VARCHAR(255) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE, '
        "CHECK (valid_until IS NULL OR valid_until >= valid_from))"
    ),
    'CREATE UNIQUE INDEX "instructor_qualification_uuid" ON "instructor_qualification" ("uuid")',
    'CREATE INDEX "instructor_qualification_user_id" ON "instructor_qualification" ("user_id")',
    'CREATE INDEX "instructor_qualification_course_id" ON "instructor_qualification" ("course_id")',
    (
        'CREATE TABLE "requirement" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
        '"province_id" VARCHAR(8) NOT NULL, "force_id" VARCHAR(16) NOT NULL, '
        '"required" INTEGER NOT NULL CHECK (required >= 0), "as_of" DATE NOT NULL, "source" VARCHAR(255) NOT NULL, '
        'FOREIGN KEY ("province_id") REFERENCES "province" ("code") ON DELETE RESTRICT, '
        'FOREIGN KEY ("force_id") REFERENCES "force" ("code") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "requirement_uuid" ON "requirement" ("uuid")',
    'CREATE INDEX "requirement_province_id" ON "requirement" ("province_id")',
    'CREATE INDEX "requirement_force_id" ON "requirement" ("force_id")',
    'CREATE UNIQUE INDEX "requirement_province_id_force_id" ON "requirement" ("province_id", "force_id")',
    (
        'CREATE TABLE "result" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "enrolment_id" INTEGER NOT NULL, '
        '"assessment_id" INTEGER NOT NULL, "attempt" INTEGER NOT NULL CHECK (attempt >= 1), '
        '"score" REAL NOT NULL CHECK (score >= 0), "entered_by_id" INTEGER, "entered_at" TIMESTAMP NOT NULL, '
        'FOREIGN KEY ("enrolment_id") REFERENCES "enrolment" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("assessment_id") REFERENCES "assessment" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("entered_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "result_uuid" ON "result" ("uuid")',
    'CREATE INDEX "result_enrolment_id" ON "result" ("enrolment_id")',
    'CREATE INDEX "result_assessment_id" ON "result" ("assessment_id")',
    'CREATE INDEX "result_entered_by_id" ON "result" ("entered_by_id")',
    (
        'CREATE UNIQUE INDEX "result_enrolment_id_assessment_id_attempt" ON "result" ("enrolment_id", '
        '"assessment_id", "attempt")'
    ),
    'CREATE TABLE "setting" ("key" VARCHAR(64) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    (
        'CREATE TABLE "unit" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "code" VARCHAR(64) NOT NULL, '
        '"name" VARCHAR(255) NOT NULL, "force_id" VARCHAR(16) NOT NULL, "province_id" VARCHAR(8), '
        'FOREIGN KEY ("force_id") REFERENCES "force" ("code") ON DELETE RESTRICT, '
        'FOREIGN KEY ("province_id") REFERENCES "province" ("code") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "unit_uuid" ON "unit" ("uuid")',
    'CREATE UNIQUE INDEX "unit_code" ON "unit" ("code")',
    'CREATE INDEX "unit_force_id" ON "unit" ("force_id")',
    'CREATE INDEX "unit_province_id" ON "unit" ("province_id")',
    (
        'CREATE TABLE "unit_assignment" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
        '"trainee_id" INTEGER NOT NULL, "unit_id" INTEGER NOT NULL, "start_date" DATE NOT NULL, "end_date" DATE, '
        'FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("unit_id") REFERENCES "unit" ("id") ON DELETE RESTRICT, '
        "CHECK (end_date IS NULL OR end_date >= start_date))"
    ),
    'CREATE UNIQUE INDEX "unit_assignment_uuid" ON "unit_assignment" ("uuid")',
    'CREATE INDEX "unit_assignment_trainee_id" ON "unit_assignment" ("trainee_id")',
    'CREATE INDEX "unit_assignment_unit_id" ON "unit_assignment" ("unit_id")',
    (
        'CREATE TABLE "user_centre" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, '
        '"centre_id" INTEGER NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("centre_id") REFERENCES "centre" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX "user_centre_user_id" ON "user_centre" ("user_id")',
    'CREATE INDEX "user_centre_centre_id" ON "user_centre" ("centre_id")',
    'CREATE UNIQUE INDEX "user_centre_user_id_centre_id" ON "user_centre" ("user_id", "centre_id")',
    (
        'CREATE TABLE "vetting_record" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
        '"trainee_id" INTEGER, "unit_id" INTEGER, "kind" VARCHAR(32) NOT NULL CHECK ("kind" IN (\'individual\', '
        "'unit')), \"case_ref\" VARCHAR(255) NOT NULL, "
        "\"result\" VARCHAR(32) NOT NULL CHECK (\"result\" IN ('pending', 'approved', 'denied', 'suspended')), "
        '"decision_date" DATE, "funder" VARCHAR(255) NOT NULL, "note" TEXT NOT NULL, '
        'FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("unit_id") REFERENCES "unit" ("id") ON DELETE RESTRICT, '
        "CHECK ((kind = 'individual' AND trainee_id IS NOT NULL) OR (kind = 'unit' AND unit_id IS NOT NULL)), "
        "CHECK (result = 'pending' OR decision_date IS NOT NULL))"
    ),
    'CREATE UNIQUE INDEX "vetting_record_uuid" ON "vetting_record" ("uuid")',
    'CREATE INDEX "vetting_record_trainee_id" ON "vetting_record" ("trainee_id")',
    'CREATE INDEX "vetting_record_unit_id" ON "vetting_record" ("unit_id")',
]


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    for statement in POSTGRES if is_postgres(db) else SQLITE:
        db.execute_sql(statement)
