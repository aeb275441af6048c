use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "submissions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub author_id: Option<Uuid>,
    pub kind: String,
    pub status: String,
    pub title: String,
    pub search_text: String,
    pub search_body: String,
    pub content: String,
    pub version: i32,
    pub nation: Option<String>,
    pub region: Option<String>,
    pub completeness_score: Option<f64>,
    pub completeness: Option<String>,
    pub quality_score: Option<f64>,
    pub reviewer_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
    pub published_revision: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
