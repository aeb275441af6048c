use crate::storage;
use async_trait::async_trait;
use domain::repository::{StorageError, TaxonomyRepository};
use domain::taxonomy::{Taxonomy, Term, Vocabulary};
use sea_orm::sea_query::{Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// Reads the taxonomy the migrations stored.
#[derive(Clone)]
pub struct SeaTaxonomyRepository {
    db: DatabaseConnection,
}

impl SeaTaxonomyRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl TaxonomyRepository for SeaTaxonomyRepository {
    #[tracing::instrument(skip(self))]
    async fn load(&self) -> Result<Taxonomy, StorageError> {
        let query = Query::select()
            .columns(["vocabulary", "code", "label", "number", "parent"])
            .from("taxonomy_terms")
            .order_by("position", Order::Asc)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        let mut terms = Vec::with_capacity(rows.len());
        for row in rows {
            let vocabulary: String = row.try_get("", "vocabulary").map_err(storage)?;
            let Some(vocabulary) = Vocabulary::parse(&vocabulary) else {
                continue;
            };
            terms.push((
                vocabulary,
                Term {
                    code: row.try_get("", "code").map_err(storage)?,
                    label: row.try_get("", "label").map_err(storage)?,
                    number: row.try_get("", "number").map_err(storage)?,
                    parent: row.try_get("", "parent").map_err(storage)?,
                },
            ));
        }
        Ok(Taxonomy::from_terms(terms))
    }
}
