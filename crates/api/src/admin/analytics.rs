//! Adoption analytics for administrators: Mastodon's
//! `/api/v1/admin/measures`, `/dimensions` and `/retention`
//! (docs.joinmastodon.org/methods/admin/measures, …/dimensions,
//! …/retention) and this site's `/api/v1/admin/adoption`. Each answers
//! JSON, or with `?format=csv` the same table as CSV. Definitions in
//! `docs/analytics.md`.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tertulia_domain::analytics::Window;
use tertulia_domain::analytics::adoption::{self, Grouping};
use tertulia_domain::analytics::dimensions::{self, Dimension};
use tertulia_domain::analytics::measures::{self, Measure};
use tertulia_domain::analytics::retention::{self, Cohort, Frequency};
use tertulia_domain::roles::Permission;

use crate::auth::Auth;
use crate::csv::{Csv, FormatQuery};
use crate::entities::timestamp;
use crate::forms::{Form, Query};
use crate::{ApiError, AppState};

/// Mastodon asks `admin:read` for its reports; adoption is one more.
pub(crate) const READ: &str = "admin:read";

/// The tag or domain a `tag_*` or `instance_*` key is about:
/// `tag_uses[id]=…`, `instance_statuses[domain]=…`.
#[derive(Debug, Default, Deserialize)]
pub struct About {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    domain: Option<String>,
}

/// The parameters of the three Mastodon reports.
#[derive(Debug, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    keys: Vec<String>,
    #[serde(default)]
    start_at: Option<String>,
    #[serde(default)]
    end_at: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    frequency: Option<String>,
    #[serde(default)]
    tag_accounts: Option<About>,
    #[serde(default)]
    tag_uses: Option<About>,
    #[serde(default)]
    tag_servers: Option<About>,
    #[serde(default)]
    tag_languages: Option<About>,
    #[serde(default)]
    instance_accounts: Option<About>,
    #[serde(default)]
    instance_media_attachments: Option<About>,
    #[serde(default)]
    instance_reports: Option<About>,
    #[serde(default)]
    instance_statuses: Option<About>,
    #[serde(default)]
    instance_follows: Option<About>,
    #[serde(default)]
    instance_followers: Option<About>,
    #[serde(default)]
    instance_languages: Option<About>,
    #[serde(default)]
    tertulia_kudos_given: Option<About>,
    #[serde(default)]
    tertulia_kudos_received: Option<About>,
}

impl ReportForm {
    fn window(&self) -> Result<Window, ApiError> {
        Ok(Window::parse(self.start_at.as_deref(), self.end_at.as_deref())?)
    }

    /// What `key` is about, as its parameters name it.
    fn subject(&self, key: &str) -> Option<String> {
        let about = match key {
            "tag_accounts" => &self.tag_accounts,
            "tag_uses" => &self.tag_uses,
            "tag_servers" => &self.tag_servers,
            "tag_languages" => &self.tag_languages,
            "instance_accounts" => &self.instance_accounts,
            "instance_media_attachments" => &self.instance_media_attachments,
            "instance_reports" => &self.instance_reports,
            "instance_statuses" => &self.instance_statuses,
            "instance_follows" => &self.instance_follows,
            "instance_followers" => &self.instance_followers,
            "instance_languages" => &self.instance_languages,
            "tertulia_kudos_given" => &self.tertulia_kudos_given,
            "tertulia_kudos_received" => &self.tertulia_kudos_received,
            _ => return None,
        };
        let about = about.as_ref()?;
        let value = if key.starts_with("tag_") { &about.id } else { &about.domain };
        value.as_deref().map(|v| v.trim().to_lowercase())
    }
}

pub(super) fn midnight(day: NaiveDate) -> String {
    timestamp(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// Mastodon's `Admin::Measure`.
#[derive(Serialize)]
struct MeasureEntity {
    key: String,
    unit: Option<&'static str>,
    total: String,
    human_value: Option<String>,
    previous_total: String,
    data: Vec<MeasureData>,
}

#[derive(Serialize)]
struct MeasureData {
    date: String,
    value: String,
}

impl MeasureEntity {
    fn from_measure(measure: Measure) -> Self {
        MeasureEntity {
            key: measure.key,
            unit: measure.unit,
            total: measure.total.to_string(),
            human_value: None,
            previous_total: measure.previous_total.to_string(),
            data: measure
                .data
                .into_iter()
                .map(|(day, value)| MeasureData { date: midnight(day), value: value.to_string() })
                .collect(),
        }
    }
}

pub async fn measures(
    state: web::Data<AppState>,
    auth: Auth,
    Query(format): Query<FormatQuery>,
    Form(form): Form<ReportForm>,
) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ViewDashboard)?;
    let csv = format.wants_csv()?;
    let requests =
        form.keys.iter().map(|key| measures::Request { key: key.clone(), subject: form.subject(key) }).collect();
    let found = measures::measures(&state.ctx.db, requests, form.window()?).await?;
    let entities: Vec<MeasureEntity> = found.into_iter().map(MeasureEntity::from_measure).collect();
    if !csv {
        return Ok(HttpResponse::Ok().json(entities));
    }
    let mut table = Csv::new(&["key", "date", "value"]);
    for measure in &entities {
        for point in &measure.data {
            table.row(&[&measure.key, &point.date, &point.value]);
        }
    }
    Ok(table.into_response("measures"))
}

/// Mastodon's `Admin::Dimension`.
#[derive(Serialize)]
struct DimensionEntity {
    key: String,
    data: Vec<DimensionData>,
}

#[derive(Serialize)]
struct DimensionData {
    key: String,
    human_key: String,
    value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'static str>,
}

impl DimensionEntity {
    fn from_dimension(dimension: Dimension) -> Self {
        DimensionEntity {
            key: dimension.key,
            data: dimension
                .data
                .into_iter()
                .map(|item| DimensionData {
                    key: item.key,
                    human_key: item.human_key,
                    value: item.value,
                    unit: item.unit,
                })
                .collect(),
        }
    }
}

pub async fn dimensions(
    state: web::Data<AppState>,
    auth: Auth,
    Query(format): Query<FormatQuery>,
    Form(form): Form<ReportForm>,
) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ViewDashboard)?;
    let csv = format.wants_csv()?;
    let requests =
        form.keys.iter().map(|key| dimensions::Request { key: key.clone(), subject: form.subject(key) }).collect();
    let found = dimensions::dimensions(&state.ctx, requests, form.window()?, form.limit).await?;
    let entities: Vec<DimensionEntity> = found.into_iter().map(DimensionEntity::from_dimension).collect();
    if !csv {
        return Ok(HttpResponse::Ok().json(entities));
    }
    let mut table = Csv::new(&["dimension", "key", "human_key", "value", "unit"]);
    for dimension in &entities {
        for item in &dimension.data {
            table.row(&[&dimension.key, &item.key, &item.human_key, &item.value, item.unit.unwrap_or_default()]);
        }
    }
    Ok(table.into_response("dimensions"))
}

/// Mastodon's `Admin::Cohort`.
#[derive(Serialize)]
struct CohortEntity {
    period: String,
    frequency: &'static str,
    data: Vec<CohortData>,
}

#[derive(Serialize)]
struct CohortData {
    date: String,
    rate: f64,
    value: String,
}

impl CohortEntity {
    fn from_cohort(cohort: Cohort) -> Self {
        CohortEntity {
            period: midnight(cohort.period),
            frequency: cohort.frequency.name(),
            data: cohort
                .data
                .into_iter()
                .map(|(day, value, rate)| CohortData { date: midnight(day), rate, value: value.to_string() })
                .collect(),
        }
    }
}

pub async fn retention(
    state: web::Data<AppState>,
    auth: Auth,
    Query(format): Query<FormatQuery>,
    Form(form): Form<ReportForm>,
) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ViewDashboard)?;
    let csv = format.wants_csv()?;
    let frequency = Frequency::parse(form.frequency.as_deref())?;
    let cohorts = retention::retention(&state.ctx.db, form.window()?, frequency).await?;
    let entities: Vec<CohortEntity> = cohorts.into_iter().map(CohortEntity::from_cohort).collect();
    if !csv {
        return Ok(HttpResponse::Ok().json(entities));
    }
    let mut table = Csv::new(&["period", "frequency", "date", "value", "rate"]);
    for cohort in &entities {
        for point in &cohort.data {
            let rate = point.rate.to_string();
            table.row(&[&cohort.period, cohort.frequency, &point.date, &point.value, &rate]);
        }
    }
    Ok(table.into_response("retention"))
}

/// `GET /api/v1/admin/adoption?range=30&by=department`.
#[derive(Debug, Default, Deserialize)]
pub struct AdoptionQuery {
    #[serde(default)]
    range: Option<i64>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

#[derive(Serialize)]
struct AdoptionEntity {
    range: i64,
    by: Option<String>,
    start_at: String,
    end_at: String,
    groups: Vec<AdoptionRow>,
}

#[derive(Serialize)]
struct AdoptionRow {
    group: String,
    members: i64,
    active: i64,
    engaged: i64,
    monthly_active: i64,
    habitual: i64,
}

/// The range when none is asked for, in days.
pub(super) const DEFAULT_RANGE: i64 = 30;

pub async fn adoption(
    state: web::Data<AppState>,
    auth: Auth,
    Query(query): Query<AdoptionQuery>,
) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ViewDashboard)?;
    let csv = FormatQuery { format: query.format.clone() }.wants_csv()?;
    let range = query.range.unwrap_or(DEFAULT_RANGE);
    let grouping = Grouping::parse(query.by.as_deref())?;
    let today = chrono::Utc::now().date_naive();
    let rows = adoption::adoption(&state.ctx.db, range, grouping, today).await?;
    let groups: Vec<AdoptionRow> = rows
        .into_iter()
        .map(|row| AdoptionRow {
            group: row.group,
            members: row.members,
            active: row.active,
            engaged: row.engaged,
            monthly_active: row.monthly_active,
            habitual: row.habitual,
        })
        .collect();
    if csv {
        let mut table = Csv::new(&["group", "members", "active", "engaged", "monthly_active", "habitual"]);
        for row in &groups {
            let figures =
                [row.members, row.active, row.engaged, row.monthly_active, row.habitual].map(|n| n.to_string());
            table.row(&[row.group.as_str()].into_iter().chain(figures.iter().map(String::as_str)).collect::<Vec<_>>());
        }
        return Ok(table.into_response("adoption"));
    }
    let window = Window::ending(today, range);
    Ok(HttpResponse::Ok().json(AdoptionEntity {
        range,
        by: query.by,
        start_at: midnight(window.from),
        end_at: midnight(window.to),
        groups,
    }))
}
