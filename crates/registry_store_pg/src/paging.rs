//! One page plus its total from a single query: the total is a kept count, or the matching
//! rows counted up to the store's bound (docs/adr/0008-bounded-totals.md).

use crate::fragments::{BoundedCount, One};
use diesel::dsl::{Limit, Select};
use diesel::query_dsl::methods::{LimitDsl, SelectDsl};
use registry_domain::paging::rows_fitting_page_budget;
use registry_domain::{CountBound, Page, PageRequest};
use registry_ports::{ErrorChain, RepoError, RepoResult};

/// Where the count beside a page's rows came from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Counting {
    /// A kept count: exact whatever its size.
    Kept,
    /// A [`BoundedCount`] of at most `bound.probe()` rows: past the bound the page reports the
    /// bound, marked capped.
    Bounded(CountBound),
}

/// Builds the page from rows each carrying the count (`counting` says which kind). An empty
/// page past the first has no row to carry it, so then `count` is asked (a second statement,
/// only in that case). A row that does not convert (corrupt data) is logged with its id and
/// left out of the page rather than failing it: one bad row must not hide every other one from
/// everyone.
pub(crate) fn page_from<R, T>(
    rows: Vec<(R, i64)>,
    request: PageRequest,
    counting: Counting,
    convert: impl Fn(R) -> RepoResult<T>,
    count: impl FnOnce() -> RepoResult<i64>,
) -> RepoResult<Page<T>> {
    let counted = match rows.first() {
        Some((_, counted)) => *counted,
        None if request.offset() > 0 => count()?,
        None => 0,
    };
    let counted = u64::try_from(counted).unwrap_or(0);
    let items = rows
        .into_iter()
        .filter_map(|(r, _)| kept(convert(r)))
        .collect();
    Ok(match counting {
        Counting::Kept => Page::exact(items, counted),
        Counting::Bounded(bound) => Page::bounded(items, counted, bound),
    })
}

/// The rows of `filtered` counted up to one past `bound`, as an expression: a column beside a
/// page's rows, or a statement of its own through `diesel::select`.
pub(crate) fn bounded_count<Q>(
    filtered: Q,
    bound: CountBound,
) -> BoundedCount<Limit<Select<Q, One>>>
where
    Q: SelectDsl<One>,
    Select<Q, One>: LimitDsl,
{
    let probe = i64::try_from(bound.probe()).unwrap_or(i64::MAX);
    BoundedCount(filtered.select(One).limit(probe))
}

/// `LIMIT` of a page request.
pub(crate) fn limit(request: PageRequest) -> i64 {
    i64::from(request.limit())
}

/// `OFFSET` of a page request.
pub(crate) fn offset(request: PageRequest) -> i64 {
    i64::try_from(request.offset()).unwrap_or(i64::MAX)
}

/// Refuses a page whose rows' stored sizes (in order) exceed the domain's page budget, before
/// the rows themselves are loaded.
pub(crate) fn check_page_budget(sizes: Vec<i64>) -> RepoResult<()> {
    let sizes = sizes.into_iter().map(|s| u64::try_from(s).unwrap_or(0));
    match rows_fitting_page_budget(sizes) {
        Some(fitting) => Err(RepoError::PageTooLarge { fitting }),
        None => Ok(()),
    }
}

/// The row, or `None` for a row that does not convert (corrupt data), which a list leaves out.
/// Its error goes no further, so it is logged here, with its chain: the one error a store logs
/// (docs/adr/0005-access-and-errors.md).
pub(crate) fn kept<T>(converted: RepoResult<T>) -> Option<T> {
    converted
        .map_err(|error| {
            tracing::error!(error = %ErrorChain(&error), "row left out of a list");
        })
        .ok()
}
