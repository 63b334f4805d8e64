//! Story 5: more offline signups than places; the server accepts exactly
//! `capacity` in the order it receives them and the others see a rejection.

use volunteer_core::{Kind, Record};
use volunteer_tests::{TestServer, fixture, signed_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story5_signups_over_capacity_are_rejected_after_sync() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let server = TestServer::start(&db).await;
    let fx = fixture::seed(server.store.as_ref());
    let act = fx.activity_a.id.clone();
    assert_eq!(fx.activity_a.capacity, 3);
    let mut phones = Vec::new();
    for i in 1..=5 {
        let login = format!("v{i}");
        let p = signed_in(dir.path(), &login, &server.url(), &login).await;
        phones.push(p);
    }
    let addr = server.addr;
    server.stop().await;
    for p in &phones {
        p.sign_up(&act).unwrap();
        assert_eq!(p.my_signups().unwrap().len(), 1, "optimistic");
        assert_eq!(p.activity(&act).unwrap().unwrap().signup_count, 1);
        // Queued behind the signup: must not be held up by its rejection.
        p.join_team(&fx.team_a.id).unwrap();
    }

    let server = TestServer::start_on(&db, addr).await;
    let tasks: Vec<_> = phones
        .iter()
        .cloned()
        .map(|p| tokio::spawn(async move { p.sync().await.unwrap() }))
        .collect();
    let mut applied = 0;
    let mut rejected = 0;
    for t in tasks {
        let r = t.await.unwrap();
        applied += r.applied;
        rejected += r.rejected;
    }
    assert_eq!((applied, rejected), (3 + 5, 2));
    assert_eq!(server.store.records(Kind::Membership).unwrap().len(), 5);

    let signups = server
        .store
        .records(Kind::Signup)
        .unwrap()
        .into_iter()
        .filter(|r| matches!(r, Record::Signup(s) if s.activity_id == act))
        .count();
    assert_eq!(signups, 3);
    let losers: Vec<_> = phones
        .iter()
        .filter(|p| !p.rejections().unwrap().is_empty())
        .collect();
    assert_eq!(losers.len(), 2);
    for p in &losers {
        let rej = p.rejections().unwrap();
        assert_eq!(rej.len(), 1);
        assert_eq!(rej[0].code.as_str(), "activity_full");
        assert!(
            matches!(&rej[0].mutation, volunteer_core::Mutation::SignUp { activity_id } if *activity_id == act)
        );
        assert!(p.my_signups().unwrap().is_empty(), "optimistic effect gone");
        assert_eq!(
            p.my_memberships().unwrap().len(),
            1,
            "the next action went through"
        );
        assert_eq!(p.sync_status().unwrap().rejected_count, 1);
    }
    for p in &phones {
        p.sync().await.unwrap();
        assert_eq!(p.activity(&act).unwrap().unwrap().signup_count, 3);
    }
    // Discarding a rejection removes it; nothing else changes.
    let seq = losers[0].rejections().unwrap()[0].seq;
    losers[0].discard_rejection(seq).unwrap();
    assert!(losers[0].rejections().unwrap().is_empty());
}
