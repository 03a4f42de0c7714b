//! Analytics over several days, on a real database (SQLite, or PostgreSQL
//! with `TERTULIA_TEST_DB=postgres`): days of activity are marked with the
//! function a token's first use of the day calls, a status of three days
//! ago is stored the way the benchmark seeder stores history, and the
//! roll-up itself counts that day.

use chrono::{Duration, NaiveDate};
use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::statuses::StatusRow;
use tertulia_testrig::TestDatabase;

use super::adoption::{self, Grouping, Row};
use super::measures::{self, Request};
use super::{Window, rollup};
use crate::Context;
use crate::users::{self, NewUserRequest, Role};

async fn context(database: &TestDatabase) -> Context {
    Context::for_test(database)
}

async fn user(ctx: &Context, name: &str) -> i64 {
    let request = NewUserRequest {
        username: name.into(),
        email: format!("{name}@acme.example"),
        password: "correct horse battery staple".into(),
        role: Role::User,
    };
    users::create(ctx, request).await.unwrap().account.id.0
}

/// Marks `account` active on each of `days_ago`.
async fn active_on(ctx: &Context, account: i64, today: NaiveDate, days_ago: impl Iterator<Item = i64>) {
    for ago in days_ago {
        let day = today - Duration::days(ago);
        ctx.db.write(move |conn| tertulia_db::analytics::mark_active(conn, account, day)).await.unwrap();
    }
}

#[tokio::test]
async fn habitual_monthly_and_daily_figures_come_from_the_days_people_were_active() {
    let database = TestDatabase::create();
    let ctx = context(&database).await;
    let today = tertulia_db::now().date();
    let (ana, bruno, carla) = (user(&ctx, "ana").await, user(&ctx, "bruno").await, user(&ctx, "carla").await);
    // Ana: 12 of the last 28 days (habitual); Bruno: 9 (not quite); Carla:
    // once, 40 days ago (not a monthly active any more).
    active_on(&ctx, ana, today, 0..12).await;
    active_on(&ctx, bruno, today, 0..9).await;
    active_on(&ctx, carla, today, 40..41).await;
    // A second mark on the same day changes nothing.
    active_on(&ctx, ana, today, 0..1).await;

    // Ana posted three days ago; the roll-up of that day finds it.
    let three_days_ago = today - Duration::days(3);
    let at = three_days_ago.and_hms_opt(10, 0, 0).unwrap();
    let id = Id::at(at.and_utc(), 1).0;
    let status = StatusRow::new_local(id, format!("https://acme.example/s/{id}"), ana, Visibility::Public, at);
    ctx.db.write(move |conn| tertulia_db::bulk::insert_statuses(conn, &[status])).await.unwrap();
    rollup::roll_up_day(&ctx, three_days_ago, tertulia_db::now()).await.unwrap();

    let everyone = |members, active, engaged| Row {
        group: adoption::EVERYONE.into(),
        members,
        active,
        engaged,
        monthly_active: 2,
        habitual: 1,
    };
    let week = adoption::adoption(&ctx.db, 7, Grouping::Everyone, today).await.unwrap();
    assert_eq!(week, vec![everyone(3, 2, 1)]);
    let quarter = adoption::adoption(&ctx.db, 90, Grouping::Everyone, today).await.unwrap();
    assert_eq!(quarter, vec![everyone(3, 3, 1)]);

    let window = Window::ending(today, 10);
    let request = vec![Request { key: "active_users".into(), subject: None }];
    let measure = measures::measures(&ctx.db, request, window).await.unwrap().remove(0);
    // Ten days back only Ana; from nine days back both.
    let daily: Vec<i64> = measure.data.iter().map(|(_, value)| *value).collect();
    assert_eq!(daily, [1, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    assert_eq!((measure.total, measure.previous_total), (2, 1), "the ten days before: Ana on two of them");

    // The first run counts today (the first user's day); today is counted
    // again on every run until it is over.
    assert_eq!(rollup::roll_up(&ctx).await.unwrap().days, [today]);
    assert_eq!(rollup::roll_up(&ctx).await.unwrap().days, [today]);
    let engaged = adoption::adoption(&ctx.db, 7, Grouping::Everyone, today).await.unwrap();
    assert_eq!(engaged, week, "counting today again keeps Ana's engaged day three days ago");
}
