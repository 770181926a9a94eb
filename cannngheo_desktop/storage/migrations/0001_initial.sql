-- Schema v1. Every row that travels in bundles carries: id (text), unit_code (owner),
-- version (+1 per change), updated_at (UTC ISO), updated_by, deleted (0/1, never hard-deleted).

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE installation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    unit_code TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('commune', 'aggregator')),
    receiving_unit_code TEXT,
    signing_key_id TEXT,
    encryption_key_id TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name TEXT,
    role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user', 'viewer')),
    password_hash TEXT NOT NULL,
    unit_code TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE units (
    id TEXT PRIMARY KEY,                -- code@valid_from: GSO codes were re-used after 1/7/2025
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('province', 'district', 'commune', 'ward', 'town')),
    parent_code TEXT,
    area TEXT NOT NULL CHECK (area IN ('rural', 'urban')),
    valid_from TEXT,
    valid_to TEXT,
    total_households INTEGER,
    unit_code TEXT NOT NULL,           -- owner (who may change this row)
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX units_code ON units(code);

CREATE TABLE unit_successors (
    id TEXT PRIMARY KEY,
    old_unit_id TEXT NOT NULL REFERENCES units(id),
    new_unit_id TEXT NOT NULL REFERENCES units(id),
    share TEXT NOT NULL CHECK (share IN ('whole', 'part')),
    note TEXT,
    unit_code TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE bodies (
    id TEXT PRIMARY KEY,               -- responsible bodies (plan section VI)
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT,
    unit_code TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE households (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    household_code TEXT,
    village TEXT,
    address TEXT,
    area_type TEXT CHECK (area_type IN ('rural', 'urban')),   -- NULL: follow the unit
    head_name TEXT,                    -- kept in step with the head member, for lists
    member_count INTEGER NOT NULL DEFAULT 0,
    income_month INTEGER,              -- total household income, VND/month
    floor_area_m2 REAL,
    wall_durable INTEGER,
    frame_durable INTEGER,
    roof_durable INTEGER,
    water_source TEXT,
    latrine TEXT,
    devices TEXT,                      -- JSON list
    uses_telecom INTEGER,
    uses_digital_services INTEGER,
    waste_handling TEXT,
    land_area_m2 REAL,
    is_merit INTEGER NOT NULL DEFAULT 0,
    no_labour_capacity INTEGER NOT NULL DEFAULT 0,
    is_ethnic_minority INTEGER NOT NULL DEFAULT 0,
    is_average_farm INTEGER NOT NULL DEFAULT 0,
    able_to_exit INTEGER,
    able_to_exit_reason TEXT,
    causes TEXT,                       -- JSON list of cause codes
    needs TEXT,                        -- JSON list of need codes
    needs_text TEXT,
    review_year INTEGER,
    phieu_a_result TEXT,
    b1_score REAL,
    category TEXT,                     -- current recognised category
    category_since TEXT,
    deprivation_count INTEGER,
    exit_date TEXT,
    certificate_no TEXT,
    certificate_date TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    search_key TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX households_unit ON households(unit_code, village);
CREATE INDEX households_category ON households(category);
CREATE INDEX households_code ON households(household_code);
CREATE INDEX households_updated ON households(updated_at);

CREATE TABLE members (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    household_id TEXT NOT NULL REFERENCES households(id),
    full_name TEXT NOT NULL,
    birth_date TEXT,
    sex TEXT,
    cccd TEXT,
    cccd_date TEXT,
    relation TEXT,
    ethnicity TEXT,
    education_level TEXT,
    in_school INTEGER,
    employment TEXT,
    able_to_work INTEGER,
    has_health_insurance INTEGER,
    malnourished INTEGER,
    disabled INTEGER,
    social_allowance INTEGER,
    merit_status INTEGER,
    wants_job_support INTEGER,
    got_job_support INTEGER,
    got_job INTEGER,
    status TEXT NOT NULL DEFAULT 'present',
    sort_order INTEGER NOT NULL DEFAULT 0,
    search_key TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX members_household ON members(household_id);
CREATE INDEX members_cccd ON members(cccd);

CREATE VIRTUAL TABLE household_search USING fts5(
    household_id UNINDEXED,
    body,
    tokenize = 'unicode61'
);

CREATE TABLE household_events (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    household_id TEXT NOT NULL REFERENCES households(id),
    member_id TEXT,
    kind TEXT NOT NULL,
    event_date TEXT NOT NULL,
    decision_no TEXT,
    from_category TEXT,
    to_category TEXT,
    related_household_id TEXT,
    note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX household_events_household ON household_events(household_id);
CREATE INDEX household_events_kind_date ON household_events(kind, event_date);

CREATE TABLE duplicate_decisions (
    id TEXT PRIMARY KEY,
    household_a TEXT NOT NULL,
    household_b TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('not_duplicate')),
    unit_code TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE rulesets (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    legal_basis TEXT,
    scope TEXT NOT NULL DEFAULT 'national',
    valid_from TEXT,
    valid_to TEXT,
    confirmed INTEGER NOT NULL DEFAULT 1,
    definition TEXT NOT NULL,          -- JSON (see core/standards)
    unit_code TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    household_id TEXT NOT NULL REFERENCES households(id),
    ruleset_code TEXT NOT NULL,
    assessed_on TEXT NOT NULL,
    inputs TEXT NOT NULL,              -- JSON snapshot of household + members facts
    results TEXT NOT NULL,             -- JSON per-indicator verdicts with reasons
    deprivation_count INTEGER,
    income_per_person INTEGER,
    category TEXT NOT NULL,
    missing TEXT,                      -- JSON list
    assessor TEXT,
    recognised INTEGER NOT NULL DEFAULT 0,
    review_id TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX assessments_household ON assessments(household_id, assessed_on);

CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,           -- the office (or commune) that owns the plan
    year INTEGER NOT NULL,
    title TEXT,
    doc_no TEXT,
    doc_date TEXT,
    baseline_date TEXT,
    target_total INTEGER,
    target_percent REAL,
    keep_zero_poor INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
    approved_at TEXT,
    approved_by TEXT,
    amendment_no INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE plan_units (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,           -- owner (the plan's owner)
    plan_id TEXT NOT NULL REFERENCES plans(id),
    target_unit_code TEXT NOT NULL,    -- the commune the row is about
    sort_order INTEGER NOT NULL DEFAULT 0,
    baseline_near_poor INTEGER,
    baseline_poor INTEGER,
    baseline_typed INTEGER NOT NULL DEFAULT 0,
    total_households INTEGER,
    target_reduction INTEGER,
    to_zero INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plan_units_plan ON plan_units(plan_id);

CREATE TABLE plan_amendments (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    amendment_no INTEGER NOT NULL,
    amended_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    changes TEXT,                      -- JSON
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE plan_objectives (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    kind TEXT NOT NULL,                -- measurable fact code
    label TEXT NOT NULL,
    target_value REAL,
    comparison TEXT NOT NULL DEFAULT '>=',
    measure_unit TEXT NOT NULL DEFAULT '%',
    params TEXT,                       -- JSON
    sort_order INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE milestones (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    plan_id TEXT REFERENCES plans(id),
    title TEXT NOT NULL,
    due_date TEXT NOT NULL,
    body_code TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    done_date TEXT,
    note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE support_measures (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    domain TEXT,
    plan_section TEXT,
    body_code TEXT,
    legal_basis TEXT,
    default_amount INTEGER,
    amount_unit TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    unit_code TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE support_actions (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    household_id TEXT NOT NULL REFERENCES households(id),
    member_id TEXT,
    measure_code TEXT NOT NULL,
    body_code TEXT,
    planned_date TEXT,
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    done_date TEXT,
    amount INTEGER,
    funding_source TEXT,
    note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX support_actions_household ON support_actions(household_id);
CREATE INDEX support_actions_status ON support_actions(status, planned_date);

CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('annual', 'ongoing')),
    year INTEGER NOT NULL,
    period TEXT,                       -- YYYY-MM for ongoing rounds
    ruleset_code TEXT NOT NULL,
    steps TEXT,                        -- JSON: step → {status, date}
    posting_start TEXT,
    posting_end TEXT,
    decision_no TEXT,
    decision_date TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE review_items (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    review_id TEXT NOT NULL REFERENCES reviews(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    reason TEXT,                       -- current list / request / added by hand
    request_date TEXT,
    request_by TEXT,
    request_kind TEXT,                 -- recognise / exit
    phieu_a_result TEXT,
    assessment_id TEXT,
    proposed_category TEXT,
    meeting_result TEXT,
    complaint TEXT,
    complaint_outcome TEXT,
    final_category TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX changes_row ON changes(table_name, row_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'restore')),
    field TEXT,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_log_row ON audit_log(table_name, row_id);

CREATE TABLE bundles (
    id TEXT PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    kind TEXT NOT NULL,
    peer_unit TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    period TEXT,
    file_name TEXT,
    sha256 TEXT NOT NULL,
    prev_sha256 TEXT,
    status TEXT NOT NULL,
    counts TEXT,
    last_change_seq INTEGER,
    created_at TEXT NOT NULL,
    received_at TEXT,
    acknowledged_at TEXT
);

CREATE TABLE keys (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('sign', 'encrypt')),
    public_key TEXT NOT NULL,
    private_key_encrypted TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);

CREATE TABLE trusted_keys (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sign', 'encrypt')),
    public_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    added_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Rows are never hard-deleted (soft delete: deleted = 1); the audit log is append-only.
CREATE TRIGGER users_no_delete BEFORE DELETE ON users BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER units_no_delete BEFORE DELETE ON units BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER unit_successors_no_delete BEFORE DELETE ON unit_successors BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER bodies_no_delete BEFORE DELETE ON bodies BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER households_no_delete BEFORE DELETE ON households BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER members_no_delete BEFORE DELETE ON members BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER household_events_no_delete BEFORE DELETE ON household_events BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER duplicate_decisions_no_delete BEFORE DELETE ON duplicate_decisions BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER rulesets_no_delete BEFORE DELETE ON rulesets BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER plans_no_delete BEFORE DELETE ON plans BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER plan_units_no_delete BEFORE DELETE ON plan_units BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER plan_amendments_no_delete BEFORE DELETE ON plan_amendments BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER plan_objectives_no_delete BEFORE DELETE ON plan_objectives BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER milestones_no_delete BEFORE DELETE ON milestones BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER support_measures_no_delete BEFORE DELETE ON support_measures BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER support_actions_no_delete BEFORE DELETE ON support_actions BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER review_items_no_delete BEFORE DELETE ON review_items BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
