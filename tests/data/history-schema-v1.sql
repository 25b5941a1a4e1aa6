-- A history database as schema version 1 wrote it, with one run: the migration test's input.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, recorded_at TEXT NOT NULL, command TEXT NOT NULL,
    tool_version TEXT NOT NULL, ruleset TEXT NOT NULL, ruleset_sha256 TEXT NOT NULL,
    snapshot_digest TEXT NOT NULL, taken_at TEXT, source TEXT NOT NULL,
    coverage_gaps INTEGER NOT NULL, pass INTEGER NOT NULL, fail INTEGER NOT NULL,
    unknown INTEGER NOT NULL, waived INTEGER NOT NULL);
CREATE INDEX runs_recorded_at ON runs (recorded_at);
CREATE TABLE findings (
    fingerprint TEXT PRIMARY KEY, rule_id TEXT NOT NULL, area TEXT NOT NULL,
    resource TEXT NOT NULL, resource_type TEXT NOT NULL, account_id TEXT NOT NULL,
    region TEXT NOT NULL, status TEXT NOT NULL, first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL, resolved_at TEXT) WITHOUT ROWID;
CREATE TABLE run_findings (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL REFERENCES findings (fingerprint), status TEXT NOT NULL,
    severity TEXT NOT NULL, message TEXT NOT NULL,
    PRIMARY KEY (run_id, fingerprint)) WITHOUT ROWID;
CREATE INDEX run_findings_fingerprint ON run_findings (fingerprint);
CREATE TABLE status_changes (
    fingerprint TEXT NOT NULL REFERENCES findings (fingerprint),
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE, from_status TEXT,
    to_status TEXT NOT NULL, PRIMARY KEY (fingerprint, run_id)) WITHOUT ROWID;
CREATE INDEX status_changes_run ON status_changes (run_id);
INSERT INTO runs VALUES (1, '2025-12-01T03:00:00Z', 'scan', '0.0.9', 'default', 'aa',
    'dd', '2025-12-01T02:59:00Z', 'live', 0, 0, 1, 0, 0);
INSERT INTO findings VALUES ('f1', 's3-encrypted', 'encryption.at-rest',
    'arn:aws:s3:::a', 'AWS::S3::Bucket', '111111111111', 'eu-west-1', 'fail',
    '2025-12-01T03:00:00Z', '2025-12-01T03:00:00Z', NULL);
INSERT INTO run_findings VALUES (1, 'f1', 'fail', 'high', 'a is not encrypted');
INSERT INTO status_changes VALUES ('f1', 1, NULL, 'fail');
PRAGMA user_version = 1;
