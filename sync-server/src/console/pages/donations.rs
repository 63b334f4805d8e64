//! Donations: campaigns and their totals; donations recorded, corrected
//! (a new record replaces the old in the totals) or voided, with a reason;
//! goods handed out against a campaign.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use volunteer_domain::{Campaign, Donation, Gift, GoodsTotal, Kind, Record};

use super::{my_sites, names, site_name};
use crate::api::{AppState, Failure};
use crate::console::layout::{self, Flash, Nav, form_fields, new_id};
use crate::console::text::Text;
use crate::console::{Session, read};

pub async fn page(
    State(state): State<AppState>,
    s: Session,
    Query(flash): Query<Flash>,
) -> Result<Response, Failure> {
    render(&state, &s, flash).await
}

fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn goods(list: &[GoodsTotal]) -> String {
    list.iter()
        .map(|g| format!("{} {}{}", g.item, g.quantity, g.unit))
        .collect::<Vec<_>>()
        .join("、")
}

fn gift(g: &Gift) -> String {
    match g {
        Gift::Money { fen } => format!("¥{}", yuan(*fen)),
        Gift::Goods {
            item,
            quantity,
            unit,
        } => format!("{item} {quantity}{unit}"),
    }
}

/// The fields of a gift: money in yuan, or goods.
fn gift_fields(t: &Text, prefix: &str) -> Markup {
    html! {
        fieldset {
            legend { (t.gift) }
            label { input type="radio" name="gift.type" value="money" checked; " " (t.money) }
            label { input type="radio" name="gift.type" value="goods"; " " (t.goods) }
            label for={ (prefix) "-yuan" } { (t.amount_yuan) }
            input id={ (prefix) "-yuan" } type="text" inputmode="decimal" name="gift.yuan" size="10";
            label for={ (prefix) "-item" } { (t.item) }
            input id={ (prefix) "-item" } type="text" name="gift.item" maxlength="50" size="10";
            label for={ (prefix) "-quantity" } { (t.quantity) }
            input id={ (prefix) "-quantity" } type="number" name="gift.quantity" min="1" size="6";
            label for={ (prefix) "-unit" } { (t.unit) }
            input id={ (prefix) "-unit" } type="text" name="gift.unit" maxlength="10" size="4";
        }
    }
}

async fn render(state: &AppState, s: &Session, flash: Flash) -> Result<Response, Failure> {
    let t = s.t();
    let sites = my_sites(state, s).await?;
    let mut campaigns: Vec<Campaign> = read(state, s, Kind::Campaign, |r| match r {
        Record::Campaign(c) => Some(c),
        _ => None,
    })
    .await?;
    campaigns.retain(|c| sites.iter().any(|x| x.id == c.site_id));
    let mut donations: Vec<Donation> = read(state, s, Kind::Donation, |r| match r {
        Record::Donation(d) => Some(d),
        _ => None,
    })
    .await?;
    donations.sort_by_key(|d| std::cmp::Reverse((d.received_at, d.id.clone())));
    let mut handouts = read(state, s, Kind::Distribution, |r| match r {
        Record::Distribution(d) => Some(d),
        _ => None,
    })
    .await?;
    handouts.sort_by_key(|d| std::cmp::Reverse(d.distributed_at));
    let names = names(state, s).await?;
    let campaign_name = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| campaigns.iter().find(|c| &c.id == id))
            .map_or_else(String::new, |c| c.name.clone())
    };
    let back = "/console/donations";
    Ok(layout::page(
        s,
        Nav::Donations,
        t.donations_title,
        &flash,
        html! {
            h2 { (t.campaigns) }
            @if campaigns.is_empty() { p { (t.nothing_here) } } @else {
                table #campaigns {
                    thead { tr { th scope="col" { (t.name) } th scope="col" { (t.site) } th.num scope="col" { (t.money_total) } th scope="col" { (t.goods_total) } th scope="col" { (t.distributed_total) } } }
                    tbody { @for c in &campaigns {
                        tr data-campaign=(c.id) {
                            td { (c.name) } td { (site_name(&sites, &c.site_id)) }
                            td.num.money { (yuan(c.money_fen)) } td { (goods(&c.goods)) } td { (goods(&c.distributed)) }
                        }
                    } }
                }
            }
            h2 #record-donation { (t.record_donation) }
            form.card method="post" action="/console/act" aria-labelledby="record-donation" {
                (form_fields(s, "record_donation", back))
                input type="hidden" name="donation_id" value=(new_id());
                input type="hidden" name="received_at" value="now";
                label for="rd-campaign" { (t.campaigns) }
                select #rd-campaign name="campaign_id" {
                    option value="" { (t.none) }
                    @for c in &campaigns { option value=(c.id) { (c.name) } }
                }
                label for="rd-site" { (t.site) }
                select #rd-site name="site_id" required {
                    @for x in &sites { option value=(x.id) { (x.name) } }
                }
                label for="rd-donor" { (t.donor) (t.optional) }
                input #rd-donor type="text" name="donor_name" maxlength="50" placeholder=(t.anonymous);
                (gift_fields(t, "rd"))
                p { button type="submit" { (t.record_donation) } }
            }
            h2 { (t.donations_list) }
            @if donations.is_empty() { p { (t.nothing_here) } } @else {
                table #donations {
                    thead { tr { th scope="col" { (t.received_at) } th scope="col" { (t.campaigns) } th scope="col" { (t.donor) } th scope="col" { (t.gift) } th scope="col" { (t.status) } th scope="col" { (t.actions) } } }
                    tbody { @for d in &donations {
                        tr data-donation=(d.id) {
                            td { (layout::local(d.received_at)) }
                            td { (campaign_name(&d.campaign_id)) }
                            td { (d.donor_name.as_deref().unwrap_or(t.anonymous)) }
                            td { (gift(&d.gift)) }
                            td {
                                @if d.voided { (t.voided) } @else if d.superseded_by.is_some() { (t.superseded) }
                                @if let Some(r) = &d.reason { br; span.hint { (r) " · " (d.changed_by.as_deref().map(|u| names.get(u).cloned().unwrap_or_else(|| u.to_owned())).unwrap_or_default()) } }
                                @if d.corrects.is_some() { br; span.hint { (t.correction_of) } }
                            }
                            td {
                                @if d.counts() {
                                    details {
                                        summary { (t.correct) }
                                        form method="post" action="/console/act" {
                                            (form_fields(s, "correct_donation", back))
                                            input type="hidden" name="donation_id" value=(d.id);
                                            input type="hidden" name="new_donation_id" value=(new_id());
                                            input type="hidden" name="donor_name" value=(d.donor_name.clone().unwrap_or_default());
                                            (gift_fields(t, &format!("fix-{}", d.id)))
                                            label { (t.reason) " " input type="text" name="reason" required maxlength="500"; }
                                            button type="submit" { (t.correct) }
                                        }
                                    }
                                    form.inline method="post" action="/console/act" {
                                        (form_fields(s, "void_donation", back))
                                        input type="hidden" name="donation_id" value=(d.id);
                                        label { (t.reason) " " input type="text" name="reason" required size="10"; }
                                        button.plain type="submit" { (t.void) }
                                    }
                                }
                            }
                        }
                    } }
                }
            }
            @if !campaigns.is_empty() {
                h2 #distribute { (t.distribute) }
                form.card method="post" action="/console/act" aria-labelledby="distribute" {
                    (form_fields(s, "distribute_goods", back))
                    input type="hidden" name="distribution_id" value=(new_id());
                    input type="hidden" name="distributed_at" value="now";
                    label for="dg-campaign" { (t.campaigns) }
                    select #dg-campaign name="campaign_id" required {
                        @for c in &campaigns { option value=(c.id) { (c.name) } }
                    }
                    label for="dg-item" { (t.item) }
                    input #dg-item type="text" name="item" required maxlength="50";
                    label for="dg-quantity" { (t.quantity) }
                    input #dg-quantity type="number" name="quantity" min="1" required;
                    label for="dg-unit" { (t.unit) }
                    input #dg-unit type="text" name="unit" required maxlength="10";
                    label for="dg-recipient" { (t.recipient) }
                    input #dg-recipient type="text" name="recipient" required maxlength="100";
                    p { button type="submit" { (t.distribute) } }
                }
                h2 { (t.distributions_list) }
                @if handouts.is_empty() { p { (t.nothing_here) } } @else {
                    table #distributions {
                        thead { tr { th scope="col" { (t.received_at) } th scope="col" { (t.campaigns) } th scope="col" { (t.item) } th.num scope="col" { (t.quantity) } th scope="col" { (t.recipient) } } }
                        tbody { @for h in &handouts { tr { td { (layout::local(h.distributed_at)) } td { (campaign_name(&Some(h.campaign_id.clone()))) } td { (h.item) } td.num { (h.quantity) (h.unit) } td { (h.recipient) } } } }
                    }
                }
            }
            h2 #new-campaign { (t.new_campaign) }
            form.card method="post" action="/console/act" aria-labelledby="new-campaign" {
                (form_fields(s, "create_campaign", back))
                input type="hidden" name="campaign_id" value=(new_id());
                label for="nc-site" { (t.site) }
                select #nc-site name="site_id" required {
                    @for x in &sites { option value=(x.id) { (x.name) } }
                }
                label for="nc-name" { (t.name) }
                input #nc-name type="text" name="name" required maxlength="100";
                p { button type="submit" { (t.create) } }
            }
        },
    ))
}
