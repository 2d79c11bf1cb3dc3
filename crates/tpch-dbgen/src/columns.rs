//! Column selection: generators skip the work of columns nobody asked for.

/// A set of column indices (in the table's schema order) to generate.
///
/// Skipped columns come out as zero / empty values; their random streams are still advanced
/// row by row, so the columns that are generated keep dbgen's exact values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ColumnMask(u64);

impl ColumnMask {
    /// Every column.
    pub const ALL: ColumnMask = ColumnMask(u64::MAX);
    /// No column (row counting only).
    pub const NONE: ColumnMask = ColumnMask(0);

    /// The columns at `indices`.
    pub fn of(indices: impl IntoIterator<Item = usize>) -> Self {
        ColumnMask(indices.into_iter().fold(0, |m, i| m | (1u64 << i.min(63))))
    }

    /// True if column `index` is wanted.
    #[inline]
    pub const fn has(self, index: usize) -> bool {
        self.0 & (1u64 << index) != 0
    }

    /// True if any of `indices` is wanted.
    #[inline]
    pub fn any(self, indices: &[usize]) -> bool {
        indices.iter().any(|&i| self.has(i))
    }

    /// The union of two masks.
    pub const fn union(self, other: ColumnMask) -> Self {
        ColumnMask(self.0 | other.0)
    }

    /// The columns in both masks.
    pub const fn intersection(self, other: ColumnMask) -> Self {
        ColumnMask(self.0 & other.0)
    }

    /// The columns of `self` not in `other`.
    pub const fn without(self, other: ColumnMask) -> Self {
        ColumnMask(self.0 & !other.0)
    }

    /// True if no column is wanted.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl Default for ColumnMask {
    fn default() -> Self {
        ColumnMask::ALL
    }
}
