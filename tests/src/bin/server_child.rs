//! A sync server in its own process, for the story that kills it with
//! SIGKILL mid-push: the same storage the in-process test server opens
//! (SQLite at DB, or its PostgreSQL database when VOLUNTEER_TEST_POSTGRES
//! is set), served until killed. Prints `listening` once it accepts.
//!
//! usage: server-child DB ADDR

use std::path::Path;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, addr] = args.as_slice() else {
        return Err("usage: server-child DB ADDR".into());
    };
    let store = volunteer_tests::server::open_store(Path::new(db));
    // The previous child's port may take a moment to be released.
    let mut tries = 0;
    let listener = loop {
        match tokio::net::TcpListener::bind(addr.as_str()).await {
            Ok(l) => break l,
            Err(_) if tries < 50 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e.into()),
        }
    };
    println!("listening");
    volunteer_sync_server::serve(listener, store, std::future::pending()).await?;
    Ok(())
}
