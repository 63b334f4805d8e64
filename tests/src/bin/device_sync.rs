//! A device in its own process, for the crash story: open a replica, sign in
//! if needed, print `ready`, sync to the end, print `done`.
//!
//! usage: device-sync DB URL LOGIN PASSWORD PAGE_SIZE

use volunteer_core::{Replica, SyncOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, url, login, password, page] = args.as_slice() else {
        return Err("usage: device-sync DB URL LOGIN PASSWORD PAGE_SIZE".into());
    };
    let options = SyncOptions {
        pull_page_size: page.parse()?,
        ..SyncOptions::default()
    };
    let replica = Replica::open_with(db, url, options)?;
    if replica.profile()?.is_none() {
        replica.sign_in(login, password).await?;
    }
    println!("ready");
    let report = replica.sync().await?;
    println!("done pulled={} requests={}", report.pulled, report.requests);
    Ok(())
}
