//! Field formulas shared by several tables: addresses, phone numbers, prices, part–supplier
//! links, and small inline strings to hold generated text without allocating.

use std::fmt;

use super::random::RandomStream;

/// A short ASCII string stored inline (addresses, part names, phone numbers, edited comments).
#[derive(Clone, Copy)]
pub struct InlineStr<const N: usize> {
    len: u8,
    bytes: [u8; N],
}

impl<const N: usize> InlineStr<N> {
    /// The empty string.
    pub const fn new() -> Self {
        InlineStr {
            len: 0,
            bytes: [0; N],
        }
    }

    /// Appends ASCII bytes, dropping what does not fit.
    pub fn push_bytes(&mut self, more: &[u8]) {
        let start = self.len as usize;
        let take = more.len().min(N - start);
        self.bytes[start..start + take].copy_from_slice(&more[..take]);
        self.len += take as u8;
    }

    /// The content as bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// The content as text (always ASCII).
    #[inline]
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// Mutable access to the stored bytes (ASCII must be preserved).
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[..self.len as usize]
    }
}

impl<const N: usize> Default for InlineStr<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Debug for InlineStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> PartialEq for InlineStr<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl<const N: usize> Eq for InlineStr<N> {}

/// An address: 10 to 40 random characters.
pub type Address = InlineStr<40>;
/// A phone number `CC-AAA-EEE-NNNN`.
pub type Phone = InlineStr<15>;

const ALPHANUMERIC: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ,";

/// dbgen's `V_STR` for addresses (average 25): a length draw, then one draw per 5 characters,
/// 6 bits a character.
pub fn random_address(stream: &mut RandomStream) -> Address {
    let len = stream.uniform(10, 40) as usize;
    let mut out = Address::new();
    let mut bits = 0i64;
    for i in 0..len {
        if i % 5 == 0 {
            bits = stream.uniform(0, i32::MAX as i64);
        }
        out.bytes[i] = ALPHANUMERIC[(bits & 63) as usize];
        bits >>= 6;
    }
    out.len = len as u8;
    out
}

/// dbgen's phone number for a nation: country code `10 + nation`, then three draws.
pub fn random_phone(nation: i64, stream: &mut RandomStream) -> Phone {
    let area = stream.uniform(100, 999);
    let exchange = stream.uniform(100, 999);
    let number = stream.uniform(1000, 9999);
    let mut out = Phone::new();
    let country = 10 + nation % 90;
    for (value, width, separator) in [
        (country, 2, true),
        (area, 3, true),
        (exchange, 3, true),
        (number, 4, false),
    ] {
        let mut digits = [b'0'; 4];
        let mut v = value;
        for d in digits[..width].iter_mut().rev() {
            *d = b'0' + (v % 10) as u8;
            v /= 10;
        }
        out.push_bytes(&digits[..width]);
        if separator {
            out.push_bytes(b"-");
        }
    }
    out
}

/// A tag followed by a zero-padded number, dbgen's `%s%0<width>lld` (e.g. `Supplier#000000001`).
pub fn tagged_number(tag: &str, number: i64, width: usize) -> InlineStr<40> {
    let mut out = InlineStr::new();
    out.push_bytes(tag.as_bytes());
    let mut digits = [0u8; 20];
    let mut n = number.unsigned_abs();
    let mut count = 0;
    while n > 0 || count == 0 {
        digits[19 - count] = b'0' + (n % 10) as u8;
        n /= 10;
        count += 1;
    }
    if number < 0 {
        out.push_bytes(b"-");
    }
    for _ in count..width {
        out.push_bytes(b"0");
    }
    out.push_bytes(&digits[20 - count..]);
    out
}

/// A part's retail price in cents (dbgen's `rpb_routine`).
#[inline]
pub const fn retail_price(partkey: i64) -> i64 {
    90_000 + (partkey / 10) % 20_001 + (partkey % 1000) * 100
}

/// The `index`-th (0..4) supplier of a part (dbgen's `PART_SUPP_BRIDGE`).
#[inline]
pub const fn part_supplier(partkey: i64, index: i64, suppliers: i64) -> i64 {
    (partkey + index * (suppliers / 4 + (partkey - 1) / suppliers)) % suppliers + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::StreamSpec;

    #[test]
    fn phone_has_dbgen_shape() {
        let mut s = RandomStream::new(StreamSpec::new(884_434_366, 3));
        let p = random_phone(3, &mut s);
        let text = p.as_str();
        assert_eq!(text.len(), 15, "{text}");
        assert!(text.starts_with("13-"));
        assert_eq!(&text[6..7], "-");
        assert_eq!(&text[10..11], "-");
    }

    #[test]
    fn tagged_numbers_are_zero_padded() {
        assert_eq!(tagged_number("Clerk#", 42, 9).as_str(), "Clerk#000000042");
        assert_eq!(tagged_number("Brand#", 5, 2).as_str(), "Brand#05");
        assert_eq!(
            tagged_number("Customer#", 12_345_678_901, 9).as_str(),
            "Customer#12345678901"
        );
    }

    #[test]
    fn prices_and_bridge() {
        assert_eq!(retail_price(1), 90_100);
        assert_eq!(part_supplier(1, 0, 10_000), 2);
        assert_eq!(part_supplier(1, 1, 10_000), 2502);
    }
}
