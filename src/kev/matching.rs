//! Matching affected products against the asset register, for CISA's Known Exploited
//! Vulnerabilities catalogue and (to come) signed threat bulletins: by vendor and product,
//! compared without case, spaces or punctuation, and by version where a range is given.
//!
//! An asset's vendor is its `make`; its product is its `model`, operating system or name;
//! its version is its installed version, else its firmware, else its OS version. Any
//! asset also matches on its operating system alone, whoever made the box, when the
//! product is that OS or the start of its name (`Windows` for `Windows Server 2016`): an
//! OS of the same name from another vendor would match too (`IOS`), which an admin reads
//! past. A product of fewer than 3 letters never matches inside a longer name, so `OS`
//! does not match every asset whose OS is named.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::super::assets::Asset;

/// A product a vulnerability affects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affected<'a> {
    pub vendor: &'a str,
    pub product: &'a str,
    /// `None`: every version (CISA's catalogue gives none).
    pub versions: Option<&'a VersionRange>,
}

/// A version range: each bound optional, `>= 2.0, < 2.5`, `< 4.2.1`, `= 1.2.3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRange {
    pub bounds: Vec<(Op, Vec<u64>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

impl VersionRange {
    /// Reads `>= 2.0, < 2.5` and the like; a bare version means that version only.
    pub fn parse(text: &str) -> Option<VersionRange> {
        let mut bounds = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (op, rest) =
                [("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt), ("=", Op::Eq)]
                    .into_iter()
                    .find_map(|(s, op)| part.strip_prefix(s).map(|r| (op, r)))
                    .unwrap_or((Op::Eq, part));
            bounds.push((op, numbers(rest.trim())?));
        }
        (!bounds.is_empty()).then_some(VersionRange { bounds })
    }

    /// Whether a version (`4.1.0`, `v4.1`, `4.1 build 20`) is in the range.
    pub fn contains(&self, version: &str) -> bool {
        let Some(v) = leading_numbers(version) else { return false };
        self.bounds.iter().all(|(op, bound)| {
            let o = compare(&v, bound);
            match op {
                Op::Lt => o == Ordering::Less,
                Op::Le => o != Ordering::Greater,
                Op::Eq => o == Ordering::Equal,
                Op::Ge => o != Ordering::Less,
                Op::Gt => o == Ordering::Greater,
            }
        })
    }
}

/// `4.2.1` as numbers; anything else is not a version bound.
fn numbers(text: &str) -> Option<Vec<u64>> {
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    text.split('.').map(|n| n.parse().ok()).collect()
}

/// The dotted numbers a version starts with: `v4.1.0-rc2` is 4.1.0.
fn leading_numbers(text: &str) -> Option<Vec<u64>> {
    let text = text.trim();
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let head = text[..end].trim_end_matches('.');
    if head.is_empty() {
        return None;
    }
    numbers(head)
}

/// Versions compared number by number, a missing number as 0 (`4.1` = `4.1.0`).
fn compare(a: &[u64], b: &[u64]) -> Ordering {
    (0..a.len().max(b.len()))
        .map(|i| a.get(i).copied().unwrap_or(0).cmp(&b.get(i).copied().unwrap_or(0)))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

/// A name as compared: lower-case letters and digits only.
pub fn plain(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// The register made ready to match many products: each asset's names in plain form, and
/// the assets by vendor.
#[derive(Debug)]
pub struct Index<'a> {
    assets: &'a [Asset],
    plain: Vec<Plain>,
    by_vendor: HashMap<String, Vec<usize>>,
}

#[derive(Debug)]
struct Plain {
    products: Vec<String>,
    os: Option<String>,
}

impl<'a> Index<'a> {
    pub fn new(assets: &'a [Asset]) -> Self {
        let mut by_vendor: HashMap<String, Vec<usize>> = HashMap::new();
        let mut plain_all = Vec::with_capacity(assets.len());
        for (i, a) in assets.iter().enumerate() {
            if let Some(m) = a.make.as_deref().map(plain).filter(|m| !m.is_empty()) {
                by_vendor.entry(m).or_default().push(i);
            }
            let products = [a.model.as_deref(), a.os.as_deref(), Some(a.name.as_str())]
                .into_iter()
                .flatten()
                .map(plain)
                .filter(|p| !p.is_empty())
                .collect();
            plain_all.push(Plain { products, os: a.os.as_deref().map(plain) });
        }
        Index { assets, plain: plain_all, by_vendor }
    }

    /// The assets a product affects, in register order.
    pub fn matches(&self, affected: &Affected<'_>) -> Vec<&'a Asset> {
        let product = plain(affected.product);
        if product.is_empty() {
            return Vec::new();
        }
        let names = |name: &str| name == product || (product.len() >= 3 && name.contains(&product));
        let vendor = plain(affected.vendor);
        // The vendor's assets by model, OS or name; every asset by its operating system,
        // whoever made the box (an OS named as the product, or starting with it).
        let by_os = |i: &usize| {
            self.plain
                .get(*i)
                .and_then(|p| p.os.as_deref())
                .is_some_and(|os| os == product || (product.len() >= 3 && os.starts_with(&product)))
        };
        let by_name =
            |i: &usize| self.plain.get(*i).is_some_and(|p| p.products.iter().any(|n| names(n)));
        let in_range = |a: &&Asset| match affected.versions {
            None => true,
            Some(range) => version_of(a).is_some_and(|v| range.contains(v)),
        };
        let mut hits: Vec<usize> = self
            .by_vendor
            .get(&vendor)
            .into_iter()
            .flatten()
            .copied()
            .filter(by_name)
            .chain((0..self.assets.len()).filter(by_os))
            .collect();
        hits.sort_unstable();
        hits.dedup();
        hits.into_iter().filter_map(|i| self.assets.get(i)).filter(in_range).collect()
    }
}

/// The version an asset runs, as matching reads it.
fn version_of(a: &Asset) -> Option<&str> {
    a.installed_version.as_deref().or(a.firmware.as_deref()).or(a.os_version.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(
        id: &str,
        make: Option<&str>,
        model: Option<&str>,
        os: Option<&str>,
        version: Option<&str>,
    ) -> Asset {
        let csv = "id,name,kind,tier\nx,x,system,1\n";
        let parsed = crate::assets::csv::parse(csv.as_bytes(), &[]).unwrap();
        let mut a = parsed.assets.into_iter().next().unwrap().1;
        a.id = id.into();
        a.name = format!("{id} name");
        a.make = make.map(Into::into);
        a.model = model.map(Into::into);
        a.os = os.map(Into::into);
        a.installed_version = version.map(Into::into);
        a
    }

    #[test]
    fn products_match_by_vendor_product_and_version() {
        let register = vec![
            asset("vpn-1", Some("Ivanti"), Some("Connect Secure"), None, Some("22.7R2")),
            asset("vpn-2", Some("IVANTI"), Some("connect-secure"), None, Some("22.8.1")),
            asset("pump-1", Some("Baxter"), Some("Sigma Spectrum"), None, Some("8.00.01")),
            asset("pump-2", Some("Baxter"), Some("Sigma Spectrum"), None, None),
            asset("ws-1", None, None, Some("Windows 10"), Some("22H2")),
            asset("ws-2", Some("Dell"), Some("OptiPlex"), Some("Windows 11"), None),
            asset("ct-1", Some("Siemens"), Some("SOMATOM"), Some("Windows 7"), Some("VA20")),
            asset("os-x", Some("Acme"), Some("OS"), None, None),
        ];
        let index = Index::new(&register);
        let range = |t: &str| VersionRange::parse(t).unwrap();
        let (below_22_8, pumps_8, any_8) = (range("< 22.8"), range(">= 8.0, < 8.1"), range("= 8"));
        let cases: Vec<(&str, &str, Option<&VersionRange>, &[&str])> = vec![
            // A product with no version: every version; the vendor in another case.
            ("ivanti", "CONNECT SECURE", None, &["vpn-1", "vpn-2"]),
            // A range: 22.7R2 is below 22.8, 22.8.1 is not.
            ("Ivanti", "Connect Secure", Some(&below_22_8), &["vpn-1"]),
            // A range with both bounds; an asset with no version is not claimed.
            ("Baxter", "Sigma Spectrum", Some(&pumps_8), &["pump-1"]),
            ("Baxter", "Sigma Spectrum", Some(&any_8), &[]),
            // Matched on the operating system alone, whoever made the box.
            ("Microsoft", "Windows", None, &["ws-1", "ct-1", "ws-2"]),
            // Another vendor's product of the same name does not match.
            ("Fortinet", "Connect Secure", None, &[]),
            // A short product never matches inside a longer name.
            ("Acme", "OS", None, &["os-x"]),
            ("Siemens", "OS", None, &[]),
        ];
        for (vendor, product, versions, want) in cases {
            let got: Vec<&str> = index
                .matches(&Affected { vendor, product, versions })
                .iter()
                .map(|a| a.id.as_str())
                .collect();
            let mut want: Vec<&str> = want.to_vec();
            want.sort_by_key(|id| register.iter().position(|a| a.id == *id));
            assert_eq!(got, want, "{vendor} {product} {versions:?}");
        }
    }

    #[test]
    fn ranges_read_and_compare_versions() {
        for (range, version, inside) in [
            ("< 4.2.1", "4.2.0", true),
            ("< 4.2.1", "4.2.1", false),
            ("<= 4.2.1", "v4.2.1", true),
            (">= 2.0, < 2.5", "2.4.9-rc1", true),
            (">= 2.0, < 2.5", "2.5", false),
            ("= 1.2", "1.2.0", true),
            ("1.2.3", "1.2.3 build 7", true),
            ("> 3", "unknown", false),
        ] {
            assert_eq!(
                VersionRange::parse(range).unwrap().contains(version),
                inside,
                "{range} {version}"
            );
        }
        assert_eq!(VersionRange::parse("later"), None);
        assert_eq!(VersionRange::parse(""), None);
    }
}
