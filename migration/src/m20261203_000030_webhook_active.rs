use sea_orm_migration::prelude::*;

/// Webhooks can be disabled without being deleted: a disabled one gets no
/// new deliveries and its pending ones wait until it is enabled again.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("webhooks")
                    .add_column(ColumnDef::new("active").boolean().not_null().default(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("webhooks")
                    .drop_column("active")
                    .to_owned(),
            )
            .await
    }
}
