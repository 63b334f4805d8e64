//! [`Replica`]: the one object an app holds for a database file. It owns the
//! SQLite connection, the HTTP client and the sync gate.
//!
//! One `Replica` per file per process (enforced): two would fight over the
//! outbox and sync twice.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, TransactionBehavior};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;
use volunteer_domain::{
    Activity, Actor, Attendance, Campaign, Donation, Figures, Gift, HourEntry, Kind, MAX_ID_LEN,
    Membership, MembershipStatus, Mutation, Notice, OrderContact, Profile, ServiceOrder,
    SignInRequest, Signup, Site, Team, TeamRole,
};

use crate::cancel::CancelToken;
use crate::error::{Error, Result};
use crate::http::Http;
use crate::notify::{ChangeListener, Notifier, StatusListener, Subscription};
use crate::store::{self, meta_keys};
use crate::sync::LastRound;
use crate::views::{
    self, ActivityDraft, Connectivity, HoursReport, HoursTotal, OrderRequest, PendingMutation,
    RejectedMutation, RosterEntry, SyncFailure, SyncReport, SyncStatus,
};
use crate::{outbox, schema};

/// Tuning of the sync client.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Changes requested per pull page.
    pub pull_page_size: u32,
    /// Mutations pushed per request.
    pub push_batch_size: u32,
    /// Deadline of one HTTP request.
    pub request_timeout: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            // Each page is one transaction, and a replica's index updates
            // cost more per commit the smaller the page: catching up with
            // 10,000 rows in 5,000-row pages is about three times faster
            // than in 1,000-row ones (volunteer-bench apply).
            pull_page_size: volunteer_domain::wire::MAX_PULL_LIMIT,
            push_batch_size: volunteer_domain::wire::MAX_PUSH_BATCH as u32,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Paths of replicas open in this process.
fn open_paths() -> &'static Mutex<HashSet<PathBuf>> {
    static OPEN: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    OPEN.get_or_init(Default::default)
}

struct PathGuard(PathBuf);

impl Drop for PathGuard {
    fn drop(&mut self) {
        open_paths()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.0);
    }
}

/// The parts of the status that live only in memory.
pub(crate) struct Live {
    pub(crate) connectivity: Connectivity,
    pub(crate) syncing: bool,
    pub(crate) last_error: Option<SyncFailure>,
}

pub(crate) struct Inner {
    db: Mutex<Connection>,
    pub(crate) http: Http,
    pub(crate) options: SyncOptions,
    pub(crate) sync_gate: tokio::sync::Mutex<Option<LastRound>>,
    pub(crate) sync_calls: AtomicU64,
    pub(crate) live: Mutex<Live>,
    pub(crate) notifier: Arc<Notifier>,
    /// A bulk download dropped the large indexes and has not rebuilt them
    /// yet (opening the file rebuilds them too, after a crash).
    pub(crate) indexes_dropped: AtomicBool,
    _guard: PathGuard,
}

impl Inner {
    /// Run `f` on the connection. A panic in an earlier holder poisons the
    /// mutex, but its transaction was rolled back on unwind, so the
    /// connection is still consistent and is reused.
    pub(crate) fn with_db<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn: MutexGuard<'_, Connection> =
            self.db.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

    /// Run `f` in one immediate write transaction, committed if it succeeds.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.with_db(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    pub(crate) fn live(&self) -> std::sync::MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn status(&self) -> Result<SyncStatus> {
        status_of(&self.db, &self.live)
    }

    /// Tell listeners which kinds changed, and the status that follows.
    /// Called after the write committed, with no lock held.
    pub(crate) fn announce(&self, kinds: Vec<Kind>) {
        self.notifier.changed(kinds);
        self.announce_status();
    }

    pub(crate) fn announce_status(&self) {
        if let Ok(status) = self.status() {
            self.notifier.status(status);
        }
    }
}

/// The current status, from the database and the live flags.
fn status_of(db: &Mutex<Connection>, live: &Mutex<Live>) -> Result<SyncStatus> {
    let (connectivity, syncing, last_error) = {
        let live = live.lock().unwrap_or_else(|p| p.into_inner());
        (live.connectivity, live.syncing, live.last_error.clone())
    };
    let c = db.lock().unwrap_or_else(|p| p.into_inner());
    Ok(SyncStatus {
        signed_in: store::profile(&c)?.is_some(),
        connectivity,
        syncing,
        pending_count: outbox::pending_count(&c)?,
        oldest_pending_at: outbox::oldest_pending_at(&c)?,
        rejected_count: views::rejected_count(&c)?,
        last_sync_at: store::meta_get(&c, meta_keys::LAST_SYNC_AT)?
            .as_deref()
            .map(outbox::parse_time)
            .transpose()?,
        last_error,
    })
}

/// A local replica of what the signed-in user may see, plus their queued actions.
///
/// Cheap to clone: clones share one connection and one sync gate.
#[derive(Clone)]
pub struct Replica {
    pub(crate) inner: Arc<Inner>,
}

impl Replica {
    /// Open (creating or upgrading) the replica at `path`, syncing with `server_url`.
    pub fn open(path: impl AsRef<Path>, server_url: &str) -> Result<Replica> {
        Replica::open_with(path, server_url, SyncOptions::default())
    }

    pub fn open_with(
        path: impl AsRef<Path>,
        server_url: &str,
        options: SyncOptions,
    ) -> Result<Replica> {
        let max_push = volunteer_domain::wire::MAX_PUSH_BATCH as u32;
        let max_pull = volunteer_domain::wire::MAX_PULL_LIMIT;
        if !(1..=max_pull).contains(&options.pull_page_size)
            || !(1..=max_push).contains(&options.push_batch_size)
        {
            return Err(Error::invalid(
                "options",
                format!("pull page 1..={max_pull}, push batch 1..={max_push}"),
            ));
        }
        let http = Http::new(server_url, options.request_timeout)?;
        let path = path.as_ref();
        // Reserve the path before touching the file, so a second open fails
        // at once instead of waiting on the first one's lock.
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::Storage(e.to_string()))?;
        let canonical = std::fs::canonicalize(path).map_err(|e| Error::Storage(e.to_string()))?;
        if !open_paths()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(canonical.clone())
        {
            return Err(Error::AlreadyOpen(canonical.display().to_string()));
        }
        let guard = PathGuard(canonical);
        let conn = schema::open(path)?;
        let inner = Arc::new(Inner {
            db: Mutex::new(conn),
            http,
            options,
            sync_gate: tokio::sync::Mutex::new(None),
            sync_calls: AtomicU64::new(0),
            live: Mutex::new(Live {
                connectivity: Connectivity::Unknown,
                syncing: false,
                last_error: None,
            }),
            notifier: Arc::new(Notifier::start()),
            indexes_dropped: AtomicBool::new(false),
            _guard: guard,
        });
        Ok(Replica { inner })
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.inner.with_db(|conn| f(conn))
    }

    fn me(&self) -> Result<Profile> {
        self.read(store::require_profile)
    }

    // ----- session -------------------------------------------------------

    /// Sign in with credentials the server issued. Needs the network. Signing in
    /// again as the same user (say after the session expired) keeps local data;
    /// another user must be preceded by [`Replica::sign_out`].
    pub async fn sign_in(&self, login: &str, password: &str) -> Result<Profile> {
        if login.trim().is_empty() {
            return Err(Error::invalid("login", "must not be empty"));
        }
        let inner = self.inner.clone();
        let current =
            tokio::task::spawn_blocking(move || inner.with_db(|c| store::profile(c))).await??;
        let resp = self
            .inner
            .http
            .sign_in(&SignInRequest {
                login: login.trim().to_owned(),
                password: password.to_owned(),
            })
            .await?;
        if let Some(current) = current
            && current.user_id != resp.profile.user_id
        {
            return Err(Error::invalid(
                "login",
                "another user is signed in on this replica; sign out first",
            ));
        }
        let profile = resp.profile.clone();
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            inner.write(|tx| {
                if store::meta_get(tx, meta_keys::CLIENT_ID)?.is_none() {
                    store::meta_set(tx, meta_keys::CLIENT_ID, &uuid::Uuid::new_v4().to_string())?;
                }
                store::meta_set(tx, meta_keys::TOKEN, &resp.token)?;
                store::meta_set(
                    tx,
                    meta_keys::PROFILE,
                    &serde_json::to_string(&resp.profile)?,
                )?;
                Ok(())
            })
        })
        .await??;
        self.inner.announce(vec![Kind::Profile]);
        Ok(profile)
    }

    /// Sign out and remove this user's data from the device. Refuses with
    /// [`Error::PendingChanges`] while actions are unsynced or rejected ones
    /// await the user's decision, unless `discard_pending` is set. A sync in
    /// flight is not applied afterwards. Revoking the token is best effort.
    pub async fn sign_out(&self, discard_pending: bool) -> Result<()> {
        let inner = self.inner.clone();
        let token = tokio::task::spawn_blocking(move || {
            let token = inner.write(|tx| {
                let count = outbox::unsettled_count(tx)?;
                if count > 0 && !discard_pending {
                    return Err(Error::PendingChanges { count });
                }
                let token = store::meta_get(tx, meta_keys::TOKEN)?;
                tx.execute_batch(
                    "DELETE FROM undo; DELETE FROM outbox; DELETE FROM rejections;
                     DELETE FROM records; DELETE FROM meta;",
                )?;
                Ok(token)
            })?;
            // Deleted pages would otherwise keep personal data in the file.
            inner.with_db(|conn| {
                conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
                Ok(())
            })?;
            Ok::<_, Error>(token)
        })
        .await??;
        {
            let mut live = self.inner.live();
            live.connectivity = Connectivity::Unknown;
            live.last_error = None;
        }
        self.inner.announce(Kind::ALL.to_vec());
        if let Some(token) = token {
            let _ = tokio::time::timeout(Duration::from_secs(5), self.inner.http.sign_out(&token))
                .await;
        }
        Ok(())
    }

    /// The signed-in user's profile, if anyone is signed in.
    pub fn profile(&self) -> Result<Option<Profile>> {
        self.read(store::profile)
    }

    // ----- reads ---------------------------------------------------------

    pub fn sites(&self) -> Result<Vec<Site>> {
        self.read(views::sites)
    }

    /// All teams, or those at `under_site` and the sites below it.
    pub fn teams(&self, under_site: Option<&str>) -> Result<Vec<Team>> {
        self.read(|c| views::teams(c, under_site))
    }

    pub fn activity(&self, id: &str) -> Result<Option<Activity>> {
        self.read(|c| views::activity(c, id))
    }

    /// Published activities that have not ended yet, soonest first.
    pub fn upcoming_activities(&self, limit: u32) -> Result<Vec<Activity>> {
        self.read(|c| views::upcoming_activities(c, Utc::now(), limit))
    }

    pub fn activities_at_site(
        &self,
        site_id: &str,
        include_subtree: bool,
    ) -> Result<Vec<Activity>> {
        self.read(|c| views::activities_at_site(c, site_id, include_subtree))
    }

    /// Who signed up for an activity and who was checked in and out.
    pub fn roster(&self, activity_id: &str) -> Result<Vec<RosterEntry>> {
        self.read(|c| views::roster(c, activity_id))
    }

    pub fn my_memberships(&self) -> Result<Vec<Membership>> {
        let me = self.me()?;
        self.read(|c| views::memberships_of(c, &me.user_id))
    }

    /// Active members of a team (for its leaders and staff).
    pub fn team_members(&self, team_id: &str) -> Result<Vec<Membership>> {
        self.read(|c| views::team_memberships(c, team_id, MembershipStatus::Active))
    }

    /// Open requests to join a team (for its leaders and staff).
    pub fn join_requests(&self, team_id: &str) -> Result<Vec<Membership>> {
        self.read(|c| views::team_memberships(c, team_id, MembershipStatus::Requested))
    }

    /// Teams the signed-in user leads.
    pub fn my_led_teams(&self) -> Result<Vec<Team>> {
        let me = self.me()?;
        self.read(|c| views::led_teams(c, &me.user_id))
    }

    pub fn my_signups(&self) -> Result<Vec<Signup>> {
        let me = self.me()?;
        self.read(|c| views::signups_of(c, &me.user_id))
    }

    /// The signed-in volunteer's attendance, with any corrections, newest first.
    pub fn my_attendance(&self) -> Result<Vec<Attendance>> {
        let me = self.me()?;
        self.read(|c| views::attendance_of(c, &me.user_id))
    }

    pub fn my_hours(&self) -> Result<Vec<HourEntry>> {
        let me = self.me()?;
        self.read(|c| views::hours_of(c, &me.user_id))
    }

    pub fn my_hours_total(&self) -> Result<HoursTotal> {
        Ok(views::hours_total(&self.my_hours()?))
    }

    pub fn pending_count(&self) -> Result<u64> {
        self.read(outbox::pending_count)
    }

    pub fn pending_mutations(&self) -> Result<Vec<PendingMutation>> {
        Ok(self
            .read(outbox::all)?
            .into_iter()
            .map(|e| PendingMutation {
                seq: e.seq,
                id: e.id,
                created_at: e.created_at,
                mutation: e.mutation,
            })
            .collect())
    }

    pub fn last_sync_at(&self) -> Result<Option<DateTime<Utc>>> {
        self.read(|c| {
            store::meta_get(c, meta_keys::LAST_SYNC_AT)?
                .as_deref()
                .map(outbox::parse_time)
                .transpose()
        })
    }

    /// Pending work, rejections, connectivity, last success and last error.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.inner.status()
    }

    /// Be told which kinds of data change (after local writes and syncs).
    pub fn subscribe_changes(&self, listener: Arc<dyn ChangeListener>) -> Subscription {
        self.inner.notifier.subscribe_changes(listener)
    }

    /// Be told the sync status: the current one first, then every change.
    pub fn subscribe_status(&self, listener: Arc<dyn StatusListener>) -> Subscription {
        let current = self.inner.status().ok();
        self.inner.notifier.subscribe_status(listener, current)
    }

    /// Actions the server refused, oldest first.
    pub fn rejections(&self) -> Result<Vec<RejectedMutation>> {
        self.read(views::rejections)
    }

    pub fn discard_rejection(&self, seq: u64) -> Result<()> {
        self.inner.write(|tx| outbox::discard_rejection(tx, seq))?;
        self.inner.announce_status();
        Ok(())
    }

    /// Queue a rejected action again, unchanged (say after the user fixed what
    /// the server objected to, such as their site assignment).
    pub fn retry_rejection(&self, seq: u64) -> Result<()> {
        let (_, kinds) = self
            .inner
            .write(|tx| outbox::requeue_rejection(tx, seq, Utc::now()))?;
        self.inner.announce(kinds);
        Ok(())
    }

    /// Replicated record counts by kind.
    pub fn record_counts(&self) -> Result<std::collections::BTreeMap<String, u64>> {
        self.read(views::record_counts)
    }

    /// Every visible record of one kind, as JSON (diagnostics, tests).
    pub fn dump(&self, kind: Kind) -> Result<Vec<serde_json::Value>> {
        self.read(|c| views::all_of_kind(c, kind))
    }

    // ----- writes --------------------------------------------------------

    /// Decide, apply and queue one action in one transaction.
    fn submit(&self, mutation: Mutation) -> Result<()> {
        let (_, kinds) = self.inner.write(|tx| {
            let me = store::require_profile(tx)?;
            let actor: Actor = store::actor(tx, &me)?;
            outbox::enqueue(tx, &me, &actor, mutation, Utc::now())
        })?;
        self.inner.announce(kinds);
        Ok(())
    }

    pub fn join_team(&self, team_id: &str) -> Result<()> {
        self.submit(Mutation::JoinTeam {
            team_id: id("team_id", team_id)?,
        })
    }

    pub fn leave_team(&self, team_id: &str) -> Result<()> {
        self.submit(Mutation::LeaveTeam {
            team_id: id("team_id", team_id)?,
        })
    }

    /// Take back one's own request to join a team.
    pub fn withdraw_join_request(&self, team_id: &str) -> Result<()> {
        self.submit(Mutation::WithdrawJoinRequest {
            team_id: id("team_id", team_id)?,
        })
    }

    /// Team leaders and staff: approve or decline a request to join.
    pub fn decide_join_request(
        &self,
        team_id: &str,
        volunteer_id: &str,
        approve: bool,
        reason: Option<&str>,
    ) -> Result<()> {
        self.submit(Mutation::DecideJoinRequest {
            team_id: id("team_id", team_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            approve,
            reason: reason
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
        })
    }

    /// Team leaders and staff: remove a member, saying why.
    pub fn remove_member(&self, team_id: &str, volunteer_id: &str, reason: &str) -> Result<()> {
        self.submit(Mutation::RemoveMember {
            team_id: id("team_id", team_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            reason: reason.to_owned(),
        })
    }

    /// Staff: make an active member a team leader, or a leader a member again.
    pub fn set_team_role(&self, team_id: &str, volunteer_id: &str, role: TeamRole) -> Result<()> {
        self.submit(Mutation::SetTeamRole {
            team_id: id("team_id", team_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            role,
        })
    }

    /// Staff (for their sites) or a team leader (for the team): draft an
    /// activity. Returns its id; publish it to open signups.
    pub fn create_activity(&self, draft: ActivityDraft) -> Result<String> {
        let activity_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CreateActivity {
            activity_id: activity_id.clone(),
            site_id: id("site_id", &draft.site_id)?,
            team_id: draft
                .team_id
                .as_deref()
                .map(|t| id("team_id", t))
                .transpose()?,
            title: draft.title,
            description: draft.description,
            starts_at: draft.starts_at,
            ends_at: draft.ends_at,
            capacity: draft.capacity,
            signup_deadline: draft.signup_deadline,
            waitlist: draft.waitlist,
            walk_ins: draft.walk_ins,
            credit_rounding_minutes: draft.credit_rounding_minutes,
        })?;
        Ok(activity_id)
    }

    /// Staff: call urgently for `needed` volunteers at a site and time. The
    /// call is published at once; volunteers respond with [`Replica::sign_up`].
    /// Returns its id.
    pub fn create_call_out(
        &self,
        site_id: &str,
        title: &str,
        description: &str,
        (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
        needed: u32,
    ) -> Result<String> {
        let activity_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CreateCallOut {
            activity_id: activity_id.clone(),
            site_id: id("site_id", site_id)?,
            title: title.to_owned(),
            description: description.to_owned(),
            starts_at,
            ends_at,
            needed,
        })?;
        Ok(activity_id)
    }

    /// Call-outs still looking for responders, soonest first.
    pub fn open_call_outs(&self) -> Result<Vec<Activity>> {
        Ok(self
            .upcoming_activities(1000)?
            .into_iter()
            .filter(|a| a.callout && a.signup_count < a.capacity)
            .collect())
    }

    /// Organisers: open a drafted activity for signups.
    pub fn publish_activity(&self, activity_id: &str) -> Result<()> {
        self.submit(Mutation::PublishActivity {
            activity_id: id("activity_id", activity_id)?,
        })
    }

    /// Organisers: the activity is under way (signups close).
    pub fn start_activity(&self, activity_id: &str) -> Result<()> {
        self.submit(Mutation::StartActivity {
            activity_id: id("activity_id", activity_id)?,
        })
    }

    /// Organisers: the activity is over.
    pub fn finish_activity(&self, activity_id: &str) -> Result<()> {
        self.submit(Mutation::FinishActivity {
            activity_id: id("activity_id", activity_id)?,
        })
    }

    /// Organisers: cancel the activity, saying why; signed-up volunteers see it.
    pub fn cancel_activity(&self, activity_id: &str, reason: &str) -> Result<()> {
        self.submit(Mutation::CancelActivity {
            activity_id: id("activity_id", activity_id)?,
            reason: reason.to_owned(),
        })
    }

    pub fn sign_up(&self, activity_id: &str) -> Result<()> {
        self.submit(Mutation::SignUp {
            activity_id: id("activity_id", activity_id)?,
        })
    }

    pub fn cancel_signup(&self, activity_id: &str) -> Result<()> {
        self.submit(Mutation::CancelSignup {
            activity_id: id("activity_id", activity_id)?,
        })
    }

    /// Report hours of one's own service; they wait for review. Returns the entry id.
    pub fn report_hours(&self, report: HoursReport) -> Result<String> {
        let me = self.me()?;
        let entry_id = uuid::Uuid::new_v4().to_string();
        let activity_id = match report.activity_id {
            Some(a) => Some(id("activity_id", &a)?),
            None => None,
        };
        let team_id = match report.team_id {
            Some(t) => Some(id("team_id", &t)?),
            None => None,
        };
        self.submit(Mutation::ReportHours {
            entry_id: entry_id.clone(),
            volunteer_id: me.user_id,
            activity_id,
            started_at: report.started_at,
            minutes: report.minutes,
            description: report.description,
            team_id,
        })?;
        Ok(entry_id)
    }

    /// Reviewers (the activity's organisers, the team's leaders, staff above
    /// its site): approve or reject self-reported hours; a rejection needs a reason.
    pub fn review_hours(&self, entry_id: &str, approve: bool, reason: Option<&str>) -> Result<()> {
        self.submit(Mutation::ReviewHours {
            entry_id: id("entry_id", entry_id)?,
            approve,
            reason: reason.map(str::to_owned),
        })
    }

    /// Reviewers: correct confirmed hours. A new entry replaces the old one,
    /// which stays unchanged, marked superseded. Returns the new entry's id.
    pub fn correct_hours(&self, entry_id: &str, minutes: u32, reason: &str) -> Result<String> {
        let new_entry_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CorrectHours {
            entry_id: id("entry_id", entry_id)?,
            new_entry_id: new_entry_id.clone(),
            minutes,
            reason: reason.to_owned(),
        })?;
        Ok(new_entry_id)
    }

    /// Self-reported hours this user may review, oldest first.
    pub fn hours_to_review(&self) -> Result<Vec<HourEntry>> {
        let me = self.me()?;
        self.read(|c| views::hours_to_review(c, &me.user_id))
    }

    /// Staff: record a volunteer's arrival (now, unless `at` is given).
    pub fn check_in(
        &self,
        activity_id: &str,
        volunteer_id: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.submit(Mutation::CheckIn {
            activity_id: id("activity_id", activity_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            at: at.unwrap_or_else(Utc::now),
        })
    }

    /// Staff: record a volunteer's departure (now, unless `at` is given).
    pub fn check_out(
        &self,
        activity_id: &str,
        volunteer_id: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.submit(Mutation::CheckOut {
            activity_id: id("activity_id", activity_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            at: at.unwrap_or_else(Utc::now),
        })
    }

    /// Staff (or the organising team's leaders): set a volunteer's check-in
    /// and check-out at an activity, saying why. The old times are kept in the
    /// record's history and the hours are recomputed.
    pub fn correct_attendance(
        &self,
        activity_id: &str,
        volunteer_id: &str,
        checked_in_at: DateTime<Utc>,
        checked_out_at: Option<DateTime<Utc>>,
        reason: &str,
    ) -> Result<()> {
        self.submit(Mutation::CorrectAttendance {
            activity_id: id("activity_id", activity_id)?,
            volunteer_id: id("volunteer_id", volunteer_id)?,
            checked_in_at,
            checked_out_at,
            reason: reason.to_owned(),
        })
    }

    /// Residents: order help. Returns the order's id.
    pub fn place_order(&self, request: OrderRequest) -> Result<String> {
        let order_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::PlaceOrder {
            order_id: order_id.clone(),
            site_id: id("site_id", &request.site_id)?,
            category: request.category,
            description: request.description,
            desired_at: request.desired_at,
            phone: request.phone,
            address: request.address,
        })?;
        Ok(order_id)
    }

    /// Residents: withdraw an order nobody has accepted yet.
    pub fn cancel_order(&self, order_id: &str) -> Result<()> {
        self.submit(Mutation::CancelOrder {
            order_id: id("order_id", order_id)?,
        })
    }

    /// Staff of the order's site or above: offer it to a team or a volunteer.
    pub fn dispatch_order(
        &self,
        order_id: &str,
        team_id: Option<&str>,
        volunteer_id: Option<&str>,
    ) -> Result<()> {
        self.submit(Mutation::DispatchOrder {
            order_id: id("order_id", order_id)?,
            team_id: team_id.map(|t| id("team_id", t)).transpose()?,
            volunteer_id: volunteer_id.map(|v| id("volunteer_id", v)).transpose()?,
        })
    }

    /// The assignee (the volunteer, or a leader of the team): accept or decline.
    pub fn respond_to_order(
        &self,
        order_id: &str,
        accept: bool,
        reason: Option<&str>,
    ) -> Result<()> {
        self.submit(Mutation::RespondToOrder {
            order_id: id("order_id", order_id)?,
            accept,
            reason: reason.map(str::to_owned),
        })
    }

    /// The assignee: the service was given.
    pub fn complete_order(&self, order_id: &str) -> Result<()> {
        self.submit(Mutation::CompleteOrder {
            order_id: id("order_id", order_id)?,
        })
    }

    /// Residents: rate the service, 1 to 5 stars, with an optional comment.
    pub fn rate_order(&self, order_id: &str, stars: u8, comment: Option<&str>) -> Result<()> {
        self.submit(Mutation::RateOrder {
            order_id: id("order_id", order_id)?,
            stars,
            comment: comment.map(str::to_owned),
        })
    }

    /// Residents: their orders, newest first.
    pub fn my_orders(&self) -> Result<Vec<ServiceOrder>> {
        let me = self.me()?;
        self.read(|c| views::orders(c, views::OrdersOf::Placed(&me.user_id)))
    }

    /// Volunteers and team leaders: open orders offered to them.
    pub fn assigned_orders(&self) -> Result<Vec<ServiceOrder>> {
        let me = self.me()?;
        self.read(|c| {
            let actor = store::actor(c, &me)?;
            views::orders(
                c,
                views::OrdersOf::AssignedTo {
                    me: &me.user_id,
                    teams: &actor.led_teams,
                },
            )
        })
    }

    /// Staff: orders at a site (and below it), oldest first.
    pub fn orders_at_site(
        &self,
        site_id: &str,
        include_subtree: bool,
    ) -> Result<Vec<ServiceOrder>> {
        self.read(|c| {
            views::orders(
                c,
                views::OrdersOf::Site {
                    site_id,
                    include_subtree,
                },
            )
        })
    }

    /// How to reach the resident of an order, for those who may.
    pub fn order_contact(&self, order_id: &str) -> Result<Option<OrderContact>> {
        self.read(|c| views::order_contact(c, order_id))
    }

    /// Staff: open a donation campaign at a site. Returns its id.
    pub fn create_campaign(&self, site_id: &str, name: &str) -> Result<String> {
        let campaign_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::CreateCampaign {
            campaign_id: campaign_id.clone(),
            site_id: id("site_id", site_id)?,
            name: name.to_owned(),
        })?;
        Ok(campaign_id)
    }

    /// Staff: record a donation received (a campaign's totals follow).
    /// `donor_name: None` records it as anonymous. Returns its id.
    pub fn record_donation(
        &self,
        site_id: &str,
        campaign_id: Option<&str>,
        donor_name: Option<&str>,
        gift: Gift,
        received_at: DateTime<Utc>,
    ) -> Result<String> {
        let donation_id = uuid::Uuid::new_v4().to_string();
        self.submit(Mutation::RecordDonation {
            donation_id: donation_id.clone(),
            campaign_id: campaign_id.map(|c| id("campaign_id", c)).transpose()?,
            site_id: id("site_id", site_id)?,
            donor_name: donor_name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            gift,
            received_at,
        })?;
        Ok(donation_id)
    }

    /// The signed-in volunteer's notices (promotions, cancellations), newest first.
    pub fn my_notices(&self) -> Result<Vec<Notice>> {
        self.read(|c| {
            store::load(
                c,
                "SELECT data FROM records WHERE kind = 'notice'
                 ORDER BY julianday(json_extract(data, '$.created_at')) DESC",
                [],
            )
        })
    }

    /// Mark one of one's notices read.
    pub fn mark_notice_read(&self, notice_id: &str) -> Result<()> {
        if notice_id.is_empty() {
            return Err(Error::invalid("notice_id", "must not be empty"));
        }
        self.submit(Mutation::MarkNoticeRead {
            notice_id: notice_id.to_owned(),
        })
    }

    /// Figures of a site and every site below it, if this user may see them
    /// (staff of the site or above). Computed by the server.
    pub fn site_figures(&self, site_id: &str) -> Result<Option<Figures>> {
        self.figures(&format!("site/{site_id}"))
    }

    /// Figures of a team, for its leaders and staff. Computed by the server.
    pub fn team_figures(&self, team_id: &str) -> Result<Option<Figures>> {
        self.figures(&format!("team/{team_id}"))
    }

    fn figures(&self, key: &str) -> Result<Option<Figures>> {
        self.read(|c| {
            Ok(store::load(
                c,
                "SELECT data FROM records WHERE kind = 'figures' AND key = ?1",
                [key],
            )?
            .pop())
        })
    }

    /// Every campaign with its totals, by name.
    pub fn campaigns(&self) -> Result<Vec<Campaign>> {
        self.read(|c| {
            store::load(
                c,
                "SELECT data FROM records WHERE kind = 'campaign' ORDER BY json_extract(data, '$.name')",
                [],
            )
        })
    }

    /// Staff: donations recorded at their sites, newest first.
    pub fn donations(&self) -> Result<Vec<Donation>> {
        self.read(|c| {
            store::load(
                c,
                "SELECT data FROM records WHERE kind = 'donation'
                 ORDER BY julianday(json_extract(data, '$.received_at')) DESC",
                [],
            )
        })
    }

    // ----- sync ----------------------------------------------------------

    /// Push pending actions and pull what is new, until both are drained.
    ///
    /// Safe to call at any time and from many tasks: a call that arrives while a
    /// round is running waits and shares the next round with every other waiting
    /// call. On failure everything stays pending for the next try.
    pub async fn sync(&self) -> Result<SyncReport> {
        crate::sync::sync(&self.inner, &CancelToken::new()).await
    }

    /// [`Replica::sync`] that returns [`Error::Cancelled`] as soon as `token`
    /// is cancelled. What was applied before stays applied; what was not stays
    /// pending. A token cancelled before the call makes it return at once.
    pub async fn sync_cancellable(&self, token: &CancelToken) -> Result<SyncReport> {
        crate::sync::sync(&self.inner, token).await
    }
}

/// An id argument, trimmed, by the domain's one id rule.
fn id(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if !volunteer_domain::is_valid_id(v) {
        return Err(Error::invalid(
            field,
            format!("must be an id of 1 to {MAX_ID_LEN} characters without spaces"),
        ));
    }
    Ok(v.to_owned())
}
