//! The shared authorization helper: identity rules first, then grants, with the deny semantics
//! of contract §6.
