//! Sites, teams and accounts as staff set them up.
use super::*;
use crate::records::{Account, AccountStatus, Profile};

fn admin() -> Actor {
    Actor {
        user_id: "ad".into(),
        name: "管理员".into(),
        role: Role::Admin,
        site_path: None,
        led_teams: vec![],
    }
}

fn staff_at(id: &str, path: &str) -> Actor {
    Actor {
        user_id: id.into(),
        ..staff(path)
    }
}

fn site(s: &mut Mem, id: &str) -> Option<Site> {
    match s.get(Kind::Site, id).unwrap() {
        Some(Record::Site(site)) => Some(site),
        _ => None,
    }
}

fn account(s: &mut Mem, id: &str) -> Account {
    match s.get(Kind::Account, id).unwrap() {
        Some(Record::Account(a)) => a,
        other => panic!("{other:?}"),
    }
}

fn new_site(id: &str, parent: &str) -> Mutation {
    Mutation::CreateSite {
        site_id: id.into(),
        parent_id: parent.into(),
        name: format!("{id} 服务点"),
        address: "幸福路 1 号".into(),
    }
}

fn new_account(id: &str, role: Role, site: &str, phone: &str) -> Mutation {
    Mutation::CreateAccount {
        user_id: id.into(),
        role,
        site_id: site.into(),
        display_name: "张桂英".into(),
        phone: phone.into(),
    }
}

#[test]
fn a_site_opens_one_level_below_a_site_its_maker_manages() {
    let mut s = Mem::new(true);
    let st1 = staff("/c/s1/");
    let d = run(&mut s, &st1, new_site("p1", "s1"), t(8, 0));
    assert!(matches!(d, Decision::Apply(ref e) if e.len() == 1), "{d:?}");
    let p1 = site(&mut s, "p1").unwrap();
    assert_eq!(
        (p1.level, p1.path.as_str(), p1.parent_id.as_deref()),
        (SiteLevel::Point, "/c/s1/p1/", Some("s1"))
    );
    // Resent: no second site; the id again with another name: taken.
    assert_eq!(
        run(&mut s, &st1, new_site("p1", "s1"), t(8, 1)),
        Decision::Apply(vec![])
    );
    let other = Mutation::CreateSite {
        site_id: "p1".into(),
        parent_id: "s1".into(),
        name: "另一个".into(),
        address: String::new(),
    };
    assert_eq!(
        code(&run(&mut s, &st1, other, t(8, 1))),
        Some(RejectCode::IdTaken)
    );
    // Below a point: nothing. Above or beside one's own site: not theirs.
    assert_eq!(
        code(&run(&mut s, &st1, new_site("x1", "p1"), t(8, 2))),
        Some(RejectCode::InvalidInput)
    );
    for parent in ["c", "s2"] {
        assert_eq!(
            code(&run(&mut s, &st1, new_site("x2", parent), t(8, 2))),
            Some(RejectCode::Forbidden),
            "{parent}"
        );
    }
    assert_eq!(
        code(&run(
            &mut s,
            &volunteer("v1"),
            new_site("x3", "s1"),
            t(8, 2)
        )),
        Some(RejectCode::Forbidden)
    );
    // The admin opens an institute below the center.
    run(&mut s, &admin(), new_site("i9", "c"), t(8, 3));
    assert_eq!(site(&mut s, "i9").unwrap().level, SiteLevel::Institute);
    // Renaming: staff of the site or above only.
    let rename = Mutation::UpdateSite {
        site_id: "s1".into(),
        name: "幸福里站".into(),
        address: String::new(),
    };
    assert_eq!(
        code(&run(&mut s, &staff("/c/s2/"), rename.clone(), t(8, 4))),
        Some(RejectCode::Forbidden)
    );
    run(&mut s, &st1, rename, t(8, 4));
    assert_eq!(site(&mut s, "s1").unwrap().name, "幸福里站");
}

#[test]
fn teams_form_at_managed_sites_and_their_leaders_edit_them() {
    let mut s = Mem::new(true);
    let create = |id: &str, site: &str| Mutation::CreateTeam {
        team_id: id.into(),
        site_id: site.into(),
        name: "助老服务队".into(),
        description: "陪伴独居老人".into(),
        join_policy: JoinPolicy::Approval,
    };
    assert!(matches!(
        run(&mut s, &staff("/c/s1/"), create("t9", "s1"), t(8, 0)),
        Decision::Apply(_)
    ));
    assert_eq!(
        code(&run(&mut s, &staff("/c/s1/"), create("t8", "s2"), t(8, 0))),
        Some(RejectCode::Forbidden)
    );
    assert_eq!(
        code(&run(&mut s, &volunteer("v1"), create("t7", "s1"), t(8, 0))),
        Some(RejectCode::Forbidden)
    );
    let edit = |team: &str| Mutation::UpdateTeam {
        team_id: team.into(),
        name: "助老队".into(),
        description: String::new(),
        join_policy: JoinPolicy::Open,
    };
    let leader = leader_of("t9");
    assert!(matches!(
        run(&mut s, &leader, edit("t9"), t(8, 1)),
        Decision::Apply(ref e) if e.len() == 1
    ));
    let Some(Record::Team(team)) = s.get(Kind::Team, "t9").unwrap() else {
        panic!()
    };
    assert_eq!(
        (team.name.as_str(), team.join_policy),
        ("助老队", JoinPolicy::Open)
    );
    assert_eq!(
        code(&run(&mut s, &leader, edit("t1"), t(8, 1))),
        Some(RejectCode::Forbidden),
        "another team's"
    );
}

#[test]
fn staff_make_pending_accounts_with_unique_phones_in_their_reach() {
    let mut s = Mem::new(true);
    let st1 = staff("/c/s1/");
    let d = run(
        &mut s,
        &st1,
        new_account("u1", Role::Volunteer, "s1", "+86 138 1234 5678"),
        t(8, 0),
    );
    let Decision::Apply(effects) = d else {
        panic!("{d:?}")
    };
    assert!(
        matches!(&effects[0], Effect::Put(Record::Profile(Profile { phone: Some(p), .. })) if p == "13812345678")
    );
    let a = account(&mut s, "u1");
    assert_eq!(a.status, AccountStatus::Pending);
    assert_eq!(a.phone_masked.as_deref(), Some("138****5678"));
    assert_eq!(a.created_by.as_deref(), Some("st"));
    // Resent: nothing new. The same phone for someone else: taken.
    assert_eq!(
        run(
            &mut s,
            &st1,
            new_account("u1", Role::Volunteer, "s1", "13812345678"),
            t(8, 1)
        ),
        Decision::Apply(vec![])
    );
    assert_eq!(
        code(&run(
            &mut s,
            &st1,
            new_account("u2", Role::Volunteer, "s1", "13812345678"),
            t(8, 1)
        )),
        Some(RejectCode::PhoneTaken)
    );
    // A device cannot know every phone: it applies and the server decides.
    let mut device = Mem::new(false);
    device.rows = s.rows.clone();
    assert!(matches!(
        run(
            &mut device,
            &st1,
            new_account("u2", Role::Volunteer, "s1", "13812345678"),
            t(8, 1)
        ),
        Decision::Apply(_)
    ));
    for (who, m, want) in [
        // Not a phone; an admin; a site beyond their reach.
        (
            &st1,
            new_account("u3", Role::Volunteer, "s1", "1234"),
            RejectCode::InvalidInput,
        ),
        (
            &st1,
            new_account("u3", Role::Admin, "s1", "13900000001"),
            RejectCode::InvalidInput,
        ),
        (
            &st1,
            new_account("u3", Role::Volunteer, "s2", "13900000001"),
            RejectCode::Forbidden,
        ),
        // Staff of their own site: a colleague is made from above.
        (
            &st1,
            new_account("u3", Role::Staff, "s1", "13900000001"),
            RejectCode::Forbidden,
        ),
        (
            &leader_of("t1"),
            new_account("u3", Role::Volunteer, "s1", "13900000001"),
            RejectCode::Forbidden,
        ),
    ] {
        assert_eq!(
            code(&run(&mut s, who, m.clone(), t(8, 2))),
            Some(want),
            "{m:?}"
        );
    }
    // From the center: staff of a station below.
    assert!(matches!(
        run(
            &mut s,
            &staff("/c/"),
            new_account("u4", Role::Staff, "s1", "13900000002"),
            t(8, 3)
        ),
        Decision::Apply(_)
    ));
}

#[test]
fn accounts_move_and_switch_off_only_within_their_managers_reach() {
    let mut s = Mem::new(true);
    let centre = staff_at("stc", "/c/");
    run(
        &mut s,
        &centre,
        new_account("k1", Role::Staff, "s1", "13900000011"),
        t(8, 0),
    );
    assert_eq!(
        code(&run(
            &mut s,
            &centre,
            new_account("k0", Role::Staff, "c", "13900000010"),
            t(8, 0)
        )),
        Some(RejectCode::Forbidden),
        "a colleague at the center is made by the admin"
    );
    run(
        &mut s,
        &admin(),
        new_account("k0", Role::Staff, "c", "13900000010"),
        t(8, 0),
    );
    run(
        &mut s,
        &centre,
        new_account("v9", Role::Volunteer, "s1", "13900000012"),
        t(8, 0),
    );
    let st1 = staff_at("k1", "/c/s1/");
    let deactivate = |id: &str| Mutation::DeactivateAccount {
        user_id: id.into(),
        reason: "离职".into(),
    };
    let assign = |id: &str, role, site: &str| Mutation::AssignAccount {
        user_id: id.into(),
        role,
        site_id: Some(site.into()),
        reason: "调岗".into(),
    };
    for (m, why) in [
        (deactivate("k1"), "themself"),
        (deactivate("k0"), "a superior"),
        (assign("v9", Role::Volunteer, "s2"), "out of their reach"),
        (
            assign("v9", Role::Staff, "s1"),
            "a colleague of their own rank",
        ),
        (assign("k0", Role::Staff, "s1"), "a superior, pulled down"),
    ] {
        assert_eq!(
            code(&run(&mut s, &st1, m, t(9, 0))),
            Some(RejectCode::Forbidden),
            "{why}"
        );
    }
    assert_eq!(
        code(&run(
            &mut s,
            &centre,
            Mutation::DeactivateAccount {
                user_id: "k1".into(),
                reason: " ".into()
            },
            t(9, 0)
        )),
        Some(RejectCode::InvalidInput),
        "a reason is needed"
    );
    // The center moves station staff between stations, and switches them off.
    run(&mut s, &centre, assign("k1", Role::Staff, "s2"), t(9, 1));
    let k1 = account(&mut s, "k1");
    assert_eq!(
        (k1.site_id.as_deref(), k1.changed_by.as_deref()),
        (Some("s2"), Some("stc"))
    );
    run(&mut s, &centre, deactivate("k1"), t(9, 2));
    assert_eq!(account(&mut s, "k1").status, AccountStatus::Deactivated);
    assert_eq!(
        run(&mut s, &centre, deactivate("k1"), t(9, 3)),
        Decision::Apply(vec![])
    );
    // Never activated: on again, it waits for activation; once activated, active.
    let on = Mutation::ReactivateAccount {
        user_id: "k1".into(),
    };
    run(&mut s, &centre, on.clone(), t(9, 4));
    assert_eq!(account(&mut s, "k1").status, AccountStatus::Pending);
    let mut k1 = account(&mut s, "k1");
    k1.activated_at = Some(t(9, 5));
    k1.status = AccountStatus::Deactivated;
    s.put(Record::Account(k1));
    run(&mut s, &centre, on, t(9, 6));
    assert_eq!(account(&mut s, "k1").status, AccountStatus::Active);
}
