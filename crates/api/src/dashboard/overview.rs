//! `/admin`: adoption at a glance (the `adoption` table of
//! docs/analytics.md), per site, department or office over 7 to 180 days,
//! as a chart and a table, with its CSV download.

use actix_web::{HttpResponse, web};
use maud::{Markup, html};
use serde::Deserialize;
use tertulia_domain::analytics::adoption::{self, Grouping, RANGES, Row};
use tertulia_domain::roles::Permission;

use super::{Refusal, Section, Staff, page};
use crate::admin::analytics::{self, AdoptionQuery, READ};
use crate::forms::Query;
use crate::{ApiError, AppState};

/// The range shown first, in days: a month, as the admin API's default.
const DEFAULT_RANGE: i64 = 30;
const GROUPINGS: [(&str, &str); 4] =
    [("", "Everyone"), ("site", "Site"), ("department", "Department"), ("office", "Office")];

#[derive(Debug, Default, Deserialize)]
pub struct OverviewQuery {
    #[serde(default)]
    range: Option<i64>,
    #[serde(default)]
    by: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    Query(query): Query<OverviewQuery>,
) -> Result<HttpResponse, Refusal> {
    staff.permitted(READ, Permission::ViewDashboard)?;
    let range = query.range.unwrap_or(DEFAULT_RANGE);
    let by = query.by.unwrap_or_default();
    let grouping = Grouping::parse(Some(&by)).map_err(ApiError::from)?;
    let today = chrono::Utc::now().date_naive();
    let rows = adoption::adoption(&state.ctx.db, range, grouping, today).await?;
    let export = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("range", range.to_string()), ("by", by.clone()), ("format", "csv".into())])
        .finish();
    let export = format!("/admin/exports/adoption?{export}");
    let main = html! {
        h1 { "Adoption" }
        p { "Active: signed in or read at least once in the range. Engaged: posted, replied, boosted or favourited. "
            "Monthly active: active in the last 28 days. Habitual: active on 10 or more of the last 28 days." }
        form.filters method="get" action="/admin" {
            div {
                label for="range" { "Range" }
                select id="range" name="range" {
                    @for days in RANGES { option value=(days) selected[*days == range] { "Last " (days) " days" } }
                }
            }
            div {
                label for="by" { "Group by" }
                select id="by" name="by" {
                    @for (value, label) in GROUPINGS { option value=(value) selected[value == by] { (label) } }
                }
            }
            div { button type="submit" { "Show" } }
        }
        @if rows.is_empty() {
            p.muted { "No figures yet: they are rolled up once a day." }
        } @else {
            (chart(&rows))
            table {
                caption.muted { "Last " (range) " days, up to today (UTC)" }
                thead { tr {
                    th scope="col" { "Group" }
                    th.number scope="col" { "People" }
                    th.number scope="col" { "Active" }
                    th.number scope="col" { "Engaged" }
                    th.number scope="col" { "Monthly active" }
                    th.number scope="col" { "Habitual" }
                } }
                tbody {
                    @for row in &rows {
                        tr {
                            th scope="row" { (row.group) }
                            td.number { (row.members) }
                            td.number { (row.active) }
                            td.number { (row.engaged) }
                            td.number { (row.monthly_active) }
                            td.number { (row.habitual) }
                        }
                    }
                }
            }
        }
        p { a href=(export) download { "Download this table as CSV" } }
    };
    Ok(page(&staff, Section::Overview, "Adoption", main))
}

/// Bar height and the room for labels, in SVG units.
const BAR: i64 = 22;
const LABEL_WIDTH: i64 = 180;
const BAR_WIDTH: i64 = 420;

/// Active and habitual people per group as horizontal bars, drawn here as
/// SVG (no script, so the page's policy holds). The table below carries the
/// same figures for screen readers, so the chart is hidden from them.
fn chart(rows: &[Row]) -> Markup {
    let largest = rows.iter().map(|row| row.members.max(row.active)).max().unwrap_or(0).max(1);
    let length = |value: i64| value * BAR_WIDTH / largest;
    let height = BAR * 3 / 2 * rows.len() as i64;
    html! {
        p.legend aria-hidden="true" { span.swatch-active { "Active" } span.swatch-habitual { "Habitual" } }
        svg.chart xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false"
            width=(LABEL_WIDTH + BAR_WIDTH + 60) height=(height) viewBox={ "0 0 " (LABEL_WIDTH + BAR_WIDTH + 60) " " (height) } {
            @for (index, row) in rows.iter().enumerate() {
                @let y = index as i64 * BAR * 3 / 2;
                text x="0" y=(y + BAR * 2 / 3) { (row.group) }
                rect.active x=(LABEL_WIDTH) y=(y) width=(length(row.active)) height=(BAR) {}
                rect.habitual x=(LABEL_WIDTH) y=(y + BAR / 4) width=(length(row.habitual)) height=(BAR / 2) {}
                text x=(LABEL_WIDTH + length(row.active) + 6) y=(y + BAR * 2 / 3) { (row.active) }
            }
        }
    }
}

/// `GET /admin/exports/adoption`: the admin API's own CSV, for the
/// signed-in browser, which holds no bearer token.
pub async fn export(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<AdoptionQuery>,
) -> Result<HttpResponse, Refusal> {
    Ok(analytics::adoption(state, staff.into_auth(), query).await?)
}
