//! Bounded pagination shared by every list.

use crate::ValidationError;

/// Largest page.
pub const MAX_LIMIT: u32 = 1000;
/// Page size when none is asked for.
pub const DEFAULT_LIMIT: u32 = 50;

/// A validated page request: `limit` 1..=1000, `page_number` ≥ 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    limit: u32,
    page_number: u32,
}

impl PageRequest {
    /// Validates the optional query values, applying defaults (50, 1).
    pub fn new(limit: Option<i64>, page_number: Option<i64>) -> Result<Self, ValidationError> {
        let limit = limit.unwrap_or(i64::from(DEFAULT_LIMIT));
        if !(1..=i64::from(MAX_LIMIT)).contains(&limit) {
            return Err(ValidationError::new(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let page_number = page_number.unwrap_or(1);
        if !(1..=i64::from(u32::MAX)).contains(&page_number) {
            return Err(ValidationError::new("page_number", "must be at least 1"));
        }
        Ok(Self {
            limit: limit as u32,
            page_number: page_number as u32,
        })
    }

    /// Rows per page.
    pub fn limit(self) -> u32 {
        self.limit
    }

    /// 1-based page number.
    pub fn page_number(self) -> u32 {
        self.page_number
    }

    /// Rows to skip.
    pub fn offset(self) -> u64 {
        u64::from(self.page_number - 1) * u64::from(self.limit)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            page_number: 1,
        }
    }
}

/// One page of results plus the total count of matching rows (`X-Total-Count`).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// How many rows match in all.
    pub total: u64,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    /// Ascending.
    Asc,
    /// Descending (the default, as the peer).
    #[default]
    Desc,
}

impl SortDirection {
    /// Parses `asc`/`desc` (case-insensitive), field `order_direction`.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        match value.to_ascii_lowercase().as_str() {
            "asc" => Ok(SortDirection::Asc),
            "desc" => Ok(SortDirection::Desc),
            _ => Err(ValidationError::new(
                "order_direction",
                "must be asc or desc",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_bounded() {
        assert_eq!(PageRequest::new(None, None).unwrap().limit(), 50);
        assert!(PageRequest::new(Some(0), None).is_err());
        assert!(PageRequest::new(Some(1001), None).is_err());
        assert_eq!(PageRequest::new(Some(10), Some(3)).unwrap().offset(), 20);
        assert_eq!(
            PageRequest::new(None, Some(0)).unwrap_err().field,
            "page_number"
        );
    }
}
