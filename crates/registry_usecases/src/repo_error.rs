//! Mapping of port errors that no use case treats specially.
