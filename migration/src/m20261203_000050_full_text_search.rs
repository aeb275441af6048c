use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// Full-text search with each database's own engine. `search_body` holds what
/// the search reads beyond the title and the summary (sections,
/// recommendations, tag labels); the service writes it with the document.
/// PostgreSQL keeps a weighted `tsvector` (title A, summary B, the rest C) as a
/// generated column under a GIN index; SQLite keeps an FTS5 table (porter
/// stemming) that triggers rewrite in the same transaction as every insert,
/// change and delete of a submission. Existing rows are indexed here.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The labels of a submission's tags (`s` is the submission), one a line.
fn labels_sql(join: &str) -> String {
    format!(
        "(SELECT {join} FROM (\
            SELECT 'priority' AS vocabulary, code FROM submission_priorities WHERE submission_id = s.id \
            UNION ALL SELECT 'practice_area', code FROM submission_practice_areas WHERE submission_id = s.id \
            UNION ALL SELECT 'topic', code FROM submission_topics WHERE submission_id = s.id \
            UNION ALL SELECT 'evidence_type', code FROM submission_evidence_types WHERE submission_id = s.id\
        ) x JOIN taxonomy_terms tt ON tt.vocabulary = x.vocabulary AND tt.code = x.code)"
    )
}

fn postgres() -> Vec<String> {
    vec![
        "ALTER TABLE submissions ADD COLUMN search_body text NOT NULL DEFAULT ''".into(),
        format!(
            "UPDATE submissions s SET search_body = concat_ws(E'\\n', \
               (SELECT string_agg(v #>> '{{}}', E'\\n') FROM jsonb_path_query(s.content::jsonb -> 'sections', 'strict $.**') v \
                  WHERE jsonb_typeof(v) = 'string'), \
               (SELECT string_agg(r.text, E'\\n' ORDER BY r.position) FROM recommendations r WHERE r.submission_id = s.id), \
               {})",
            labels_sql("string_agg(tt.label, E'\\n')")
        ),
        "ALTER TABLE submissions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (\
            setweight(to_tsvector('english'::regconfig, title), 'A') || \
            setweight(to_tsvector('english'::regconfig, coalesce(content::jsonb ->> 'summary', '')), 'B') || \
            setweight(to_tsvector('english'::regconfig, search_body), 'C')) STORED"
            .into(),
        "CREATE INDEX ix_submissions_search_vector ON submissions USING gin (search_vector)".into(),
    ]
}

const SQLITE_FTS_ROW: &str = "(rowid, submission_id, title, summary, body) VALUES \
    (new.rowid, new.id, new.title, coalesce(json_extract(new.content, '$.summary'), ''), new.search_body)";

fn sqlite() -> Vec<String> {
    vec![
        "ALTER TABLE submissions ADD COLUMN search_body text NOT NULL DEFAULT ''".into(),
        format!(
            "UPDATE submissions AS s SET search_body = \
               coalesce((SELECT group_concat(t.value, char(10)) FROM json_tree(s.content, '$.sections') t WHERE t.type = 'text'), '') \
               || char(10) || coalesce((SELECT group_concat(text, char(10)) FROM \
                    (SELECT r.text FROM recommendations r WHERE r.submission_id = s.id ORDER BY r.position)), '') \
               || char(10) || coalesce({}, '')",
            labels_sql("group_concat(tt.label, char(10))")
        ),
        "CREATE VIRTUAL TABLE submissions_fts USING fts5(\
            submission_id UNINDEXED, title, summary, body, tokenize = 'porter unicode61')"
            .into(),
        "INSERT INTO submissions_fts (rowid, submission_id, title, summary, body) \
            SELECT rowid, id, title, coalesce(json_extract(content, '$.summary'), ''), search_body FROM submissions"
            .into(),
        format!(
            "CREATE TRIGGER submissions_fts_insert AFTER INSERT ON submissions BEGIN \
               INSERT INTO submissions_fts {SQLITE_FTS_ROW}; END"
        ),
        "CREATE TRIGGER submissions_fts_delete AFTER DELETE ON submissions BEGIN \
            DELETE FROM submissions_fts WHERE rowid = old.rowid; END"
            .into(),
        format!(
            "CREATE TRIGGER submissions_fts_update AFTER UPDATE OF title, content, search_body ON submissions BEGIN \
               DELETE FROM submissions_fts WHERE rowid = old.rowid; \
               INSERT INTO submissions_fts {SQLITE_FTS_ROW}; END"
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match db.get_database_backend() {
            DatabaseBackend::Postgres => postgres(),
            _ => sqlite(),
        };
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match db.get_database_backend() {
            DatabaseBackend::Postgres => &[
                "DROP INDEX IF EXISTS ix_submissions_search_vector",
                "ALTER TABLE submissions DROP COLUMN search_vector",
                "ALTER TABLE submissions DROP COLUMN search_body",
            ],
            _ => &[
                "DROP TRIGGER IF EXISTS submissions_fts_insert",
                "DROP TRIGGER IF EXISTS submissions_fts_delete",
                "DROP TRIGGER IF EXISTS submissions_fts_update",
                "DROP TABLE IF EXISTS submissions_fts",
                "ALTER TABLE submissions DROP COLUMN search_body",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
