pub mod access_tokens;
pub mod members;
pub mod sessions;
pub mod submissions;
