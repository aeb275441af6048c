//! Small-number suppression for counts of people, made to hold against
//! differencing.
//!
//! Every count from 1 to 4 is withheld (primary suppression). A summary
//! publishes people counts that are tied by sums: each breakdown adds up to
//! its total, and a nation's submitters are its regions' submitters. So more
//! counts are withheld (complementary suppression) until no withheld count can
//! be worked out exactly from what is published:
//!
//! 1. no sum has exactly one withheld term;
//! 2. no withheld count is fixed by the published counts through any
//!    combination of the sums (tested by linear algebra over all of them);
//! 3. no sum's withheld terms must all be 1 (a withheld count is never 0,
//!    since 0 is published, so withheld terms adding up to their number would
//!    each be 1).
//!
//! Each extra count withheld is the smallest non-zero published part of a sum
//! the exposed count is in; a total is withheld only when no part is left.

/// Counts of people below this (and above zero) are withheld.
pub const SUPPRESS_BELOW: i64 = 5;

/// A count that may be withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuppressedCount {
    pub count: i64,
    pub suppressed: bool,
}

fn primary(count: i64) -> bool {
    (1..SUPPRESS_BELOW).contains(&count)
}

/// Whether a count published on its own, tied to nothing, is withheld.
pub fn withheld_alone(count: i64) -> bool {
    primary(count)
}

/// A sum that holds among a table's counts: `total` is the sum of `parts`
/// (indices into the table's counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// Applies primary and secondary suppression to one dimension's counts.
/// `total_shown` says whether the dimension's total is published beside it.
pub fn suppress(counts: &[i64], total_shown: bool) -> Vec<SuppressedCount> {
    if !total_shown {
        return counts
            .iter()
            .map(|&count| SuppressedCount {
                count,
                suppressed: primary(count),
            })
            .collect();
    }
    // The total, published beside its parts: kept unless it is small itself.
    let mut table = counts.to_vec();
    table.push(counts.iter().sum());
    let total = table.len() - 1;
    let sums = [Sum {
        total,
        parts: (0..total).collect(),
    }];
    let withheld = protect(&table, &sums);
    counts
        .iter()
        .zip(withheld)
        .map(|(&count, suppressed)| SuppressedCount { count, suppressed })
        .collect()
}

/// Which of `counts` to withhold so that none withheld can be worked out from
/// the rest through `sums`.
pub fn protect(counts: &[i64], sums: &[Sum]) -> Vec<bool> {
    let mut withheld: Vec<bool> = counts.iter().map(|&c| primary(c)).collect();
    // Each round withholds one more count, so this ends within counts.len() rounds.
    for _ in 0..=counts.len() {
        let Some(sum) = exposing_sum(counts, sums, &withheld) else {
            return withheld;
        };
        match complement(counts, &sums[sum], &withheld) {
            Some(extra) => withheld[extra] = true,
            None => return withheld,
        }
    }
    withheld
}

impl Sum {
    /// The total, then the parts.
    fn terms(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.total).chain(self.parts.iter().copied())
    }
}

/// A sum through which some withheld count can be worked out, if any.
fn exposing_sum(counts: &[i64], sums: &[Sum], withheld: &[bool]) -> Option<usize> {
    // Rule 1: a sum with one withheld term gives it away.
    if let Some(i) = sums
        .iter()
        .position(|s| s.terms().filter(|&t| withheld[t]).count() == 1)
    {
        return Some(i);
    }
    // Rule 3: withheld parts that add up to their number are all 1.
    if let Some(i) = sums.iter().position(|s| {
        let parts: Vec<usize> = s.parts.iter().copied().filter(|&p| withheld[p]).collect();
        !withheld[s.total]
            && !parts.is_empty()
            && parts.iter().map(|&p| counts[p]).sum::<i64>() == parts.len() as i64
    }) {
        return Some(i);
    }
    // Rule 2: a withheld count fixed by the sums taken together.
    let fixed = determined(withheld, sums);
    sums.iter()
        .position(|s| s.terms().any(|t| fixed.contains(&t)))
}

/// The withheld counts that the sums fix, whatever the others are.
pub fn determined(withheld: &[bool], sums: &[Sum]) -> Vec<usize> {
    let unknowns: Vec<usize> = (0..withheld.len()).filter(|&i| withheld[i]).collect();
    let column = |cell: usize| unknowns.iter().position(|&u| u == cell);
    // One row per sum, over the withheld counts only: total − Σ parts = 0.
    let mut rows: Vec<Vec<f64>> = sums
        .iter()
        .map(|s| {
            let mut row = vec![0.0; unknowns.len()];
            if let Some(c) = column(s.total) {
                row[c] += 1.0;
            }
            for &p in &s.parts {
                if let Some(c) = column(p) {
                    row[c] -= 1.0;
                }
            }
            row
        })
        .filter(|row| row.iter().any(|v| *v != 0.0))
        .collect();
    let pivots = reduce(&mut rows, unknowns.len());
    // A pivot's count is fixed when its reduced row names no free count.
    pivots
        .iter()
        .filter(|(row, col)| {
            (0..unknowns.len())
                .filter(|c| !pivots.iter().any(|(_, pc)| pc == c))
                .all(|free| rows[*row][free].abs() < 1e-9)
                && *col < unknowns.len()
        })
        .map(|(_, col)| unknowns[*col])
        .collect()
}

/// Gauss–Jordan elimination in place; answers (row, column) of each pivot.
fn reduce(rows: &mut [Vec<f64>], columns: usize) -> Vec<(usize, usize)> {
    let mut pivots = Vec::new();
    let mut next = 0;
    for col in 0..columns {
        let Some(found) = (next..rows.len()).find(|&r| rows[r][col].abs() > 1e-9) else {
            continue;
        };
        rows.swap(next, found);
        let scale = rows[next][col];
        for v in rows[next].iter_mut() {
            *v /= scale;
        }
        let pivot_row = rows[next].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != next && row[col].abs() > 1e-9 {
                let factor = row[col];
                for (v, p) in row.iter_mut().zip(&pivot_row) {
                    *v -= factor * p;
                }
            }
        }
        pivots.push((next, col));
        next += 1;
    }
    pivots
}

/// The count to withhold next for `sum`: its smallest non-zero published
/// part, else its total.
fn complement(counts: &[i64], sum: &Sum, withheld: &[bool]) -> Option<usize> {
    sum.parts
        .iter()
        .copied()
        .filter(|&p| !withheld[p] && counts[p] > 0)
        .min_by_key(|&p| (counts[p], p))
        .or_else(|| (!withheld[sum.total] && counts[sum.total] > 0).then_some(sum.total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(counts: &[i64]) -> Vec<bool> {
        suppress(counts, true)
            .iter()
            .map(|c| c.suppressed)
            .collect()
    }

    #[test]
    fn counts_from_one_to_four_are_withheld_and_zero_is_not() {
        assert_eq!(
            flags(&[0, 1, 4, 5, 20, 3]),
            vec![false, true, true, false, false, true]
        );
    }

    #[test]
    fn a_lone_withheld_cell_takes_the_next_smallest_with_it() {
        assert_eq!(flags(&[12, 3, 7, 30]), vec![false, true, true, false]);
        assert_eq!(
            flags(&[9, 2, 9]),
            vec![true, true, false],
            "ties go to the first"
        );
    }

    #[test]
    fn nothing_more_is_withheld_without_a_total_or_with_two_withheld() {
        assert_eq!(
            suppress(&[12, 3, 7], false)
                .iter()
                .map(|c| c.suppressed)
                .collect::<Vec<_>>(),
            vec![false, true, false]
        );
        assert_eq!(flags(&[12, 3, 2, 7]), vec![false, true, true, false]);
        assert_eq!(flags(&[3, 0, 0]), vec![true, false, false]);
    }

    #[test]
    fn two_withheld_ones_are_not_left_to_be_all_ones() {
        // 1 + 1 = total − 12: both would be 1.
        assert_eq!(flags(&[12, 1, 1, 7]), vec![false, true, true, true]);
    }

    /// The example: 33 submitters; england 13 of whom london 8 and
    /// eastern 5; scotland 14 of whom 6, 6 and scottish_eastern 2; wales 6.
    #[test]
    fn a_region_cannot_be_recovered_from_its_nation() {
        // 0 total, 1..=3 nations, 4..=8 regions.
        let counts = [33, 13, 14, 6, 8, 5, 6, 6, 2];
        let sums = [
            Sum {
                total: 0,
                parts: vec![1, 2, 3],
            },
            Sum {
                total: 0,
                parts: vec![4, 5, 6, 7, 8, 3],
            },
            Sum {
                total: 1,
                parts: vec![4, 5],
            },
            Sum {
                total: 2,
                parts: vec![6, 7, 8],
            },
        ];
        let withheld = protect(&counts, &sums);
        assert!(withheld[8], "2 is withheld");
        assert!(determined(&withheld, &sums).is_empty(), "{withheld:?}");
        for sum in &sums {
            let hidden = sum.terms().filter(|&t| withheld[t]).count();
            assert_ne!(hidden, 1, "{sum:?} {withheld:?}");
        }
        assert!(!withheld[0], "the total stays published");
    }

    #[test]
    fn a_count_fixed_only_by_two_sums_together_is_protected() {
        // a = b + c, b = d + e; with c and e withheld, c = a − b and e = b − d.
        let counts = [20, 12, 8, 9, 3];
        let sums = [
            Sum {
                total: 0,
                parts: vec![1, 2],
            },
            Sum {
                total: 1,
                parts: vec![3, 4],
            },
        ];
        let withheld = protect(&counts, &sums);
        assert!(withheld[4]);
        assert!(determined(&withheld, &sums).is_empty(), "{withheld:?}");
    }

    #[test]
    fn elimination_finds_a_count_fixed_through_a_chain_of_sums() {
        // x0 = x1 + x2 and x1 = x2 with x0 published: x1 = x2 = x0 / 2.
        let withheld = [false, true, true];
        let sums = [
            Sum {
                total: 0,
                parts: vec![1, 2],
            },
            Sum {
                total: 1,
                parts: vec![2],
            },
        ];
        let mut fixed = determined(&withheld, &sums);
        fixed.sort_unstable();
        assert_eq!(fixed, vec![1, 2]);
    }
}
