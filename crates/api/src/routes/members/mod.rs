pub mod data_rights;
mod errors;
pub mod me;
pub mod notifications;
pub mod password;
pub mod role;
pub mod tokens;
