//! Pagination requests and results shared by every list.

/// The largest page anyone may ask for; bigger lists are exported, not paged.
pub const MAX_PAGE_SIZE: u32 = 200;
/// The page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// A request for one page of a list (1-based page number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Page number, from 1.
    pub number: u32,
    /// Rows per page, 1..=[`MAX_PAGE_SIZE`].
    pub size: u32,
}

impl PageRequest {
    /// Builds a request, clamping out-of-range values instead of failing: a page past the
    /// end is simply empty, and an oversized page is cut to the maximum.
    pub fn new(number: Option<u32>, size: Option<u32>) -> Self {
        Self { number: number.unwrap_or(1).max(1), size: size.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE) }
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        i64::from(self.number - 1) * i64::from(self.size)
    }
}

/// One page of results and the total count of the whole filtered list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Paged<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// How many rows match the filter in all.
    pub total: i64,
    /// The page number.
    pub page: u32,
    /// The page size.
    pub per_page: u32,
}

impl<T> Paged<T> {
    /// Number of pages (at least 1, so "page 1 of 1" shows for an empty list).
    pub fn pages(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        (((self.total + per - 1) / per).max(1)) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_requests_are_clamped() {
        assert_eq!(PageRequest::new(Some(0), Some(10_000)), PageRequest { number: 1, size: MAX_PAGE_SIZE });
        assert_eq!(PageRequest::new(None, Some(0)).size, 1);
        assert_eq!(PageRequest::new(Some(3), Some(50)).offset(), 100);
    }

    #[test]
    fn page_count_rounds_up_and_is_never_zero() {
        let p = |total| Paged::<()> { items: vec![], total, page: 1, per_page: 50 }.pages();
        assert_eq!(p(0), 1);
        assert_eq!(p(50), 1);
        assert_eq!(p(51), 2);
    }
}
