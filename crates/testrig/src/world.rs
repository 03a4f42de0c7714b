//! A fixture world built in one call: named sites, named users on them and
//! who follows whom, for end-to-end tests.
//!
//! ```ignore
//! let world = World::plan()
//!     .site("hq", &["bob"])
//!     .site("es", &["ana"])
//!     .follows("ana", "bob")
//!     .start(BINARY)
//!     .await;
//! world.api("bob").post_status("Hola", json!({})).await;
//! ```

use crate::{ApiClient, Federation, TestInstance};

/// What to build: sites with their users and settings, then follows.
#[derive(Default)]
pub struct WorldPlan {
    sites: Vec<SitePlan>,
    follows: Vec<(String, String)>,
}

struct SitePlan {
    name: String,
    users: Vec<String>,
    settings: Vec<(String, String)>,
}

/// The built world. User names are unique across its sites.
pub struct World {
    sites: Vec<(String, TestInstance)>,
    users: Vec<User>,
}

/// A signed-up user, and their account id as each site knows it (their
/// own site's, and that of every site where someone follows them).
pub struct User {
    pub name: String,
    pub site: String,
    pub token: String,
    ids: Vec<(String, String)>,
}

impl WorldPlan {
    /// A site called `name` with `users` on it.
    pub fn site(self, name: &str, users: &[&str]) -> WorldPlan {
        self.site_with(name, users, &[])
    }

    /// [`site`](Self::site) with extra `TERTULIA_*` settings.
    pub fn site_with(mut self, name: &str, users: &[&str], settings: &[(&str, &str)]) -> WorldPlan {
        self.sites.push(SitePlan {
            name: name.to_owned(),
            users: users.iter().map(|u| (*u).to_owned()).collect(),
            settings: settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        });
        self
    }

    /// `follower` follows `followed`, on the same site or across sites.
    pub fn follows(mut self, follower: &str, followed: &str) -> WorldPlan {
        self.follows.push((follower.to_owned(), followed.to_owned()));
        self
    }

    /// Starts the sites (as a [`Federation`]: the first on PostgreSQL when
    /// available), signs the users up, then makes each follow in order and
    /// waits until it is accepted.
    pub async fn start(self, binary: &'static str) -> World {
        let settings = self.sites.iter().map(|site| site.settings.clone()).collect();
        let instances = Federation::start_all(binary, settings).await;
        let mut world = World { sites: Vec::new(), users: Vec::new() };
        for (plan, instance) in self.sites.into_iter().zip(instances) {
            for name in plan.users {
                assert!(world.users.iter().all(|u| u.name != name), "two users called {name}");
                let (token, id) = instance.sign_up_with_id(&name).await;
                world.users.push(User { name, site: plan.name.clone(), token, ids: vec![(plan.name.clone(), id)] });
            }
            world.sites.push((plan.name, instance));
        }
        for (follower, followed) in self.follows {
            world.follow(&follower, &followed).await;
        }
        world
    }
}

impl World {
    pub fn plan() -> WorldPlan {
        WorldPlan::default()
    }

    /// The site called `name`.
    pub fn site(&self, name: &str) -> &TestInstance {
        self.sites.iter().find(|(n, _)| n == name).map(|(_, site)| site).unwrap_or_else(|| panic!("no site {name}"))
    }

    /// The site called `name`, to stop or restart it.
    pub fn site_mut(&mut self, name: &str) -> &mut TestInstance {
        let found = self.sites.iter_mut().find(|(n, _)| n == name);
        found.map(|(_, site)| site).unwrap_or_else(|| panic!("no site {name}"))
    }

    pub fn user(&self, name: &str) -> &User {
        self.users.iter().find(|u| u.name == name).unwrap_or_else(|| panic!("no user {name}"))
    }

    /// A client acting as `user` on their own site.
    pub fn api(&self, user: &str) -> ApiClient<'_> {
        let user = self.user(user);
        self.site(&user.site).api(&user.token)
    }

    /// `user`'s account id on `site`: their own site's, or the one `site`
    /// gave them when someone there followed them.
    pub fn id_on(&self, user: &str, site: &str) -> &str {
        let ids = &self.user(user).ids;
        let found = ids.iter().find(|(s, _)| s == site).map(|(_, id)| id.as_str());
        found.unwrap_or_else(|| panic!("{user} is not known on {site}: nobody there follows them"))
    }

    /// Makes `follower` follow `followed` and waits until it is accepted.
    pub async fn follow(&mut self, follower: &str, followed: &str) {
        let follower_site = self.user(follower).site.clone();
        let followed_user = self.user(followed);
        let target = match followed_user.ids.iter().find(|(site, _)| *site == follower_site) {
            Some((_, id)) => id.clone(),
            None => self.api(follower).resolve(followed, self.site(&followed_user.site)).await,
        };
        self.api(follower).follow_and_wait(&target).await;
        let ids = &mut self.users.iter_mut().find(|u| u.name == followed).expect("followed user").ids;
        if !ids.iter().any(|(site, _)| *site == follower_site) {
            ids.push((follower_site, target));
        }
    }
}
