//! Command-line configuration. Three flags do not need a parser crate.

use std::net::SocketAddr;
use std::path::PathBuf;

pub const USAGE: &str = "\
usage: volunteer-sync-server [--listen ADDR] [--database PATH|URL] [--pool-size N] [--demo]
                             [--new-epoch] [--sign-ins-per-minute N] [--figures-every SECONDS]

  --listen ADDR      address to listen on (default 127.0.0.1:8080)
  --database PATH    SQLite database file, created if missing (default ./volunteer.db)
  --database URL     PostgreSQL, as postgres://user:password@host:port/dbname; several
                     instances may share it (the schema is migrated on start). Better
                     given as DATABASE_URL in the environment: argv is readable by
                     every local user, and the URL carries the password
  --pool-size N      PostgreSQL connections per instance (default 16)
  --demo             seed a demo district into an empty database and print demo accounts
                     (with PostgreSQL, give it to one instance only)
  --new-epoch        after restoring the database from a backup: draw a new epoch, so
                     every device sends again what it sent since (it remembers 14 days)
                     and refetches. With PostgreSQL, give it to the first instance
                     started, then start the others
  --sign-ins-per-minute N
                     sign-in attempts allowed per client address a minute (default 30;
                     raise it for load tests that sign in many devices from one host)
  --figures-every SECONDS
                     how often the figures are recomputed (default 60)
  -h, --help         show this help

Logs go to stderr; set RUST_LOG (e.g. RUST_LOG=debug) to change the level.";

#[derive(Debug, Clone, PartialEq)]
pub enum Database {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl Database {
    pub fn parse(s: &str) -> Database {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Database::Postgres(s.to_owned())
        } else {
            Database::Sqlite(PathBuf::from(s))
        }
    }
}

/// For logs: a URL without its password.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(p) => write!(f, "sqlite:{}", p.display()),
            Database::Postgres(url) => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
                match rest.rsplit_once('@') {
                    Some((user, host)) => {
                        let user = user.split(':').next().unwrap_or("");
                        write!(f, "{scheme}://{user}@{host}")
                    }
                    None => write!(f, "{url}"),
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: Database,
    pub pool_size: usize,
    pub demo: bool,
    pub new_epoch: bool,
    pub limits: crate::limits::Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: Database::Sqlite(PathBuf::from("./volunteer.db")),
            pool_size: crate::storage::postgres::DEFAULT_POOL_SIZE,
            demo: false,
            new_epoch: false,
            limits: crate::limits::Limits::default(),
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
        Config::parse_with(args, None)
    }

    /// Parse `args`; `database_url` (the `DATABASE_URL` environment
    /// variable) is the database when `--database` is not given.
    pub fn parse_with(
        args: impl IntoIterator<Item = String>,
        database_url: Option<String>,
    ) -> Result<ParseOutcome, String> {
        let mut config = Config::default();
        if let Some(url) = database_url.filter(|u| !u.trim().is_empty()) {
            config.database = Database::parse(url.trim());
        }
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
                "--database" => config.database = Database::parse(&value("--database")?),
                "--pool-size" => {
                    let v = value("--pool-size")?;
                    config.pool_size = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=1000).contains(n))
                        .ok_or_else(|| {
                            format!("--pool-size: {v:?} is not a number from 1 to 1000")
                        })?;
                }
                "--demo" => config.demo = true,
                "--new-epoch" => config.new_epoch = true,
                "--sign-ins-per-minute" => {
                    let v = value("--sign-ins-per-minute")?;
                    config.limits.sign_ins_per_minute =
                        v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                            format!("--sign-ins-per-minute: {v:?} is not a positive number")
                        })?;
                }
                "--figures-every" => {
                    let v = value("--figures-every")?;
                    let secs: u64 = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=86_400).contains(n))
                        .ok_or_else(|| {
                            format!(
                                "--figures-every: {v:?} is not a number of seconds from 1 to 86400"
                            )
                        })?;
                    config.limits.figures_every = std::time::Duration::from_secs(secs);
                }
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

    #[test]
    fn a_postgres_url_selects_postgres_and_logs_without_its_password() {
        let ParseOutcome::Run(c) = parse(&[
            "--database",
            "postgres://app:s3cret@10.0.0.5:5432/volunteer",
            "--pool-size=8",
        ])
        .unwrap() else {
            panic!()
        };
        assert_eq!(c.pool_size, 8);
        let Database::Postgres(url) = &c.database else {
            panic!("{:?}", c.database)
        };
        assert!(url.ends_with("/volunteer"));
        assert_eq!(
            c.database.to_string(),
            "postgres://app@10.0.0.5:5432/volunteer"
        );
    }

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
        assert_eq!(c.database, Database::Sqlite(PathBuf::from("/tmp/x.db")));
        assert!(c.demo);
        assert_eq!(parse(&[]).unwrap(), ParseOutcome::Run(Config::default()));
    }

    #[test]
    fn the_database_can_come_from_the_environment_and_argv_wins() {
        let env = Some("postgres://app:pw@db/v".to_owned());
        let ParseOutcome::Run(c) = Config::parse_with(Vec::<String>::new(), env.clone()).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            c.database,
            Database::Postgres("postgres://app:pw@db/v".into())
        );
        let args = ["--database", "/tmp/x.db"].map(String::from);
        let ParseOutcome::Run(c) = Config::parse_with(args, env).unwrap() else {
            panic!()
        };
        assert_eq!(c.database, Database::Sqlite(PathBuf::from("/tmp/x.db")));
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
        assert!(
            parse(&["--sign-ins-per-minute", "0"])
                .unwrap_err()
                .contains("--sign-ins-per-minute")
        );
        assert!(
            parse(&["--pool-size", "0"])
                .unwrap_err()
                .contains("--pool-size")
        );
        assert_eq!(parse(&["--help"]).unwrap(), ParseOutcome::Help);
    }
}
