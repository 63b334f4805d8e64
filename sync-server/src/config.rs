//! Command-line configuration. Three flags do not need a parser crate.

use std::net::SocketAddr;
use std::path::PathBuf;

pub const USAGE: &str = "\
usage: volunteer-sync-server [--listen ADDR] [--database PATH] [--demo]

  --listen ADDR      address to listen on (default 127.0.0.1:8080)
  --database PATH    SQLite database file, created if missing (default ./volunteer.db)
  --demo             seed a demo district into an empty database and print demo accounts
  -h, --help         show this help

Logs go to stderr; set RUST_LOG (e.g. RUST_LOG=debug) to change the level.";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: PathBuf,
    pub demo: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: PathBuf::from("./volunteer.db"),
            demo: false,
        }
    }
}

#[derive(Debug, PartialEq)]
pub enum ParseOutcome {
    Run(Config),
    Help,
}

impl Config {
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<ParseOutcome, String> {
        let mut config = Config::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
                None => (arg.clone(), None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match flag.as_str() {
                "--listen" => {
                    let v = value("--listen")?;
                    config.listen = v.parse().map_err(|_| {
                        format!("--listen: {v:?} is not an address like 127.0.0.1:8080")
                    })?;
                }
                "--database" => config.database = PathBuf::from(value("--database")?),
                "--demo" => config.demo = true,
                "-h" | "--help" => return Ok(ParseOutcome::Help),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(ParseOutcome::Run(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<ParseOutcome, String> {
        Config::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags_parse_with_space_or_equals() {
        let ParseOutcome::Run(c) = parse(&[
            "--listen",
            "127.0.0.1:9000",
            "--database=/tmp/x.db",
            "--demo",
        ])
        .unwrap() else {
            panic!()
        };
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.database, PathBuf::from("/tmp/x.db"));
        assert!(c.demo);
        assert_eq!(parse(&[]).unwrap(), ParseOutcome::Run(Config::default()));
    }

    #[test]
    fn bad_arguments_are_explained() {
        assert!(
            parse(&["--listen", "nope"])
                .unwrap_err()
                .contains("--listen")
        );
        assert!(
            parse(&["--database"])
                .unwrap_err()
                .contains("needs a value")
        );
        assert!(parse(&["--frobnicate"]).unwrap_err().contains("unknown"));
        assert_eq!(parse(&["--help"]).unwrap(), ParseOutcome::Help);
    }
}
