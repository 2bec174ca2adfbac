//! Inspectorate's application layer: the use-cases shared by the web server and the CLI
//! ([`service`]), the HTTP layer ([`web`]), register file readers ([`import`]), demo data
//! ([`demo`]) and the command line ([`cli`]).

pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod evidence_files;
pub mod export;
pub mod generate;
pub mod import;
pub mod refdata;
pub mod sealing;
pub mod service;
pub mod web;
