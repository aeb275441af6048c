use crate::{index, instant, uuid};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("taxonomy_terms")
                    .col(string("vocabulary"))
                    .col(string("code"))
                    .col(string("label"))
                    .col(integer_null("number"))
                    .col(string_null("parent"))
                    .col(integer("position"))
                    .primary_key(Index::create().col("vocabulary").col("code"))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert()
            .into_table("taxonomy_terms")
            .columns([
                "vocabulary",
                "code",
                "label",
                "number",
                "parent",
                "position",
            ])
            .to_owned();
        for (position, (vocabulary, code, label, number, parent)) in TERMS.iter().enumerate() {
            insert.values_panic([
                (*vocabulary).into(),
                (*code).into(),
                (*label).into(),
                (*number).into(),
                parent.map(str::to_owned).into(),
                <i32 as TryFrom<usize>>::try_from(position)
                    .unwrap_or(i32::MAX)
                    .into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table("members")
                    .col(uuid("id").primary_key())
                    .col(string_null("email").unique_key())
                    .col(string("display_name"))
                    .col(string_null("password_hash"))
                    .col(string("role"))
                    .col(string_null("career_stage"))
                    .col(string_null("level_of_practice"))
                    .col(string_null("sector"))
                    .col(string_null("job_title"))
                    .col(string_null("nation"))
                    .col(string_null("region"))
                    .col(instant("created_at"))
                    .col(instant("updated_at"))
                    .col(
                        ColumnDef::new("erased_at")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("members", &["created_at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("members").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("taxonomy_terms").to_owned())
            .await
    }
}

/// One seeded term: vocabulary, code, label, priority number, parent nation.
type Term = (
    &'static str,
    &'static str,
    &'static str,
    Option<i32>,
    Option<&'static str>,
);

/// The reference data of the Workforce Strategy 2024–2027 as this step
/// stored it, in display order. Frozen: a later change to the vocabulary is a
/// new migration, never an edit here.
const TERMS: &[Term] = &[
    (
        "priority",
        "optimising_ot",
        "Optimising occupational therapy",
        Some(1),
        None,
    ),
    (
        "priority",
        "value_and_impact",
        "Demonstrating value and impact",
        Some(2),
        None,
    ),
    (
        "priority",
        "retention_and_career",
        "Retention and career development",
        Some(3),
        None,
    ),
    (
        "priority",
        "workforce_planning",
        "Effective workforce planning",
        Some(4),
        None,
    ),
    ("practice_area", "primary_care", "Primary care", None, None),
    (
        "practice_area",
        "community_rehabilitation",
        "Community rehabilitation (after a hospital stay)",
        None,
        None,
    ),
    ("practice_area", "schools", "Schools", None, None),
    (
        "practice_area",
        "children_young_people_families",
        "Children, young people and families",
        None,
        None,
    ),
    (
        "practice_area",
        "mental_health",
        "Mental health",
        None,
        None,
    ),
    ("practice_area", "older_people", "Older people", None, None),
    (
        "practice_area",
        "learning_disabilities",
        "People with learning disabilities",
        None,
        None,
    ),
    (
        "practice_area",
        "neurological_practice",
        "Neurological practice",
        None,
        None,
    ),
    (
        "practice_area",
        "trauma_musculoskeletal",
        "Trauma and musculoskeletal health",
        None,
        None,
    ),
    (
        "practice_area",
        "major_health_conditions",
        "Major health conditions",
        None,
        None,
    ),
    ("practice_area", "housing", "Housing", None, None),
    ("practice_area", "work", "Work", None, None),
    (
        "practice_area",
        "independent_practice",
        "Independent practice",
        None,
        None,
    ),
    (
        "topic",
        "ai_digital_healthcare",
        "AI and digital healthcare",
        None,
        None,
    ),
    (
        "evidence_type",
        "economic",
        "Economic (for example return on investment)",
        None,
        None,
    ),
    (
        "evidence_type",
        "social",
        "Social (for example realist evaluation)",
        None,
        None,
    ),
    (
        "evidence_type",
        "experiential",
        "Experiential (people's stories)",
        None,
        None,
    ),
    ("nation", "england", "England", None, None),
    ("nation", "northern_ireland", "Northern Ireland", None, None),
    ("nation", "scotland", "Scotland", None, None),
    ("nation", "wales", "Wales", None, None),
    ("region", "eastern", "Eastern", None, Some("england")),
    ("region", "london", "London", None, Some("england")),
    (
        "region",
        "west_midlands",
        "West Midlands",
        None,
        Some("england"),
    ),
    (
        "region",
        "northern_ireland",
        "Northern Ireland",
        None,
        Some("northern_ireland"),
    ),
    (
        "region",
        "northern_and_yorkshire",
        "Northern and Yorkshire",
        None,
        Some("england"),
    ),
    ("region", "north_west", "North West", None, Some("england")),
    (
        "region",
        "scottish_eastern",
        "Scottish Eastern",
        None,
        Some("scotland"),
    ),
    (
        "region",
        "scottish_northern",
        "Scottish Northern",
        None,
        Some("scotland"),
    ),
    (
        "region",
        "scottish_western",
        "Scottish Western",
        None,
        Some("scotland"),
    ),
    ("region", "south_east", "South East", None, Some("england")),
    ("region", "south_west", "South West", None, Some("england")),
    ("region", "trent", "Trent", None, Some("england")),
    ("region", "wales", "Wales", None, Some("wales")),
    ("career_stage", "learner", "Learner", None, None),
    ("career_stage", "early", "Early career", None, None),
    ("career_stage", "mid", "Mid career", None, None),
    ("career_stage", "late", "Late career", None, None),
    ("level_of_practice", "novice", "Novice", None, None),
    ("level_of_practice", "competent", "Competent", None, None),
    ("level_of_practice", "proficient", "Proficient", None, None),
    ("level_of_practice", "enhanced", "Enhanced", None, None),
    ("level_of_practice", "advanced", "Advanced", None, None),
    ("level_of_practice", "consultant", "Consultant", None, None),
    ("sector", "statutory", "Statutory", None, None),
    ("sector", "private", "Private", None, None),
    ("sector", "independent", "Independent", None, None),
    (
        "sector",
        "social_enterprise",
        "Social enterprise",
        None,
        None,
    ),
    ("sector", "charity", "Charity", None, None),
];
