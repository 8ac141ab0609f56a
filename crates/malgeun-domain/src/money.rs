//! Money as integer 원: no floating point ever touches an amount.

use std::fmt;

/// An amount in Korean won (원). Sums are checked: an overflow is an input error, not a wrap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Won(pub i64);

impl Won {
    /// Adds two amounts, `None` on overflow.
    pub fn checked_add(self, other: Won) -> Option<Won> {
        self.0.checked_add(other.0).map(Won)
    }
}

impl fmt::Display for Won {
    /// Formats as Korean offices write it: `1,234,000원`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{grouped}원")
    }
}

#[cfg(test)]
mod tests {
    use super::Won;

    #[test]
    fn formats_with_thousands_separators() {
        assert_eq!(Won(0).to_string(), "0원");
        assert_eq!(Won(1_234_000).to_string(), "1,234,000원");
        assert_eq!(Won(-950).to_string(), "-950원");
        assert_eq!(Won(100).to_string(), "100원");
    }

    #[test]
    fn overflow_is_detected() {
        assert_eq!(Won(i64::MAX).checked_add(Won(1)), None);
    }
}
