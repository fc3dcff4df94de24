//! Bounded pagination shared by every list.

use crate::ValidationError;

/// Largest page.
pub const MAX_LIMIT: u32 = 1000;
/// Page size when none is asked for.
pub const DEFAULT_LIMIT: u32 = 50;
/// Most bytes of stored client data (descriptions, metadata, URLs, image references) one page
/// of agents or deployments may carry. Bounds the memory of one list response; a page over it
/// is refused with the number of rows that would fit, so the client lowers `limit`.
pub const MAX_PAGE_BYTES: u64 = 5 * 1024 * 1024;
/// The most stored client data one agent or deployment row can hold: 64 KiB of metadata plus
/// 4096 characters of description and 2048 of URL (or 1024 of image reference) at up to 4
/// bytes each. A page whose `limit` times this fits [`MAX_PAGE_BYTES`] needs no measuring.
pub const MAX_ROW_BYTES: u64 = 64 * 1024 + 4 * 4096 + 4 * 2048;

/// When the stored sizes of a page's rows, in order, exceed [`MAX_PAGE_BYTES`]: how many
/// leading rows fit (the `limit` to ask for instead). `None` when the page fits.
pub fn rows_fitting_page_budget(sizes: impl IntoIterator<Item = u64>) -> Option<u32> {
    let mut total = 0u64;
    let mut fitting = 0u32;
    let mut over = false;
    for size in sizes {
        total = total.saturating_add(size);
        if total > MAX_PAGE_BYTES {
            over = true;
            break;
        }
        fitting += 1;
    }
    over.then_some(fitting.max(1))
}

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

    /// Whether a page this long could exceed [`MAX_PAGE_BYTES`], so its rows' sizes must be
    /// measured before they are loaded (pages of up to 58 rows never need it).
    pub fn may_exceed_page_budget(self) -> bool {
        u64::from(self.limit) * MAX_ROW_BYTES > MAX_PAGE_BYTES
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

/// The most rows a list counts for its total when no kept count can serve it (metadata
/// containment, a grant-filtered list, the lists under one agent, service tokens): past it the
/// total is reported as this bound, marked as a lower bound (docs/adr/0008-bounded-totals.md).
pub const MAX_COUNTED: u64 = 10_000;

/// How far a store counts the rows of a list whose total is not kept: at least 1; the default
/// is [`MAX_COUNTED`]. Stores take it from their configuration, so a test can use a small one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountBound(u64);

impl CountBound {
    /// A bound of `most` rows; `None` for 0 (a list must be able to count its own page).
    pub fn new(most: u64) -> Option<Self> {
        (most > 0).then_some(Self(most))
    }

    /// The most rows counted.
    pub fn get(self) -> u64 {
        self.0
    }

    /// How many rows a bounded count asks for: one past the bound, so that reaching it shows.
    pub fn probe(self) -> u64 {
        self.0.saturating_add(1)
    }

    /// The page total of `counted` rows, where `counted` came from counting at most
    /// [`probe`](Self::probe) rows: past the bound it is the bound, marked capped.
    pub fn total(self, counted: u64) -> (u64, bool) {
        if counted > self.0 {
            (self.0, true)
        } else {
            (counted, false)
        }
    }
}

impl Default for CountBound {
    fn default() -> Self {
        Self(MAX_COUNTED)
    }
}

/// One page of results plus the total count of matching rows (`X-Total-Count`).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// How many rows match in all; when [`total_capped`](Self::total_capped), the bound the
    /// count stopped at.
    pub total: u64,
    /// The count stopped at the store's [`CountBound`]: at least `total` rows match
    /// (`X-Total-Count-Capped: true`).
    pub total_capped: bool,
}

impl<T> Page<T> {
    /// A page whose total is exact.
    pub fn exact(items: Vec<T>, total: u64) -> Self {
        Self {
            items,
            total,
            total_capped: false,
        }
    }

    /// An empty page with total 0.
    pub fn empty() -> Self {
        Self::exact(Vec::new(), 0)
    }

    /// A page whose total was counted up to `bound` ([`CountBound::total`]).
    pub fn bounded(items: Vec<T>, counted: u64, bound: CountBound) -> Self {
        let (total, total_capped) = bound.total(counted);
        Self {
            items,
            total,
            total_capped,
        }
    }
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

    #[test]
    fn a_count_past_the_bound_is_the_bound_marked_capped() {
        assert_eq!(CountBound::new(0), None);
        let bound = CountBound::new(3).unwrap();
        assert_eq!(bound.probe(), 4);
        assert_eq!(bound.total(3), (3, false));
        assert_eq!(bound.total(4), (3, true));
        assert_eq!(CountBound::default().get(), MAX_COUNTED);
        let page = Page::bounded(vec![1, 2], 4, bound);
        assert_eq!((page.total, page.total_capped), (3, true));
        assert!(!Page::exact(vec![1], 20_000).total_capped);
    }

    #[test]
    fn only_long_pages_are_measured_and_the_budget_names_what_fits() {
        assert!(!PageRequest::new(Some(58), None)
            .unwrap()
            .may_exceed_page_budget());
        assert!(PageRequest::new(Some(59), None)
            .unwrap()
            .may_exceed_page_budget());
        assert_eq!(rows_fitting_page_budget([1024; 1000]), None);
        let fat = 60 * 1024;
        assert_eq!(
            rows_fitting_page_budget(vec![fat; 1000]),
            Some((MAX_PAGE_BYTES / fat) as u32)
        );
        assert_eq!(rows_fitting_page_budget([MAX_PAGE_BYTES + 1]), Some(1));
    }
}
