//! `volunteer-bench`: benchmarks that start real server processes on a real
//! database and drive real device cores (each with its own SQLite file),
//! printing one JSON object per line per scenario on stdout.
//!
//! usage: volunteer-bench SCENARIO [flags]
//!
//! Scenarios (flags with their defaults):
//!   initial        a new staff device of one institute downloads its replica
//!                  from a district (--volunteers 6675 --activities 1000)
//!   checkin-burst  --devices 10 staff devices offline record --per-device 200
//!                  check-ins each, --overlap 0.2 of them also recorded by
//!                  another device; all sync at once, then until all agree
//!   hours          --phones 100 volunteer phones log --entries 20 hour
//!                  entries offline and sync --concurrency 16 at a time,
//!                  --rounds 1 times over (server memory is sampled per round);
//!                  --others 0 records of other volunteers (the district's
//!                  other activity) land before the phones sync
//!   noop           an in-sync device syncs again (--repeat 50)
//!   apply          the device-side cost of applying a pull of --rows 10000
//!                  rows, against bare SQLite inserts of the same rows
//!
//! Common flags: --backend sqlite|postgres (default sqlite), --instances N
//! (default 1; several need postgres), --seed S (default 1).
//!
//! Run it in release mode:
//!   cargo run --release -p volunteer-tests --bin volunteer-bench -- initial --backend postgres

mod cluster;
mod data;
mod scenarios;

use cluster::Backend;

pub struct Args {
    pub scenario: String,
    pub backend: Backend,
    pub instances: usize,
    pub seed: u64,
    pub volunteers: usize,
    pub activities: usize,
    pub devices: usize,
    pub per_device: usize,
    pub overlap: f64,
    pub phones: usize,
    pub entries: usize,
    pub concurrency: usize,
    pub rounds: usize,
    pub others: usize,
    pub repeat: usize,
    pub rows: usize,
}

const USAGE: &str = "usage: volunteer-bench initial|checkin-burst|hours|noop|apply [--backend sqlite|postgres] [--instances N] [--seed S] [scenario flags]; see the source's header";

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().ok_or(USAGE)?;
    if !["initial", "checkin-burst", "hours", "noop", "apply"].contains(&scenario.as_str()) {
        return Err(format!("unknown scenario {scenario:?}\n{USAGE}"));
    }
    let mut a = Args {
        scenario,
        backend: Backend::Sqlite,
        instances: 1,
        seed: 1,
        volunteers: 6_675,
        activities: 1_000,
        devices: 10,
        per_device: 200,
        overlap: 0.2,
        phones: 100,
        entries: 20,
        concurrency: 16,
        rounds: 1,
        others: 0,
        repeat: 50,
        rows: 10_000,
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let n = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{flag}: {value:?} is not a number"))
        };
        match flag.as_str() {
            "--backend" => {
                a.backend = match value.as_str() {
                    "sqlite" => Backend::Sqlite,
                    "postgres" => Backend::Postgres,
                    _ => return Err(format!("--backend: {value:?} is not sqlite or postgres")),
                }
            }
            "--instances" => a.instances = n()?.max(1),
            "--seed" => a.seed = n()? as u64,
            "--volunteers" => a.volunteers = n()?.max(1),
            "--activities" => a.activities = n()?,
            "--devices" => a.devices = n()?.max(2),
            "--per-device" => a.per_device = n()?.max(1),
            "--overlap" => {
                a.overlap = value
                    .parse::<f64>()
                    .ok()
                    .filter(|f| (0.0..=0.5).contains(f))
                    .ok_or(format!(
                        "--overlap: {value:?} is not a fraction from 0 to 0.5"
                    ))?
            }
            "--phones" => a.phones = n()?.max(1),
            "--entries" => a.entries = n()?.max(1),
            "--concurrency" => a.concurrency = n()?.max(1),
            "--rounds" => a.rounds = n()?.max(1),
            "--others" => a.others = n()?,
            "--repeat" => a.repeat = n()?.max(1),
            "--rows" => a.rows = n()?.max(3),
            _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
        }
    }
    if a.instances > 1 && a.backend == Backend::Sqlite {
        return Err("several instances need --backend postgres (SQLite serves from one)".into());
    }
    Ok(a)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let out = match args.scenario.as_str() {
        "initial" => scenarios::initial(&args).await,
        "checkin-burst" => scenarios::checkin_burst(&args).await,
        "hours" => scenarios::hours(&args).await,
        "noop" => scenarios::noop(&args).await,
        _ => scenarios::apply(&args).await,
    };
    for line in out {
        println!("{line}");
    }
}
