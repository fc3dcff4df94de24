//! One page plus its total from a single `count(*) OVER ()` query.

use registry_domain::paging::rows_fitting_page_budget;
use registry_domain::{Page, PageRequest};
use registry_ports::{ErrorChain, RepoError, RepoResult};

/// Builds the page from rows carrying the window count. An empty page past the first has no
/// row to carry the total, so then `count` is asked (a second statement, only in that case).
/// A row that does not convert (corrupt data) is logged with its id and left out of the page
/// rather than failing it: one bad row must not hide every other one from everyone.
pub(crate) fn page_from<R, T>(
    rows: Vec<(R, i64)>,
    request: PageRequest,
    convert: impl Fn(R) -> RepoResult<T>,
    count: impl FnOnce() -> RepoResult<i64>,
) -> RepoResult<Page<T>> {
    let total = match rows.first() {
        Some((_, total)) => *total,
        None if request.offset() > 0 => count()?,
        None => 0,
    };
    let items = rows
        .into_iter()
        .filter_map(|(r, _)| kept(convert(r)))
        .collect();
    Ok(Page {
        items,
        total: u64::try_from(total).unwrap_or(0),
    })
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
