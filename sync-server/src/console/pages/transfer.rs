//! Import (volunteers from a CSV, checked first) and export (CSV, XLSX).

use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, Utc};
use maud::{Markup, html};
use std::collections::BTreeMap;
use volunteer_domain::{Kind, Mutation, Record, mask_phone};

use super::{my_sites, my_teams, names};
use crate::api::{AppState, Failure, blocking};
use crate::console::export::{self, Period, Report, Sources};
use crate::console::import::{self, Outcome, Row};
use crate::console::layout::{self, Flash, Nav};
use crate::console::{Session, genuine, read};

/// The import and export forms, on the administration page.
pub fn forms(s: &Session) -> Markup {
    let t = s.t();
    let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
    let first = today.with_day(1).unwrap_or(today);
    html! {
        h2 #import { (t.import_title) }
        form.card method="post" action="/console/admin/import" enctype="multipart/form-data" aria-labelledby="import" {
            input type="hidden" name="csrf" value=(s.csrf);
            input type="hidden" name="form_id" value=(layout::new_id());
            p.hint { (t.import_hint) }
            p.hint { (t.import_columns) }
            label for="import-file" { (t.import_file) }
            input #import-file type="file" name="file" accept=".csv,text/csv" required;
            p {
                button type="submit" name="mode" value="check" { (t.dry_run) }
                " "
                button.plain type="submit" name="mode" value="run" { (t.import_now) }
            }
        }
        h2 #export { (t.export_title) }
        form.card method="get" action="/console/export" aria-labelledby="export" {
            label for="export-report" { (t.report) }
            select #export-report name="report" {
                @for (r, label) in Report::ALL.iter().zip(t.reports) { option value=(r.as_str()) { (label) } }
            }
            label for="export-from" { (t.from) }
            input #export-from type="date" name="from" value=(first.to_string()) required;
            label for="export-to" { (t.to) }
            input #export-to type="date" name="to" value=(today.to_string()) required;
            label for="export-format" { (t.format) }
            select #export-format name="format" {
                option value="xlsx" { "Excel (XLSX)" }
                option value="csv" { "CSV" }
            }
            p { button type="submit" { (t.download) } }
        }
    }
}

/// `POST /console/admin/import`: check the file, and with `mode=run`
/// make the new accounts, each as a `create_account` mutation.
pub async fn import(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let t = s.t();
    let (mut csrf, mut form_id, mut run, mut file) =
        (String::new(), String::new(), false, Vec::new());
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("form_id") => form_id = field.text().await.unwrap_or_default(),
            Some("mode") => run = field.text().await.unwrap_or_default() == "run",
            Some("file") => file = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            _ => {}
        }
    }
    if !genuine(&s, &headers, Some(&csrf))
        || !volunteer_domain::is_valid_id(&form_id)
        || form_id.len() > 40
    {
        return layout::refusal(&s, t.form_expired);
    }
    let sites = match my_sites(&state, &s).await {
        Ok(x) => x,
        Err(f) => return f.into_response(),
    };
    let storage = state.storage.clone();
    let who = s.who.clone();
    let client = s.client_id();
    let words = &t.import_words;
    let checked = blocking(move || {
        let text = import::decode(&file);
        let mut taken = |phone: &str| storage.phone_taken(phone).unwrap_or(true);
        let rows = match import::check(&text, &who.actor, &sites, &mut taken, words) {
            Ok(rows) => rows,
            Err(why) => return Ok(Err(why)),
        };
        let mut results = BTreeMap::new();
        if run {
            for row in &rows {
                if let Outcome::New {
                    user_id,
                    name,
                    phone,
                    role,
                    site_id,
                } = &row.outcome
                {
                    let m = Mutation::CreateAccount {
                        user_id: user_id.clone(),
                        role: *role,
                        site_id: site_id.clone(),
                        display_name: name.clone(),
                        phone: phone.clone(),
                    };
                    let id = format!("{form_id}-{}", row.line);
                    results.insert(
                        row.line,
                        storage.submit(&who, &client, &id, m, Utc::now())?.code,
                    );
                }
            }
        }
        Ok(Ok((rows, results)))
    })
    .await;
    let (rows, results) = match checked {
        Ok(Ok(x)) => x,
        Ok(Err(why)) => return report_page(&s, run, &[], &BTreeMap::new(), Some(&why)),
        Err(f) => return f.into_response(),
    };
    report_page(&s, run, &rows, &results, None)
}

fn report_page(
    s: &Session,
    run: bool,
    rows: &[Row],
    results: &BTreeMap<usize, Option<String>>,
    error: Option<&str>,
) -> Response {
    let t = s.t();
    let count = |f: fn(&Outcome) -> bool| rows.iter().filter(|r| f(&r.outcome)).count();
    let summary = t
        .import_summary
        .replace(
            "{new}",
            &count(|o| matches!(o, Outcome::New { .. })).to_string(),
        )
        .replace("{exists}", &count(|o| *o == Outcome::Exists).to_string())
        .replace(
            "{bad}",
            &count(|o| matches!(o, Outcome::Bad(_))).to_string(),
        );
    layout::page(
        s,
        Nav::Admin,
        t.import_report,
        &Flash::default(),
        html! {
            @if let Some(why) = error { p.error role="alert" { (why) } } @else {
                p #import-summary role="status" { (summary) }
                table #import-rows {
                    thead { tr { th.num scope="col" { (t.line) } th scope="col" { (t.name) } th scope="col" { (t.phone) } th scope="col" { (t.outcome) } } }
                    tbody {
                        @for r in rows {
                            tr data-line=(r.line) class=[matches!(r.outcome, Outcome::Bad(_)).then_some("bad")] {
                                td.num { (r.line) }
                                @match &r.outcome {
                                    Outcome::New { name, phone, .. } => {
                                        td { (name) } td { (mask_phone(phone)) }
                                        td { @match (run, results.get(&r.line)) {
                                            (true, Some(Some(code))) => span.error { (t.failed) (t.reject_code(code)) },
                                            (true, _) => { (t.added) },
                                            (false, _) => { (t.will_add) },
                                        } }
                                    },
                                    Outcome::Exists => { td { (r.name) } td {} td { (t.already_there) } },
                                    Outcome::Bad(why) => { td { (r.name) } td {} td.error { (why) } },
                                }
                            }
                        }
                    }
                }
            }
            p { a href="/console/admin#import" { (t.back) } }
        },
    )
}

#[derive(serde::Deserialize)]
pub struct ExportQuery {
    report: String,
    from: String,
    to: String,
    format: String,
}

/// `GET /console/export`: a report of what the user may read, as a file.
pub async fn export(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<ExportQuery>,
) -> Result<Response, Failure> {
    file(&state, &s, &q).await
}

async fn file(state: &AppState, s: &Session, q: &ExportQuery) -> Result<Response, Failure> {
    let bad = |m: &str| {
        Failure::new(
            axum::http::StatusCode::BAD_REQUEST,
            volunteer_domain::ApiErrorCode::BadRequest,
            m,
        )
    };
    let report = Report::parse(&q.report).ok_or_else(|| bad("no such report"))?;
    let day =
        |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad("dates are YYYY-MM-DD"));
    let period = Period {
        from: day(&q.from)?,
        to: day(&q.to)?,
    };
    let hours = read(state, s, Kind::HourEntry, |r| match r {
        Record::HourEntry(h) => Some(h),
        _ => None,
    })
    .await?;
    let activities: BTreeMap<String, String> = read(state, s, Kind::Activity, |r| match r {
        Record::Activity(a) => Some((a.id, a.title)),
        _ => None,
    })
    .await?
    .into_iter()
    .collect();
    let sites = read(state, s, Kind::Site, super::sites).await?;
    let mine = my_sites(state, s).await?;
    let teams = my_teams(state, s, &mine).await?;
    let figures = read(state, s, Kind::Figures, |r| match r {
        Record::Figures(f) => Some(f),
        _ => None,
    })
    .await?;
    let names = names(state, s).await?;
    let table = export::table(
        report,
        period,
        &Sources {
            hours: &hours,
            names: &names,
            activities: &activities,
            teams: &teams,
            sites: &sites,
            figures: &figures,
        },
        s.t(),
    );
    let stem = format!("{}-{}-{}", table.name, period.from, period.to);
    let (body, kind, ext) = match q.format.as_str() {
        "csv" => (export::csv(&table), "text/csv; charset=utf-8", "csv"),
        _ => (
            export::xlsx(&table).map_err(|e| {
                tracing::error!(error = %e, "xlsx export failed");
                bad("the workbook could not be written")
            })?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{ext}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
