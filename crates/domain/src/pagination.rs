//! Keyset pagination: a page ends with a cursor naming the last item's sort key.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// How many items one page may hold: `DEFAULT` when not asked, at most `MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounded<const DEFAULT: u64, const MAX: u64>(u64);

/// A page of submissions or of the audit trail.
pub type PageSize = Bounded<20, 100>;
/// A page of the change feed.
pub type FeedPageSize = Bounded<100, 500>;

impl<const D: u64, const M: u64> Bounded<D, M> {
    pub const DEFAULT: u64 = D;
    pub const MAX: u64 = M;

    pub fn new(requested: Option<u64>) -> Option<Self> {
        match requested {
            None => Some(Self(D)),
            Some(n) if (1..=M).contains(&n) => Some(Self(n)),
            Some(_) => None,
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl<const D: u64, const M: u64> Default for Bounded<D, M> {
    fn default() -> Self {
        Self(D)
    }
}

/// The sort key of the last item a client has seen: newest first, ties by id;
/// in a search, by relevance first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: Uuid,
    /// The search relevance of the last item, in a list ordered by it.
    pub rank: Option<f64>,
}

impl Cursor {
    /// An opaque token: clients pass it back unchanged.
    pub fn encode(self) -> String {
        let mut raw = format!("{}~{}", self.at.timestamp_micros(), self.id.simple());
        if let Some(rank) = self.rank {
            // The exact bits, so the next page starts exactly after this item.
            raw.push_str(&format!("~{:016x}", rank.to_bits()));
        }
        raw.bytes().map(|b| format!("{b:02x}")).collect()
    }

    pub fn decode(token: &str) -> Option<Self> {
        if !token.len().is_multiple_of(2) || token.len() > 200 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..token.len())
            .step_by(2)
            .map(|i| {
                token
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect();
        let raw = String::from_utf8(bytes?).ok()?;
        let mut parts = raw.split('~');
        let micros = parts.next()?;
        let id = parts.next()?;
        let rank = match parts.next() {
            Some(bits) if bits.len() == 16 => {
                let rank = f64::from_bits(u64::from_str_radix(bits, 16).ok()?);
                if !rank.is_finite() {
                    return None;
                }
                Some(rank)
            }
            Some(_) => return None,
            None => None,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Self {
            at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: Uuid::parse_str(id).ok()?,
            rank,
        })
    }
}

/// One page of items and where the next starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let cursor = Cursor {
            at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap_or_default(),
            id: Uuid::now_v7(),
            rank: None,
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        let ranked = Cursor {
            rank: Some(0.060_792_710_632_085_8),
            ..cursor
        };
        assert_eq!(Cursor::decode(&ranked.encode()), Some(ranked));
        for bad in ["", "zz", "abc", "'; select 1 --", "00"] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn page_size_is_bounded() {
        assert_eq!(PageSize::new(None).map(PageSize::get), Some(20));
        assert_eq!(PageSize::new(Some(100)).map(PageSize::get), Some(100));
        assert!(PageSize::new(Some(0)).is_none());
        assert!(PageSize::new(Some(101)).is_none());
    }
}
