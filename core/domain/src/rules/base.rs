//! What every rule is written in: the refusal codes, the decision and its
//! effects, the state a rule reads ([`State`]) with its typed getters, and
//! the checks many rules share (a missing record, authority at a site, a
//! volunteer acting for themself).

use super::*;

string_enum! {
    /// Why a mutation was refused. The string form is stable: apps translate it.
    pub enum RejectCode {
        /// The user's role or scope does not allow this action.
        Forbidden = "forbidden",
        /// A referenced team, activity or volunteer does not exist.
        NotFound = "not_found",
        /// Every place of the activity is taken.
        ActivityFull = "activity_full",
        /// The activity is cancelled or already over.
        ActivityClosed = "activity_closed",
        /// Check-out of a volunteer who was never checked in.
        NotCheckedIn = "not_checked_in",
        /// An argument is out of range (times, minutes, text length).
        InvalidInput = "invalid_input",
        /// A timestamp lies further in the future than the device clock may be trusted.
        ClockSkew = "clock_skew",
        /// The record is not in a state that allows this step (say a request
        /// someone else already decided).
        InvalidState = "invalid_state",
        /// The activity takes no walk-ins and the volunteer holds no place.
        NotSignedUp = "not_signed_up",
        /// Older than the recording window: too late to record this way.
        TooLate = "too_late",
        /// The server does not understand the mutation (an app newer than
        /// the server, or a value it does not know): update the server, or
        /// drop the action.
        Unsupported = "unsupported",
        /// The volunteer is already credited for this activity through
        /// attendance: a self-report would count the same time twice.
        AlreadyCredited = "already_credited",
        /// The volunteer would be credited more than 24 hours in one day
        /// (Asia/Shanghai) across all their records.
        DailyLimit = "daily_limit",
        /// The volunteer is already credited (or has reported) part of this
        /// time: nobody serves in two places at once.
        HoursOverlap = "hours_overlap",
        /// The id chosen for a new record belongs to another record (another
        /// author's, another site's): choose a new one.
        IdTaken = "id_taken",
        /// Another account has this phone number (phones are logins).
        PhoneTaken = "phone_taken",
        /// A code this side does not know, sent by a newer peer. The rules
        /// never give it; a device shows a rejection with it as is.
        Unknown = "unknown",
    }
}

impl RejectCode {
    /// The code as received: one this side does not know is [`RejectCode::Unknown`].
    pub fn from_wire(s: &str) -> RejectCode {
        RejectCode::parse(s).unwrap_or(RejectCode::Unknown)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: RejectCode,
    /// A human message without personal data.
    pub message: String,
}

pub(crate) fn reject(code: RejectCode, message: impl Into<String>) -> Decision {
    Decision::Reject(Rejection {
        code,
        message: message.into(),
    })
}

/// A write a mutation makes.
// A mutation makes a handful of effects, consumed at once: boxing the record
// would add an allocation each for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Put(Record),
    Delete { kind: Kind, key: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Write these effects (possibly none: the fact already holds).
    Apply(Vec<Effect>),
    /// Only the server can decide; the device queues without a local effect.
    Defer,
    Reject(Rejection),
}

/// Read access to the state a rule needs.
pub trait State {
    type Error;
    /// True on the server: a missing record does not exist, counts are exact.
    fn authoritative(&self) -> bool;
    fn get(&mut self, kind: Kind, key: &str) -> Result<Option<Record>, Self::Error>;
    /// The display name of a volunteer, if this side knows them.
    fn volunteer_name(&mut self, volunteer_id: &str) -> Result<Option<String>, Self::Error>;
    /// The waitlisted signup of an activity with the lowest position. Only the
    /// server knows every signup; a device may answer `None`.
    fn first_waitlisted(&mut self, activity_id: &str) -> Result<Option<Signup>, Self::Error>;
    /// Every signup of an activity (the server's answer is complete; a
    /// device's is what it holds).
    fn signups_of(&mut self, activity_id: &str) -> Result<Vec<Signup>, Self::Error>;
    /// Every attendance of an activity (complete on the server).
    fn attendances_of(&mut self, activity_id: &str) -> Result<Vec<Attendance>, Self::Error>;
    /// Every hour entry of a volunteer, in any status (complete on the
    /// server; a device's is what it holds).
    fn hours_of(&mut self, volunteer_id: &str) -> Result<Vec<HourEntry>, Self::Error>;
    /// The volunteer's hour entries, in any status, whose credited span
    /// meets `[from, to)` (Unix seconds, see [`super::evidence::span_meets`]):
    /// at least those, maybe more (the rules test each again). What the
    /// daily limit and the overlap rule read, so a credit costs the entries
    /// near it, not the volunteer's whole history (the server answers from
    /// an index; this default filters [`State::hours_of`]).
    fn hours_meeting(
        &mut self,
        volunteer_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<HourEntry>, Self::Error> {
        let mut all = self.hours_of(volunteer_id)?;
        all.retain(|e| super::evidence::span_meets(e, from, to));
        Ok(all)
    }
    /// The volunteer's hour entries for one activity, in any status, and
    /// only those (the server answers from an index; this default filters
    /// [`State::hours_of`]).
    fn hours_for_activity(
        &mut self,
        volunteer_id: &str,
        activity_id: &str,
    ) -> Result<Vec<HourEntry>, Self::Error> {
        let mut all = self.hours_of(volunteer_id)?;
        all.retain(|e| e.activity_id.as_deref() == Some(activity_id));
        Ok(all)
    }
    /// Every membership of a volunteer, in any state (likewise).
    fn memberships_of(&mut self, volunteer_id: &str) -> Result<Vec<Membership>, Self::Error>;
    /// The display name of a resident, if this side knows them (the server).
    fn resident_name(&mut self, resident_id: &str) -> Result<Option<String>, Self::Error>;
    /// The user whose login or phone is this number. Only the server knows
    /// every account; a device answers `None` and the server decides.
    fn phone_holder(&mut self, _phone: &str) -> Result<Option<String>, Self::Error> {
        Ok(None)
    }
}

macro_rules! getter {
    ($name:ident, $kind:ident, $ty:ty) => {
        pub(crate) fn $name<S: State>(s: &mut S, key: &str) -> Result<Option<$ty>, S::Error> {
            Ok(match s.get(Kind::$kind, key)? {
                Some(Record::$kind(r)) => Some(r),
                _ => None,
            })
        }
    };
}
getter!(get_site, Site, Site);
getter!(get_team, Team, Team);
getter!(get_activity, Activity, Activity);
getter!(get_membership, Membership, Membership);
getter!(get_signup, Signup, Signup);
getter!(get_attendance, Attendance, Attendance);
getter!(get_hour_entry, HourEntry, HourEntry);
getter!(get_order, ServiceOrder, ServiceOrder);
getter!(get_contact, OrderContact, OrderContact);
getter!(get_campaign, Campaign, Campaign);
getter!(get_donation, Donation, Donation);
getter!(get_distribution, Distribution, Distribution);
getter!(get_project, Project, Project);
getter!(get_notice, Notice, Notice);

/// What to do when a referenced record is absent: the server knows it does
/// not exist; the device only knows it has not seen it.
pub(crate) fn missing<S: State>(s: &S, what: &str) -> Decision {
    if s.authoritative() {
        reject(RejectCode::NotFound, format!("{what} not found"))
    } else {
        Decision::Defer
    }
}

/// The one authority check of every staff action: `actor` may act at this
/// site if they are staff of it or above or an admin, or for `team_id` if
/// they lead that team. `Err` carries the refusal (`refusal` is its message).
/// A device whose staff user's own site has not been pulled yet cannot tell,
/// so it defers to the server rather than refuse.
pub(crate) fn authority<S: State>(
    s: &mut S,
    actor: &Actor,
    site_id: &str,
    team_id: Option<&str>,
    refusal: &str,
) -> Result<Result<(), Decision>, S::Error> {
    let Some(site) = get_site(s, site_id)? else {
        return Ok(Err(missing(s, "site")));
    };
    if actor.may_manage(&site.path)
        || team_id.is_some_and(|t| actor.led_teams.iter().any(|l| l == t))
    {
        return Ok(Ok(()));
    }
    if actor.role == Role::Staff && actor.site_path.is_none() && !s.authoritative() {
        return Ok(Err(Decision::Defer));
    }
    Ok(Err(reject(RejectCode::Forbidden, refusal)))
}

pub(crate) fn volunteer_only(actor: &Actor) -> Option<Decision> {
    (actor.role != Role::Volunteer).then(|| {
        reject(
            RejectCode::Forbidden,
            "only volunteers can do this for themselves",
        )
    })
}
