pub mod data_rights;
pub mod me;
pub mod role;
pub mod tokens;
