//! Inspectorate's domain core: the types and rules of work-safety supervision, with no I/O.
//!
//! Everything here is pure: no database, no network, no clock (callers pass "now" in), so
//! the rules can be tested exhaustively and reused by the web server, the CLI and the store.
//! Types follow "parse, don't validate": a [`credit_code::CreditCode`] or a
//! [`region::RegionCode`] can only be built through a constructor that checks it.

pub mod access;
pub mod accident;
pub mod audit;
pub mod calendar;
pub mod credit_code;
pub mod draw;
pub mod enterprise;
pub mod evidence;
pub mod hazard;
pub mod officer;
pub mod page;
pub mod penalty;
pub mod plan;
pub mod region;
pub mod register_row;
pub mod session;
