//! Outgoing ActivityPub documents.

#[cfg(test)]
mod tests;
