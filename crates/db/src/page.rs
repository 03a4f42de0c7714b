//! Id-range pagination as Mastodon defines it: `max_id` (older than),
//! `since_id` (newer than, newest first), `min_id` (newer than, oldest
//! first: the page right above `min_id`), `limit`.

/// A request for one page of a list ordered by a time-sortable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: i64,
}

impl Page {
    /// The first page of `limit` items, newest first.
    pub fn first(limit: i64) -> Page {
        Page { max_id: None, since_id: None, min_id: None, limit }
    }

    /// Whether the query must scan upwards from `min_id` (results are then
    /// reversed so every page is newest first).
    pub fn ascending(&self) -> bool {
        self.min_id.is_some()
    }
}

/// Applies a [`Page`] to a boxed diesel query over `$column` (a BigInt id
/// column). A macro because diesel's boxed query types differ per table
/// and a generic function over them would be harder to read than this.
#[macro_export]
macro_rules! paginate {
    ($query:expr, $column:expr, $page:expr) => {{
        let page: &$crate::page::Page = &$page;
        let mut query = $query;
        if let Some(max_id) = page.max_id {
            query = query.filter($column.lt(max_id));
        }
        if let Some(since_id) = page.since_id {
            query = query.filter($column.gt(since_id));
        }
        if let Some(min_id) = page.min_id {
            query = query.filter($column.gt(min_id)).order($column.asc());
        } else {
            query = query.order($column.desc());
        }
        query.limit(page.limit)
    }};
}

/// Puts rows fetched in ascending order (for `min_id`) back to newest first.
pub fn newest_first<T>(page: &Page, mut rows: Vec<T>) -> Vec<T> {
    if page.ascending() {
        rows.reverse();
    }
    rows
}
