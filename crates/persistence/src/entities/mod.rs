pub mod members;
pub mod submissions;
