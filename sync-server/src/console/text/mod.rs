//! Every string the console shows, once per language: `zh.rs` (the
//! default) and `en.rs` fill the same [`Text`], so a string missing in one
//! language does not compile. Labels of the domain's enums are arrays in
//! the enum's declaration order (`ALL`), so a new variant does not compile
//! until both languages name it.

use volunteer_domain::{
    AccountStatus, ActivityStatus, HourSource, HourStatus, JoinPolicy, OrderStatus, RejectCode,
    Role, SiteLevel,
};

mod en;
mod zh;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::Zh => &zh::TEXT,
            Lang::En => &en::TEXT,
        }
    }
}

pub struct Text {
    pub app: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_orders: &'static str,
    pub nav_hours: &'static str,
    pub nav_activities: &'static str,
    pub nav_figures: &'static str,
    pub nav_callouts: &'static str,
    pub nav_donations: &'static str,
    pub nav_admin: &'static str,
    pub other_language: &'static str,
    pub sign_out: &'static str,
    // Sign-in
    pub sign_in_title: &'static str,
    pub login: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub sign_in_wrong: &'static str,
    pub sign_in_locked: &'static str,
    pub sign_in_not_for_volunteers: &'static str,
    pub sign_in_disabled: &'static str,
    pub session_ended: &'static str,
    // Outcomes of a form
    pub done: &'static str,
    pub failed: &'static str,
    pub form_expired: &'static str,
    // Common
    pub submit: &'static str,
    pub reason: &'static str,
    pub optional: &'static str,
    pub none: &'static str,
    pub site: &'static str,
    pub team: &'static str,
    pub volunteer: &'static str,
    pub status: &'static str,
    pub actions: &'static str,
    pub name: &'static str,
    pub phone: &'static str,
    pub address: &'static str,
    pub description: &'static str,
    pub nothing_here: &'static str,
    pub minutes_unit: &'static str,
    pub hours_unit: &'static str,
    pub days_unit: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    // Home
    pub home_title: &'static str,
    pub waiting_dispatch: &'static str,
    pub waiting_review: &'static str,
    pub activities_today: &'static str,
    pub open: &'static str,
    // Orders
    pub orders_title: &'static str,
    pub all_states: &'static str,
    pub placed: &'static str,
    pub age: &'static str,
    pub category: &'static str,
    pub resident: &'static str,
    pub assignee: &'static str,
    pub contact: &'static str,
    pub contact_hidden: &'static str,
    pub dispatch: &'static str,
    pub to_team: &'static str,
    pub to_volunteer: &'static str,
    pub withdraw: &'static str,
    pub cancel_order: &'static str,
    pub phone_order_title: &'static str,
    pub phone_order_hint: &'static str,
    pub desired_at: &'static str,
    pub place_order: &'static str,
    pub no_residents: &'static str,
    // Hours
    pub hours_title: &'static str,
    pub hours_hint: &'static str,
    pub started: &'static str,
    pub minutes: &'static str,
    pub source: &'static str,
    pub activity: &'static str,
    pub late: &'static str,
    pub disputed: &'static str,
    pub select: &'static str,
    pub approve_selected: &'static str,
    pub reject_selected: &'static str,
    pub disputes_title: &'static str,
    pub accept_dispute: &'static str,
    pub reject_dispute: &'static str,
    // Activities
    pub activities_title: &'static str,
    pub new_activity: &'static str,
    pub title: &'static str,
    pub starts_at: &'static str,
    pub ends_at: &'static str,
    pub capacity: &'static str,
    pub waitlist: &'static str,
    pub walk_ins: &'static str,
    pub create: &'static str,
    pub publish: &'static str,
    pub cancel_activity: &'static str,
    pub roster: &'static str,
    pub signed_up: &'static str,
    pub waitlisted: &'static str,
    pub position: &'static str,
    pub checked_in: &'static str,
    pub checked_out: &'static str,
    pub check_in: &'static str,
    pub check_out: &'static str,
    pub walk_in: &'static str,
    pub places: &'static str,
    pub back: &'static str,
    // Figures
    pub figures_title: &'static str,
    pub figures_hint: &'static str,
    pub volunteers_active: &'static str,
    pub registered_volunteers: &'static str,
    pub teams: &'static str,
    pub hours_confirmed: &'static str,
    pub person_times: &'static str,
    pub hours_by_month: &'static str,
    pub month: &'static str,
    pub hours: &'static str,
    pub orders_by_status: &'static str,
    pub count: &'static str,
    pub by_team: &'static str,
    pub chart_label: &'static str,
    // Administration
    pub admin_title: &'static str,
    pub accounts: &'static str,
    pub role: &'static str,
    pub new_account: &'static str,
    pub new_account_hint: &'static str,
    pub issue_code: &'static str,
    pub deactivate: &'static str,
    pub reactivate: &'static str,
    pub code_title: &'static str,
    pub code_hint: &'static str,
    pub code_expires: &'static str,
    pub new_site: &'static str,
    pub parent_site: &'static str,
    pub new_team: &'static str,
    pub join_policy: &'static str,
    pub sites: &'static str,
    pub level: &'static str,
    // Call-outs
    pub callouts_title: &'static str,
    pub new_callout: &'static str,
    pub needed: &'static str,
    pub responses: &'static str,
    pub audience: &'static str,
    pub audience_everyone: &'static str,
    pub audience_teams: &'static str,
    pub audience_subtree: &'static str,
    pub audience_hint: &'static str,
    pub publish_now: &'static str,
    pub close_early: &'static str,
    pub widen: &'static str,
    pub closed: &'static str,
    // Donations
    pub donations_title: &'static str,
    pub campaigns: &'static str,
    pub new_campaign: &'static str,
    pub money_total: &'static str,
    pub goods_total: &'static str,
    pub distributed_total: &'static str,
    pub record_donation: &'static str,
    pub donor: &'static str,
    pub anonymous: &'static str,
    pub gift: &'static str,
    pub money: &'static str,
    pub goods: &'static str,
    pub amount_yuan: &'static str,
    pub item: &'static str,
    pub quantity: &'static str,
    pub unit: &'static str,
    pub received_at: &'static str,
    pub donations_list: &'static str,
    pub correct: &'static str,
    pub void: &'static str,
    pub voided: &'static str,
    pub superseded: &'static str,
    pub correction_of: &'static str,
    pub distribute: &'static str,
    pub recipient: &'static str,
    pub distributions_list: &'static str,
    // Projects
    pub projects: &'static str,
    pub new_project: &'static str,
    pub project: &'static str,
    pub link_project: &'static str,
    pub take_back: &'static str,
    pub change_post: &'static str,
    pub edit: &'static str,
    pub save: &'static str,
    pub team_months: &'static str,
    pub reassign_hint: &'static str,
    // Import and export
    pub import_title: &'static str,
    pub import_hint: &'static str,
    pub import_columns: &'static str,
    pub import_file: &'static str,
    pub dry_run: &'static str,
    pub import_now: &'static str,
    pub import_report: &'static str,
    pub import_summary: &'static str,
    pub line: &'static str,
    pub outcome: &'static str,
    pub will_add: &'static str,
    pub added: &'static str,
    pub already_there: &'static str,
    pub import_words: super::import::Words,
    pub export_title: &'static str,
    pub report: &'static str,
    pub reports: [&'static str; super::export::Report::ALL.len()],
    pub from: &'static str,
    pub to: &'static str,
    pub format: &'static str,
    pub download: &'static str,
    pub export_record_headers: [&'static str; 16],
    pub export_total_headers: [&'static str; 3],
    pub export_figure_headers: [&'static str; 7],
    // Enum labels, in the enums' declaration order.
    pub order_status: [&'static str; OrderStatus::ALL.len()],
    pub hour_status: [&'static str; HourStatus::ALL.len()],
    pub hour_source: [&'static str; HourSource::ALL.len()],
    pub activity_status: [&'static str; ActivityStatus::ALL.len()],
    pub account_status: [&'static str; AccountStatus::ALL.len()],
    pub roles: [&'static str; Role::ALL.len()],
    pub site_levels: [&'static str; SiteLevel::ALL.len()],
    pub join_policies: [&'static str; JoinPolicy::ALL.len()],
    pub reject_codes: [&'static str; RejectCode::ALL.len()],
}

/// The label of an enum value: its position in `ALL` indexes `labels`.
pub fn label<T: PartialEq + Copy, const N: usize>(
    all: [T; N],
    labels: &[&'static str; N],
    v: T,
) -> &'static str {
    all.iter().position(|x| *x == v).map_or("?", |i| labels[i])
}

impl Text {
    pub fn order_status(&self, s: OrderStatus) -> &'static str {
        label(OrderStatus::ALL, &self.order_status, s)
    }
    pub fn hour_status(&self, s: HourStatus) -> &'static str {
        label(HourStatus::ALL, &self.hour_status, s)
    }
    pub fn hour_source(&self, s: HourSource) -> &'static str {
        label(HourSource::ALL, &self.hour_source, s)
    }
    pub fn activity_status(&self, s: ActivityStatus) -> &'static str {
        label(ActivityStatus::ALL, &self.activity_status, s)
    }
    pub fn account_status(&self, s: AccountStatus) -> &'static str {
        label(AccountStatus::ALL, &self.account_status, s)
    }
    pub fn role(&self, r: Role) -> &'static str {
        label(Role::ALL, &self.roles, r)
    }
    pub fn site_level(&self, l: SiteLevel) -> &'static str {
        label(SiteLevel::ALL, &self.site_levels, l)
    }
    pub fn join_policy(&self, p: JoinPolicy) -> &'static str {
        label(JoinPolicy::ALL, &self.join_policies, p)
    }
    /// A refusal in words, for a code given in a page's address: only the
    /// known ones (anything else a link put there is not shown).
    pub fn known_code(&self, code: &str) -> &'static str {
        let c = RejectCode::parse(code).unwrap_or(RejectCode::Unknown);
        label(RejectCode::ALL, &self.reject_codes, c)
    }

    /// A refusal in words; a code this server does not know, as it is.
    pub fn reject_code<'a>(&self, code: &'a str) -> &'a str {
        match RejectCode::parse(code) {
            Some(c) => label(RejectCode::ALL, &self.reject_codes, c),
            None => code,
        }
    }
}
