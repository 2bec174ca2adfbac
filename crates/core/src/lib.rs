//! Inspectorate's domain core: the types and rules of work-safety supervision, with no I/O.
//!
//! Everything here is pure: no database, no network, no clock (callers pass "now" in), so
//! the rules can be tested exhaustively and reused by the web server, the CLI and the store.
//! Types follow "parse, don't validate": a [`credit_code::CreditCode`] or a
//! [`region::RegionCode`] can only be built through a constructor that checks it.

/// `as_str`/`parse` between a fieldless enum and the names it is stored under: one table per
/// enum, so the two directions cannot drift apart.
macro_rules! names {
    ($t:ty, $($v:ident => $s:literal),* $(,)?) => {
        impl $t {
            /// Stored name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
            /// Parses the stored name.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$v),)* _ => None }
            }
        }
    };
}

pub mod access;
pub mod accident;
pub mod audit;
pub mod calendar;
pub mod covert;
pub mod credit_code;
pub mod draw;
pub mod enterprise;
pub mod evaluation;
pub mod evidence;
pub mod guidance;
pub mod hazard;
pub mod officer;
pub mod page;
pub mod penalty;
pub mod period;
pub mod plan;
pub mod region;
pub mod register_row;
pub mod seal;
pub mod session;
