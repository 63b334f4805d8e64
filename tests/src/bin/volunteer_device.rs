//! A real device core in its own process, for the console's browser tests
//! (`tests/console`): open a replica, sign in if needed, act, sync, and
//! print what the app would show as one line of JSON.
//!
//! usage: volunteer-device DB URL LOGIN PASSWORD sync
//!        volunteer-device DB URL LOGIN PASSWORD report TEAM_ID MINUTES DESCRIPTION
//!        volunteer-device DB URL LOGIN PASSWORD sign-up ACTIVITY_ID
//!        volunteer-device DB URL LOGIN PASSWORD accept-order ORDER_ID

use serde_json::json;
use volunteer_core::{HoursReport, Replica};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, url, login, password, command, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: volunteer-device DB URL LOGIN PASSWORD (sync | report TEAM MINUTES TEXT)"
                .into(),
        );
    };
    let replica = Replica::open(db, url)?;
    if replica.profile()?.is_none() {
        replica.sign_in(login, password).await?;
    }
    replica.sync().await?;
    let mut out = json!({});
    if let ("report", [team, minutes, text]) = (command.as_str(), rest) {
        let entry = replica.report_hours(HoursReport {
            activity_id: None,
            team_id: Some(team.clone()),
            started_at: chrono::Utc::now() - chrono::Duration::days(1),
            minutes: minutes.parse()?,
            description: text.clone(),
        })?;
        replica.sync().await?;
        out["entry_id"] = json!(entry);
    } else if let ("sign-up", [activity]) = (command.as_str(), rest) {
        replica.sign_up(activity)?;
        replica.sync().await?;
    } else if let ("accept-order", [order]) = (command.as_str(), rest) {
        replica.respond_to_order(order, true, None)?;
        replica.sync().await?;
    } else if command != "sync" {
        return Err(format!("unknown command {command:?}").into());
    }
    let me = replica.profile()?.ok_or("not signed in")?;
    out["user_id"] = json!(me.user_id);
    out["assigned_orders"] = replica
        .assigned_orders()?
        .iter()
        .map(|o| json!({"id": o.id, "status": o.status.as_str(), "category": o.category}))
        .collect();
    out["hours"] = replica
        .my_hours()?
        .iter()
        .map(|h| json!({"id": h.id, "status": h.status.as_str(), "minutes": h.minutes}))
        .collect();
    out["open_call_outs"] = replica
        .open_call_outs()?
        .iter()
        .map(|a| json!({"id": a.id, "title": a.title}))
        .collect();
    out["rejected"] = replica
        .rejections()?
        .iter()
        .map(|r| json!(r.code.as_str()))
        .collect();
    out["memberships"] = replica
        .my_memberships()?
        .iter()
        .map(|m| json!({"team_id": m.team_id, "site_id": m.site_id, "status": m.status.as_str()}))
        .collect();
    println!("{out}");
    Ok(())
}
