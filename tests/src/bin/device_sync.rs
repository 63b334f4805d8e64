//! A device in its own process, for the crash stories: open a replica, sign
//! in if needed, queue REPORTS self-reports (default 0), print `ready`, sync
//! to the end, print `done`. With `VOLUNTEER_CRASH_AT` it dies at that point.
//!
//! usage: device-sync DB URL LOGIN PASSWORD PAGE_SIZE [REPORTS]

use volunteer_core::{Replica, SyncOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (db, url, login, password, page, reports) = match args.as_slice() {
        [db, url, login, password, page] => (db, url, login, password, page, 0),
        [db, url, login, password, page, n] => (db, url, login, password, page, n.parse()?),
        _ => return Err("usage: device-sync DB URL LOGIN PASSWORD PAGE_SIZE [REPORTS]".into()),
    };
    let options = SyncOptions {
        pull_page_size: page.parse()?,
        ..SyncOptions::default()
    };
    let replica = Replica::open_with(db, url, options)?;
    if replica.profile()?.is_none() {
        replica.sign_in(login, password).await?;
    }
    for i in 0..reports {
        replica.report_hours(volunteer_core::HoursReport {
            activity_id: None,
            team_id: None,
            started_at: chrono::Utc::now()
                - chrono::Duration::days(1)
                - chrono::Duration::hours(2 * i),
            minutes: 30,
            description: format!("第{i}次"),
        })?;
    }
    println!("ready");
    let report = replica.sync().await?;
    println!("done pulled={} requests={}", report.pulled, report.requests);
    Ok(())
}
