//! Small-number suppression for counts of people: any count from 1 to 4 is
//! withheld, and where exactly one cell of a dimension is withheld, the next
//! smallest is withheld too so the first cannot be worked out from the total.

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

/// Applies primary and secondary suppression to one dimension's counts.
/// `total_shown` says whether the dimension's total is published beside it.
pub fn suppress(counts: &[i64], total_shown: bool) -> Vec<SuppressedCount> {
    let mut out: Vec<SuppressedCount> = counts
        .iter()
        .map(|&count| SuppressedCount {
            count,
            suppressed: primary(count),
        })
        .collect();
    let withheld = out.iter().filter(|c| c.suppressed).count();
    if total_shown && withheld == 1 {
        let next = out
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.suppressed && c.count > 0)
            .min_by_key(|(i, c)| (c.count, *i))
            .map(|(i, _)| i);
        if let Some(i) = next {
            out[i].suppressed = true;
        }
    }
    out
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
}
