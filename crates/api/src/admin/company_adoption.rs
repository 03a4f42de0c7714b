//! `GET /api/v1/admin/adoption/sites` (extension): the company-wide
//! adoption table, one row per site (this one from its own roll-ups, the
//! sites it follows from their pulled counts), with totals; JSON, or CSV
//! with `?format=csv`. Definitions in `docs/analytics.md`.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tertulia_domain::analytics::company::{self, SiteRow, Totals};
use tertulia_domain::roles::Permission;

use super::analytics::{DEFAULT_RANGE, READ, midnight};
use crate::auth::Auth;
use crate::csv::{Csv, FormatQuery};
use crate::entities::timestamp;
use crate::forms::Query;
use crate::{ApiError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct SitesQuery {
    #[serde(default)]
    range: Option<i64>,
    #[serde(default)]
    format: Option<String>,
}

#[derive(Serialize)]
struct TableEntity {
    range: i64,
    sites: Vec<SiteEntity>,
    totals: FiguresEntity,
}

#[derive(Serialize)]
struct SiteEntity {
    domain: String,
    name: String,
    /// Midnight of the last day the figures cover.
    as_of: Option<String>,
    /// `null` for this site, whose figures are read live.
    pulled_at: Option<String>,
    error: Option<String>,
    /// `null` until the site was pulled once.
    figures: Option<FiguresEntity>,
}

#[derive(Serialize)]
struct FiguresEntity {
    members: i64,
    active: i64,
    engaged: i64,
    new_users: i64,
    statuses: i64,
    interactions: i64,
    monthly_active: i64,
    habitual: i64,
}

impl FiguresEntity {
    fn from_totals(t: &Totals) -> Self {
        FiguresEntity {
            members: t.members,
            active: t.active,
            engaged: t.engaged,
            new_users: t.new_users,
            statuses: t.statuses,
            interactions: t.interactions,
            monthly_active: t.monthly_active,
            habitual: t.habitual,
        }
    }

    fn columns(&self) -> [String; 8] {
        [
            self.members,
            self.active,
            self.engaged,
            self.new_users,
            self.statuses,
            self.interactions,
            self.monthly_active,
            self.habitual,
        ]
        .map(|n| n.to_string())
    }
}

impl SiteEntity {
    fn from_row(site: SiteRow) -> Self {
        SiteEntity {
            as_of: site.as_of.map(midnight),
            pulled_at: site.pulled_at.map(|at| timestamp(at.and_utc())),
            figures: site.totals.as_ref().map(FiguresEntity::from_totals),
            domain: site.domain,
            name: site.name,
            error: site.error,
        }
    }
}

const CSV_HEADER: &[&str] = &[
    "site",
    "domain",
    "as_of",
    "pulled_at",
    "error",
    "members",
    "active",
    "engaged",
    "new_users",
    "statuses",
    "interactions",
    "monthly_active",
    "habitual",
];

pub async fn sites(
    state: web::Data<AppState>,
    auth: Auth,
    Query(query): Query<SitesQuery>,
) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ViewDashboard)?;
    let csv = FormatQuery { format: query.format.clone() }.wants_csv()?;
    let today = chrono::Utc::now().date_naive();
    let table = company::company_table(&state.ctx, query.range.unwrap_or(DEFAULT_RANGE), today).await?;
    let entity = TableEntity {
        range: table.range,
        totals: FiguresEntity::from_totals(&table.totals),
        sites: table.sites.into_iter().map(SiteEntity::from_row).collect(),
    };
    if !csv {
        return Ok(HttpResponse::Ok().json(entity));
    }
    let mut csv = Csv::new(CSV_HEADER);
    for site in &entity.sites {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let mut fields = vec![site.name.clone(), site.domain.clone(), text(&site.as_of), text(&site.pulled_at)];
        fields.push(text(&site.error));
        fields.extend(site.figures.as_ref().map(FiguresEntity::columns).unwrap_or_default());
        csv.row(&fields);
    }
    let mut totals = vec!["all sites".to_owned(), String::new(), String::new(), String::new(), String::new()];
    totals.extend(entity.totals.columns());
    csv.row(&totals);
    Ok(csv.into_response("adoption-sites"))
}
