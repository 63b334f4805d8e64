//! Call-outs that name whom they call, and brand projects.
use super::*;
use crate::records::Audience;

fn call(audience: Audience) -> Mutation {
    Mutation::CreateCallOut {
        activity_id: "c1".into(),
        site_id: "s2".into(),
        title: "防汛".into(),
        description: String::new(),
        starts_at: t(12, 0),
        ends_at: t(14, 0),
        needed: 2,
        audience,
    }
}

#[test]
fn staff_call_only_teams_and_subtrees_of_their_own_sites() {
    let mut s = Mem::new(true);
    let st2 = staff("/c/s2/");
    let theirs = Audience {
        team_ids: vec!["t1".into()], // at s1
        site_id: None,
    };
    assert_eq!(
        code(&run(&mut s, &st2, call(theirs), t(8, 0))),
        Some(RejectCode::Forbidden)
    );
    let above = Audience {
        team_ids: vec![],
        site_id: Some("c".into()),
    };
    assert_eq!(
        code(&run(&mut s, &st2, call(above), t(8, 0))),
        Some(RejectCode::Forbidden)
    );
    let mine = Audience {
        team_ids: vec![],
        site_id: Some("s2".into()),
    };
    assert!(matches!(
        run(&mut s, &st2, call(mine), t(8, 0)),
        Decision::Apply(_)
    ));
}

#[test]
fn only_those_called_respond_and_a_widening_keeps_everyone_called_before() {
    let mut s = Mem::new(true);
    let centre = staff("/c/");
    let team1 = Audience {
        team_ids: vec!["t1".into()],
        site_id: None,
    };
    let m = match call(team1.clone()) {
        Mutation::CreateCallOut {
            activity_id,
            title,
            description,
            starts_at,
            ends_at,
            needed,
            audience,
            ..
        } => Mutation::CreateCallOut {
            activity_id,
            site_id: "s1".into(),
            title,
            description,
            starts_at,
            ends_at,
            needed,
            audience,
        },
        _ => unreachable!(),
    };
    run(&mut s, &centre, m, t(8, 0));
    run(
        &mut s,
        &volunteer("v1"),
        Mutation::JoinTeam {
            team_id: "t1".into(),
        },
        t(8, 1),
    );
    let respond = || Mutation::SignUp {
        activity_id: "c1".into(),
    };
    assert!(matches!(
        run(&mut s, &volunteer("v1"), respond(), t(8, 2)),
        Decision::Apply(_)
    ));
    assert_eq!(
        code(&run(&mut s, &volunteer("v2"), respond(), t(8, 2))),
        Some(RejectCode::Forbidden)
    );
    let widen = |audience, needed| Mutation::WidenCallOut {
        activity_id: "c1".into(),
        audience,
        needed,
    };
    // Fewer places, or an audience that drops team t1: no widening.
    assert_eq!(
        code(&run(&mut s, &centre, widen(team1.clone(), 1), t(8, 3))),
        Some(RejectCode::InvalidInput)
    );
    let other = Audience {
        team_ids: vec!["t2".into()],
        site_id: None,
    };
    assert_eq!(
        code(&run(&mut s, &centre, widen(other, 3), t(8, 3))),
        Some(RejectCode::InvalidInput)
    );
    assert!(matches!(
        run(&mut s, &centre, widen(Audience::default(), 3), t(8, 3)),
        Decision::Apply(_)
    ));
    assert!(
        matches!(
            run(&mut s, &volunteer("v2"), respond(), t(8, 4)),
            Decision::Apply(_)
        ),
        "everyone now"
    );
    // Closed early: nobody more.
    run(
        &mut s,
        &centre,
        Mutation::CloseCallOut {
            activity_id: "c1".into(),
        },
        t(8, 5),
    );
    assert_eq!(
        code(&run(&mut s, &volunteer("v3"), respond(), t(8, 6))),
        Some(RejectCode::ActivityClosed)
    );
    // Not a call-out: neither closed nor widened.
    assert_eq!(
        code(&run(
            &mut s,
            &centre,
            Mutation::CloseCallOut {
                activity_id: "a1".into()
            },
            t(8, 6)
        )),
        Some(RejectCode::InvalidInput)
    );
}

#[test]
fn projects_are_started_and_linked_only_within_their_owners_reach() {
    let mut s = Mem::new(true);
    let project = |id: &str, site: &str, team: Option<&str>| Mutation::CreateProject {
        project_id: id.into(),
        site_id: site.into(),
        team_id: team.map(Into::into),
        name: "智慧助老".into(),
        description: String::new(),
    };
    let st1 = staff("/c/s1/");
    let st2 = staff("/c/s2/");
    assert!(matches!(
        run(&mut s, &st1, project("p1", "s1", None), t(8, 0)),
        Decision::Apply(_)
    ));
    assert_eq!(
        code(&run(&mut s, &st2, project("p2", "s1", None), t(8, 0))),
        Some(RejectCode::Forbidden)
    );
    // A team's project sits at the team's site; its leader may start it.
    assert_eq!(
        code(&run(
            &mut s,
            &leader_of("t1"),
            project("p3", "s2", Some("t1")),
            t(8, 0)
        )),
        Some(RejectCode::InvalidInput)
    );
    assert!(matches!(
        run(
            &mut s,
            &leader_of("t1"),
            project("p3", "s1", Some("t1")),
            t(8, 0)
        ),
        Decision::Apply(_)
    ));
    let link = |p: Option<&str>, activity: &str| Mutation::AssignProject {
        project_id: p.map(Into::into),
        activity_id: Some(activity.into()),
        order_id: None,
    };
    // Station 2 may link neither station 1's activity nor to its project.
    assert_eq!(
        code(&run(&mut s, &st2, link(Some("p1"), "a1"), t(8, 1))),
        Some(RejectCode::Forbidden)
    );
    assert!(
        matches!(run(&mut s, &st1, link(Some("p1"), "a1"), t(8, 1)), Decision::Apply(ref e) if e.len() == 1)
    );
    assert_eq!(activity(&mut s, "a1").project_id.as_deref(), Some("p1"));
    assert_eq!(
        run(&mut s, &st1, link(Some("p1"), "a1"), t(8, 2)),
        Decision::Apply(vec![]),
        "resent"
    );
    run(&mut s, &st1, link(None, "a1"), t(8, 3));
    assert_eq!(activity(&mut s, "a1").project_id, None, "unlinked");
    let both = Mutation::AssignProject {
        project_id: Some("p1".into()),
        activity_id: Some("a1".into()),
        order_id: Some("o1".into()),
    };
    assert_eq!(
        code(&run(&mut s, &st1, both, t(8, 4))),
        Some(RejectCode::InvalidInput)
    );
}
