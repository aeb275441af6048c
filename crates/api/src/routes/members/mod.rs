pub mod me;
pub mod role;
